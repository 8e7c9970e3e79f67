/**
 * What the CLI's own help promises works: every example printed by `--help` (the top level and
 * each command's) runs as printed, from a folder holding the examples, and succeeds; and every
 * method solves the bounded example through `solve` and `compare`, staying in its box and
 * reaching the known minimum (examples/rosenbrock.json: f* = 0 at (1, 1), inside [−2, 2]²);
 * the least-squares methods are refused on it for its kind, and on a bounded residuals file
 * `trf` and every minimize method reach the bounded minimum while `lm` is refused, naming trf.
 */
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEAST_SQUARES_METHOD_NAMES, SCALAR_METHOD_NAMES } from '../../optimizers/index.js';
import { ROOT, tayopt } from './helpers.js';

let dir: string;
let examples: string[] = [];

/** The examples of a help text: under "Examples:", each `tayopt …` line with the lines the help wrapped it onto. */
function examplesOf(help: string): string[] {
  const i = help.indexOf('\nExamples:\n');
  if (i < 0) return [];
  const out: string[] = [];
  for (const line of help.slice(i + 11).split('\n')) {
    if (line.trim() === '') break;
    if (/^\s+tayopt\s/.test(line)) out.push(line.trim());
    else out[out.length - 1] += ` ${line.trim()}`;
  }
  return out;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tayopt-help-'));
  symlinkSync(join(ROOT, 'examples'), join(dir, 'examples'));
  const top = await tayopt(['--help']);
  const commands = [...top.stdout.matchAll(/^\s+tayopt (\w+) <file>/gm)].map((m) => m[1]!);
  const helps = await Promise.all(commands.map((c) => tayopt([c, '--help'])));
  examples = [top, ...helps].flatMap((h) => examplesOf(h.stdout));
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the examples printed by --help', () => {
  it('are found: the solve and compare examples at least', () => {
    expect(examples.some((e) => e.startsWith('tayopt solve '))).toBe(true);
    expect(examples.some((e) => e.startsWith('tayopt compare '))).toBe(true);
  });

  it('each runs as printed and succeeds (exit 0; JSON results converged at f* = 0; reports written)', async () => {
    const runs = await Promise.all(
      examples.map(async (e) => {
        expect(e, 'an example without quoting, so that splitting on spaces is what a shell does').not.toMatch(/["'\\]/);
        const args = e.split(/\s+/).slice(1);
        return { e, args, r: await tayopt(args, { cwd: dir, timeoutMs: 300_000 }) };
      }),
    );
    for (const { e, args, r } of runs) {
      expect(r.code, `${e}\n${r.stderr}`).toBe(0);
      if (args.includes('--json')) {
        const out = JSON.parse(r.stdout) as { success?: boolean; fun?: number; runs?: { success: boolean; fun: number }[] };
        for (const run of out.runs ?? [out]) {
          expect(run.success, e).toBe(true);
          expect(Math.abs(run.fun!), e).toBeLessThan(1e-10);
        }
      }
      const k = args.indexOf('--report');
      if (k >= 0) expect(existsSync(join(dir, args[k + 1]!)), `${e}: report file`).toBe(true);
    }
  }, 600_000);
});

describe('every method on the bounded example', () => {
  it('solve --method m --json: converged at the known minimum, inside the bounds', async () => {
    const runs = await Promise.all(SCALAR_METHOD_NAMES.map((m) => tayopt(['solve', 'examples/rosenbrock.json', '--method', m, '--json', '-q'])));
    runs.forEach((r, k) => {
      const m = SCALAR_METHOD_NAMES[k]!;
      expect(r.code, `${m}: ${r.stderr}`).toBe(0);
      const out = JSON.parse(r.stdout) as { success: boolean; fun: number; x: { x: number[] }; method: string };
      expect(out.success, m).toBe(true);
      expect(out.fun, m).toBeLessThan(1e-10);
      for (const v of out.x.x) {
        expect(v).toBeGreaterThanOrEqual(-2);
        expect(v).toBeLessThanOrEqual(2);
        expect(v).toBeCloseTo(1, 4);
      }
    });
  }, 300_000);

  it('compare --methods <all>: one converged row per method', async () => {
    const r = await tayopt(['compare', 'examples/rosenbrock.json', '--methods', SCALAR_METHOD_NAMES.join(','), '--json', '-q']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { runs: { requested: string; success: boolean; fun: number }[] };
    expect(out.runs.map((x) => x.requested)).toEqual(SCALAR_METHOD_NAMES);
    for (const run of out.runs) {
      expect(run.success, run.requested).toBe(true);
      expect(run.fun, run.requested).toBeLessThan(1e-10);
    }
  }, 300_000);
});

describe('the least-squares methods and bounds', () => {
  it('lm and trf on the bounded objective file: refused for the problem kind, not the bounds', async () => {
    const runs = await Promise.all(LEAST_SQUARES_METHOD_NAMES.map((m) => tayopt(['solve', 'examples/rosenbrock.json', '--method', m, '--json', '-q'])));
    runs.forEach((r, k) => {
      expect(r.code, LEAST_SQUARES_METHOD_NAMES[k]).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`method "${LEAST_SQUARES_METHOD_NAMES[k]}" solves least-squares problems`));
    });
  }, 120_000);

  it('a bounded residuals file: trf and every minimize method reach the bounded minimum; lm is refused, naming trf', async () => {
    // Rosenbrock as residuals (10(x₂ − x₁²), 1 − x₁) with x₁ ≤ 0.5: for fixed x₁ the best x₂ is
    // x₁², leaving (1 − x₁)², least at the bound: x* = (0.5, 0.25), f* = Σr² = 0.25.
    const path = join(dir, 'rosenbrock-residuals.json');
    writeFileSync(
      path,
      JSON.stringify({
        name: 'rosenbrock residuals, bounded',
        variables: { x: [-1.2, 1] },
        residuals: '[10*(x[2] - x[1]^2), 1 - x[1]]',
        bounds: { x: { lower: [-2, -2], upper: [0.5, 2] } },
      }),
    );
    const methods = ['trf', ...SCALAR_METHOD_NAMES];
    const r = await tayopt(['compare', path, '--methods', methods.join(','), '--json', '-q']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { runs: { requested: string; success: boolean; fun: number; x: { x: number[] } }[] };
    expect(out.runs.map((x) => x.requested)).toEqual(methods);
    for (const run of out.runs) {
      expect(run.success, run.requested).toBe(true);
      expect(run.fun, run.requested).toBeCloseTo(0.25, 9);
      // at the bound (trf's iterates stay strictly inside it, Coleman–Li's interior scaling)
      expect(run.x.x[0], run.requested).toBeLessThanOrEqual(0.5);
      expect(run.x.x[0], run.requested).toBeCloseTo(0.5, 8);
      expect(run.x.x[1], run.requested).toBeCloseTo(0.25, 5);
    }
    const lm = await tayopt(['solve', path, '--method', 'lm', '-q']);
    expect(lm.code).toBe(2);
    expect(lm.stderr).toMatch(/method "lm" cannot honour the bounds.*\btrf\b/);
  }, 300_000);
});

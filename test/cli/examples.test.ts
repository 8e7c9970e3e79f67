/**
 * Every example solves from the command line, and its convergence report is written: the
 * PNG decodes, is at least 800×500 and shows the run's series (its colour is drawn); the
 * HTML embeds the chart data of that run. Optimal values are checked against the known
 * ones (closed forms, NIST certified values).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_ELEMENT_ID, type EmbeddedReportData, seriesColor } from '../../src/report/index.js';
import { countColor, decodePng, hexToRgb } from '../report/fixtures.js';
import { type CliResult, tayopt } from './helpers.js';
import { CONCRETE_METHOD_NAMES, autoText, methodSpec } from '../../optimizers/index.js';

interface Example {
  file: string;
  /** Variable name → shape, as the JSON result must give them. */
  shapes: Record<string, number[]>;
  /** Check on the optimal value. */
  f: (f: number) => boolean;
  /** Known optimal point (flat per variable), with a relative tolerance. */
  x?: { values: Record<string, number[]>; rtol: number };
}

const EXAMPLES: Example[] = [
  { file: 'examples/rosenbrock.json', shapes: { x: [2] }, f: (f) => f >= 0 && f < 1e-10, x: { values: { x: [1, 1] }, rtol: 1e-4 } },
  { file: 'examples/extended-rosenbrock.yaml', shapes: { x: [1000] }, f: (f) => f >= 0 && f < 1e-10 },
  {
    file: 'examples/curve-fit.yaml',
    shapes: { b1: [], b2: [] },
    // NIST certified residual sum of squares and parameters (11 significant digits)
    f: (f) => Math.abs(f - 1.2455138894e-1) <= 1e-10,
    x: { values: { b1: [2.3894212918e2], b2: [5.5015643181e-4] }, rtol: 1e-8 },
  },
  { file: 'examples/matrix-factorization.yaml', shapes: { U: [6, 2], V: [5, 2] }, f: (f) => f >= 0 && f < 1e-9 },
  // f* = 3 + ln det S, det S = 18
  { file: 'examples/log-det.json', shapes: { L: [3, 3] }, f: (f) => Math.abs(f - (3 + Math.log(18))) < 1e-10 },
  { file: 'examples/neural-network.ts', shapes: { x: [181] }, f: (f) => f >= 0 && f < 1e-8 },
];

let dir: string;
const runs = new Map<string, { png: CliResult; html: CliResult }>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tayopt-examples-'));
  await Promise.all(
    EXAMPLES.map(async (ex, k) => {
      const [png, html] = await Promise.all([
        tayopt(['solve', ex.file, '--json', '--quiet', '--report', join(dir, `ex${k}.png`)]),
        tayopt(['solve', ex.file, '--json', '--verbose', '--report', join(dir, `ex${k}.html`)]),
      ]);
      runs.set(ex.file, { png, html });
    }),
  );
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function shapeOf(v: unknown): number[] {
  return Array.isArray(v) ? [v.length, ...shapeOf(v[0])] : [];
}

function embedded(html: string): EmbeddedReportData {
  const m = new RegExp(`<script type="application/json" id="${DATA_ELEMENT_ID}">([\\s\\S]*?)</script>`).exec(html);
  if (!m) throw new Error('no embedded report data');
  return JSON.parse(m[1]!) as EmbeddedReportData;
}

describe.each(EXAMPLES.map((ex, k) => [ex.file, ex, k] as const))('%s', (_file, ex, k) => {
  it('solves: exit 0, one JSON object with x by variable name in the variables\' shapes, the known optimum', () => {
    const { png } = runs.get(ex.file)!;
    expect(png.code, png.stderr).toBe(0);
    const out = JSON.parse(png.stdout) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(expect.arrayContaining(['x', 'fun', 'success', 'status', 'message', 'nit', 'nfev', 'ngev', 'nhvp', 'nhev']));
    expect(out['success']).toBe(true);
    const x = out['x'] as Record<string, unknown>;
    expect(Object.keys(x)).toEqual(Object.keys(ex.shapes));
    for (const [name, shape] of Object.entries(ex.shapes)) expect(shapeOf(x[name])).toEqual(shape);
    expect(ex.f(out['fun'] as number), `f = ${out['fun']}`).toBe(true);
    if (ex.x) {
      for (const [name, want] of Object.entries(ex.x.values)) {
        const got = [x[name]].flat(3) as number[];
        want.forEach((w, i) => expect(Math.abs(got[i]! - w)).toBeLessThanOrEqual(ex.x!.rtol * Math.abs(w)));
      }
    }
  });

  it('writes a PNG report that decodes, is at least 800×500, and draws the run in its colour', async () => {
    const img = await decodePng(readFileSync(join(dir, `ex${k}.png`)));
    expect(img.width).toBeGreaterThanOrEqual(800);
    expect(img.height).toBeGreaterThanOrEqual(500);
    expect(countColor(img, hexToRgb(seriesColor(0)), 12)).toBeGreaterThan(300);
  });

  it('writes an HTML report with the chart data of the run, and logs each iteration on stderr (--verbose)', () => {
    const { html } = runs.get(ex.file)!;
    expect(html.code, html.stderr).toBe(0);
    const out = JSON.parse(html.stdout) as { method: string; nit: number; problem: string };
    const data = embedded(readFileSync(join(dir, `ex${k}.html`), 'utf8'));
    expect(data.title).toBe(out.problem);
    expect(data.panels.map((p) => p.id)).toEqual(['f-iter', 'f-work', 'gnorm', 'step']);
    const fIter = data.panels[0]!.series;
    expect(fIter.map((s) => s.label)).toEqual([out.method]);
    expect(fIter[0]!.points.length).toBe(out.nit + 1);
    expect(fIter[0]!.points.map((p) => p[0])).toEqual(Array.from({ length: out.nit + 1 }, (_, i) => i));
    // the log: a header, then rows 0 … nit
    const rows = html.stderr.split('\n').filter((l) => /^\s*\d+\s+-?\d\.\d+e[+-]\d+/.test(l));
    expect(rows.length).toBe(out.nit + 1);
    // …each the solver's own history row (row 0 included): iteration and ‖g‖∞ as the report draws them
    const gnorm = data.panels.find((p) => p.id === 'gnorm')!.series[0]!.points;
    rows.forEach((row, i) => {
      const [iter, , g] = row.trim().split(/\s+/).map(Number);
      expect(iter).toBe(i);
      if (g! > 0) expect(Math.abs(g! - gnorm[i]![1]) / gnorm[i]![1]).toBeLessThan(6e-3); // printed with 3 digits
    });
    expect(html.stderr).toMatch(/iter\s+objective\s+‖g‖∞\s+step\s+radius\s+nfev\s+ngev\s+nhvp\s+nhev/);
  });
});

describe('compare', () => {
  it('runs each method, prints a table, and draws every run on one chart', async () => {
    const png = join(dir, 'compare.png');
    const [text, json] = await Promise.all([
      tayopt(['compare', 'examples/rosenbrock.json', '--methods', 'lbfgs,auto', '--report', png, '-q']),
      tayopt(['compare', 'examples/log-det.json', '--methods', 'lbfgs,newton,trust-exact', '--json', '--report', join(dir, 'compare.html'), '-q']),
    ]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^method\s+status\s+f\s+f − f\*/m);
    expect(text.stdout).toMatch(/^lbfgs→lbfgsb\s+gtol/m); // bounds: L-BFGS-B
    expect(text.stdout).toMatch(/^auto→trust-exact\s+gtol/m); // bounds: the bounded trust-exact
    const img = await decodePng(readFileSync(png));
    for (const k of [0, 1]) expect(countColor(img, hexToRgb(seriesColor(k)), 12)).toBeGreaterThan(100);

    expect(json.code, json.stderr).toBe(0);
    const out = JSON.parse(json.stdout) as { runs: { requested: string; fun: number; success: boolean; nit: number }[] };
    expect(out.runs.map((r) => r.requested)).toEqual(['lbfgs', 'newton', 'trust-exact']);
    for (const r of out.runs) expect(Math.abs(r.fun - (3 + Math.log(18)))).toBeLessThan(1e-9);
    const data = embedded(readFileSync(join(dir, 'compare.html'), 'utf8'));
    expect(data.panels[0]!.series.map((s) => [s.label, s.points.length])).toEqual(out.runs.map((r) => [r.requested, r.nit + 1]));
  });
});

describe('help', () => {
  it('lists every method of the registry, with its summary, under solve and compare', async () => {
    const [solve, compare] = await Promise.all([tayopt(['solve', '--help']), tayopt(['compare', '--help'])]);
    for (const r of [solve, compare]) {
      expect(r.code, r.stderr).toBe(0);
      for (const m of CONCRETE_METHOD_NAMES) expect(r.stdout).toMatch(new RegExp(`^\\s+${m}\\s+${methodSpec(m).summary.replace(/[()]/g, '\\$&')}$`, 'm'));
    }
    expect(solve.stdout.replace(/\s+/g, ' ')).toContain(`auto: ${autoText()}`);
  });
});

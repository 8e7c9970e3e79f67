/**
 * `tayopt check FILE` on module problems with hand-written derivatives (exit 0 right, 1 wrong
 * with the wrong component named, 2 bad input), and Ctrl-C during `tayopt solve`: SIGINT to a
 * running solve (a minimization or a least-squares fit) prints the summary with status
 * aborted, writes the report so far, exits 130.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, ensureBuilt, tayopt } from './helpers.js';

let dir = '';

// Rosenbrock in 3 variables, written with tayopt operations; grad by hand (right, or with one
// flipped sign), a Hessian with one wrong entry.
const module = (gradFix: string, hess = '') => `export default (t) => ({
  x0: [-1.2, 1, 0.5],
  objective: (x) => {
    const a = t.slice(x, [0, 2]);
    return t.sum(t.add(t.mul(100, t.square(t.sub(t.slice(x, [1, 3]), t.square(a)))), t.square(t.sub(1, a))));
  },
  grad: (x) => {
    const g = [0, 0, 0];
    for (let i = 0; i < 2; i++) {
      const r = x[i + 1] - x[i] ** 2;
      g[i] += -400 * x[i] * r - 2 * (1 - x[i]);
      g[i + 1] += 200 * r;
    }
    ${gradFix}
    return g;
  },
  ${hess}
});
`;

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'tayopt-check-'));
  writeFileSync(join(dir, 'right.mjs'), module(''));
  writeFileSync(join(dir, 'flipped.mjs'), module('g[1] = -g[1];'));
  writeFileSync(
    join(dir, 'hess.mjs'),
    module(
      '',
      `hess: (x) => [
    [1200 * x[0] ** 2 - 400 * x[1] + 2, -400 * x[0], 0],
    [-400 * x[0], 200 + 1200 * x[1] ** 2 - 400 * x[2] + 2, -400 * x[1]],
    [0, -400 * x[1], 250],
  ],`,
    ),
  );
  writeFileSync(join(dir, 'throws.mjs'), module('throw new RangeError("not written yet");'));
  writeFileSync(join(dir, 'none.mjs'), 'export default { x0: [1, 2], objective: (x) => x.sum() };\n');
  // Least squares with a dense 400×400 matrix: thousands of L-BFGS iterations at gtol 1e-300.
  writeFileSync(
    join(dir, 'slow.mjs'),
    `export default (t) => {
  const n = 400;
  let s = 12345;
  const r = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5;
  const A = Array.from({ length: n }, () => Array.from({ length: n }, r));
  const b = Array.from({ length: n }, r);
  return { x0: new Array(n).fill(0), objective: (x) => t.sum(t.square(t.sub(t.dot(t.tensor(A), x), t.tensor(b)))) };
};
`,
  );
  // Least squares that creeps for thousands of ~3 ms iterations: Dennis & Schnabel's
  // large-residual example r = (x + 1, λx² + x − 1) in 100 copies, λ = 0.99999, whose
  // minimizer x = 0 is nearly flat, so Gauss–Newton steps shrink like 1/k.
  writeFileSync(
    join(dir, 'slow-fit.yaml'),
    `name: slow fit
parameters:
  n: 100
  lam: 0.99999
variables:
  x: "1 + 0 * (1:n)"
residuals: concat(x + 1, lam * x.^2 + x - 1)
`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tayopt check', () => {
  it('right derivatives: exit 0, order 2', async () => {
    const r = await tayopt(['check', join(dir, 'right.mjs')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/derivatives right/);
    expect(r.stdout).toMatch(/grad +right: Taylor remainder ~ h\^2\.0/);
  });

  it('a flipped sign: exit 1, order 1, the component named (x[2], the second element)', async () => {
    const r = await tayopt(['check', join(dir, 'flipped.mjs')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/grad +WRONG: Taylor remainder ~ h\^1\.0/);
    const named = r.stdout.split('\n').filter((l) => /∂f\/∂/.test(l));
    expect(named).toHaveLength(1);
    expect(named[0]).toMatch(/∂f\/∂x\[2\]/);
  });

  it('a wrong Hessian entry: exit 1, the entry named, the gradient right (--json)', async () => {
    const r = await tayopt(['check', join(dir, 'hess.mjs'), '--json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { ok: boolean; checks: { derivative: string; ok: boolean; worst: { index: number[]; wrong: boolean }[] }[] };
    expect(out.ok).toBe(false);
    expect(out.checks.map((c) => [c.derivative, c.ok])).toEqual([
      ['grad', true],
      ['hess', false],
    ]);
    // ∂²f/∂x₃² is 200, the module says 250: the only wrong entry is (2, 2).
    expect(out.checks[1]!.worst.filter((w) => w.wrong).map((w) => w.index)).toEqual([[2, 2]]);
  });

  it('bad input: exit 2 with one line', async () => {
    for (const [args, pattern] of [
      [['check', join(dir, 'none.mjs')], /supplies no derivatives to check/],
      [['check', join(ROOT, 'examples/rosenbrock.json')], /supplies no derivatives to check/],
      [['check', join(dir, 'throws.mjs')], /grad threw RangeError: not written yet/],
    ] as const) {
      const r = await tayopt(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

/** Runs `tayopt solve ARGS`, sends SIGINT once the log shows iteration 5, and collects the output. */
async function interruptedSolve(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, 'solve', ...args], { cwd: ROOT });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  const iterating = new Promise<void>((resolve) =>
    child.stderr.on('data', (d) => {
      stderr += String(d);
      // the log's header and a few iteration rows: the solver is running
      if (/\n +5 +\d/.test(stderr)) resolve();
    }),
  );
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await iterating;
  child.kill('SIGINT');
  return { code: await exited, stdout, stderr };
}

describe('Ctrl-C during solve', () => {
  it('SIGINT: summary with status aborted, the report so far, exit 130', async () => {
    const report = join(dir, 'slow.html');
    const { code, stdout, stderr } = await interruptedSolve([join(dir, 'slow.mjs'), '--method', 'lbfgs', '--gtol', '1e-300', '--max-iter', '1000000', '--report', report]);
    expect(code).toBe(130);
    expect(stdout).toMatch(/NOT converged \(aborted\) with lbfgs after \d+ iterations/);
    expect(stderr).toMatch(/interrupted \(Ctrl-C\)/);
    const nit = Number(/after (\d+) iterations/.exec(stdout)![1]);
    expect(nit).toBeGreaterThanOrEqual(5);
    expect(nit).toBeLessThan(1_000_000);
    expect(existsSync(report)).toBe(true);
    expect(readFileSync(report, 'utf8')).toMatch(/aborted/);
  }, 120_000);

  it('SIGINT on a least-squares fit: the fit summary with status aborted, the report so far, exit 130', async () => {
    const report = join(dir, 'slow-fit.html');
    const { code, stdout, stderr } = await interruptedSolve([join(dir, 'slow-fit.yaml'), '--max-iter', '1000000', '--report', report]);
    expect(code).toBe(130);
    expect(stdout).toMatch(/NOT converged \(aborted\) with trf after \d+ iterations/);
    expect(stderr).toMatch(/interrupted \(Ctrl-C\)/);
    const nit = Number(/after (\d+) iterations/.exec(stdout)![1]);
    expect(nit).toBeGreaterThanOrEqual(5);
    // the fit at the point so far: Σr² lies between f* = 2n = 200 and f(x0) = n·(4 + λ²) ≈ 500
    expect(stdout).toMatch(/fit: 200 residuals, 100 parameters, 100 degrees of freedom/);
    const rss = Number(/residual sum of squares (\S+),/.exec(stdout)![1]);
    expect(rss).toBeGreaterThan(200);
    expect(rss).toBeLessThan(100 * (4 + 0.99999 ** 2));
    expect(existsSync(report)).toBe(true);
    expect(readFileSync(report, 'utf8')).toMatch(/aborted/);
  }, 120_000);
});

/**
 * `tayopt derive` against independent truth: on every example its gradient equals central
 * finite differences of the objective's values to 1e-7 (relative to max(1, |∂f/∂x_i|)), and on
 * Rosenbrock its value, gradient and Hessian equal the closed forms, at x0 and at --at.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, ensureBuilt, tayopt } from './helpers.js';

const EXAMPLES = [
  'examples/rosenbrock.json',
  'examples/extended-rosenbrock.yaml',
  'examples/curve-fit.yaml',
  'examples/matrix-factorization.yaml',
  'examples/log-det.json',
  'examples/neural-network.ts',
];

/**
 * Central differences of f at x0, computed in a separate Node process from the built
 * problem loader's values alone (no derivatives), with one Richardson extrapolation step
 * (error O(h⁴)): D(h) = (f(x+h) − f(x−h))/2h, g ≈ (4·D(h/2) − D(h))/3, with
 * h_i = 1e-3·max(|x_i|, 1e-2) — large enough that rounding in f stays far below 1e-7,
 * scaled so that badly scaled unknowns (b2 = 1e-4 in the curve fit) get a step of their size.
 */
const FD_SCRIPT = `
const [, loadUrl, indexUrl, file] = process.argv;
const { loadProblem } = await import(loadUrl);
const t = await import(indexUrl);
const p = await loadProblem(file);
const f = (x) => p.f(t.tensor(x)).item();
const D = (i, h) => {
  const xp = p.x0.slice(); xp[i] += h;
  const xm = p.x0.slice(); xm[i] -= h;
  return (f(xp) - f(xm)) / (2 * h);
};
const g = [];
for (let i = 0; i < p.n; i++) {
  const h = 1e-3 * Math.max(Math.abs(p.x0[i]), 1e-2);
  g.push((4 * D(i, h / 2) - D(i, h)) / 3);
}
process.stdout.write(JSON.stringify(g));
`;

function finiteDifferences(file: string): Promise<number[]> {
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', FD_SCRIPT, pathToFileURL(join(ROOT, 'dist/src/problem/load.js')).href, pathToFileURL(join(ROOT, 'dist/src/index.js')).href, file],
      { cwd: ROOT, maxBuffer: 64 << 20, timeout: 120_000 },
      (err, stdout, stderr) => (err ? fail(new Error(`${err.message}\n${stderr}`)) : done(JSON.parse(String(stdout)) as number[])),
    );
  });
}

const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);

const results = new Map<string, { ad: number[]; fd: number[] }>();

beforeAll(async () => {
  ensureBuilt();
  await Promise.all(
    EXAMPLES.map(async (file) => {
      const [r, fd] = await Promise.all([tayopt(['derive', file, '--json']), finiteDifferences(file)]);
      if (r.code !== 0) throw new Error(`derive ${file}: exit ${r.code}: ${r.stderr}`);
      const out = JSON.parse(r.stdout) as { gradient: Record<string, unknown>; variables: { name: string }[] };
      const ad = out.variables.flatMap((v) => flat(out.gradient[v.name]));
      results.set(file, { ad, fd });
    }),
  );
}, 300_000);

describe('derive: gradients equal central finite differences to 1e-7', () => {
  it.each(EXAMPLES)('%s', (file) => {
    const { ad, fd } = results.get(file)!;
    expect(ad.length).toBe(fd.length);
    let worst = 0;
    for (let i = 0; i < ad.length; i++) worst = Math.max(worst, Math.abs(ad[i]! - fd[i]!) / Math.max(1, Math.abs(ad[i]!)));
    expect(worst).toBeLessThan(1e-7);
  });
});

describe('derive on Rosenbrock: closed forms', () => {
  // f = 100(x2 − x1²)² + (1 − x1)²; ∇f = (−400x1(x2 − x1²) − 2(1 − x1), 200(x2 − x1²));
  // ∇²f = [[1200x1² − 400x2 + 2, −400x1], [−400x1, 200]]
  const closed = (x1: number, x2: number) => ({
    f: 100 * (x2 - x1 * x1) ** 2 + (1 - x1) ** 2,
    g: [-400 * x1 * (x2 - x1 * x1) - 2 * (1 - x1), 200 * (x2 - x1 * x1)],
    H: [[1200 * x1 * x1 - 400 * x2 + 2, -400 * x1], [-400 * x1, 200]],
  });

  const pointFile = join(mkdtempSync(join(tmpdir(), 'tayopt-derive-')), 'point.yaml');
  writeFileSync(pointFile, '# a point, by variable name\nx: [2, 3.5]\n');

  it.each([
    ['x0', [] as string[], [-1.2, 1]],
    ['an inline --at point', ['--at', '{"x": [0.5, -0.25]}'], [0.5, -0.25]],
    ['a --at point file', ['--at', pointFile], [2, 3.5]],
  ])('at %s', async (_what, extra, at) => {
    const r = await tayopt(['derive', 'examples/rosenbrock.json', '--hessian', '--json', ...extra]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { f: number; gradient: { x: number[] }; hessian: number[][]; point: { x: number[] } };
    const c = closed(at[0]!, at[1]!);
    expect(out.point.x).toEqual(at);
    expect(out.f).toBeCloseTo(c.f, 12);
    out.gradient.x.forEach((g, i) => expect(g).toBeCloseTo(c.g[i]!, 10));
    out.hessian.forEach((row, i) => row.forEach((h, j) => expect(h).toBeCloseTo(c.H[i]![j]!, 9)));
  });

  it('prints a readable text form', async () => {
    const r = await tayopt(['derive', 'examples/rosenbrock.json', '--hessian']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^f = 24\.2/m);
    expect(r.stdout).toMatch(/∂f\/∂x = \[-215\.6, -88\]/);
    expect(r.stdout).toMatch(/\[1330, 480\]\n\s+\[480, 200\]/);
  });
});

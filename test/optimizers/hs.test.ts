/**
 * The Hock–Schittkowski problems (examples/hs/) through `ipm`: success is never reported at a
 * point that violates a constraint or bound by more than 1e-6 (checked from the problem file,
 * not from the solver), and the published optimum is reached on the great majority
 * (`npm run bench:solvers` has the table beside scipy).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as t from '../../src/index.js';
import { parseYaml, problemFromTree, type Problem } from '../../src/problem/index.js';
import { minimize } from '../../optimizers/index.js';

const DIR = join(import.meta.dirname, '../../examples/hs');
const problems: Problem[] = readdirSync(DIR)
  .filter((f) => /^hs\d+\.yaml$/.test(f))
  .sort()
  .map((f) => problemFromTree(parseYaml(readFileSync(join(DIR, f), 'utf8'), f), f));

/** Largest violation of the problem's constraints and bounds at x. */
function violation(p: Problem, x: Float64Array): number {
  let v = 0;
  if (p.bounds) for (let i = 0; i < p.n; i++) v = Math.max(v, p.bounds.lower[i]! - x[i]!, x[i]! - p.bounds.upper[i]!);
  for (const c of p.constraints ?? []) c.fun(t.tensor(x)).toFloat64Array().forEach((ci, i) => (v = Math.max(v, c.lower[i]! - ci, ci - c.upper[i]!, Number.isNaN(ci) ? Infinity : 0)));
  return v;
}

describe('Hock–Schittkowski', () => {
  it('115 problems: no success at an infeasible point, and the published optimum on at least 100', () => {
    expect(problems.length).toBe(115);
    let solved = 0;
    const falseSuccess: string[] = [];
    for (const p of problems) {
      const r = minimize(p.f, p.x0, {
        maxIter: 300,
        ...(p.bounds ? { bounds: p.bounds } : {}),
        constraints: (p.constraints ?? []).map((c) => ({ fun: c.fun, lower: c.lower, upper: c.upper, name: c.name })),
      });
      const viol = violation(p, r.x);
      if (r.success && !(viol <= 1e-6)) falseSuccess.push(`${p.name}: violation ${viol}`);
      const fStar = p.solution.f!;
      if (viol <= 1e-6 && Math.abs(p.f(t.tensor(r.x)).item() - fStar) <= 1e-6 * (1 + Math.abs(fStar))) solved++;
    }
    expect(falseSuccess).toEqual([]);
    expect(solved).toBeGreaterThanOrEqual(100);
  }, 120_000);

  it('hs099, an objective of size 8e8 (scaled down 1e-7 internally): converges, not stopped by the unscaled complementarity test', () => {
    const p = problems.find((q) => q.name === 'HS099')!;
    const r = minimize(p.f, p.x0, {
      bounds: p.bounds!,
      constraints: p.constraints!.map((c) => ({ fun: c.fun, lower: c.lower, upper: c.upper, name: c.name })),
    });
    expect(r.status).toBe('converged');
    expect(r.nit).toBeLessThan(50);
    expect(violation(p, r.x)).toBeLessThanOrEqual(1e-6);
    const fStar = p.solution.f!;
    expect(Math.abs(r.fun - fStar)).toBeLessThanOrEqual(1e-6 * Math.abs(fStar));
    expect(r.kkt!.complementarity).toBeLessThanOrEqual(1e-4);
  });
});

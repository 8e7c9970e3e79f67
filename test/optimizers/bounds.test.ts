/**
 * Acceptance 3: L-BFGS-B on bound-constrained problems whose bounds are active at the
 * solution, to projected gradient ≤ 1e-6. Truths: published / closed-form solutions
 * (bench/problems/bounded.ts), a convex quadratic whose KKT point is known by construction,
 * and a second algorithm — trust-exact on the problem reduced to the free variables.
 */
import { describe, expect, it } from 'vitest';
import * as t from '../../src/index.js';
import { minimize } from '../../optimizers/index.js';
import { BOUNDED_PROBLEMS } from '../../bench/problems/bounded.js';
import { reaches } from '../../bench/problems/mgh.js';
import { boxQp, diagonalQuadratic, firstOrder } from './helpers.js';

describe('L-BFGS-B on problems with active bounds', () => {
  for (const p of BOUNDED_PROBLEMS) {
    it(`${p.name}: projected gradient ≤ 1e-6 at a known solution`, () => {
      const r = minimize(p.objective, p.x0, { method: 'lbfgs', bounds: { lower: p.lower, upper: p.upper }, gtol: 1e-6 });
      expect(r.method).toBe('lbfgsb');
      expect(r.status).toBe('gtol');
      expect(r.history[r.history.length - 1]!.gnorm).toBeLessThanOrEqual(1e-6);
      const k = p.fStar.findIndex((v) => reaches(r.fun, v));
      expect(k).toBeGreaterThanOrEqual(0);
      for (let i = 0; i < p.n; i++) {
        expect(r.x[i]).toBeGreaterThanOrEqual(p.lower[i]!);
        expect(r.x[i]).toBeLessThanOrEqual(p.upper[i]!);
        expect(Math.abs(r.x[i]! - p.xStar[k]![i]!)).toBeLessThan(1e-4 * (1 + Math.abs(p.xStar[k]![i]!)));
      }
      // KKT signs: the gradient pushes outward at active bounds and vanishes elsewhere.
      let active = 0;
      for (let i = 0; i < p.n; i++) {
        const g = r.grad[i]!;
        if (r.x[i] === p.lower[i]) {
          active++;
          expect(g).toBeGreaterThan(-1e-6);
        } else if (r.x[i] === p.upper[i]) {
          active++;
          expect(g).toBeLessThan(1e-6);
        } else expect(Math.abs(g)).toBeLessThanOrEqual(1e-6);
      }
      expect(active).toBeGreaterThan(0);
    });
  }

  it('agrees with trust-exact on the problem reduced to its free variables (a second algorithm)', () => {
    for (const p of BOUNDED_PROBLEMS) {
      const r = minimize(p.objective, p.x0, { method: 'lbfgs', bounds: { lower: p.lower, upper: p.upper }, gtol: 1e-8 });
      const free = Array.from(r.x, (v, i) => (v > p.lower[i]! && v < p.upper[i]! ? i : -1)).filter((i) => i >= 0);
      if (free.length === 0) continue;
      // x = base + P·z with the active variables fixed at their bounds.
      const base = Array.from(r.x, (v, i) => (free.includes(i) ? 0 : v));
      const P = Array.from({ length: p.n }, (_, i) => free.map((j) => (i === j ? 1 : 0)));
      const reduced = (z: t.Tensor): t.Tensor => p.objective(t.add(base, t.matmul(P, z)));
      const z0 = free.map((i) => r.x[i]! + 0.1); // start nearby, not at the answer
      const s = minimize(reduced, z0, { method: 'trust-exact', gtol: 1e-10 });
      expect(s.fun).toBeCloseTo(r.fun, 8);
      free.forEach((i, k) => expect(s.x[k]).toBeCloseTo(r.x[i]!, 5));
    }
  });
});

describe('closed forms', () => {
  it('a separable quadratic: the solution is the clipped unconstrained minimizer', () => {
    const n = 50;
    const d = Array.from({ length: n }, (_, i) => 1 + (i % 7) * 10);
    const c = Array.from({ length: n }, (_, i) => Math.sin(i) * 3);
    const lower = new Array(n).fill(-1);
    const upper = new Array(n).fill(1.5);
    const r = minimize(diagonalQuadratic(d, c), new Array(n).fill(0), { method: 'lbfgs', bounds: { lower, upper }, gtol: 1e-10 });
    for (let i = 0; i < n; i++) expect(r.x[i]).toBeCloseTo(Math.min(Math.max(c[i]!, -1), 1.5), 9);
  });

  it('a coupled convex quadratic with a KKT point known by construction', () => {
    const n = 30;
    const { fns, xStar } = boxQp(n, 5);
    const r = minimize(firstOrder(fns), new Array(n).fill(0.5), { method: 'lbfgs', bounds: { lower: 0, upper: 1 }, gtol: 1e-10 });
    expect(r.status).toBe('gtol');
    for (let i = 0; i < n; i++) expect(r.x[i]).toBeCloseTo(xStar[i]!, 7);
  });
});

describe('bounds arguments', () => {
  const f = (x: t.Tensor): t.Tensor => t.sum(t.square(t.sub(x, [2, -3])));
  it('accepts { lower, upper } vectors, scalars, nulls and [lo, hi] pairs alike', () => {
    const a = minimize(f, [0, 0], { bounds: { lower: [null, -1], upper: [1, null] } });
    const b = minimize(f, [0, 0], { bounds: [
      [null, 1],
      [-1, null],
    ] });
    const c = minimize(f, [0, 0], { bounds: { lower: -1, upper: 1 } });
    for (const r of [a, b, c]) {
      expect(r.method).toBe('trust-exact'); // auto under bounds: the bounded trust-exact
      expect(r.x[0]).toBeCloseTo(1, 12);
      expect(r.x[1]).toBeCloseTo(-1, 12);
    }
  });

  it('projects an infeasible x0 into the box', () => {
    const r = minimize(f, [10, 10], { bounds: { lower: [0, 0], upper: [1, 1] }, maxIter: 0 });
    expect(Array.from(r.x)).toEqual([1, 1]);
  });

  it('throws, naming the argument, for invalid bounds', () => {
    expect(() => minimize(f, [0, 0], { bounds: { lower: [0, 0, 0] } })).toThrow(/bounds.lower must have 2 entries/);
    expect(() => minimize(f, [0, 0], { bounds: { lower: [2, 0], upper: [1, 1] } })).toThrow(/empty for variable 0/);
    expect(() => minimize(f, [0, 0], { bounds: [[0, 1]] })).toThrow(/bounds has 1 \[lower, upper\] pairs, expected 2/);
    expect(() => minimize(f, [0, 0], { bounds: { lower: [NaN, 0] } })).toThrow(/bounds.lower\[0\] is not a number/);
  });
});

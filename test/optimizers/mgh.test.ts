/**
 * Acceptance 1: every method on the Moré–Garbow–Hillstrom problems (bench/problems/mgh.ts)
 * reaches a minimum the paper reports, |f − f*| ≤ max(1e-6(1 + |f*|), printed precision) —
 * except the misses listed below, each with its reason, and each reason checked.
 *
 * Applicability: the dense-Hessian methods (newton, trust-exact, dogleg: `isDense`) run up to n = 100
 * (the n = 1000 instances cost O(n³) per factorization — the benchmark covers them at
 * n ≤ 200); every other method runs on every instance, n = 1000 included.
 */
import { describe, expect, it } from 'vitest';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import * as t from '../../src/index.js';
import { isDense, minimize } from '../../optimizers/index.js';
import { MGH_PROBLEMS, mghProblem, reaches, type TestProblem } from '../../bench/problems/mgh.js';
import { ALL_METHODS, type TestMethod } from './helpers.js';

const applicable = (m: TestMethod, p: TestProblem): boolean => !(isDense(m) && p.n > 100);

type Reason = 'other local minimizer' | 'valley at infinity';
const TRIG10 = { 'trigonometric-10': 'other local minimizer' } as const;
const TRIG100 = { 'trigonometric-100': 'other local minimizer' } as const;

/**
 * Problems each method may miss, and why:
 *  - trigonometric-10 / -100: from x0 = (1/n, …) the iteration ends at one of the many local
 *    minimizers the paper does not list (f = 2.79506e-5 at n = 10; f ≈ 1e-6 … 3e-6 at n = 100,
 *    above the 1e-6 allowance for f* = 0). Checked: ∇f ≈ 0 and ∇²f positive definite there.
 *  - biggs-exp6 (trust-exact): x0 = (1, 2, 1, 1, 1, 1) has x1 = x5 and x3 = x6, and f is
 *    invariant under swapping (x1, x3) ↔ (x5, x6), so exact trust-region steps keep that
 *    symmetry (only rounding breaks it), and on the symmetric set the three exponentials are two.
 *    The path leads into a degenerate valley where the exponentials merge (x1 = x5) and
 *    x3e^{−tx1} − x4e^{−tx2} tends to a derivative term as x3, x4, x6 → ∞: f decreases towards
 *    ≈ 0.2427 along it and ‖∇f‖ → 0, so the gradient test eventually stops far out in the
 *    valley. Which basin a run ends in hinges on small details of the first steps: from scipy's
 *    first iterate (to 4 digits) our trust-exact succeeds with Δ₀ = 0.125, 0.5 or 2 and fails
 *    with 0.25 or 1. (scipy's trust-exact succeeds: its first subproblem stops at its first λ
 *    with the hard-case step p + τz, an approximate solution whose estimated z breaks the
 *    symmetry.)
 *    Checked: x1 = x5, x4 > 10, f ≈ 0.2427.
 * (chebyquad-10: trust-exact ends at f = 4.772713e-3, below the paper's 6.50395e-3; that value is
 * listed in mgh.ts with its source, CUTEst's CHEBYQAD.SIF, so it counts as reached.)
 * At most 3 each for trust-exact, newton and lbfgs (asserted below).
 */
const MAY_MISS: Record<TestMethod, Record<string, Reason>> = {
  lbfgs: { ...TRIG10, ...TRIG100 },
  bfgs: { ...TRIG10, ...TRIG100 },
  newton: { ...TRIG10, ...TRIG100 },
  'newton-cg': { ...TRIG10, ...TRIG100 },
  'trust-ncg': { ...TRIG10, ...TRIG100 },
  'trust-exact': { 'biggs-exp6': 'valley at infinity' },
  dogleg: { ...TRIG10, ...TRIG100 },
  'trust-krylov': { ...TRIG10, ...TRIG100 },
};

/** Smallest eigenvalue of the (AD) Hessian and ‖∇f‖∞ at x. */
function secondOrder(p: TestProblem, x: Float64Array): { lmin: number; gnorm: number } {
  const o = t.objective(p.objective, p.x0);
  const n = p.n;
  const g = new Float64Array(n);
  o.valueAndGrad(x, g);
  const H = new Float64Array(n * n);
  o.hessian(x, H);
  const evd = new EigenvalueDecomposition(new Matrix(Array.from({ length: n }, (_, i) => Array.from(H.subarray(i * n, (i + 1) * n)))), {
    assumeSymmetric: true,
  });
  return { lmin: Math.min(...evd.realEigenvalues), gnorm: Math.max(...g.map(Math.abs)) };
}

describe('the problem set', () => {
  it('covers all 35 problems of the paper, the 18 of its main set, and n = 10/100/1000 for the scalable ones', () => {
    expect(new Set(MGH_PROBLEMS.map((p) => p.id))).toEqual(new Set(Array.from({ length: 35 }, (_, i) => i + 1)));
    expect(new Set(MGH_PROBLEMS.filter((p) => p.main18).map((p) => p.id)).size).toBe(18);
    for (const family of ['extended-rosenbrock', 'variably-dimensioned', 'trigonometric'])
      for (const n of [10, 100, 1000]) expect(mghProblem(`${family}-${n}`).n).toBe(n);
    // Extended Powell needs n divisible by 4: 12 stands in for 10.
    for (const n of [12, 100, 1000]) expect(mghProblem(`extended-powell-${n}`).n).toBe(n);
  });

  it('vanishes (or takes its closed-form minimum) at the known exact minimizers', () => {
    const at = (name: string, x: number[]): number => t.objective(mghProblem(name).objective, x).value(Float64Array.from(x));
    expect(at('rosenbrock', [1, 1])).toBe(0);
    expect(at('freudenstein-roth', [5, 4])).toBe(0);
    expect(at('brown-badly-scaled', [1e6, 2e-6])).toBe(0);
    expect(at('beale', [3, 0.5])).toBe(0);
    expect(at('helical-valley', [1, 0, 0])).toBe(0);
    expect(at('gulf', [50, 25, 1.5])).toBeLessThan(1e-28);
    expect(at('box-3d', [1, 10, 1])).toBeLessThan(1e-30);
    expect(at('powell-singular', [0, 0, 0, 0])).toBe(0);
    expect(at('wood', [1, 1, 1, 1])).toBe(0);
    expect(at('biggs-exp6', [1, 10, 1, 5, 4, 3])).toBeLessThan(1e-30);
    expect(at('extended-rosenbrock-100', new Array(100).fill(1))).toBe(0);
    expect(at('extended-powell-12', new Array(12).fill(0))).toBe(0);
    expect(at('variably-dimensioned-10', new Array(10).fill(1))).toBe(0);
    expect(at('trigonometric-10', new Array(10).fill(0))).toBe(0);
    expect(at('brown-almost-linear-10', new Array(10).fill(1))).toBe(0);
    expect(at('linear-full-rank-10', new Array(10).fill(-1))).toBeCloseTo(10, 12); // m − n
    // Brown almost-linear's second minimum f = 1 at (0, …, 0, n + 1).
    expect(at('brown-almost-linear-10', [...new Array(9).fill(0), 11])).toBe(1);
  });

  it('has exact gradients (AD against central differences) at the starting points', () => {
    for (const p of MGH_PROBLEMS.filter((q) => q.n <= 12)) {
      const o = t.objective(p.objective, p.x0);
      const x = Float64Array.from(p.x0);
      const g = new Float64Array(p.n);
      o.valueAndGrad(x, g);
      for (let i = 0; i < p.n; i++) {
        const h = 1e-6 * Math.max(1, Math.abs(x[i]!));
        const y = Float64Array.from(x);
        y[i] = x[i]! + h;
        const fp = o.value(y);
        y[i] = x[i]! - h;
        const fm = o.value(y);
        const fd = (fp - fm) / (2 * h);
        expect(Math.abs(fd - g[i]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(g[i]!), Math.abs(o.value(x))));
      }
    }
  });
});

describe('every method reaches the published minima', () => {
  it('lists at most 3 possible misses for trust-exact, newton and lbfgs', () => {
    for (const m of ['trust-exact', 'newton', 'lbfgs'] as const) expect(Object.keys(MAY_MISS[m]).length).toBeLessThanOrEqual(3);
  });

  for (const method of ALL_METHODS) {
    it(method, () => {
      const unexpected: string[] = [];
      for (const p of MGH_PROBLEMS) {
        if (!applicable(method, p)) continue;
        const r = minimize(p.objective, p.x0, { method, gtol: 1e-6, maxIter: 5000 });
        expect(r.x.every(Number.isFinite)).toBe(true);
        if (p.fStar.some((v) => reaches(r.fun, v))) continue;
        const reason = MAY_MISS[method][p.name];
        if (!reason) {
          unexpected.push(`${p.name}: f = ${r.fun} (${r.status}: ${r.message})`);
          continue;
        }
        if (reason === 'other local minimizer') {
          const { lmin, gnorm } = secondOrder(p, r.x);
          expect(gnorm).toBeLessThan(1e-5);
          expect(lmin).toBeGreaterThan(0);
        } else {
          // biggs-exp6: far out in the valley where the rates x1 and x5 coincide.
          expect(Math.abs(r.x[0]! - r.x[4]!)).toBeLessThan(1e-4);
          expect(r.x[3]).toBeGreaterThan(10); // x4 = 1 at x0, 5 at the minimizer
          expect(r.fun).toBeGreaterThan(0.2426);
          expect(r.fun).toBeLessThan(0.2428);
        }
      }
      expect(unexpected).toEqual([]);
    });
  }
});

/**
 * The line searches on their own, on 1-D functions with closed-form minimizers: the
 * Moré–Thuente test functions (Moré & Thuente 1994, §5), quadratics, and functions that turn
 * NaN/Infinity beyond a point. Every accepted step is checked against the conditions it
 * claims, computed from the closed forms.
 */
import { describe, expect, it } from 'vitest';
import { moreThuente, cubicMinimizer } from '../../optimizers/linesearch/morethuente.js';
import { backtracking } from '../../optimizers/linesearch/backtracking.js';
import type { LineFunction } from '../../optimizers/linesearch/types.js';

/** A LineFunction from closed forms φ and φ', counting evaluations. */
function line(phi: (a: number) => number, dphi: (a: number) => number) {
  const fn = {
    slope: NaN,
    evals: 0,
    value(a: number) {
      fn.evals++;
      return phi(a);
    },
    valueAndSlope(a: number) {
      fn.evals++;
      fn.slope = dphi(a);
      return phi(a);
    },
  };
  return fn satisfies LineFunction & { evals: number };
}

// Moré–Thuente test functions (their eq. 5.1–5.3) and derivatives.
const beta1 = 2;
const phi1 = (a: number) => -a / (a * a + beta1);
const dphi1 = (a: number) => (a * a - beta1) / (a * a + beta1) ** 2;
const beta2 = 0.004;
const phi2 = (a: number) => (a + beta2) ** 5 - 2 * (a + beta2) ** 4;
const dphi2 = (a: number) => 5 * (a + beta2) ** 4 - 8 * (a + beta2) ** 3;
// φ3: φ(α) = φ0(α) + 2(1 − β)/(lπ) sin(lπα/2), φ0 = 1 − α for α ≤ 1 − β, etc. (β = 0.01, l = 39).
const b3 = 0.01;
const l3 = 39;
const phi0 = (a: number) => (a <= 1 - b3 ? 1 - a : a >= 1 + b3 ? a - 1 : (a - 1) ** 2 / (2 * b3) + b3 / 2);
const dphi0 = (a: number) => (a <= 1 - b3 ? -1 : a >= 1 + b3 ? 1 : (a - 1) / b3);
const phi3 = (a: number) => phi0(a) + ((2 * (1 - b3)) / (l3 * Math.PI)) * Math.sin((l3 * Math.PI * a) / 2);
const dphi3 = (a: number) => dphi0(a) + (1 - b3) * Math.cos((l3 * Math.PI * a) / 2);

function strongWolfe(phi: (a: number) => number, dphi: (a: number) => number, a: number, c1: number, c2: number): boolean {
  return phi(a) <= phi(0) + c1 * a * dphi(0) && Math.abs(dphi(a)) <= c2 * Math.abs(dphi(0));
}

describe('Moré–Thuente', () => {
  it('meets the strong Wolfe conditions on the paper’s test functions from every starting step', () => {
    const cases: [typeof phi1, typeof dphi1, number, number][] = [
      [phi1, dphi1, 0.001, 0.1],
      [phi2, dphi2, 0.1, 0.1],
      [phi3, dphi3, 0.1, 0.1],
    ];
    for (const [phi, dphi, c1, c2] of cases) {
      const ls = moreThuente({ c1, c2 });
      for (const a0 of [1e-3, 1e-1, 1e1, 1e3]) {
        const fn = line(phi, dphi);
        const r = ls.search(fn, phi(0), dphi(0), a0, Infinity);
        expect(r.status).toBe('converged');
        expect(strongWolfe(phi, dphi, r.alpha, c1, c2)).toBe(true);
        expect(r.phi).toBe(phi(r.alpha));
        expect(r.evals).toBeLessThanOrEqual(20);
      }
    }
  });

  it('with a tight curvature condition converges to the exact minimizer', () => {
    // φ1 has its minimizer at α* = √β; φ2 at α* + β = 1.6.
    const r1 = moreThuente({ c1: 1e-4, c2: 1e-8 }).search(line(phi1, dphi1), phi1(0), dphi1(0), 1, Infinity);
    expect(r1.alpha).toBeCloseTo(Math.sqrt(beta1), 7);
    const r2 = moreThuente({ c1: 1e-4, c2: 1e-8 }).search(line(phi2, dphi2), phi2(0), dphi2(0), 0.1, Infinity);
    expect(r2.alpha).toBeCloseTo(1.6 - beta2, 7);
  });

  it('takes the unit step when it already satisfies the conditions', () => {
    const phi = (a: number) => (a - 1) ** 2;
    const dphi = (a: number) => 2 * (a - 1);
    const fn = line(phi, dphi);
    const r = moreThuente().search(fn, 1, -2, 1, Infinity);
    expect(r).toMatchObject({ status: 'converged', alpha: 1, evals: 1 });
  });

  it('respects the maximum step and reports it as a sufficient-decrease step', () => {
    // φ(α) = −α decreases forever; with αmax = 5 the search ends at 5.
    const r = moreThuente().search(line((a) => -a, () => -1), 0, -1, 1, 5);
    expect(r.status).toBe('armijo');
    expect(r.alpha).toBe(5);
  });

  it('backs off from NaN/Infinity beyond a point and still finds a Wolfe step', () => {
    // φ(α) = (α − 2)² − log(3 − α): undefined for α ≥ 3; minimizer where 2(α − 2) + 1/(3 − α) = 0.
    const phi = (a: number) => (a < 3 ? (a - 2) ** 2 - Math.log(3 - a) : NaN);
    const dphi = (a: number) => (a < 3 ? 2 * (a - 2) + 1 / (3 - a) : NaN);
    const r = moreThuente({ c2: 0.1 }).search(line(phi, dphi), phi(0), dphi(0), 100, Infinity);
    expect(r.status).toBe('converged');
    expect(r.alpha).toBeLessThan(3);
    expect(strongWolfe(phi, dphi, r.alpha, 1e-4, 0.1)).toBe(true);
  });

  it('reports nonFinite when every trial is NaN', () => {
    const r = moreThuente().search(line(() => NaN, () => NaN), 1, -1, 1, Infinity);
    expect(r.status).toBe('nonFinite');
    expect(r.alpha).toBe(0);
  });

  it('refuses a direction that is not a descent direction', () => {
    const r = moreThuente().search(line((a) => a, () => 1), 0, 1, 1, Infinity);
    expect(r.status).toBe('notDescent');
  });

  it('accepts by the approximate Wolfe conditions where f differences are rounding noise', () => {
    // φ(α) = 1e6 + ½(α − 1)²·1e-12 with the value rounded to float64: differences vanish, slopes do not.
    const phi = (a: number) => 1e6 + 0.5e-12 * (a - 1) ** 2;
    const dphi = (a: number) => 1e-12 * (a - 1);
    const r = moreThuente().search(line(phi, dphi), phi(0), dphi(0), 1, Infinity);
    expect(r.status).toBe('converged');
    expect(r.alpha).toBeCloseTo(1, 6);
  });
});

describe('cubicMinimizer', () => {
  it('recovers the minimizer of a cubic from two values and slopes', () => {
    // c(α) = α³ − 3α: minimizer at α = 1.
    const c = (a: number) => a ** 3 - 3 * a;
    const dc = (a: number) => 3 * a * a - 3;
    expect(cubicMinimizer(0, c(0), dc(0), 2, c(2), dc(2))).toBeCloseTo(1, 12);
    expect(cubicMinimizer(2, c(2), dc(2), -0.5, c(-0.5), dc(-0.5))).toBeCloseTo(1, 12);
  });
});

describe('backtracking (Armijo)', () => {
  it('returns the exact minimizer of a quadratic after one interpolation', () => {
    // φ(α) = (α − 0.3)²: the quadratic interpolant is φ itself, minimizer 0.3 ∈ [0.1, 0.5].
    const phi = (a: number) => (a - 0.3) ** 2;
    const fn = line(phi, (a) => 2 * (a - 0.3));
    const r = backtracking().search(fn, phi(0), -0.6, 1, Infinity);
    expect(r.status).toBe('converged');
    expect(r.alpha).toBeCloseTo(0.3, 14);
    expect(fn.evals).toBe(2);
  });

  it('satisfies the Armijo condition on the Moré–Thuente functions', () => {
    for (const [phi, dphi] of [
      [phi1, dphi1],
      [phi2, dphi2],
      [phi3, dphi3],
    ] as const) {
      for (const a0 of [0.1, 10, 1000]) {
        const r = backtracking().search(line(phi, dphi), phi(0), dphi(0), a0, Infinity);
        expect(r.status).toBe('converged');
        expect(r.phi).toBeLessThanOrEqual(phi(0) + 1e-4 * r.alpha * dphi(0));
        expect(r.alpha).toBeLessThanOrEqual(a0);
      }
    }
  });

  it('halves through NaN and Infinity', () => {
    const phi = (a: number) => (a > 0.8 ? Infinity : (a - 0.5) ** 2);
    const r = backtracking().search(line(phi, () => NaN), 0.25, -1, 64, Infinity);
    expect(r.status).toBe('converged');
    expect(r.alpha).toBeLessThanOrEqual(0.8);
    expect(r.phi).toBeLessThan(0.25);
  });

  it('reports failure without decrease', () => {
    const r = backtracking({ maxEval: 10 }).search(line(() => 1, () => 0), 0, -1, 1, Infinity);
    expect(r.status).toBe('noDecrease');
    expect(r.alpha).toBe(0);
  });
});

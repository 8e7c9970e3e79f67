/**
 * Every method through the shared loop, on objectives with hand-written derivatives (no AD):
 * convergence to closed-form minimizers, the history, the callback and each stopping rule.
 */
import { describe, expect, it } from 'vitest';
import { methodSpec, minimize } from '../../optimizers/index.js';
import { ALL_METHODS, diagonalQuadratic, firstOrder, rosenbrock } from './helpers.js';

describe('convergence on Rosenbrock (analytic derivatives)', () => {
  for (const method of ALL_METHODS) {
    it(`${method} reaches the minimizer (1, 1)`, () => {
      const r = minimize(rosenbrock(), [-1.2, 1], { method, gtol: 1e-9 });
      expect(r.status).toBe('gtol');
      expect(r.success).toBe(true);
      expect(r.x[0]).toBeCloseTo(1, 7);
      expect(r.x[1]).toBeCloseTo(1, 7);
      expect(r.fun).toBeLessThan(1e-14);
      expect(r.method).toBe(method);
      // The registry's `needs` is what the method evaluates: the oracles it lists, and no other.
      const needs = methodSpec(method).needs;
      expect(r.nhvp > 0, 'Hessian-vector products').toBe(needs.includes('hvp'));
      expect(r.nhev > 0, 'Hessians').toBe(needs.includes('hessian'));
      expect(r.ngev).toBeGreaterThan(0);
    });
  }
});

describe('closed forms', () => {
  const d = [1, 10, 100, 1000];
  const c = [1, -2, 3, -4];
  it('Newton and trust-exact solve a convex quadratic in one step', () => {
    for (const method of ['newton', 'trust-exact', 'dogleg'] as const) {
      const r = minimize(diagonalQuadratic(d, c), [0, 0, 0, 0], { method, initialRadius: method === 'newton' ? undefined : 100 });
      expect(r.nit).toBe(1);
      for (let i = 0; i < 4; i++) expect(r.x[i]).toBeCloseTo(c[i]!, 12);
    }
  });

  it('quasi-Newton and Hessian-free methods reach the minimizer of an ill-conditioned quadratic', () => {
    for (const method of ALL_METHODS) {
      const r = minimize(diagonalQuadratic(d, c), [0, 0, 0, 0], { method, gtol: 1e-10 });
      for (let i = 0; i < 4; i++) expect(r.x[i]).toBeCloseTo(c[i]!, 9);
    }
  });

  it('second-order methods work from gradients alone (finite-difference fallbacks)', () => {
    for (const method of ['newton', 'newton-cg', 'trust-ncg', 'trust-exact', 'dogleg', 'trust-krylov'] as const) {
      const r = minimize(firstOrder(rosenbrock()), [-1.2, 1], { method, gtol: 1e-6 });
      expect(r.status).toBe('gtol');
      expect(r.x[0]).toBeCloseTo(1, 5);
      expect(r.nhvp + r.nhev).toBe(0); // every product came from gradients
    }
  });

  it('L-BFGS converges with any memory, and Newton with backtracking', () => {
    for (const memory of [1, 3, 20]) expect(minimize(rosenbrock(), [-1.2, 1], { method: 'lbfgs', memory, gtol: 1e-8 }).fun).toBeLessThan(1e-12);
    const r = minimize(rosenbrock(), [-1.2, 1], { method: 'newton', lineSearch: 'backtracking', gtol: 1e-8 });
    expect(r.fun).toBeLessThan(1e-12);
  });
});

describe('history', () => {
  for (const method of ALL_METHODS) {
    it(`${method}: one consistent entry per iteration`, () => {
      const r = minimize(rosenbrock(), [-1.2, 1], { method, gtol: 1e-8 });
      const h = r.history;
      expect(h.length).toBe(r.nit + 1);
      expect(h[0]).toMatchObject({ iter: 0, step: 0, nfev: 1, ngev: 1 });
      expect(h[0]!.f).toBeCloseTo(24.2, 12);
      expect(h[0]!.gnorm).toBeCloseTo(215.6, 10); // |∂f/∂x1| at (−1.2, 1)
      for (let k = 1; k < h.length; k++) {
        const a = h[k - 1]!;
        const b = h[k]!;
        expect(b.iter).toBe(k);
        for (const key of ['nfev', 'ngev', 'nhvp', 'nhev', 'timeMs'] as const) expect(b[key]).toBeGreaterThanOrEqual(a[key]);
        expect(b.f).toBeLessThanOrEqual(a.f);
        if (b.step === 0) expect(b.f).toBe(a.f); // a rejected trust-region step
        if (methodSpec(method).family === 'line-search') expect(b.radius).toBeNull();
        else expect(b.radius).toBeGreaterThan(0);
      }
      const last = h[h.length - 1]!;
      expect([last.nfev, last.ngev, last.nhvp, last.nhev]).toEqual([r.nfev, r.ngev, r.nhvp, r.nhev]);
      expect(last.f).toBe(r.fun);
      expect(Math.max(...r.grad.map(Math.abs))).toBe(last.gnorm);
    });
  }
});

describe('callback and stopping rules', () => {
  it('a callback returning true stops the run, and sees the current iterate and gradient', () => {
    const seen: number[] = [];
    const fns = rosenbrock();
    const r = minimize(fns, [-1.2, 1], {
      method: 'bfgs',
      callback: (s) => {
        seen.push(s.iter);
        const g = new Float64Array(2);
        expect(fns.valueAndGrad(s.x, g)).toBe(s.f);
        expect(Array.from(s.g)).toEqual(Array.from(g));
        return s.iter === 3;
      },
    });
    expect(seen).toEqual([0, 1, 2, 3]);
    expect(r).toMatchObject({ status: 'callbackStop', success: false, nit: 3 });
    expect(r.message).toMatch(/callback/);
  });

  for (const method of ALL_METHODS) {
    it(`${method}: the callback sees every history row, row 0 (the start point) included, and can stop there`, () => {
      const rows: number[][] = [];
      const r = minimize(rosenbrock(), [-1.2, 1], {
        method,
        gtol: 1e-6,
        callback: (s) => void rows.push([s.iter, s.f, s.gnorm, s.step, s.nfev, s.ngev, s.x[0]!, s.x[1]!]),
      });
      expect(rows.length).toBe(r.history.length);
      rows.forEach((row, k) => {
        const h = r.history[k]!;
        expect(row.slice(0, 6)).toEqual([h.iter, h.f, h.gnorm, h.step, h.nfev, h.ngev]);
      });
      // Row 0: the start point, f(−1.2, 1) = 24.2 and |∂f/∂x₁| = 215.6, one evaluation so far.
      expect(rows[0]!.slice(4)).toEqual([1, 1, -1.2, 1]);
      expect(rows[0]![1]).toBeCloseTo(24.2, 12);
      expect(rows[0]![2]).toBeCloseTo(215.6, 10);

      const stopped = minimize(rosenbrock(), [-1.2, 1], { method, callback: (s) => s.iter === 0 });
      expect(stopped).toMatchObject({ status: 'callbackStop', success: false, nit: 0, nfev: 1, ngev: 1, nhvp: 0, nhev: 0 });
      expect(Array.from(stopped.x)).toEqual([-1.2, 1]);
      expect(stopped.message).toMatch(/start point/);
    });
  }

  it('maxIter, maxEval and timeLimit stop with their status', () => {
    const a = minimize(rosenbrock(), [-1.2, 1], { method: 'lbfgs', maxIter: 5 });
    expect(a).toMatchObject({ status: 'maxIter', nit: 5, success: false });
    expect(a.message).toMatch(/maximum number of iterations \(5\)/);
    const b = minimize(rosenbrock(), [-1.2, 1], { method: 'lbfgs', maxEval: 10 });
    expect(b.status).toBe('maxEval');
    expect(Math.max(b.nfev, b.ngev)).toBeGreaterThanOrEqual(10);
    // the limit is checked inside an iteration too (before the Hessian): a limit of 0 stops
    // in the first iteration, at the start point
    const c = minimize(rosenbrock(), [-1.2, 1], { method: 'trust-exact', timeLimit: 0 });
    expect(c).toMatchObject({ status: 'timeLimit', nit: 0 });
    expect(c.message).toMatch(/during iteration 1/);
    expect(Array.from(c.x)).toEqual([-1.2, 1]);
    // with L-BFGS (no Hessian, no factorization) the check stays between iterations
    const d = minimize(rosenbrock(), [-1.2, 1], { method: 'lbfgs', timeLimit: 0 });
    expect(d).toMatchObject({ status: 'timeLimit', nit: 1 });
  });

  it('ftol and xtol are convergence statuses', () => {
    const a = minimize(rosenbrock(), [-1.2, 1], { method: 'bfgs', ftol: 1e-3, gtol: 0 });
    expect(a).toMatchObject({ status: 'ftol', success: true });
    const b = minimize(rosenbrock(), [-1.2, 1], { method: 'newton', xtol: 1e-4, gtol: 0 });
    expect(b).toMatchObject({ status: 'xtol', success: true });
    expect(b.history[b.history.length - 1]!.step).toBeLessThanOrEqual(1e-4 * (1 + Math.hypot(...b.x)));
  });
});

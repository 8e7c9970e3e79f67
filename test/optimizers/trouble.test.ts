/**
 * Numerical trouble never throws and never returns a NaN x: NaN/Infinity part-way, an
 * objective that breaks down for good, non-finite values at x0, singular Hessians, a zero
 * gradient at x0, and an objective unbounded below — for every method, with status and message.
 */
import { describe, expect, it, test } from 'vitest';
import * as t from '../../src/index.js';
import { NumericalError, TayoptError } from '../../src/errors.js';
import { minimize } from '../../optimizers/index.js';
import type { ObjectiveFunctions } from '../../optimizers/types.js';
import { ALL_METHODS, rosenbrock } from './helpers.js';

const finite = (x: Float64Array): boolean => x.every(Number.isFinite);

describe('NaN/Infinity part-way', () => {
  // f(x) = Σ (xᵢ − log xᵢ): minimizer xᵢ = 1, log of a negative number (NaN) for any step
  // that leaves the positive orthant — which the first steps from x0 = (6, 0.05) do.
  const f = (x: t.Tensor): t.Tensor => t.sum(t.sub(x, t.log(x)));
  for (const method of ALL_METHODS) {
    it(`${method} backs off from NaN and converges`, () => {
      const r = minimize(f, [6, 0.05], { method, gtol: 1e-8 });
      expect(r.status).toBe('gtol');
      expect(r.x[0]).toBeCloseTo(1, 6);
      expect(r.x[1]).toBeCloseTo(1, 6);
      expect(r.fun).toBeCloseTo(2, 12);
    });
  }

  // A gradient that is NaN beyond x₁ > 2 while the value stays finite; minimizer (1.5, 0).
  const brittle: ObjectiveFunctions = {
    n: 2,
    value: (x) => (x[0]! - 1.5) ** 2 + x[1]! ** 2,
    valueAndGrad(x, g) {
      g[0] = x[0]! > 2 ? NaN : 2 * (x[0]! - 1.5);
      g[1] = 2 * x[1]!;
      return (x[0]! - 1.5) ** 2 + x[1]! ** 2;
    },
    hessian(x, H) {
      H.set(x[0]! > 2 ? [NaN, 0, 0, 2] : [2, 0, 0, 2]);
    },
    hvp(x, v, out) {
      out[0] = x[0]! > 2 ? NaN : 2 * v[0]!;
      out[1] = 2 * v[1]!;
    },
  };
  for (const method of ALL_METHODS) {
    it(`${method} treats a NaN gradient at a trial point as a failed trial`, () => {
      const r = minimize(brittle, [-20, 3], { method, gtol: 1e-8 });
      expect(r.status).toBe('gtol');
      expect(r.x[0]).toBeCloseTo(1.5, 8);
    });
  }
});

describe('an objective that breaks down for good', () => {
  /** Rosenbrock that returns NaN (value and gradient) from its `k`-th evaluation on. */
  function breaking(k: number): ObjectiveFunctions & { calls: number } {
    const base = rosenbrock();
    const o = {
      n: 2,
      calls: 0,
      value(x: Float64Array) {
        return ++o.calls >= k ? NaN : base.value(x);
      },
      valueAndGrad(x: Float64Array, g: Float64Array) {
        if (++o.calls >= k) {
          g.fill(NaN);
          return NaN;
        }
        return base.valueAndGrad(x, g);
      },
      hessian: base.hessian,
      hvp: base.hvp,
    };
    return o;
  }
  for (const method of ALL_METHODS) {
    it(`${method} stops with 'nonFinite' and returns the last finite iterate`, () => {
      const fns = breaking(8);
      const r = minimize(fns, [-1.2, 1], { method });
      expect(r.status).toBe('nonFinite');
      expect(r.success).toBe(false);
      expect(r.message).toMatch(/NaN\/Infinity.*last finite iterate/);
      expect(finite(r.x)).toBe(true);
      expect(Number.isFinite(r.fun)).toBe(true);
      // The returned point and value belong together, and are the last recorded iterate.
      expect(rosenbrock().value(r.x)).toBe(r.fun);
      expect(r.history[r.history.length - 1]!.f).toBe(r.fun);
    });
  }

  it('a non-finite value at x0 ends the run at once', () => {
    for (const method of ALL_METHODS) {
      const r = minimize(breaking(1), [-1.2, 1], { method });
      expect(r).toMatchObject({ status: 'nonFinite', nit: 0 });
      expect(Array.from(r.x)).toEqual([-1.2, 1]);
      expect(r.message).toMatch(/not finite at the starting point/);
    }
  });

  it('a Hessian with NaN entries stops the dense methods with a message', () => {
    const bad: ObjectiveFunctions = { ...rosenbrock(), hessian: (_x, H) => H.fill(NaN) };
    for (const method of ['newton', 'trust-exact', 'dogleg'] as const) {
      const r = minimize(bad, [-1.2, 1], { method });
      expect(r.status).toBe('nonFinite');
      expect(r.message).toMatch(/Hessian/);
      expect(Array.from(r.x)).toEqual([-1.2, 1]);
    }
  });
});

describe('singular Hessians', () => {
  // f = (x₁ + x₂ − 1)² + x₃⁴: ∇²f is singular everywhere (rank ≤ 2, rank 1 at x₃ = 0).
  const f = (x: t.Tensor): t.Tensor => t.add(t.square(t.sub(t.add(t.at(x, 0), t.at(x, 1)), 1)), t.pow(t.at(x, 2), 4));
  for (const method of ALL_METHODS) {
    it(`${method} converges on a valley of minimizers`, () => {
      const r = minimize(f, [3, -4, 0.5], { method, gtol: 1e-6 });
      expect(r.status).toBe('gtol');
      expect(r.x[0]! + r.x[1]!).toBeCloseTo(1, 6);
      expect(Math.abs(r.x[2]!)).toBeLessThan(0.02); // x₃⁴ has a degenerate minimum
    });
  }
});

describe('zero gradient at x0', () => {
  it('stops at once with status gtol, for a minimum and for a saddle point alike', () => {
    for (const method of ALL_METHODS) {
      const min = minimize((x: t.Tensor) => t.sum(t.square(x)), [0, 0], { method });
      expect(min).toMatchObject({ status: 'gtol', nit: 0, nfev: 1, ngev: 1, success: true });
      expect(min.message).toMatch(/converged at the starting point/);
      const saddle = minimize((x: t.Tensor) => t.sub(t.square(t.at(x, 0)), t.square(t.at(x, 1))), [0, 0], { method });
      expect(saddle).toMatchObject({ status: 'gtol', nit: 0 });
    }
  });
});

describe('unbounded below', () => {
  // f = x₁² − x₂²: a saddle, unbounded below along x₂.
  const f = (x: t.Tensor): t.Tensor => t.sub(t.square(t.at(x, 0)), t.square(t.at(x, 1)));
  for (const method of ALL_METHODS) {
    it(`${method} reports diverging iterates`, () => {
      const r = minimize(f, [0.5, 1], { method });
      expect(r.status).toBe('diverging');
      expect(r.success).toBe(false);
      expect(r.message).toMatch(/unbounded below/);
      expect(finite(r.x)).toBe(true);
      expect(Math.max(...r.x.map(Math.abs))).toBeGreaterThan(1e20);
    });
  }

  it('a linear descent direction is followed out as well', () => {
    // f = x₁ + x₂²: unbounded along −x₁ with zero curvature there.
    const r = minimize((x: t.Tensor) => t.add(t.at(x, 0), t.square(t.at(x, 1))), [0, 1], { method: 'lbfgs' });
    expect(r.status).toBe('diverging');
    expect(r.x[0]).toBeLessThan(-1e20);
  });

  it('an objective that reaches −Infinity is stopped without returning it', () => {
    // f = −exp(x₁): overflows to −Infinity for x₁ > 709.
    const r = minimize((x: t.Tensor) => t.neg(t.exp(t.at(x, 0))), [0], { method: 'lbfgs' });
    expect(['nonFinite', 'lineSearchFailed', 'diverging']).toContain(r.status);
    expect(Number.isFinite(r.fun)).toBe(true);
    expect(finite(r.x)).toBe(true);
  });
});

describe('engine errors at trial points', () => {
  // an oracle that raises a TayoptError beyond x = 1.5 (as a value-dependent function may,
  // e.g. a singular matrix met while tracing) while f pulls toward x = 3
  const fns = (err: () => Error): ObjectiveFunctions => ({
    n: 1,
    value: (x) => {
      if (x[0]! > 1.5) throw err();
      return (x[0]! - 3) ** 2;
    },
    valueAndGrad: (x, g) => {
      if (x[0]! > 1.5) throw err();
      g[0] = 2 * (x[0]! - 3);
      return (x[0]! - 3) ** 2;
    },
  });
  test('a NumericalError reads as a rejected step: a status, a finite x, no exception', () => {
    const r = minimize(fns(() => new NumericalError('solve: matrix is singular')), Float64Array.of(0), { method: 'lbfgs' });
    expect(r.success).toBe(false);
    expect(Number.isFinite(r.x[0]!)).toBe(true);
    expect(r.x[0]!).toBeLessThanOrEqual(1.5);
    expect(r.fun).toBeCloseTo((r.x[0]! - 3) ** 2, 12);
  });
  test('misuse (any other TayoptError) and bugs propagate', () => {
    expect(() => minimize(fns(() => new TayoptError('dot: shapes do not align')), Float64Array.of(0), { method: 'lbfgs' })).toThrow('do not align');
    expect(() => minimize(fns(() => new TypeError('boom')), Float64Array.of(0), { method: 'lbfgs' })).toThrow('boom');
  });
});

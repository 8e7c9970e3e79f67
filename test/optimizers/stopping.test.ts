/**
 * Stopping honestly and on time, warm starts and cancellation (issue 13), against independent
 * truths: Rosenbrock's minimizer (1, 1); NIST's certified parameters for Gauss1–3, Chwirut and
 * Nelson (minimized as Σr²); the one-run iteration count of the same method for a split run;
 * the objective re-evaluated by hand at the point an aborted run returns (for least squares
 * also the residuals, Jacobian and standard errors there, in closed form).
 */
import { describe, expect, it } from 'vitest';
import * as t from '../../src/index.js';
import { leastSquares, leastSquaresAsync, minimize, minimizeAsync, type ConcreteMethodName, type LeastSquaresResult } from '../../optimizers/index.js';
import { minLre, nistMinimizationRuns } from '../../bench/problems/nist.js';
import { rosenbrock } from './helpers.js';

/**
 * A signal and a callback that at iteration k starts a 0 ms timer aborting it (the callback
 * does not abort itself): only an async run's yielding to the event loop lets the timer fire.
 */
function abortByTimerAt(k: number): { signal: AbortSignal; callback: (s: { iter: number }) => boolean; startedAt: () => number } {
  const ac = new AbortController();
  let at = -1;
  const callback = (s: { iter: number }): boolean => {
    if (s.iter === k) {
      at = s.iter;
      setTimeout(() => ac.abort(), 0);
    }
    return false;
  };
  return { signal: ac.signal, callback, startedAt: () => at };
}

const rosen = (x: ArrayLike<number>): number => 100 * (x[1]! - x[0]! ** 2) ** 2 + (1 - x[0]!) ** 2;

describe('warm start: a run split in two takes the iterations of one run, ±1', () => {
  const methods: ConcreteMethodName[] = ['lbfgs', 'bfgs', 'newton-cg', 'trust-ncg', 'trust-exact', 'dogleg', 'trust-krylov'];
  it.each(methods)('%s on Rosenbrock, split at a third and at a half', (method) => {
    const one = minimize(rosenbrock(), [-1.2, 1], { method, gtol: 1e-10 });
    expect(one.status).toBe('gtol');
    expect(one.x[0]).toBeCloseTo(1, 8);
    expect(one.x[1]).toBeCloseTo(1, 8);
    for (const part of [1 / 3, 1 / 2]) {
      const k = Math.floor(one.nit * part);
      const first = minimize(rosenbrock(), [-1.2, 1], { method, gtol: 1e-10, maxIter: k });
      expect(first.status).toBe('maxIter');
      expect(first.state).toBeDefined();
      const second = minimize(rosenbrock(), first.x, { gtol: 1e-10, warmStart: first });
      expect(second.method).toBe(method);
      expect(second.status).toBe('gtol');
      expect(Math.abs(first.nit + second.nit - one.nit)).toBeLessThanOrEqual(1);
      expect(second.x[0]).toBeCloseTo(1, 8);
      expect(second.x[1]).toBeCloseTo(1, 8);
    }
  });

  it('a cold restart from the same point takes more iterations than the warm one (the state matters)', () => {
    const first = minimize(rosenbrock(), [-1.2, 1], { method: 'bfgs', gtol: 1e-10, maxIter: 20 });
    const warm = minimize(rosenbrock(), first.x, { method: 'bfgs', gtol: 1e-10, warmStart: first.state! });
    const cold = minimize(rosenbrock(), first.x, { method: 'bfgs', gtol: 1e-10 });
    expect(warm.nit).toBeLessThan(cold.nit);
  });

  it('a state from another method or another size is refused with a clear error', () => {
    const first = minimize(rosenbrock(), [-1.2, 1], { method: 'lbfgs', maxIter: 3 });
    expect(() => minimize(rosenbrock(), first.x, { method: 'bfgs', warmStart: first })).toThrow(/comes from a 'lbfgs' run; it cannot continue with 'bfgs'/);
    expect(() => minimize((x: t.Tensor) => t.sum(t.square(x)), [1, 2, 3], { warmStart: first })).toThrow(/2 variables, but x0 has 3/);
  });
});

describe('cancellation', () => {
  it('aborted from the callback at iteration 5: status aborted at the last accepted iterate', () => {
    const controller = new AbortController();
    const r = minimize(rosenbrock(), [-1.2, 1], {
      method: 'lbfgs',
      signal: controller.signal,
      callback: (s) => {
        if (s.iter === 5) controller.abort();
      },
    });
    expect(r.status).toBe('aborted');
    expect(r.success).toBe(false);
    expect(r.nit).toBe(5);
    // the point returned is the iterate of row 5 (the best so far: a descent method's f never rises)
    expect(rosen(r.x)).toBeCloseTo(r.history[5]!.f, 12);
    expect(r.fun).toBe(r.history[5]!.f);
    expect(Math.min(...r.history.map((h) => h.f))).toBe(r.fun);
    expect(r.fun).toBeLessThan(rosen([-1.2, 1]));
  });

  it('an already aborted signal returns x0 with no iteration', () => {
    const r = minimize(rosenbrock(), [-1.2, 1], { method: 'trust-exact', signal: AbortSignal.abort() });
    expect(r.status).toBe('aborted');
    expect(r.nit).toBe(0);
    expect(Array.from(r.x)).toEqual([-1.2, 1]);
  });

  it('minimizeAsync: a timer aborts a long run; the point returned is its best so far', async () => {
    // Σ (xᵢ − i)⁴ / (i + 1) over 20,000 variables with gtol 0 takes hundreds of iterations to
    // reach the precision floor. At iteration 3 the callback starts a 0 ms timer (it does not
    // abort itself): only minimizeAsync's yielding to the event loop lets the timer abort the run.
    const n = 20000;
    const c = Float64Array.from({ length: n }, (_, i) => i);
    const w = Float64Array.from({ length: n }, (_, i) => 1 / (i + 1));
    const f = (x: t.Tensor): t.Tensor => t.sum(t.mul(w, t.square(t.square(t.sub(x, c)))));
    const byHand = (x: Float64Array): number => x.reduce((s, v, i) => s + w[i]! * (v - i) ** 4, 0);
    const x0 = new Float64Array(n);
    const timer = abortByTimerAt(3);
    const r = await minimizeAsync(f, x0, { method: 'lbfgs', gtol: 0, maxIter: 1e9, signal: timer.signal, callback: timer.callback });
    expect(timer.startedAt()).toBe(3);
    expect(r.status).toBe('aborted');
    expect(r.nit).toBeGreaterThanOrEqual(3);
    // relative: the run may be aborted while f is still ~1e14, where a different summation order differs in the last bits
    expect(Math.abs(byHand(r.x) - r.fun)).toBeLessThanOrEqual(1e-12 * r.fun);
    expect(r.fun).toBeLessThan(byHand(x0));
    expect(Math.min(...r.history.map((h) => h.f))).toBe(r.fun);
  });
});

describe('cancellation of least squares', () => {
  // Dennis & Schnabel's large-residual example (Numerical Methods for Unconstrained
  // Optimization, example 10.2.4) in N independent copies: r = (x + 1, λx² + x − 1) per
  // variable, minimizer x = 0 with f* = 2N. Gauss–Newton converges to it only linearly, at
  // rate λ, and with λ = 0.99999 the minimum is nearly flat (f'' = 4(1 − λ)): trf and lm creep
  // towards it (x ≈ 0.66/k after k iterations) for about 5,000 iterations (~0.4 s) before
  // reaching the floating-point floor, so a run aborted within the first tens of ms is still
  // running.
  const lam = 0.99999;
  const N = 20;
  const residual = (x: t.Tensor): t.Tensor => t.stack([t.add(x, 1), t.sub(t.add(t.mul(lam, t.square(x)), x), 1)]);
  const x0 = new Array(N).fill(1);
  const byHand = (x: ArrayLike<number>): number => Array.from(x).reduce((s, v) => s + (v + 1) ** 2 + (lam * v * v + v - 1) ** 2, 0);
  /** The fit statistics at the returned x, by hand: JᵀJ is diagonal with 1 + (2λxᵢ + 1)², s² = Σr²/(m − n) = Σr²/N. */
  const checkFit = (r: LeastSquaresResult): void => {
    const s2 = byHand(r.x) / N;
    expect(r.dof).toBe(N);
    for (let i = 0; i < N; i++) {
      const xi = r.x[i]!;
      expect(r.residuals[i]).toBeCloseTo(xi + 1, 14);
      expect(r.residuals[N + i]).toBeCloseTo(lam * xi * xi + xi - 1, 14);
      expect(r.jacobian[N + i]![i]).toBeCloseTo(2 * lam * xi + 1, 12);
      expect(r.stderr![i]! / Math.sqrt(s2 / (1 + (2 * lam * xi + 1) ** 2))).toBeCloseTo(1, 10);
    }
  };

  it('an already aborted signal returns x0 with no iteration, and the fit there', () => {
    for (const method of ['lm', 'trf'] as const) {
      const r = leastSquares(residual, x0, { method, signal: AbortSignal.abort() });
      expect(r.status).toBe('aborted');
      expect(r.success).toBe(false);
      expect(r.nit).toBe(0);
      expect(Array.from(r.x)).toEqual(x0);
      expect(Math.abs(byHand(x0) - r.fun)).toBeLessThanOrEqual(1e-14 * r.fun);
      checkFit(r);
    }
  });

  it('aborted from the callback at iteration 5 (synchronous): the iterate of row 5', () => {
    const ac = new AbortController();
    const r = leastSquares(residual, x0, { method: 'lm', signal: ac.signal, callback: (s) => void (s.iter === 5 && ac.abort()) });
    expect(r.status).toBe('aborted');
    expect(r.nit).toBe(5);
    expect(r.fun).toBe(r.history[5]!.f);
    expect(Math.abs(byHand(r.x) - r.fun)).toBeLessThanOrEqual(1e-14 * r.fun);
    checkFit(r);
  });

  it.each(['trf', 'lm'] as const)('leastSquaresAsync (%s): a 0 ms timer started at iteration 2 aborts the run at its best point so far', async (method) => {
    const timer = abortByTimerAt(2);
    const r = await leastSquaresAsync(residual, x0, { method, ftol: 0, xtol: 0, maxIter: 1e9, signal: timer.signal, callback: timer.callback });
    expect(timer.startedAt()).toBe(2);
    expect(r.status).toBe('aborted');
    expect(r.message).toMatch(/^aborted .*after iteration \d+; returning the last accepted iterate/);
    expect(r.nit).toBeGreaterThanOrEqual(2);
    expect(r.nit).toBe(r.history.length - 1);
    // fun is Σr² at the returned x, recomputed by hand; it is the best f of the run
    expect(Math.abs(byHand(r.x) - r.fun)).toBeLessThanOrEqual(1e-14 * r.fun);
    expect(Math.min(...r.history.map((h) => h.f))).toBe(r.fun);
    expect(r.fun).toBeLessThan(byHand(x0));
    checkFit(r);
  });

  it('a signal that is not an AbortSignal is refused, by both', async () => {
    expect(() => leastSquares(residual, x0, { signal: {} as AbortSignal })).toThrow(/^leastSquares: options\.signal must be an AbortSignal$/);
    await expect(leastSquaresAsync(residual, x0, { signal: 'stop' as unknown as AbortSignal })).rejects.toThrow(/leastSquares: options\.signal must be an AbortSignal/);
  });
});

describe('no spinning at the limit of double precision (NIST StRD as Σr², against the certified values)', () => {
  const runs = nistMinimizationRuns().filter((r) => /^(gauss[123]|chwirut[12])-start[12]$|^nelson-start2$/.test(r.name));
  it('found the runs', () => expect(runs).toHaveLength(11));
  // trust-exact counted ~4,990 iterations without an evaluation on Gauss1–3 and cycled ~5,000
  // gradient evaluations on Chwirut and Nelson; BFGS cycled 1,000 iterations on Gauss2 start 2.
  // (BFGS does not solve Nelson from either start — it ends on maxIter far from the answer — so
  // Nelson is left to trust-exact.)
  it.each(runs.map((r) => r.name))('%s: trust-exact (and bfgs) at gtol 1e-10 end within a few iterations, at the certified parameters', (name) => {
    const run = runs.find((r) => r.name === name)!;
    for (const method of name.startsWith('nelson') ? (['trust-exact'] as const) : (['trust-exact', 'bfgs'] as const)) {
      const r = minimize(t.objective(run.objective, Array.from(run.x0)), run.x0, { method, gtol: 1e-10 });
      expect(['precision', 'gtol']).toContain(r.status);
      expect(r.success).toBe(true);
      expect(minLre(r.x, run.xStar)).toBeGreaterThanOrEqual(6);
      expect(r.nit).toBeLessThan(method === 'bfgs' ? 150 : 100);
      expect(r.ngev).toBeLessThan(400);
      if (r.status === 'precision') expect(r.message).toMatch(/as good as double precision allows/);
    }
  });
});

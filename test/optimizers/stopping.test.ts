/**
 * Stopping honestly and on time, warm starts and cancellation (issue 13), against independent
 * truths: Rosenbrock's minimizer (1, 1); NIST's certified parameters for Gauss1–3, Chwirut and
 * Nelson (minimized as Σr²); the one-run iteration count of the same method for a split run;
 * the objective re-evaluated by hand at the point an aborted run returns.
 */
import { describe, expect, it } from 'vitest';
import * as t from '../../src/index.js';
import { minimize, minimizeAsync, type ConcreteMethodName } from '../../optimizers/index.js';
import { minLre, nistMinimizationRuns } from '../../bench/problems/nist.js';
import { rosenbrock } from './helpers.js';

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
    const ac = new AbortController();
    let timerAt = -1;
    const callback = (s: { iter: number }): boolean => {
      if (s.iter === 3) {
        timerAt = s.iter;
        setTimeout(() => ac.abort(), 0);
      }
      return false;
    };
    const r = await minimizeAsync(f, x0, { method: 'lbfgs', gtol: 0, maxIter: 1e9, signal: ac.signal, callback });
    expect(timerAt).toBe(3);
    expect(r.status).toBe('aborted');
    expect(r.nit).toBeGreaterThanOrEqual(3);
    // f is about 1e14 here: agreement to rounding, relative
    expect(Math.abs(byHand(r.x) - r.fun)).toBeLessThan(1e-12 * Math.abs(r.fun));
    expect(r.fun).toBeLessThan(byHand(x0));
    expect(Math.min(...r.history.map((h) => h.f))).toBe(r.fun);
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

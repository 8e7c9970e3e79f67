/**
 * The time limit inside an iteration: the dense kernels (Cholesky, modified Cholesky, the
 * Hessian and Lagrangian-Hessian sweeps; Bunch–Kaufman through ipm) call a check between
 * blocks of their work and stop when it throws, and a run
 * stopped there returns its last completed iterate — the same, to the bit, as a run of the
 * same method stopped by maxIter after that many iterations. The clock is injected (a mocked
 * performance.now() that jumps past the deadline after a set number of readings, counted from
 * a chosen point of the run), so nothing here depends on the speed of the machine.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as t from '../../src/index.js';
import { hessianFlat } from '../../src/ad/drivers.js';
import { constraintOracles } from '../../src/ad/lagrangian.js';
import { objective } from '../../src/ad/objective.js';
import { checkStride, choleskyInto } from '../../src/utpm/linalg/kernels.js';
import { cholesky, modifiedCholesky } from '../../optimizers/linalg.js';
import { type MethodName, type MinimizeOptions, type MinimizeResult, minimize } from '../../optimizers/index.js';
import { Objective, TimeLimitReached } from '../../optimizers/objective.js';
import type { ObjectiveFunctions } from '../../optimizers/types.js';
import { normals, rng } from '../../bench/problems/rng.js';

class Stop extends Error {}

/** A check that counts its calls and throws on call `throwAt` (never, by default). */
function counter(throwAt = Infinity): { check: () => void; calls: () => number } {
  let calls = 0;
  return {
    check: () => {
      if (++calls >= throwAt) throw new Stop();
    },
    calls: () => calls,
  };
}

/** The first index where a and b differ in any bit (NaN matches NaN), or −1 (vitest's toEqual is slow on 10⁵ entries). */
function firstDifference(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

function randomSpd(n: number, seed: number): Float64Array {
  const randn = normals(rng(seed));
  const B = Float64Array.from({ length: n * n }, () => randn());
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = i === j ? n : 0;
      for (let k = 0; k < n; k++) s += B[k * n + i]! * B[k * n + j]!;
      A[i * n + j] = s;
      A[j * n + i] = s;
    }
  return A;
}

/** max |(L·Lᵀ − A)ᵢⱼ| / max |Aᵢⱼ| over the lower triangle. */
function factorResidual(A: Float64Array, L: Float64Array, n: number): number {
  let r = 0;
  let a = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k <= j; k++) s += L[i * n + k]! * L[j * n + k]!;
      r = Math.max(r, Math.abs(s - A[i * n + j]!));
      a = Math.max(a, Math.abs(A[i * n + j]!));
    }
  return r / a;
}

describe('interruptible Cholesky kernels', () => {
  const n = 300;
  const A = randomSpd(n, 3);
  const stride = checkStride(n);

  it('check blocks: none for small n, one per column for n ≥ 2000', () => {
    expect(checkStride(20)).toBeGreaterThanOrEqual(20);
    expect(checkStride(2000)).toBe(1);
    expect(stride).toBeGreaterThan(1);
    expect(stride).toBeLessThan(n / 4);
  });

  it('with a check that never fires, L is bitwise the factor computed without one, and L·Lᵀ = A', () => {
    const plain = new Float64Array(n * n);
    const checked = new Float64Array(n * n);
    const c = counter();
    expect(choleskyInto(A, 0, n, 0, plain, 0)).toBe(-1);
    expect(choleskyInto(A, 0, n, 0, checked, 0, 0, undefined, c.check)).toBe(-1);
    expect(firstDifference(checked, plain)).toBe(-1);
    expect(c.calls()).toBe(Math.floor((n - 1) / stride)); // before columns stride, 2·stride, …
    expect(factorResidual(A, checked, n)).toBeLessThan(1e-13);
    // the modified Cholesky (positive definite A: τ = 0) likewise
    const d = new Float64Array(n);
    const m1 = new Float64Array(n * n);
    const m2 = new Float64Array(n * n);
    const c2 = counter();
    expect(modifiedCholesky(A, n, m1, d)).toBe(0);
    expect(modifiedCholesky(A, n, m2, d, c2.check)).toBe(0);
    expect(firstDifference(m2, m1)).toBe(-1);
    expect(c2.calls()).toBe(Math.floor((n - 1) / stride));
  });

  it('a check that fires stops the factorization at the end of a block: later columns are never written', () => {
    const full = new Float64Array(n * n);
    cholesky(A, n, 0, full);
    for (const throwAt of [1, 3]) {
      const L = new Float64Array(n * n).fill(NaN);
      const c = counter(throwAt);
      expect(() => cholesky(A, n, 0, L, 0, undefined, c.check)).toThrow(Stop);
      const done = throwAt * stride; // columns factored before the check that fired
      const expected = new Float64Array(n * n).fill(NaN);
      for (let i = 0; i < n; i++) for (let j = 0; j < Math.min(done, i + 1); j++) expected[i * n + j] = full[i * n + j]!;
      expect(firstDifference(L, expected)).toBe(-1);
    }
  });

  it('the modified Cholesky checks through every trial shift of an indefinite matrix', () => {
    const B = A.slice();
    for (let i = 0; i < n; i++) B[i * n + i]! -= 2 * n; // indefinite: τ > 0 needs several factorizations
    const L = new Float64Array(n * n);
    const d = new Float64Array(n);
    const c = counter();
    const tau = modifiedCholesky(B, n, L, d, c.check);
    expect(tau).toBeGreaterThan(0);
    expect(c.calls()).toBeGreaterThan(Math.floor((n - 1) / stride)); // failed trials, then the one that succeeds
    const c2 = counter(c.calls()); // fires on the last check: inside the factorization that would succeed
    expect(() => modifiedCholesky(B, n, L, d, c2.check)).toThrow(Stop);
  });
});

describe('interruptible Hessian sweep', () => {
  const n = 600;
  // f = Σ(x − 2)² + Σx⁴ + (Σx)²/(2n): ∇²f = diag(2 + 12x²) + 11ᵀ/n
  const f = (x: t.Tensor) => t.add(t.add(t.sum(t.square(t.sub(x, 2))), t.sum(t.pow(x, 4))), t.div(t.square(t.sum(x)), 2 * n));
  const x = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
  const point = { shape: [n], values: x, kind: 'vector' as const };

  it('with a check, the Hessian comes in several short sweeps, bitwise equal to the single sweep, and matches the closed form', () => {
    const one = hessianFlat('test', f, point);
    const c = counter();
    const swept = hessianFlat('test', f, point, undefined, c.check);
    expect(c.calls()).toBeGreaterThan(2);
    expect(firstDifference(swept, one)).toBe(-1);
    let err = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        const exact = (i === j ? 2 + 12 * x[i]! ** 2 : 0) + 1 / n;
        err = Math.max(err, Math.abs(swept[i * n + j]! - exact) / (1 + Math.abs(exact)));
      }
    expect(err).toBeLessThan(1e-13);
  });

  it("the Lagrangian's Hessian likewise: checked between sweeps, bitwise the same, the closed form", () => {
    // L = σf + λ·Σx²: ∇²L = σ(diag(2 + 12x²) + 11ᵀ/n) + 2λI
    const oracles = constraintOracles(f, [(y: t.Tensor) => t.sum(t.square(y))], x);
    const sigma = 0.5;
    const lambda = Float64Array.of(-3);
    const plain = new Float64Array(n * n);
    const checked = new Float64Array(n * n);
    oracles.lagrangianHessian(x, sigma, lambda, plain);
    const c = counter();
    oracles.lagrangianHessian(x, sigma, lambda, checked, c.check);
    expect(c.calls()).toBeGreaterThan(2);
    expect(firstDifference(checked, plain)).toBe(-1);
    let err = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        const exact = sigma * ((i === j ? 2 + 12 * x[i]! ** 2 : 0) + 1 / n) + (i === j ? 2 * lambda[0]! : 0);
        err = Math.max(err, Math.abs(checked[i * n + j]! - exact) / (1 + Math.abs(exact)));
      }
    expect(err).toBeLessThan(1e-13);
    expect(() => oracles.lagrangianHessian(x, sigma, lambda, checked, counter(2).check)).toThrow(Stop);
  });

  it('a check that fires abandons the sweep and leaves the objective oracle output untouched', () => {
    const obj = objective(f, x);
    const out = new Float64Array(n * n).fill(7);
    const c = counter(2);
    expect(() => obj.hessian(x, out, c.check)).toThrow(Stop);
    expect(c.calls()).toBe(2);
    expect(out.every((v) => v === 7)).toBe(true);
  });
});

/**
 * Mocks performance.now(): the real clock until `arm()`, then the real clock for `readings`
 * more readings, and far past any deadline from then on.
 */
function mockClock(readings: number): { arm: () => void; count: () => number } {
  const real = performance.now.bind(performance);
  let armed = false;
  let count = 0;
  vi.spyOn(performance, 'now').mockImplementation(() => {
    if (!armed) return real();
    return ++count > readings ? 1e300 : real();
  });
  return { arm: () => (armed = true), count: () => count };
}

/** f = Σ(x − 2)² + Σx⁴ + (Σx)²/(2n), analytic gradient and dense Hessian diag(2 + 12x²) + 11ᵀ/n. */
function denseQuartic(n: number, onHessian: () => void = () => {}): ObjectiveFunctions {
  const valueAndGrad = (x: Float64Array, g?: Float64Array): number => {
    let s = 0;
    let f = 0;
    for (let i = 0; i < n; i++) {
      s += x[i]!;
      f += (x[i]! - 2) ** 2 + x[i]! ** 4;
    }
    if (g) for (let i = 0; i < n; i++) g[i] = 2 * (x[i]! - 2) + 4 * x[i]! ** 3 + s / n;
    return f + (s * s) / (2 * n);
  };
  return {
    n,
    value: (x) => valueAndGrad(x),
    valueAndGrad,
    hessian(x, H) {
      onHessian();
      H.fill(1 / n);
      for (let i = 0; i < n; i++) H[i * n + i]! += 2 + 12 * x[i]! ** 2;
    },
  };
}

/** The current call stack, 50 frames deep (V8 keeps 10 by default). */
function deepStack(): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 50;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  return stack;
}

function expectSameIterate(stopped: MinimizeResult, ref: MinimizeResult): void {
  expect(ref.status).toBe('maxIter');
  expect(stopped.nit).toBe(ref.nit);
  expect(firstDifference(stopped.x, ref.x)).toBe(-1);
  expect(Object.is(stopped.fun, ref.fun)).toBe(true);
  expect(firstDifference(stopped.grad, ref.grad)).toBe(-1);
  expect(stopped.history.map((e) => [e.iter, e.f, e.gnorm, e.step])).toEqual(ref.history.map((e) => [e.iter, e.f, e.gnorm, e.step]));
}

describe('a run stopped inside a factorization or a Hessian returns its last completed iterate', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });
  const n = 300;
  const box = { lower: new Float64Array(n).fill(-5), upper: new Float64Array(n).fill(5) };
  // ipm: n − 1 variables and one constraint, so that its KKT matrix (n × n) is factored densely
  const sumConstraint = [{ fun: (x: t.Tensor) => t.sum(x), lower: n, upper: n }];
  const cases: { method: MethodName; extra?: MinimizeOptions; what?: string }[] = [
    { method: 'trust-exact' },
    { method: 'dogleg' },
    { method: 'newton' },
    { method: 'trust-exact', extra: { bounds: box }, what: 'with bounds' },
    { method: 'dogleg', extra: { bounds: box }, what: 'with bounds' },
    { method: 'newton', extra: { bounds: box }, what: 'with bounds' },
    { method: 'ipm', extra: { constraints: sumConstraint }, what: 'with a constraint' },
  ];
  for (const { method, extra, what } of cases) {
    it(`${method}${what ? ` ${what}` : ''}: stopped at the third check inside a factorization`, () => {
      const m = method === 'ipm' ? n - 1 : n;
      const x0 = new Float64Array(m).fill(3);
      const opts: MinimizeOptions = { method, gtol: 1e-300, ...extra };
      // the clock runs out at the 3rd reading after the 3rd Hessian has been computed: nothing
      // between the Hessian and the factorization reads the clock, so the check that fires is
      // the factorization's third, before column 3·checkStride(n)
      const clock = mockClock(2);
      let hessians = 0;
      let done = 0; // iterations completed
      let armedIn = 0; // the iteration whose Hessian armed the clock
      const fns = denseQuartic(m, () => {
        if (++hessians === 3) {
          clock.arm();
          armedIn = done + 1;
        }
      });
      const stopped = minimize(fns, x0, { ...opts, timeLimit: 1e9, callback: (e) => void (done = e.iter) });
      expect(stopped.status).toBe('timeLimit');
      expect(stopped.nhev).toBe(3);
      expect(clock.count()).toBe(3);
      // stopped in the iteration that computed the Hessian, not at the next one's check
      expect(stopped.message).toMatch(new RegExp(`during iteration ${armedIn}$`));
      expect(stopped.nit).toBe(armedIn - 1);
      vi.restoreAllMocks();
      expect(stopped.nit).toBeGreaterThanOrEqual(2);
      expectSameIterate(stopped, minimize(denseQuartic(m), x0, { ...opts, maxIter: stopped.nit }));
    });
  }

  it('trust-exact on a traced objective: stopped between two sweeps of the Hessian', () => {
    const m = 600;
    const f = (x: t.Tensor) => t.add(t.add(t.sum(t.square(t.sub(x, 2))), t.sum(t.pow(x, 4))), t.div(t.square(t.sum(x)), 2 * m));
    const x0 = new Float64Array(m).fill(1);
    const opts: MinimizeOptions = { method: 'trust-exact', gtol: 1e-300 };
    // armed at the first accepted step: the readings that follow are the loop's time test (1),
    // the check before the new Hessian (2) and before its first sweep (3); the check before
    // the second sweep fires
    const clock = mockClock(3);
    let armedAfter = -1;
    const stopped = minimize(f, x0, {
      ...opts,
      timeLimit: 1e9,
      callback: (e) => {
        if (armedAfter < 0 && e.iter > 0 && e.step > 0) {
          clock.arm();
          armedAfter = e.iter;
        }
      },
    });
    expect(stopped.status).toBe('timeLimit');
    expect(clock.count()).toBe(4);
    vi.restoreAllMocks();
    expect(stopped.nit).toBe(armedAfter);
    const ref = minimize(f, x0, { ...opts, maxIter: stopped.nit });
    expect(stopped.message).toMatch(new RegExp(`during iteration ${stopped.nit + 1}$`));
    expect(stopped.nhev).toBe(ref.nhev); // the interrupted Hessian was never completed
    expectSameIterate(stopped, ref);
  });

  it('bfgs with bounds: stopped inside the factorization of its reduced matrix', () => {
    const m = 600;
    // the first half is held at its upper bound 0.5 (the unbounded minimizer is near 0.78), so
    // the direction factors the 300 × 300 matrix of the free variables
    const upper = Float64Array.from({ length: m }, (_, i) => (i < m / 2 ? 0.5 : 5));
    const opts: MinimizeOptions = { method: 'bfgs', gtol: 1e-300, bounds: { lower: new Float64Array(m).fill(-5), upper } };
    const x0 = new Float64Array(m).fill(3);
    // once armed (after the 3rd iteration), the clock runs out at the first reading made from
    // inside the Cholesky kernel and nowhere else
    const real = performance.now.bind(performance);
    let armed = false;
    let fired = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => {
      if (armed && /choleskyInto/.test(deepStack())) {
        fired++;
        return 1e300;
      }
      return real();
    });
    const stopped = minimize(denseQuartic(m), x0, { ...opts, timeLimit: 1e9, callback: (e) => void (armed ||= e.iter === 3) });
    vi.restoreAllMocks();
    expect(fired).toBe(1);
    expect(stopped.status).toBe('timeLimit');
    expect(stopped.nit).toBe(3);
    expect(stopped.message).toMatch(/during iteration 4$/);
    expectSameIterate(stopped, minimize(denseQuartic(m), x0, { ...opts, maxIter: 3 }));
  });

  it('ipm: stopped inside a KKT factorization of the feasibility restoration phase', () => {
    const m = 600;
    // Σx² ≤ 1 and Σx ≥ 100 cannot both hold (Σx ≤ √600 < 25 on the ball): the line search
    // fails and the restoration phase runs, with its own KKT matrices of order > 600
    const f = (x: t.Tensor) => t.sum(t.square(t.sub(x, 0.1)));
    const constraints = [
      { fun: (x: t.Tensor) => t.sum(t.square(x)), upper: 1 },
      { fun: (x: t.Tensor) => t.sum(x), lower: 100 },
    ];
    const x0 = new Float64Array(m).fill(0.5);
    const real = performance.now.bind(performance);
    let fired = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => {
      const stack = deepStack();
      // a reading by a KKT solver inside an iteration of the restoration's own interior-point core
      if (/KktSolver[\s\S]*IpmCore\.step[\s\S]*\brestoration \(/.test(stack)) {
        fired++;
        return 1e300;
      }
      return real();
    });
    const stopped = minimize(f, x0, { method: 'ipm', constraints, timeLimit: 1e9 });
    vi.restoreAllMocks();
    expect(fired).toBe(1);
    expect(stopped.status).toBe('timeLimit');
    expect(stopped.message).toMatch(new RegExp(`during iteration ${stopped.nit + 1}$`));
    // the unmocked run goes on to report the problem infeasible
    expect(minimize(f, x0, { method: 'ipm', constraints }).status).toBe('locallyInfeasible');
    expectSameIterate(stopped, minimize(f, x0, { method: 'ipm', constraints, maxIter: stopped.nit }));
  });

  it('an oracle Hessian gets the check only when the run has a time limit', () => {
    const seen: boolean[] = [];
    const fns = denseQuartic(4);
    const hessian = fns.hessian!;
    fns.hessian = (x, H, check) => {
      seen.push(typeof check === 'function');
      hessian(x, H);
    };
    minimize(fns, [3, 3, 3, 3], { method: 'newton', maxIter: 1 });
    minimize(fns, [3, 3, 3, 3], { method: 'newton', maxIter: 1, timeLimit: 1e9 });
    expect(seen).toEqual([false, true]);
  });
});

describe('the Hessian cache after an interruption', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('a Hessian assembled from products and abandoned half-way is not served from the cache', () => {
    // f = Σ xᵢ⁴/12 + x₀x₁x₂ (no Hessian oracle: assembled column by column from exact products)
    const fns: ObjectiveFunctions = {
      n: 3,
      value: (x) => (x[0]! ** 4 + x[1]! ** 4 + x[2]! ** 4) / 12 + x[0]! * x[1]! * x[2]!,
      valueAndGrad(x, g) {
        g[0] = x[0]! ** 3 / 3 + x[1]! * x[2]!;
        g[1] = x[1]! ** 3 / 3 + x[0]! * x[2]!;
        g[2] = x[2]! ** 3 / 3 + x[0]! * x[1]!;
        return this.value(x);
      },
      hvp(x, v, out) {
        const H = [x[0]! ** 2, x[2]!, x[1]!, x[2]!, x[1]! ** 2, x[0]!, x[1]!, x[0]!, x[2]! ** 2];
        for (let i = 0; i < 3; i++) out[i] = H[3 * i]! * v[0]! + H[3 * i + 1]! * v[1]! + H[3 * i + 2]! * v[2]!;
      },
    };
    const exact = (x: number[]) => [x[0]! ** 2, x[2]!, x[1]!, x[2]!, x[1]! ** 2, x[0]!, x[1]!, x[0]!, x[2]! ** 2];
    const obj = new Objective(fns);
    const a = Float64Array.of(1, 2, 3);
    const b = Float64Array.of(-4, 5, 0.5);
    expect(Array.from(obj.hessian(a))).toEqual(exact([1, 2, 3]));
    obj.deadline = 1e200;
    // readings: the Hessian's own check (1), the first product's (2); the second product's fires
    const clock = mockClock(2);
    clock.arm();
    expect(() => obj.hessian(b)).toThrow(TimeLimitReached);
    vi.restoreAllMocks();
    obj.deadline = Infinity;
    expect(Array.from(obj.hessian(a))).toEqual(exact([1, 2, 3]));
  });
});

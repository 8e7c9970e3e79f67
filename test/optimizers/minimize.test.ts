/**
 * The public entry point: the three ways to pass f (tayopt function, plain function with
 * derivatives, ObjectiveFunctions), shapes of x0, method 'auto', and argument validation.
 */
import { describe, expect, it } from 'vitest';
import * as t from '../../src/index.js';
import { TayoptError } from '../../src/errors.js';
import { minimize } from '../../optimizers/index.js';
import { rosenbrock } from './helpers.js';

const rosenT = (x: t.Tensor): t.Tensor => {
  const a = t.at(x, 0);
  const b = t.at(x, 1);
  return t.add(t.mul(100, t.square(t.sub(b, t.square(a)))), t.square(t.sub(1, a)));
};

describe('three ways to give f', () => {
  it('a tayopt function gets exact derivatives from the engine, whatever the method needs', () => {
    for (const method of ['lbfgs', 'newton', 'newton-cg', 'trust-exact', 'trust-krylov'] as const) {
      const ad = minimize(rosenT, [-1.2, 1], { method, gtol: 1e-9 });
      const hand = minimize(rosenbrock(), [-1.2, 1], { method, gtol: 1e-9 });
      // Same algorithm, same derivatives (to rounding): same path.
      expect(ad.nit).toBe(hand.nit);
      expect(ad.x[0]).toBeCloseTo(1, 8);
      expect(ad.x[1]).toBeCloseTo(1, 8);
    }
  });

  it('a plain function with grad (returned or written) and optional hess/hvp', () => {
    const f = (x: Float64Array): number => rosenbrock().value(x);
    const grad = (x: Float64Array): number[] => {
      const g = new Float64Array(2);
      rosenbrock().valueAndGrad(x, g);
      return Array.from(g);
    };
    const gradInPlace = (x: Float64Array, out: Float64Array): void => void rosenbrock().valueAndGrad(x, out);
    const hess = (x: Float64Array): number[][] => {
      const H = new Float64Array(4);
      rosenbrock().hessian!(x, H);
      return [
        [H[0]!, H[1]!],
        [H[2]!, H[3]!],
      ];
    };
    const hvp = (x: Float64Array, v: Float64Array): Float64Array => {
      const out = new Float64Array(2);
      rosenbrock().hvp!(x, v, out);
      return out;
    };
    expect(minimize(f, [-1.2, 1], { grad, method: 'bfgs', gtol: 1e-8 }).x[0]).toBeCloseTo(1, 6);
    expect(minimize(f, [-1.2, 1], { grad: gradInPlace, method: 'lbfgs', gtol: 1e-8 }).x[0]).toBeCloseTo(1, 6);
    const e = minimize(f, [-1.2, 1], { grad, hess, method: 'trust-exact', gtol: 1e-8 });
    expect(e.nhev).toBeGreaterThan(0);
    expect(e.x[0]).toBeCloseTo(1, 6);
    const k = minimize(f, [-1.2, 1], { grad, hvp, method: 'trust-ncg', gtol: 1e-8 });
    expect(k.nhvp).toBeGreaterThan(0);
    expect(k.x[0]).toBeCloseTo(1, 6);
  });

  it('an ObjectiveFunctions object is used as is', () => {
    const r = minimize(rosenbrock(), Float64Array.of(-1.2, 1), { method: 'dogleg' });
    expect(r.success).toBe(true);
  });
});

describe('shapes', () => {
  it('a matrix variable: f sees a matrix, the result is flat row-major with its shape', () => {
    const A = [
      [1, 2, 3],
      [4, 5, 6],
    ];
    const r = minimize((X: t.Tensor) => t.sum(t.square(t.sub(X, A))), [
      [0, 0, 0],
      [0, 0, 0],
    ], { method: 'newton' });
    expect(r.shape).toEqual([2, 3]);
    expect(Array.from(r.x).map((v) => Math.round(v * 1e9) / 1e9)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('a scalar variable', () => {
    const r = minimize((x: t.Tensor) => t.square(t.sub(x, 3)), 0, { method: 'trust-exact' });
    expect(r.shape).toEqual([]);
    expect(r.x[0]).toBeCloseTo(3, 12);
  });

  it('does not modify x0 and returns copies', () => {
    const x0 = Float64Array.of(-1.2, 1);
    const r = minimize(rosenbrock(), x0, { method: 'lbfgs' });
    expect(Array.from(x0)).toEqual([-1.2, 1]);
    r.x[0] = 42;
    expect(r.history[0]!.f).toBeCloseTo(24.2, 12);
  });
});

describe("method 'auto'", () => {
  it('picks by size and available derivatives', () => {
    const quad = (x: t.Tensor): t.Tensor => t.sum(t.square(t.sub(x, 1)));
    expect(minimize(quad, new Array(5).fill(0)).method).toBe('trust-exact');
    expect(minimize(quad, new Array(300).fill(0)).method).toBe('trust-ncg');
    expect(minimize(quad, [0, 0], { bounds: { lower: 2 } }).method).toBe('trust-exact');
    expect(minimize(quad, new Array(300).fill(0), { bounds: { lower: 2 } }).method).toBe('trust-ncg');
    const f = (x: Float64Array): number => x.reduce((s, v) => s + (v - 1) ** 2, 0);
    const grad = (x: Float64Array): Float64Array => x.map((v) => 2 * (v - 1));
    expect(minimize(f, [0, 0], { grad }).method).toBe('lbfgs');
    expect(minimize(f, [0, 0], { grad, hvp: (_x, v) => v.map((w) => 2 * w) }).method).toBe('trust-ncg');
  });
});

describe('argument validation throws TayoptError naming the argument', () => {
  const quad = (x: t.Tensor): t.Tensor => t.sum(t.square(x));
  const cases: [string, () => unknown, RegExp][] = [
    ['unknown method', () => minimize(quad, [1], { method: 'simplex' as never }), /unknown method 'simplex'; expected one of auto, lbfgs/],
    // the list is what minimize runs: no least-squares methods (lm, trf), which it refuses
    ['a misspelled method', () => minimize(quad, [1], { method: 'trust-exct' as never }), /^minimize: unknown method 'trust-exct' \(did you mean 'trust-exact'\?\); expected one of auto, lbfgs, lbfgsb, bfgs, [a-z, -]*ipm$/],
    ['NaN in x0', () => minimize(quad, [1, NaN]), /x0\[1\] is NaN/],
    ['empty x0', () => minimize(quad, []), /x0 has no elements/],
    ['ragged x0', () => minimize(quad, [[1, 2], [3]]), /ragged/],
    ['negative gtol', () => minimize(quad, [1], { gtol: -1 }), /options.gtol must be a non-negative number/],
    ['fractional maxIter', () => minimize(quad, [1], { maxIter: 2.5 }), /options.maxIter/],
    ['f not a function', () => minimize(42 as never, [1]), /f must be a function/],
    ['grad of wrong length', () => minimize((x: Float64Array) => x[0]!, [1, 2], { grad: () => [1] }), /options.grad returned 1 entries, expected 2/],
    ['hess without grad', () => minimize(quad, [1], { hess: () => [[2]] }), /options.hess\/options.hvp need options.grad/],
    ['lineSearch with a trust-region method', () => minimize(quad, [1], { method: 'trust-ncg', lineSearch: 'backtracking' }), /lineSearch applies to line-search methods/],
    ['radius with a line-search method', () => minimize(quad, [1], { method: 'bfgs', initialRadius: 2 }), /initialRadius applies to trust-region methods/],
    ['eta out of range', () => minimize(quad, [1], { method: 'dogleg', eta: 0.5 }), /eta must be below 0.25/],
    ['memory 0', () => minimize(quad, [1], { method: 'lbfgs', memory: 0 }), /memory must be at least 1/],
    ['objective with another n', () => minimize(rosenbrock(), [1, 2, 3]), /n = 2 variables but x0 has 3/],
  ];
  for (const [name, run, message] of cases)
    it(name, () => {
      expect(run).toThrow(TayoptError);
      expect(run).toThrow(message);
    });

  it('a plain function without grad is traced, and a clear engine error says why it fails', () => {
    // @ts-expect-error — the types refuse it too: a plain function needs options.grad
    expect(() => minimize((x: Float64Array) => x[0]! * x[0]!, [1])).toThrow(TayoptError);
  });
});

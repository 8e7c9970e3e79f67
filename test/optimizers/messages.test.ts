/**
 * Mistakes a new user makes, and the messages that say how to fix them (issue 12 point 5):
 * unknown option keys with a did-you-mean, null options, x[i] on a Tensor, a plain function
 * without its gradient, numerical trouble at x0 ending in a status, and Tensors that print
 * their shape and values.
 */
import { inspect } from 'node:util';
import { describe, expect, test } from 'vitest';
import * as t from '../../src/index.js';
import { METHOD_NAMES } from '../../optimizers/methods/index.js';

const quad = (x: t.Tensor) => t.sum(t.square(t.sub(x, [1, 2])));
const messageOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(t.TayoptError);
    return (e as Error).message;
  }
  throw new Error('expected a TayoptError');
};

describe('unknown option keys', () => {
  test.each([
    ['maxiter', 'maxIter'],
    ['tol', 'gtol'],
    ['verbose', undefined],
    ['gTol', 'gtol'],
    ['lineserch', 'lineSearch'],
  ])('minimize: %s', (key, close) => {
    const m = messageOf(() => t.minimize(quad, [0, 0], { [key]: 3 } as t.MinimizeOptions));
    expect(m).toContain(`minimize: unknown option '${key}'`);
    if (close) expect(m).toContain(`did you mean '${close}'?`);
    else expect(m).not.toContain('did you mean');
    expect(m).toContain('the options are method, grad');
  });

  test('bounds spelled { lo, hi } inside a wrong key is refused, not ignored', () => {
    expect(messageOf(() => t.minimize(quad, [0, 0], { bound: { lower: [0, 0], upper: [1, 1] } } as t.MinimizeOptions))).toMatch(/unknown option 'bound' \(did you mean 'bounds'\?\)/);
  });

  test('leastSquares and curveFit', () => {
    const r = (x: t.Tensor) => t.sub(x, [1, 2]);
    expect(messageOf(() => t.leastSquares(r, [0, 0], { maxiter: 3 } as t.LeastSquaresOptions))).toMatch(/^leastSquares: unknown option 'maxiter' \(did you mean 'maxIter'\?\)/);
    expect(messageOf(() => t.curveFit((p: t.Tensor, x: t.Tensor) => t.mul(p.at(0), x), [1, 2], [2, 4], [1], { sigmas: [1, 1] } as t.CurveFitOptions))).toMatch(/^curveFit: unknown option 'sigmas' \(did you mean 'sigma'\?\)/);
    // the right keys still work, and give the closed-form answer
    const fit = t.curveFit((p: t.Tensor, x: t.Tensor) => t.mul(p.at(0), x), [1, 2], [2, 4], [1], { sigma: [1, 1], maxIter: 50 });
    expect(fit.params[0]).toBeCloseTo(2, 8);
  });

  test('null options are refused; every documented key is accepted', () => {
    expect(messageOf(() => t.minimize(quad, [0, 0], null as unknown as t.MinimizeOptions))).toBe('minimize: options must be an object');
    expect(messageOf(() => t.leastSquares((x: t.Tensor) => x, [0], null as unknown as t.LeastSquaresOptions))).toMatch(/options must be an object/);
    const r = t.minimize(quad, [0, 0], { method: 'lbfgs', gtol: 1e-10, ftol: 0, xtol: 0, maxIter: 100, maxEval: 1000, timeLimit: 1e5, xmax: 1e10, memory: 5, lineSearch: 'backtracking' });
    expect(r.x[0]).toBeCloseTo(1, 8);
    expect(r.x[1]).toBeCloseTo(2, 8);
  });
});

describe('hints', () => {
  test('x[0] on a Tensor points to x.at(0)', () => {
    const f = (x: t.Tensor) => t.square((x as unknown as number[])[0] as unknown as t.Tensor);
    expect(messageOf(() => t.grad(f)([1, 2]))).toMatch(/square: argument: cannot make a tensor from undefined \(x\[i\] on a Tensor is undefined: index with x\.at\(i\)/);
  });

  test('a plain function without grad points to the { grad } option', () => {
    const plain = (x: Float64Array) => (x[0]! - 1) ** 2;
    const m = messageOf(() => t.minimize(plain as unknown as (x: t.Tensor) => t.Tensor, [0]));
    expect(m).toMatch(/returned the plain number NaN, not a tayopt Tensor/);
    expect(m).toMatch(/give minimize its gradient: minimize\(f, x0, \{ grad:/);
    // and with the gradient it runs
    const r = t.minimize(plain, [0], { grad: (x, out) => void (out[0] = 2 * (x[0]! - 1)) });
    expect(r.x[0]).toBeCloseTo(1, 6);
  });
});

describe('numerical trouble at x0 is a status in every method', () => {
  // A(x) = [[x₀, x₁], [x₁, x₀]] is singular at x0 = (1, 1)
  const singular = (x: t.Tensor) => t.sum(t.solve(t.stack([t.stack([x.at(0), x.at(1)]), t.stack([x.at(1), x.at(0)])]), [1, 2]));
  // Cholesky of [[x₀, 0], [0, 1]] fails at x₀ = −1 (not positive definite)
  const notPd = (x: t.Tensor) => t.sum(t.cholesky(t.stack([t.stack([x.at(0), t.mul(0, x.at(1))]), t.stack([t.mul(0, x.at(1)), t.add(1, t.mul(0, x.at(0)))])])));
  const methods = METHOD_NAMES.filter((m) => m !== 'lm' && m !== 'trf');
  test.each(methods)('%s', (method) => {
    for (const [f, x0, what] of [[singular, [1, 1], /singular/], [notPd, [-1, 0], /positive definite/]] as const) {
      const r = t.minimize(f, [...x0], { method });
      expect(r.status).toBe('nonFinite');
      expect(r.success).toBe(false);
      expect(Array.from(r.x)).toEqual([...x0]);
      expect(r.message).toMatch(/starting point/);
      expect(r.message).toMatch(what);
    }
  });

  test('a matrix variable keeps its shape when the trace waits for the first call', () => {
    // singular at X0 = 0; f is traced again at X0 through a Tensor of shape [2, 2]
    const f = (X: t.Tensor) => t.sum(t.solve(X, [1, 1]));
    const r = t.minimize(f, [[0, 0], [0, 0]]);
    expect(r.status).toBe('nonFinite');
    expect(r.shape).toEqual([2, 2]);
  });
});

describe('Tensors print their shape and values', () => {
  test('toString, template strings and util.inspect', () => {
    const x = t.tensor([[1, 2.5], [-3, 4]]);
    expect(String(x)).toBe('Tensor([2,2]) [[1, 2.5], [-3, 4]]');
    expect(`${t.tensor(0.5)}`).toBe('Tensor([]) 0.5');
    expect(inspect(x)).toBe('Tensor([2,2]) [[1, 2.5], [-3, 4]]');
    expect(inspect(x)).not.toMatch(/_tape|_v|_id/);
    expect(String(t.tensor([0, 1, 2, 3, 4, 5, 6, 7]))).toBe('Tensor([8]) [0, 1, 2, …, 5, 6, 7]');
    expect(String(t.tensor([1 / 3]))).toBe('Tensor([1]) [0.333333]');
  });

  test('printing a traced tensor does not make the function value-dependent', () => {
    const seen: string[] = [];
    const g = t.grad((x: t.Tensor) => {
      seen.push(String(x));
      return t.sum(t.square(x));
    });
    expect(Array.from(g([1, 2]))).toEqual([2, 4]);
    expect(Array.from(g([3, 4]))).toEqual([6, 8]); // replayed: f was not called again
    expect(seen).toEqual(['Tensor([2], traced) [1, 2]']);
  });
});

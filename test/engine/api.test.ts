/** The public API: argument lifting, result structure, drivers, error messages, kinks. */
import ndarray from 'ndarray';
import { describe, expect, test } from 'vitest';
import * as t from '../../src/index.js';
import { fdGradient, relErr } from '../helpers.js';

const sumSquares = (x: t.Tensor) => t.sum(t.square(x));

describe('derivatives have the structure of the input', () => {
  test('number → number', () => {
    expect(t.grad((x) => t.mul(x, t.sin(x)))(0.7)).toBeCloseTo(Math.sin(0.7) + 0.7 * Math.cos(0.7), 14);
  });
  test('number[] and Float64Array → Float64Array', () => {
    const g1 = t.grad(sumSquares)([1, 2, 3]);
    const g2 = t.grad(sumSquares)(Float64Array.of(1, 2, 3));
    expect(g1).toBeInstanceOf(Float64Array);
    expect(Array.from(g1)).toEqual([2, 4, 6]);
    expect(Array.from(g2)).toEqual([2, 4, 6]);
  });
  test('number[][] → number[][]', () => {
    const g = t.grad((W) => t.sum(t.mul(W, W)))([[1, 2], [3, 4], [5, 6]]);
    expect(g).toEqual([[2, 4], [6, 8], [10, 12]]);
  });
  test('ndarray → ndarray (strided views read correctly)', () => {
    const base = ndarray(new Float64Array([1, 2, 3, 4, 5, 6]), [2, 3]);
    const view = base.transpose(1, 0); // 3×2 view with non-unit strides
    const g = t.grad((W) => t.sum(t.mul(W, t.tensor([[1, 10], [100, 1000], [1e4, 1e5]]))))(view);
    expect(g.shape).toEqual([3, 2]);
    expect(g.get(2, 1)).toBe(1e5);
    const h = t.grad((W) => t.sum(t.square(W)))(view);
    expect(h.get(0, 1)).toBe(2 * 4); // view[0][1] = base[1][0] = 4
  });
  test('ndarray points over part of a buffer read only their elements; a point is never written', () => {
    // ∇ Σ c ⊙ W² = 2 c ⊙ W, c = [[1, 10], [100, 1000]]
    const grad = t.grad((W: t.Tensor) => t.sum(t.mul(t.tensor([[1, 10], [100, 1000]]), t.square(W))));
    const buf = Float64Array.of(1, 2, 3, 4, 5, 6, 7);
    const whole = ndarray(buf.subarray(0, 4), [2, 2]); // row-major over a whole (sub)array
    const prefix = ndarray(buf, [2, 2]); // the first four of seven
    const shifted = ndarray(buf, [2, 2], [2, 1], 3); // [[4, 5], [6, 7]]
    for (let call = 0; call < 2; call++) {
      expect(Array.from(grad(whole).data)).toEqual([2, 40, 600, 8000]);
      expect(Array.from(grad(prefix).data)).toEqual([2, 40, 600, 8000]);
      expect(Array.from(grad(shifted).data)).toEqual([8, 100, 1200, 14000]);
      expect(Array.from(t.valueAndGrad((W: t.Tensor) => t.sum(t.square(W)))(whole).grad.data)).toEqual([2, 4, 6, 8]);
      expect(Array.from(t.hvp((W: t.Tensor) => t.sum(t.pow(W, 3)))(whole, [[1, 0], [0, 1]]).data)).toEqual([6, 0, 0, 24]);
    }
    expect(Array.from(buf)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
  test('ndarray results of 1 to 4 dimensions are row-major ndarrays that behave as ndarray builds them', () => {
    // ∇ Σ c·x³ = 3c·x² (closed form), with c and x distinct in every element
    for (const shape of [[5], [2, 3], [2, 3, 4], [2, 1, 3, 2]]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const xs = Float64Array.from({ length: n }, (_, i) => 0.5 + i);
      const cs = Float64Array.from({ length: n }, (_, i) => (i % 3) - 1.5);
      const c = t.tensor(t.reshape(cs, shape));
      const grad = t.grad((x: t.Tensor) => t.sum(t.mul(c, t.pow(x, 3))));
      const expected = ndarray(xs.map((v, i) => 3 * cs[i]! * v * v), shape);
      for (let call = 0; call < 2; call++) {
        // the first call comes from the trace, the second from the compiled replay
        const g = grad(ndarray(xs, shape));
        expect(g.shape).toEqual(shape);
        expect(g.stride).toEqual(expected.stride);
        expect(g.offset).toBe(0);
        expect(g.dtype).toBe('float64');
        expect(g.size).toBe(n);
        expect(Array.from(g.data)).toEqual(Array.from(expected.data as Float64Array));
        const last = shape.map((d) => d - 1);
        expect(g.get(...last)).toBe(expected.get(...last));
        // ndarray's own view operations work on it
        expect(g.pick(shape[0]! - 1).size).toBe(n / shape[0]!);
      }
    }
  });
  test('valueAndGrad', () => {
    const r = t.valueAndGrad(sumSquares)([3, 4]);
    expect(r.value).toBe(25);
    expect(Array.from(r.grad)).toEqual([6, 8]);
  });
});

describe('vector-valued drivers', () => {
  const g = (x: t.Tensor) => t.concatenate([t.mul(t.sin(x), x.at(0)), t.reshape(t.prod(x), [1])]);
  const x0 = [0.3, -0.8, 1.1];
  const gJs = (x: Float64Array) => [...Array.from(x, (v) => Math.sin(v) * x[0]!), x[0]! * x[1]! * x[2]!];

  test('jacobian forward = reverse = central differences', () => {
    const Jf = t.jacobian(g, { mode: 'forward' })(x0);
    const Jr = t.jacobian(g, { mode: 'reverse' })(x0);
    expect(Jf).toHaveLength(4);
    expect(Jf[0]).toHaveLength(3);
    expect(relErr(Jf.flat(), Jr.flat())).toBeLessThan(1e-14);
    for (let i = 0; i < 4; i++) {
      const fd = fdGradient((x) => gJs(x)[i]!, Float64Array.from(x0));
      expect(relErr(Jf[i]!, fd)).toBeLessThan(1e-8);
    }
  });
  test('jvp = J·v and vjp = uᵀ·J', () => {
    const J = t.jacobian(g)(x0);
    const v = [0.5, -1, 2];
    const u = [1, -2, 0.5, 3];
    const jv = t.jvp(g)(x0, v) as Float64Array;
    const uj = t.vjp(g)(x0, u) as Float64Array;
    for (let i = 0; i < 4; i++) expect(jv[i]).toBeCloseTo(J[i]!.reduce((s, a, k) => s + a * v[k]!, 0), 13);
    for (let k = 0; k < 3; k++) expect(uj[k]).toBeCloseTo(J.reduce((s, row, i) => s + u[i]! * row[k]!, 0), 13);
  });
});

describe('methods chain like the free functions', () => {
  test('x.mul(2).sin().sum() = sum(sin(2x))', () => {
    const a = t.grad((x) => x.mul(2).sin().sum())([0.1, 0.2]) as Float64Array;
    const b = t.grad((x) => t.sum(t.sin(t.mul(x, 2))))([0.1, 0.2]) as Float64Array;
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(a[0]).toBeCloseTo(2 * Math.cos(0.2), 14);
  });
  test('indexing: at, negative indices, slices with steps, T', () => {
    const x = t.tensor([[1, 2, 3], [4, 5, 6]]);
    expect(x.at(1, 2).item()).toBe(6);
    expect(x.at(-1, -3).item()).toBe(4);
    expect(x.at(0).toArray()).toEqual([1, 2, 3]);
    expect(t.slice(x, null, [null, null, -1]).toArray()).toEqual([[3, 2, 1], [6, 5, 4]]);
    expect(t.slice(x, 1, [0, 3, 2]).toArray()).toEqual([4, 6]);
    expect(x.T.toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(t.set(x, [0, [1, null]], 0).toArray()).toEqual([[1, 0, 0], [4, 5, 6]]);
    expect(t.stack([[1, 2], [3, 4]], 1).toArray()).toEqual([[1, 3], [2, 4]]);
  });
});

describe('kinks follow a documented one-sided rule, the same in forward and reverse mode', () => {
  test('abs has derivative +1 at 0', () => {
    expect(t.grad((x) => t.abs(x))(0)).toBe(1);
    expect(t.grad((x) => t.abs(x), { mode: 'forward' })(0)).toBe(1);
  });
  test('maximum and minimum follow the first argument on ties', () => {
    const f = (x: t.Tensor) => t.add(t.maximum(x.at(0), x.at(1)), t.mul(10, t.minimum(x.at(1), x.at(0))));
    expect(Array.from(t.grad(f)([2, 2]) as Float64Array)).toEqual([1, 10]);
    expect(Array.from(t.grad(f, { mode: 'forward' })([2, 2]) as Float64Array)).toEqual([1, 10]);
  });
});

describe('misuse fails fast with a message naming the operation and shapes', () => {
  test('dot with misaligned shapes', () => {
    expect(() => t.dot(t.zeros([3, 4]), t.zeros([5]))).toThrow('dot: shapes [3,4] and [5] do not align');
  });
  test('constructors name themselves, and a NumPy-style shape gets the array form', () => {
    // ones(3, 4) in NumPy's style: 3 arrives as the shape (the types refuse it; plain JS does not)
    const numpyStyle = t.ones as unknown as (a: number, b: number) => t.Tensor;
    expect(() => numpyStyle(3, 4)).toThrow('ones: shape must be an array of non-negative integers, got 3 (the shape is one array, as in ones([3, …]))');
    expect(() => t.zeros([2, -1])).toThrow('zeros: shape must be an array of non-negative integers, got [2,-1]');
    expect(() => t.full([1.5], 0)).toThrow('full: shape must');
  });
  test('broadcasting failure names both shapes', () => {
    expect(() => t.add([1, 2, 3], [1, 2])).toThrow('add: shapes [3] and [2] do not broadcast');
  });
  test('grad of a non-scalar function', () => {
    expect(() => t.grad((x) => t.mul(x, 2))([1, 2])).toThrow('grad: the function must return a scalar, got shape [2]');
  });
  test('a function returning a plain number', () => {
    expect(() => t.grad(((x: t.Tensor) => x.item() * 2) as never)([1])).toThrow(/returned the plain number 2, not a tayopt Tensor/);
  });
  test('index out of range', () => {
    expect(() => t.grad((x) => x.at(5))([1, 2, 3])).toThrow('at: index 5 is out of range for axis 0 of size 3 (shape [3])');
  });
  test('reshape, concatenate, stack, hvp direction', () => {
    expect(() => t.reshape([1, 2, 3], [2, 2])).toThrow('reshape: cannot reshape [3] (3 elements) to [2,2]');
    expect(() => t.concatenate([[[1, 2]], [[1, 2, 3]]], 0)).toThrow(/concatenate: shapes \[1,2\], \[1,3\] do not match except along axis 0/);
    expect(() => t.stack([[1, 2], [1]])).toThrow('stack: array 1 has shape [1], array 0 has [2]');
    expect(() => t.hvp(sumSquares)([1, 2], [1, 2, 3])).toThrow('hvp: direction: shape [3] does not match [2]');
  });
  test('ragged nested arrays', () => {
    expect(() => t.grad(sumSquares)([[1, 2], [3]] as never)).toThrow(/ragged nested array: \[1\] has length 1, expected an array of length 2/);
  });
});

describe('reading a traced value is allowed and stays correct', () => {
  // a branch on a read value: each call traces anew, so each side gets its own derivative
  const f = (x: t.Tensor) => (x.at(0).item() > 0 ? t.sum(t.square(x)) : t.sum(t.mul(x, 3)));
  test('both sides of the branch, repeatedly', () => {
    for (let k = 0; k < 3; k++) {
      expect(Array.from(t.grad(f)([2, 1]) as Float64Array)).toEqual([4, 2]);
      expect(Array.from(t.grad(f)([-2, 1]) as Float64Array)).toEqual([3, 3]);
    }
  });
  test('comparison operators on one-element tensors read the value', () => {
    const g = (x: t.Tensor) => ((x as unknown as number) > 1 ? t.exp(x) : t.neg(x));
    expect(t.grad(g)(2)).toBeCloseTo(Math.exp(2), 12);
    expect(t.grad(g)(0.5)).toBe(-1);
  });
});

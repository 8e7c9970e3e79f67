/**
 * Exact result types (issue 12): the static type of each driver's result, from the point's
 * type, matches the structure the result has at run time, and the values match closed forms.
 * The expectTypeOf lines are checked by the repository's type-check (`tsc --noEmit`).
 */
import ndarray from 'ndarray';
import { describe, expect, expectTypeOf, test } from 'vitest';
import * as t from '../../src/index.js';

const sumSquares = (x: t.Tensor) => t.sum(t.square(x));
const sumExp = (x: t.Tensor) => t.sum(t.exp(x));

describe('driver results are typed by the point', () => {
  test('number → number', () => {
    const g = t.grad((x) => t.mul(x, t.exp(x)))(0.5);
    expectTypeOf(g).toEqualTypeOf<number>();
    expect(typeof g).toBe('number');
    expect(g).toBeCloseTo(1.5 * Math.exp(0.5), 14);
    const h = t.hvp((x) => t.exp(x))(0.5, 2);
    expectTypeOf(h).toEqualTypeOf<number>();
    expect(h).toBeCloseTo(2 * Math.exp(0.5), 14);
  });

  test('number[] and Float64Array → Float64Array; number[][] → number[][]', () => {
    const a = t.grad(sumSquares)([1, -2]);
    const b = t.valueAndGrad(sumSquares)(Float64Array.of(1, -2));
    const m = t.hvp(sumExp)([[0, 1], [2, 3]], [[1, 1], [1, 1]]);
    expectTypeOf(a).toEqualTypeOf<Float64Array>();
    expectTypeOf(b).toEqualTypeOf<{ value: number; grad: Float64Array }>();
    expectTypeOf(m).toEqualTypeOf<number[][]>();
    expect(a).toBeInstanceOf(Float64Array);
    expect(b.grad).toBeInstanceOf(Float64Array);
    expect(Array.from(a)).toEqual([2, -4]);
    expect(b.value).toBe(5);
    // ∇²(Σ exp M)·V = exp(M) ⊙ V
    expect(m.length).toBe(2);
    m.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(Math.exp(2 * i + j), 12)));
    const cube = t.grad(sumSquares)([[[1], [2]]]);
    expectTypeOf(cube).toEqualTypeOf<number[][][]>();
    expect(cube).toEqual([[[2], [4]]]);
  });

  test('ndarray → ndarray over a Float64Array', () => {
    const x = ndarray(new Float64Array([1, 2, 3, 4]), [2, 2]);
    const g = t.grad(sumSquares)(x);
    expectTypeOf(g).toEqualTypeOf<typeof x>();
    expect(g.get(1, 0)).toBe(6);
    const plain = ndarray([1, 2, 3, 4], [2, 2]);
    const u = t.vjp((W: t.Tensor) => t.sum(W, 1))(plain, [1, 10]);
    expectTypeOf(u).toEqualTypeOf<t.NdArrayResult>();
    expect(u.data).toBeInstanceOf(Float64Array);
    expect(Array.from(u.data)).toEqual([1, 1, 10, 10]);
  });

  test('a Tensor point: the union, narrowed by the shape at run time', () => {
    const g = t.grad(sumSquares)(t.tensor([3, 4]));
    expectTypeOf(g).toEqualTypeOf<t.Structured>();
    expect(g).toBeInstanceOf(Float64Array);
  });

  test('jvp and taylor follow g(x): the type comes from the variable assigned to', () => {
    const Jv: Float64Array = t.jvp((x: t.Tensor) => t.mul(x, x))([1, 2], [1, 1]);
    expect(Array.from(Jv)).toEqual([2, 4]);
    const c: number[] = t.taylor((s: t.Tensor) => t.exp(s), 0, 1, 3);
    [1, 1, 1 / 2, 1 / 6].forEach((ck, k) => expect(c[k]).toBeCloseTo(ck, 15));
    expectTypeOf(t.jvp(sumExp)([1], [1])).toEqualTypeOf<t.Structured>();
  });
});

/**
 * Results own their memory (issue 12 point 8 / issue 15): every Float64Array a driver hands
 * out has a buffer of its own, so transferring one (structuredClone, postMessage) leaves
 * every other result intact, and a later call never changes an earlier result. Values are
 * checked against closed forms.
 */
import ndarray from 'ndarray';
import { describe, expect, test } from 'vitest';
import * as t from '../../src/index.js';

const sumSquares = (x: t.Tensor) => t.sum(t.square(x)); // ∇ = 2x, ∇²·v = 2v
const own = (a: Float64Array) => expect(a.buffer.byteLength).toBe(a.byteLength);

describe('every result owns its buffer', () => {
  test('transferring one small gradient leaves the others intact', () => {
    const grad = t.grad(sumSquares);
    const gs = Array.from({ length: 50 }, (_, k) => grad(Float64Array.of(k, -k, 0.5)));
    gs.forEach(own);
    const moved = structuredClone(gs[10]!, { transfer: [gs[10]!.buffer] });
    expect(gs[10]!.length).toBe(0); // detached
    expect(Array.from(moved)).toEqual([20, -20, 1]);
    gs.forEach((g, k) => {
      if (k !== 10) expect(Array.from(g)).toEqual([2 * k, -2 * k, 1]);
    });
  });

  test('valueAndGrad, hvp, vjp, jvp and ndarray results own theirs too', () => {
    const x = [1, 2, 3];
    const vg = t.valueAndGrad(sumSquares)(x);
    const hv = t.hvp(sumSquares)(x, [1, 0, -1]);
    const uJ = t.vjp((y: t.Tensor) => t.mul(y, y))(x, [1, 1, 1]);
    const Jv: Float64Array = t.jvp((y: t.Tensor) => t.mul(y, y))(x, [1, 1, 1]);
    const nd = t.grad(sumSquares)(ndarray(new Float64Array([1, 2, 3, 4]), [2, 2]));
    for (const a of [vg.grad, hv, uJ, Jv, nd.data]) own(a);
    structuredClone(vg.grad, { transfer: [vg.grad.buffer] });
    expect(Array.from(hv)).toEqual([2, 0, -2]);
    expect(Array.from(uJ)).toEqual([2, 4, 6]);
    expect(Array.from(Jv)).toEqual([2, 4, 6]);
    expect(Array.from(nd.data)).toEqual([2, 4, 6, 8]);
  });

  test('a later call never changes an earlier result (nested, ndarray, number[] points)', () => {
    const grad = t.grad(sumSquares);
    const a = grad([[1, 2], [3, 4]]);
    const b = grad([[5, 6], [7, 8]]);
    expect(a).toEqual([[2, 4], [6, 8]]);
    expect(b).toEqual([[10, 12], [14, 16]]);
    const n1 = grad(ndarray([1, 2, 3, 4], [2, 2]));
    const n2 = grad(ndarray([0, 0, 1, 1], [2, 2]));
    expect(Array.from(n1.data)).toEqual([2, 4, 6, 8]);
    expect(Array.from(n2.data)).toEqual([0, 0, 2, 2]);
    const v1 = grad([1, 2]);
    const v2 = grad([3, 4]);
    expect(Array.from(v1)).toEqual([2, 4]);
    expect(Array.from(v2)).toEqual([6, 8]);
  });

  test('strided ndarray views and bad points after good ones', () => {
    const grad = t.grad((W: t.Tensor) => t.sum(t.mul(W, [[1, 10], [100, 1000], [1e4, 1e5]])));
    const base = ndarray(new Float64Array([1, 2, 3, 4, 5, 6]), [2, 3]);
    expect(Array.from(grad(base.transpose(1, 0)).data)).toEqual([1, 10, 100, 1000, 1e4, 1e5]);
    const sq = t.grad(sumSquares);
    expect(sq([[1, 2], [3, 4]])).toEqual([[2, 4], [6, 8]]);
    expect(() => sq([[1, 2], [3]])).toThrow(/ragged nested array: \[1\] has length 1, expected an array of length 2/);
    expect(() => sq([[1, 2], [3, 'a' as unknown as number]])).toThrow(/element \[1\]\[1\] is string, not a number/);
    expect(() => sq([1, null as unknown as number])).toThrow(/element \[1\] is null/);
  });
});

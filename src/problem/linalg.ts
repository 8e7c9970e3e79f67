/**
 * Small compositions of engine operations the expression language needs: the matrix
 * product with math.js's rules, integer matrix powers, and max/min
 * reductions as a balanced tree of elementwise maximum/minimum (log₂ n levels, so the
 * derivative follows the winning element like the elementwise ops do).
 */
import { type Tensor, concatenate, dot, eye, reshape, slice } from '../index.js';
import { ProblemError } from './source.js';

/** `[2, 3]` for messages; `[]` is a number. */
export function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Whether x is a square matrix. */
export function isSquare(x: Tensor): boolean {
  return x.ndim === 2 && x.shape[0] === x.shape[1];
}

/**
 * The matrix product of 1-D and 2-D arrays (vector·vector is the dot product, as in math.js).
 * Throws naming both shapes when the inner dimensions differ.
 */
export function mmul(a: Tensor, b: Tensor, op = '*'): Tensor {
  if (a.ndim > 2 || b.ndim > 2) {
    throw new ProblemError(`${op}: the matrix product needs vectors or matrices, got shapes ${shapeText(a.shape)} and ${shapeText(b.shape)}`);
  }
  const inner = a.shape[a.ndim - 1];
  if (inner !== b.shape[0]) {
    throw new ProblemError(
      `${op}: shapes ${shapeText(a.shape)} and ${shapeText(b.shape)} do not align for the matrix product (${inner} ≠ ${b.shape[0]}); for the elementwise product write .*`,
    );
  }
  return dot(a, b);
}

/** A^k for a square matrix and an integer k ≥ 0, by repeated squaring. */
export function matrixPower(a: Tensor, k: number): Tensor {
  const n = a.shape[0]!;
  let result: Tensor | null = null;
  let base = a;
  let e = k;
  while (e > 0) {
    if (e & 1) result = result === null ? base : mmul(result, base);
    e = Math.floor(e / 2);
    if (e > 0) base = mmul(base, base);
  }
  return result ?? eye(n, n);
}

/**
 * Reduces x with an elementwise pair function over all elements (axis null) or along one
 * axis (0-based, which is removed), pairing halves until one slice is left.
 */
export function foldReduce(x: Tensor, axis: number | null, pair: (a: Tensor, b: Tensor) => Tensor): Tensor {
  let v = axis === null ? reshape(x, [-1]) : x;
  const ax = axis ?? 0;
  let n = v.shape[ax]!;
  if (n === 0) throw new ProblemError(`max/min of an empty array`);
  const spec = (lo: number, hi: number) => v.shape.map((_, i) => (i === ax ? [lo, hi] : null));
  while (n > 1) {
    const h = Math.floor(n / 2);
    let m = pair(slice(v, ...spec(0, h)), slice(v, ...spec(h, 2 * h)));
    if (n % 2 === 1) m = concatenate([m, slice(v, ...spec(2 * h, n))], ax);
    v = m;
    n = v.shape[ax]!;
  }
  const out = v.shape.filter((_, i) => i !== ax);
  return reshape(v, out);
}

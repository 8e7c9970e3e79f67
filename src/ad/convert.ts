/**
 * Structure in, structure out: the derivative of a function of a number is a number, of a
 * number[] or Float64Array a Float64Array, of a number[][] a number[][], of an ndarray an
 * ndarray — same shape as the argument.
 */
import { TayoptError } from '../errors.js';
import { type NdArrayLike, type NestedArray, Tensor, isNdArray, makeNdArray, nest, toShapeAndValues } from '../trace/tensor.js';
import { sameShape, sizeOf } from '../utpm/utpm.js';

export type Kind = 'number' | 'vector' | 'nested' | 'ndarray';

/** A point given by the user: its shape, its row-major values (read-only), and its kind. */
export interface Point {
  shape: number[];
  values: Float64Array;
  kind: Kind;
}

/** What the drivers accept as a point. */
export type PointLike = number | readonly NestedArray[] | Float64Array | NdArrayLike | Tensor;

/** Reads a user point; throws a TayoptError naming `what` for anything else. */
export function readPoint(x: unknown, what: string): Point {
  // a Float64Array is used as is (never written); anything else is copied
  if (x instanceof Float64Array) return { shape: [x.length], values: x, kind: 'vector' };
  const { shape, values } = toShapeAndValues(x, what);
  let kind: Kind;
  if (typeof x === 'number') kind = 'number';
  else if (isNdArray(x)) kind = 'ndarray';
  else if (shape.length === 1) kind = 'vector';
  else if (shape.length === 0) kind = 'number';
  else kind = 'nested';
  return { shape, values, kind };
}

/**
 * Reads a second point (a direction, a cotangent) of `shape`: given in that shape, or flat
 * (a number[] or Float64Array of its values in row-major order, as the solvers hold them),
 * or as a number when it has one element.
 */
export function readLike(x: unknown, shape: readonly number[], what: string): Float64Array {
  const p = readPoint(x, what);
  if (p.values.length !== sizeOf(shape) || (p.shape.length > 1 && !sameShape(p.shape, shape))) {
    throw new TayoptError(`${what}: shape [${p.shape.join(',')}] does not match [${shape.join(',')}]`);
  }
  return p.values;
}

/**
 * Values laid out in the structure of `like`. A vector or ndarray result is a view of
 * `values` itself (pass a buffer the caller may own); numbers and nested arrays are copies.
 */
export function shapeLike(like: Point, values: Float64Array): unknown {
  switch (like.kind) {
    case 'number':
      return values[0]!;
    case 'vector':
      return values;
    case 'ndarray':
      return makeNdArray(values, like.shape);
    default:
      return like.shape.length === 2 ? rows(values, like.shape[0]!, like.shape[1]!) : nest(values, like.shape, 0, 0);
  }
}

/** Rows of a row-major m×n buffer as plain number arrays. */
export function rows(values: Float64Array, m: number, n: number): number[][] {
  const out: number[][] = new Array(m);
  for (let i = 0, k = 0; i < m; i++) {
    const row: number[] = new Array(n);
    for (let j = 0; j < n; j++) row[j] = values[k++]!;
    out[i] = row;
  }
  return out;
}

/** Values laid out by shape: number for a scalar, Float64Array for a vector, nested arrays beyond. */
export function byShape(shape: readonly number[], values: Float64Array): unknown {
  if (shape.length === 0) return values[0]!;
  if (shape.length === 1) return values;
  return nest(values, shape, 0, 0);
}

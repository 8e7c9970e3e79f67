/**
 * Result types of the drivers, computed from the type of the point (convert.ts does the
 * same at run time): number → number; number[] or Float64Array → Float64Array; number[][]
 * (and deeper) → number[][] (…); ndarray → ndarray over a Float64Array. A Tensor point's
 * structure is known only at run time, so it gives the union {@link Structured}.
 */
import type { NdArrayLike } from '../trace/tensor.js';

/** Nested arrays of numbers, as results come back (mutable, fresh). */
export type NestedNumbers = number[] | NestedNumbers[];

/** Any structured result: a number, a Float64Array, or nested arrays of two or more levels. */
export type Structured = number | Float64Array | NestedNumbers[];

/** An ndarray result: an ndarray (scijs) view over a fresh Float64Array. */
export type NdArrayResult = NdArrayLike & { readonly data: Float64Array };

type Plain<X> = X extends number ? number : X extends readonly (infer E)[] ? Plain<E>[] : never;

/** The structure of a derivative (or any result shaped like the point) for a point of type X. */
export type DerivativeOf<X> = X extends number
  ? number
  : X extends Float64Array | readonly number[]
    ? Float64Array
    : X extends readonly unknown[]
      ? Plain<X>
      : X extends NdArrayLike
        ? X extends { readonly data: Float64Array }
          ? X
          : NdArrayResult
        : Structured;

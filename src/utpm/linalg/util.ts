/**
 * Shared helpers of the linear-algebra primitives: shape checks that name the operation,
 * coefficient-block access that treats absent blocks of constants as zero, and the small
 * vocabulary their pullbacks are written in.
 */
import { TayoptError } from '../../errors.js';
import type { Ops, Region, Value } from '../primitive.js';
import type { UTPM } from '../utpm.js';
import { fmtShape } from '../utpm.js';

/** Offset of block (d, p) of u, or −1 when u does not store it (a constant beyond degree 0). */
export function blk(u: UTPM, d: number, p: number): number {
  return d < u.D ? u.off(d, p) : -1;
}

/** Checks a 2-D shape; returns [rows, cols]. */
export function matrixShape(op: string, s: readonly number[], what = 'argument'): [number, number] {
  if (s.length !== 2) throw new TayoptError(`${op}: ${what} must be a matrix (2-D), got shape ${fmtShape(s)}`);
  return [s[0]!, s[1]!];
}

/** Checks a square 2-D shape, non-empty unless `allowEmpty`; returns n. */
export function squareShape(op: string, s: readonly number[], what = 'argument', allowEmpty = false): number {
  const [m, n] = matrixShape(op, s, what);
  if (m !== n) throw new TayoptError(`${op}: needs a square matrix, got shape ${fmtShape(s)}`);
  if (n === 0 && !allowEmpty) throw new TayoptError(`${op}: needs a non-empty matrix, got shape ${fmtShape(s)}`);
  return n;
}

/** The region of rows [r0, r0+count) of a 2-D array with `cols` columns. */
export function rowsRegion(r0: number, count: number, cols: number): Region {
  return { start: [r0, 0], step: [1, 1], count: [count, cols] };
}

/** n×m identity (ones on the main diagonal) as a flat buffer. */
export function eyeValues(n: number, m = n): Float64Array {
  const v = new Float64Array(n * m);
  for (let i = 0; i < Math.min(n, m); i++) v[i * m + i] = 1;
  return v;
}

/** Pullback vocabulary on top of {@link Ops}: linear-algebra primitives and small composites. */
export const la = {
  T<V extends Value>(b: Ops<V>, a: V): V {
    return b.transpose(a, [1, 0]);
  },
  /** (a + aᵀ)/2. */
  sym<V extends Value>(b: Ops<V>, a: V): V {
    return b.scale(b.add(a, b.transpose(a, [1, 0])), 0.5);
  },
  solve<V extends Value>(b: Ops<V>, a: V, rhs: V, trans: boolean): V {
    return b.b.apply('solve', [a, rhs], { trans });
  },
  trisolve<V extends Value>(b: Ops<V>, t: V, rhs: V, lower: boolean, trans: boolean): V {
    return b.b.apply('trisolve', [t, rhs], { lower, trans });
  },
  inv<V extends Value>(b: Ops<V>, a: V): V {
    return b.b.apply('inv', [a]);
  },
  tril<V extends Value>(b: Ops<V>, a: V, k = 0): V {
    return b.b.apply('tril', [a], { k });
  },
  triu<V extends Value>(b: Ops<V>, a: V, k = 0): V {
    return b.b.apply('triu', [a], { k });
  },
  eye<V extends Value>(b: Ops<V>, n: number, m = n): V {
    return b.b.constant(eyeValues(n, m), [n, m]);
  },
  rows<V extends Value>(b: Ops<V>, a: V, r0: number, count: number): V {
    return b.slice(a, rowsRegion(r0, count, a.shape[1]!));
  },
};

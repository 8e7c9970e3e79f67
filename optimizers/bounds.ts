/**
 * Box constraints lower ≤ x ≤ upper: reading them at the API edge, moving a start point into
 * the box, and the stationarity measure under bounds. The one place these facts live; the
 * CLI imports them from here.
 */
import { TayoptError } from '../src/errors.js';

/** Box constraints: lower/upper vectors (a number applies to all; null/±Infinity = none), or one [lo, hi] pair per variable. */
export type Bounds =
  | { lower?: number | ArrayLike<number | null>; upper?: number | ArrayLike<number | null> }
  | ArrayLike<readonly [number | null | undefined, number | null | undefined]>;

/** Validated bounds: one entry per variable, −Infinity / Infinity where there is none. */
export interface Box {
  lower: Float64Array;
  upper: Float64Array;
}

/** One side of a box or of a constraint's range: a number for all n entries, or n of them (null/undefined: `fill`). Throws a TayoptError naming `what` for a NaN or the wrong length. */
export function readBoundVector(v: unknown, n: number, fill: number, what: string): Float64Array {
  const out = new Float64Array(n).fill(fill);
  if (v === undefined || v === null) return out;
  if (typeof v === 'number') {
    if (Number.isNaN(v)) throw new TayoptError(`minimize: ${what} is NaN`);
    return out.fill(v);
  }
  const a = v as ArrayLike<number | null>;
  if (typeof a.length !== 'number' || a.length !== n)
    throw new TayoptError(`minimize: ${what} must have ${n} entries (one per variable), got ${typeof a.length === 'number' ? a.length : typeof v}`);
  for (let i = 0; i < n; i++) {
    const e = a[i];
    if (e === null || e === undefined) continue;
    if (typeof e !== 'number' || Number.isNaN(e)) throw new TayoptError(`minimize: ${what}[${i}] is not a number`);
    out[i] = e;
  }
  return out;
}

/**
 * Reads `minimize`'s `bounds` option for n variables. Throws a TayoptError naming the entry
 * for the wrong length, a NaN, an empty box (lower > upper) or a box that excludes every
 * finite value.
 */
export function readBounds(b: Bounds, n: number): Box {
  let lower: Float64Array;
  let upper: Float64Array;
  if (typeof (b as ArrayLike<unknown>).length === 'number') {
    const pairs = b as ArrayLike<readonly [number | null | undefined, number | null | undefined]>;
    if (pairs.length !== n) throw new TayoptError(`minimize: bounds has ${pairs.length} [lower, upper] pairs, expected ${n}`);
    lower = new Float64Array(n).fill(-Infinity);
    upper = new Float64Array(n).fill(Infinity);
    for (let i = 0; i < n; i++) {
      const p = pairs[i];
      if (!p || typeof p !== 'object' || (p as ArrayLike<unknown>).length !== 2)
        throw new TayoptError(`minimize: bounds[${i}] must be a [lower, upper] pair`);
      const [lo, hi] = p;
      if (lo !== null && lo !== undefined) {
        if (typeof lo !== 'number' || Number.isNaN(lo)) throw new TayoptError(`minimize: bounds[${i}][0] is not a number`);
        lower[i] = lo;
      }
      if (hi !== null && hi !== undefined) {
        if (typeof hi !== 'number' || Number.isNaN(hi)) throw new TayoptError(`minimize: bounds[${i}][1] is not a number`);
        upper[i] = hi;
      }
    }
  } else if (b && typeof b === 'object') {
    const o = b as { lower?: unknown; upper?: unknown };
    lower = readBoundVector(o.lower, n, -Infinity, 'bounds.lower');
    upper = readBoundVector(o.upper, n, Infinity, 'bounds.upper');
  } else throw new TayoptError('minimize: bounds must be { lower, upper } or an array of [lower, upper] pairs');
  for (let i = 0; i < n; i++) {
    if (lower[i]! > upper[i]!) throw new TayoptError(`minimize: bounds are empty for variable ${i}: lower ${lower[i]} > upper ${upper[i]}`);
    if (lower[i] === Infinity || upper[i] === -Infinity) throw new TayoptError(`minimize: bounds for variable ${i} exclude every finite value`);
  }
  return { lower, upper };
}

/**
 * The point a bounded run starts from: x clipped into [lower, upper], in place (and returned).
 * `minimize` does this to its copy of x0; the CLI calls it to check the same point first.
 */
export function clipToBox(x: Float64Array, box: Box): Float64Array {
  projectOnto(x, x, box.lower, box.upper);
  return x;
}

/** out ← P(v), the projection of v onto [lower, upper] componentwise (out may alias v). */
export function projectOnto(out: Float64Array, v: Float64Array, lower: Float64Array, upper: Float64Array): void {
  for (let i = 0; i < v.length; i++) {
    const vi = v[i]!;
    out[i] = vi < lower[i]! ? lower[i]! : vi > upper[i]! ? upper[i]! : vi;
  }
}

/** ‖P(x − g) − x‖∞ for the box [lower, upper]: the stationarity measure under bounds (NaN if any entry is). */
export function projectedGradientNorm(x: Float64Array, g: Float64Array, lower: Float64Array, upper: Float64Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    let v = x[i]! - g[i]!;
    if (v < lower[i]!) v = lower[i]!;
    else if (v > upper[i]!) v = upper[i]!;
    const a = Math.abs(v - x[i]!);
    if (a > m || a !== a) m = a;
  }
  return m;
}

/**
 * The operations users write functions with. Each is a free function `t.name(x, …)` and a
 * method `x.name(…)`, except those that take several arrays at once (`where`, `concatenate`,
 * `stack`) and the constructors, which are free functions only. Arguments lift automatically (numbers, nested arrays, Float64Array,
 * ndarray); validation happens here, at the edge, with messages that name the operation and
 * the shapes.
 */
import { TayoptError } from '../errors.js';
import { BINARY_NAMES, type BinaryName, UNARY_NAMES, type UnaryName } from '../utpm/elementwise.js';
import type { Region } from '../utpm/primitive.js';
import { broadcastShapes, fmtShape, sizeOf } from '../utpm/utpm.js';
import { installMethods } from './methods.js';
import { Tensor, lift, record, type TensorLike } from './tensor.js';

export type { TensorLike };

// ------------------------------------------------------------------ constructors

/** A constant tensor from a number, nested array, Float64Array or ndarray (values copied). */
export function tensor(data: TensorLike): Tensor {
  return data instanceof Tensor ? data : lift(data, 'tensor');
}

/** A constant tensor of `shape` filled with `value`. */
export function full(shape: readonly number[], value: number): Tensor {
  return filled('full', shape, value);
}

/** Constant zeros of `shape`. */
export function zeros(shape: readonly number[]): Tensor {
  return filled('zeros', shape, 0);
}

/** Constant ones of `shape`. */
export function ones(shape: readonly number[]): Tensor {
  return filled('ones', shape, 1);
}

function filled(op: string, shape: readonly number[], value: number): Tensor {
  checkShape(op, shape);
  return new Tensor([...shape], new Float64Array(sizeOf(shape)).fill(value), null, -1);
}

function checkShape(op: string, shape: readonly number[]): void {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    // NumPy users write ones(3, 4) for ones((3, 4)): the other numbers arrive as more arguments
    const hint = typeof shape === 'number' ? ` (the shape is one array, as in ${op}([${shape}, …]))` : '';
    throw new TayoptError(`${op}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}${hint}`);
  }
}

// ------------------------------------------------------------------ elementwise

// One line per operation of the tables in src/utpm/elementwise.ts (a name not in a table
// does not type-check); the Tensor methods are derived from the tables themselves, below.
const u = (op: UnaryName) => (x: TensorLike): Tensor => record(op, [lift(x, `${op}: argument`)]);
const bin = (op: BinaryName) => (a: TensorLike, b: TensorLike): Tensor =>
  record(op, [lift(a, `${op}: first argument`), lift(b, `${op}: second argument`)]);

/** a + b elementwise, with NumPy broadcasting. */
export const add = bin('add');
/** a − b elementwise, with broadcasting. */
export const sub = bin('sub');
/** a · b elementwise, with broadcasting (for the matrix product use dot/matmul). */
export const mul = bin('mul');
/** a / b elementwise, with broadcasting. */
export const div = bin('div');
/**
 * a^b elementwise. A constant exponent works for any base where the power is real (integer
 * exponents exactly, also at 0); a traced exponent is exp(b·log a) and needs a > 0.
 */
export const pow = bin('pow');
/** atan2(a, b): the angle of the point (b, a), elementwise. */
export const atan2 = bin('atan2');
/** Elementwise maximum; on ties the derivative follows the first argument. */
export const maximum = bin('maximum');
/** Elementwise minimum; on ties the derivative follows the first argument. */
export const minimum = bin('minimum');
/** 1 where a > b else 0; carries no derivative. */
export const gt = bin('gt');
/** 1 where a ≥ b else 0; carries no derivative. */
export const ge = bin('ge');
/** 1 where a < b else 0; carries no derivative. */
export const lt = bin('lt');
/** 1 where a ≤ b else 0; carries no derivative. */
export const le = bin('le');
/** 1 where a = b else 0; carries no derivative. */
export const eq = bin('eq');
/** 1 where a ≠ b else 0; carries no derivative. */
export const ne = bin('ne');

/**
 * Elementwise select: a where cond ≠ 0, else b (broadcasting all three). Differentiated
 * along the branch taken; the condition is recomputed on every replay, so a piecewise
 * function stays correct without retracing.
 */
export function where(cond: TensorLike, a: TensorLike, b: TensorLike): Tensor {
  return record('where', [lift(cond, 'where: condition'), lift(a, 'where: second argument'), lift(b, 'where: third argument')]);
}

export const neg = u('neg');
export const square = u('square');
export const sqrt = u('sqrt');
export const exp = u('exp');
export const log = u('log');
export const log1p = u('log1p');
export const expm1 = u('expm1');
export const sin = u('sin');
export const cos = u('cos');
export const tan = u('tan');
export const sinh = u('sinh');
export const cosh = u('cosh');
export const tanh = u('tanh');
export const asin = u('asin');
export const acos = u('acos');
export const atan = u('atan');
/** |x|; its derivative at 0 is taken as +1 (the right derivative). */
export const abs = u('abs');
/** 1/(1+e^−x), computed stably. */
export const sigmoid = u('sigmoid');
/** log(1+e^x), computed stably. */
export const softplus = u('softplus');
/** The error function. */
export const erf = u('erf');
/** −1, 0 or 1; carries no derivative. */
export const sign = u('sign');

// ------------------------------------------------------------------ reductions

function normAxes(op: string, x: Tensor, axis: number | readonly number[] | null | undefined): number[] | null {
  if (axis === undefined || axis === null) return null;
  const list = typeof axis === 'number' ? [axis] : [...axis];
  const out = list.map((a) => {
    const b = a < 0 ? a + x.ndim : a;
    if (!Number.isInteger(a) || b < 0 || b >= x.ndim) {
      throw new TayoptError(`${op}: axis ${a} is out of range for shape ${fmtShape(x.shape)}`);
    }
    return b;
  });
  if (new Set(out).size !== out.length) {
    throw new TayoptError(`${op}: duplicate axis in ${JSON.stringify(list)} for shape ${fmtShape(x.shape)}`);
  }
  return out.sort((p, q) => p - q);
}

/** Sum of all elements (axis omitted) or along axis/axes; keepdims keeps them as size 1. */
export function sum(x: TensorLike, axis?: number | readonly number[] | null, keepdims = false): Tensor {
  const t = lift(x, 'sum: argument');
  return record('sum', [t], { axes: normAxes('sum', t, axis), keepdims });
}

/** Mean of all elements or along axis/axes. */
export function mean(x: TensorLike, axis?: number | readonly number[] | null, keepdims = false): Tensor {
  const t = lift(x, 'mean: argument');
  const axes = normAxes('mean', t, axis);
  const count = axes === null ? t.size : axes.reduce((c, a) => c * t.shape[a]!, 1);
  return div(record('sum', [t], { axes, keepdims }), count);
}

/** Product of all elements or along axis/axes. Its derivative is exact where elements are 0. */
export function prod(x: TensorLike, axis?: number | readonly number[] | null, keepdims = false): Tensor {
  const t = lift(x, 'prod: argument');
  return record('prod', [t], { axes: normAxes('prod', t, axis), keepdims });
}

// ------------------------------------------------------------------ linear algebra basics

/**
 * NumPy `dot`: vector·vector → scalar, matrix·vector → vector, vector·matrix → vector,
 * matrix·matrix → matrix; a scalar operand multiplies. For N-D arrays it sums over the last
 * axis of a and the second-to-last of b (the last, when b is a vector): the result has shape
 * a.shape[:-1] + b.shape[:-2] + b.shape[-1:]. Throws when those dimensions differ.
 */
export function dot(a: TensorLike, b: TensorLike): Tensor {
  const x = lift(a, 'dot: first argument');
  const y = lift(b, 'dot: second argument');
  if (x.ndim === 0 || y.ndim === 0) return mul(x, y);
  const kx = x.shape[x.ndim - 1]!;
  const ky = y.shape[y.ndim === 1 ? 0 : y.ndim - 2]!;
  if (kx !== ky) throw new TayoptError(`dot: shapes ${fmtShape(x.shape)} and ${fmtShape(y.shape)} do not align`);
  // one matrix product: x as rows [·, k], y with its contracted axis first as [k, ·]
  const X = reshape(x, [x.size / Math.max(kx, 1) || 0, kx]);
  let Y: Tensor;
  if (y.ndim === 1) Y = reshape(y, [ky, 1]);
  else {
    const axes = y.shape.map((_, i) => i);
    const perm = [y.ndim - 2, ...axes.slice(0, y.ndim - 2), y.ndim - 1];
    Y = reshape(transpose(y, perm), [ky, y.size / Math.max(ky, 1) || 0]);
  }
  const Z = record('matmul', [X, Y], { ta: false, tb: false });
  const outShape = [...x.shape.slice(0, -1), ...(y.ndim === 1 ? [] : [...y.shape.slice(0, -2), y.shape[y.ndim - 1]!])];
  return reshape(Z, outShape);
}

/**
 * NumPy `matmul` (the @ operator): the matrix product of the last two axes, broadcast over
 * the leading (batch) axes; a vector operand is a row (first) or column (second) vector whose
 * unit axis is dropped from the result. No scalars. For arrays of at most 2 dimensions it
 * is `dot`. Throws when the inner dimensions differ or the batch axes do not broadcast.
 */
export function matmul(a: TensorLike, b: TensorLike): Tensor {
  const x = lift(a, 'matmul: first argument');
  const y = lift(b, 'matmul: second argument');
  if (x.ndim === 0 || y.ndim === 0) {
    throw new TayoptError(`matmul: shapes ${fmtShape(x.shape)} and ${fmtShape(y.shape)}: scalars are not matrices (use mul)`);
  }
  if (x.ndim <= 2 && y.ndim <= 2) return dot(x, y);
  const X = x.ndim === 1 ? reshape(x, [1, x.shape[0]!]) : x;
  const Y = y.ndim === 1 ? reshape(y, [y.shape[0]!, 1]) : y;
  const [m, k] = X.shape.slice(-2) as [number, number];
  const [k2, n] = Y.shape.slice(-2) as [number, number];
  if (k !== k2) throw new TayoptError(`matmul: shapes ${fmtShape(x.shape)} and ${fmtShape(y.shape)} do not align`);
  const batch = broadcastShapes(X.shape.slice(0, -2), Y.shape.slice(0, -2));
  if (!batch) {
    throw new TayoptError(`matmul: the batch dimensions of shapes ${fmtShape(x.shape)} and ${fmtShape(y.shape)} do not broadcast`);
  }
  let Z: Tensor;
  if (Y.ndim === 2) {
    Z = reshape(dot(X, Y), [...X.shape.slice(0, -1), n]); // one product over all rows of X
  } else {
    // Σ_l X[…, i, l]·Y[…, l, j], batch axes broadcast by the elementwise product
    const Xe = reshape(X, [...X.shape, 1]);
    const Ye = reshape(Y, [...Y.shape.slice(0, -2), 1, k, n]);
    Z = sum(mul(Xe, Ye), -2);
  }
  const out = [...batch, ...(x.ndim === 1 ? [] : [m]), ...(y.ndim === 1 ? [] : [n])];
  return reshape(Z, out);
}

/** Outer product of two vectors (arrays are flattened): shape [m, n]. */
export function outer(a: TensorLike, b: TensorLike): Tensor {
  const x = lift(a, 'outer: first argument');
  const y = lift(b, 'outer: second argument');
  return mul(reshape(x, [x.size, 1]), reshape(y, [1, y.size]));
}

// ------------------------------------------------------------------ shapes

/** The same values with a new shape; one dimension may be −1 (inferred). */
export function reshape(x: TensorLike, shape: readonly number[]): Tensor {
  const t = lift(x, 'reshape: argument');
  if (!Array.isArray(shape)) throw new TayoptError(`reshape: shape must be an array, got ${JSON.stringify(shape)}`);
  const free = shape.filter((d) => d === -1).length;
  if (free > 1 || shape.some((d) => !Number.isInteger(d) || d < -1)) {
    throw new TayoptError(`reshape: invalid target shape ${fmtShape(shape)}`);
  }
  let target = [...shape];
  if (free === 1) {
    const known = shape.reduce((c, d) => (d === -1 ? c : c * d), 1);
    if (known === 0 || t.size % known !== 0) {
      throw new TayoptError(`reshape: cannot reshape ${fmtShape(t.shape)} (${t.size} elements) to ${fmtShape(shape)}`);
    }
    target = shape.map((d) => (d === -1 ? t.size / known : d));
  }
  if (target.length === t.ndim && target.every((d, i) => d === t.shape[i])) return t;
  return record('reshape', [t], { shape: target });
}

/** All elements as a vector. */
export function flatten(x: TensorLike): Tensor {
  return reshape(x, [-1]);
}

/** Permute axes (default: reverse them; for a matrix, the transpose). */
export function transpose(x: TensorLike, perm?: readonly number[]): Tensor {
  const t = lift(x, 'transpose: argument');
  const p = perm ? [...perm] : t.shape.map((_, i) => t.ndim - 1 - i);
  if (t.ndim < 2 && !perm) return t;
  if (p.length === t.ndim && p.every((a, i) => a === i)) return t;
  return record('transpose', [t], { perm: p });
}

/** Broadcast to a larger shape (NumPy rules). */
export function broadcastTo(x: TensorLike, shape: readonly number[]): Tensor {
  const t = lift(x, 'broadcastTo: argument');
  checkShape('broadcastTo', shape);
  if (t.ndim === shape.length && t.shape.every((d, i) => d === shape[i])) return t;
  return record('broadcast_to', [t], { shape: [...shape] });
}

/**
 * One index per axis: a number (that axis is dropped; negative counts from the end),
 * `[start, stop, step]` with Python slice semantics (entries may be null/omitted), or null
 * for the whole axis. Missing trailing axes are taken whole.
 */
export type IndexSpec = number | null | readonly (number | null | undefined)[];

interface Resolved {
  region: Region;
  /** Shape after dropping integer-indexed axes. */
  shape: number[];
}

function resolveIndex(op: string, shape: readonly number[], specs: readonly IndexSpec[]): Resolved {
  if (specs.length > shape.length) {
    throw new TayoptError(`${op}: ${specs.length} indices for an array of shape ${fmtShape(shape)}`);
  }
  const start: number[] = [];
  const step: number[] = [];
  const count: number[] = [];
  const outShape: number[] = [];
  shape.forEach((n, ax) => {
    const s = ax < specs.length ? specs[ax] : null;
    if (s === null || s === undefined) {
      start.push(0);
      step.push(1);
      count.push(n);
      outShape.push(n);
    } else if (typeof s === 'number') {
      const i = s < 0 ? s + n : s;
      if (!Number.isInteger(s) || i < 0 || i >= n) {
        throw new TayoptError(`${op}: index ${s} is out of range for axis ${ax} of size ${n} (shape ${fmtShape(shape)})`);
      }
      start.push(i);
      step.push(1);
      count.push(1);
    } else if (Array.isArray(s)) {
      const [a, b, c] = s as (number | null | undefined)[];
      const st = c ?? 1;
      if (!Number.isInteger(st) || st === 0) throw new TayoptError(`${op}: slice step must be a non-zero integer, got ${c}`);
      for (const v of [a, b]) {
        if (v !== null && v !== undefined && !Number.isInteger(v)) {
          throw new TayoptError(`${op}: slice bounds must be integers, got ${JSON.stringify(s)}`);
        }
      }
      // Python's slice.indices
      const clamp = (v: number | null | undefined, dflt: number, lo: number, hi: number): number => {
        if (v === null || v === undefined) return dflt;
        let w = v < 0 ? v + n : v;
        if (w < lo) w = lo;
        if (w > hi) w = hi;
        return w;
      };
      const lo = st > 0 ? 0 : -1;
      const hi = st > 0 ? n : n - 1;
      const b0 = clamp(a, st > 0 ? 0 : n - 1, lo, hi);
      const e0 = clamp(b, st > 0 ? n : -1, lo, hi);
      const cnt = st > 0 ? Math.max(0, Math.ceil((e0 - b0) / st)) : Math.max(0, Math.ceil((b0 - e0) / -st));
      start.push(cnt === 0 ? 0 : b0);
      step.push(st);
      count.push(cnt);
      outShape.push(cnt);
    } else {
      throw new TayoptError(`${op}: index for axis ${ax} must be a number, [start, stop, step] or null, got ${JSON.stringify(s)}`);
    }
  });
  return { region: { start, step, count }, shape: outShape };
}

/**
 * NumPy-style indexing: `slice(x, [1, null])` is x[1:], `slice(X, null, 2)` is X[:, 2].
 * See {@link IndexSpec}. Throws for out-of-range indices.
 */
export function slice(x: TensorLike, ...specs: IndexSpec[]): Tensor {
  const t = lift(x, 'slice: argument');
  const r = resolveIndex('slice', t.shape, specs);
  const whole = r.region.count.every((c, i) => c === t.shape[i] && r.region.step[i] === 1);
  const s = whole ? t : record('slice', [t], r.region);
  return reshape(s, r.shape);
}

/** Element or sub-array at integer indices (0-based; negative from the end): x[i], x[i, j]. */
export function at(x: TensorLike, ...indices: number[]): Tensor {
  const t = lift(x, 'at: argument');
  for (const i of indices) {
    if (typeof i !== 'number') throw new TayoptError(`at: indices must be numbers, got ${JSON.stringify(i)} (use slice for ranges)`);
  }
  const r = resolveIndex('at', t.shape, indices);
  return reshape(record('slice', [t], r.region), r.shape);
}

/**
 * A copy of x with the indexed part replaced by `value` (broadcast to that part's shape, as
 * NumPy assignment does: leading size-1 axes of the value beyond the part's dimensions are
 * dropped): `set(x, [2], 5)` is x with x[2] = 5. Differentiable in both x and value.
 */
export function set(x: TensorLike, index: readonly IndexSpec[], value: TensorLike): Tensor {
  const t = lift(x, 'set: first argument');
  const v = lift(value, 'set: value');
  const r = resolveIndex('set', t.shape, index);
  let lead = 0;
  while (v.ndim - lead > r.shape.length && v.shape[lead] === 1) lead++;
  let piece: Tensor;
  try {
    piece = broadcastTo(lead > 0 ? reshape(v, v.shape.slice(lead)) : v, r.shape);
  } catch {
    throw new TayoptError(`set: value of shape ${fmtShape(v.shape)} does not fit the indexed part of shape ${fmtShape(r.shape)}`);
  }
  return record('slice_update', [t, reshape(piece, r.region.count)], r.region);
}

/** Join arrays along an existing axis (default 0). */
export function concatenate(arrays: readonly TensorLike[], axis = 0): Tensor {
  if (!Array.isArray(arrays) || arrays.length === 0) throw new TayoptError('concatenate: needs a non-empty array of arrays');
  const ts = arrays.map((a, k) => lift(a, `concatenate: array ${k}`));
  const nd = ts[0]!.ndim;
  if (nd === 0) throw new TayoptError('concatenate: zero-dimensional arrays cannot be concatenated (use stack)');
  const ax = axis < 0 ? axis + nd : axis;
  if (!Number.isInteger(axis) || ax < 0 || ax >= nd) {
    throw new TayoptError(`concatenate: axis ${axis} is out of range for arrays of ${nd} dimensions`);
  }
  if (ts.length === 1) return ts[0]!;
  return record('concatenate', ts, { axis: ax });
}

/** Join arrays of equal shape along a new axis (default 0). */
export function stack(arrays: readonly TensorLike[], axis = 0): Tensor {
  if (!Array.isArray(arrays) || arrays.length === 0) throw new TayoptError('stack: needs a non-empty array of arrays');
  const ts = arrays.map((a, k) => lift(a, `stack: array ${k}`));
  const shape = ts[0]!.shape;
  ts.forEach((t, k) => {
    if (t.ndim !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new TayoptError(`stack: array ${k} has shape ${fmtShape(t.shape)}, array 0 has ${fmtShape(shape)}`);
    }
  });
  const ax = axis < 0 ? axis + shape.length + 1 : axis;
  if (!Number.isInteger(axis) || ax < 0 || ax > shape.length) throw new TayoptError(`stack: axis ${axis} is out of range for ${shape.length + 1} dimensions`);
  const expanded = [...shape.slice(0, ax), 1, ...shape.slice(ax)];
  const parts = ts.map((t) => reshape(t, expanded));
  return parts.length === 1 ? parts[0]! : record('concatenate', parts, { axis: ax });
}

// ------------------------------------------------------------------ methods

/** One method per public elementwise operation of the tables: x.exp(), a.add(b), … */
type ElementwiseMethods = { [K in UnaryName]: () => Tensor } & { [K in BinaryName]: (b: TensorLike) => Tensor };

declare module './tensor.js' {
  interface Tensor extends ElementwiseMethods {
    sum(axis?: number | readonly number[] | null, keepdims?: boolean): Tensor;
    mean(axis?: number | readonly number[] | null, keepdims?: boolean): Tensor;
    prod(axis?: number | readonly number[] | null, keepdims?: boolean): Tensor;
    dot(b: TensorLike): Tensor;
    matmul(b: TensorLike): Tensor;
    outer(b: TensorLike): Tensor;
    reshape(shape: readonly number[]): Tensor;
    flatten(): Tensor;
    transpose(perm?: readonly number[]): Tensor;
    broadcastTo(shape: readonly number[]): Tensor;
    slice(...specs: IndexSpec[]): Tensor;
    at(...indices: number[]): Tensor;
    set(index: readonly IndexSpec[], value: TensorLike): Tensor;
    /** The transpose (reversed axes). */
    readonly T: Tensor;
  }
}

const METHODS: Record<string, (x: Tensor, ...rest: never[]) => Tensor> = {
  ...Object.fromEntries(UNARY_NAMES.map((op) => [op, u(op)])),
  ...Object.fromEntries(BINARY_NAMES.map((op) => [op, bin(op)])),
  sum, mean, prod, dot, matmul, outer, reshape, flatten, transpose, broadcastTo, slice, at, set,
};

installMethods(METHODS);
Object.defineProperty(Tensor.prototype, 'T', {
  get(this: Tensor) {
    return transpose(this);
  },
  configurable: true,
});

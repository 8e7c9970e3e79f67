import { checkElements } from '../size.js';

/**
 * A univariate Taylor polynomial over an array (UTPM).
 *
 * For an array of shape `shape` (size N elements), a UTPM holds the Taylor coefficients
 * x_0 … x_{D-1} of a curve s ↦ x(s) in each of P directions. Degree 0 is the ordinary value
 * and is the same for every direction, so it is stored once:
 *
 *     data = [ x_0 (N) | x_1 dir 0 (N) | x_1 dir 1 (N) | … | x_1 dir P-1 | x_2 dir 0 | … ]
 *
 * i.e. block (d, p) for d ≥ 1 starts at (1 + (d-1)·P + p)·N, row-major within a block.
 * With D = 2 the degree-1 blocks of all directions form one contiguous P×N matrix.
 *
 * A UTPM with D = 1 is a *constant*: all its higher coefficients are zero. Taylor rules
 * accept constants mixed with full-degree values (a matrix of data times a variable matrix)
 * and never touch the absent blocks.
 */
export class UTPM {
  readonly shape: readonly number[];
  readonly size: number;
  readonly D: number;
  readonly P: number;
  readonly data: Float64Array;

  constructor(shape: readonly number[], D: number, P: number, data?: Float64Array) {
    this.shape = shape;
    this.size = sizeOf(shape);
    this.D = D;
    this.P = D === 1 ? 1 : P;
    const len = this.size * (1 + (D - 1) * this.P);
    if (data !== undefined && data.length !== len) {
      throw new Error(`UTPM: data has ${data.length} numbers, shape [${shape.join(',')}] at D=${D}, P=${P} needs ${len}`);
    }
    if (data === undefined) checkElements(len, () => `the Taylor coefficients of an array of shape [${shape.join(', ')}] (${D - 1} degree${D === 2 ? '' : 's'}, ${this.P} direction${this.P === 1 ? '' : 's'})`);
    this.data = data ?? new Float64Array(len);
  }

  /** A constant (D = 1) over an existing buffer of primal values; no copy. */
  static constant(shape: readonly number[], values: Float64Array): UTPM {
    return new UTPM(shape, 1, 1, values);
  }

  /** Offset of coefficient block (d, p) in `data`. Only valid for d < D. */
  off(d: number, p: number): number {
    return d === 0 ? 0 : (1 + (d - 1) * this.P + p) * this.size;
  }

  /** Whether block (d, p) is stored (constants store only degree 0). */
  has(d: number): boolean {
    return d < this.D;
  }

  /** The primal values (degree 0) as a subarray view. */
  primal(): Float64Array {
    return this.data.subarray(0, this.size);
  }

  /** Number of coefficient blocks stored: 1 + (D-1)·P. */
  get blocks(): number {
    return 1 + (this.D - 1) * this.P;
  }
}

/** Product of the dimensions (1 for a scalar shape []). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  // every allocation sizes its array here first: refuse one beyond the size policy's limit
  checkElements(n, () => `an array of shape [${shape.join(', ')}]`);
  return n;
}

/** Row-major strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const st = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    st[i] = acc;
    acc *= shape[i]!;
  }
  return st;
}

/** `[3,4]` → `"[3,4]"`, for error messages. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * NumPy broadcasting of two shapes (right-aligned; a dimension of 1 stretches).
 * Returns null when they do not broadcast.
 */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] | null {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)]!;
    const db = i < n - b.length ? 1 : b[i - (n - b.length)]!;
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else return null;
  }
  return out;
}

/** Flat offsets Σ i_k·strides[k] over the row-major enumeration of `shape`. */
export function stridedIndex(shape: readonly number[], strides: readonly number[]): Int32Array {
  const n = sizeOf(shape);
  const idx = new Int32Array(n);
  const nd = shape.length;
  const counter = new Array<number>(nd).fill(0);
  let cur = 0;
  for (let k = 0; k < n; k++) {
    idx[k] = cur;
    for (let ax = nd - 1; ax >= 0; ax--) {
      counter[ax]!++;
      cur += strides[ax]!;
      if (counter[ax]! < shape[ax]!) break;
      cur -= strides[ax]! * shape[ax]!;
      counter[ax] = 0;
    }
  }
  return idx;
}

/**
 * For each element of `outShape` (row-major), the flat index of the element of `inShape`
 * that broadcasts onto it. `inShape` must broadcast to `outShape`.
 */
export function broadcastIndex(inShape: readonly number[], outShape: readonly number[]): Int32Array {
  const pad = outShape.length - inShape.length;
  const inStr = stridesOf(inShape);
  // stride 0 along axes where the input broadcasts
  return stridedIndex(
    outShape,
    outShape.map((_, ax) => (ax < pad || inShape[ax - pad] === 1 ? 0 : inStr[ax - pad]!)),
  );
}

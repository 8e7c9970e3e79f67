/**
 * Where a value lives in a compiled replay, and the views that need no copy: an access is a
 * buffer, an offset and strides (reshape, slice, transpose and broadcasting only change
 * these), plus the layout of the buffer's Taylor blocks. Also the loop nests and offset
 * expressions that read accesses in generated code.
 */
import type { Region } from '../../utpm/primitive.js';
import { sizeOf, stridesOf } from '../../utpm/utpm.js';

export interface Access {
  /** Buffer index (B<k> in generated code). */
  buf: number;
  off: number;
  shape: number[];
  strides: number[];
  /** The buffer stores Taylor blocks of degree ≥ 1 (block (1, p) at off + (1 + p)·blockSize; interleaved at D = 2, P > 1). */
  taylor: boolean;
  /** Elements per coefficient block of the underlying buffer. */
  blockSize: number;
}

/** Whether `a` reads its elements in row-major order, one after the other (size-1 axes aside). */
export function isContiguous(a: Access): boolean {
  const st = stridesOf(a.shape);
  return a.shape.every((d, k) => d === 1 || a.strides[k] === st[k]);
}

/** Strides of `a` reinterpreted for a loop over `shape` of the same size, or null. */
export function convertAccess(a: Access, shape: readonly number[]): Access | null {
  if (a.shape.length === shape.length && a.shape.every((d, k) => d === shape[k])) return a;
  const n = sizeOf(shape);
  if (sizeOf(a.shape) !== n) return null;
  if (n === 1) return { ...a, shape: [...shape], strides: shape.map(() => 0) };
  if (isContiguous(a)) return { ...a, shape: [...shape], strides: stridesOf(shape) };
  // equal after dropping size-1 dims?
  const da = a.shape.map((d, k) => [d, a.strides[k]!] as const).filter(([d]) => d !== 1);
  const ds = shape.map((d, k) => [d, k] as const).filter(([d]) => d !== 1);
  if (da.length === ds.length && da.every(([d], k) => d === ds[k]![0])) {
    const strides = shape.map(() => 0);
    ds.forEach(([, k], j) => (strides[k] = da[j]![1]));
    return { ...a, shape: [...shape], strides };
  }
  return null;
}

/** The access of `a` broadcast (NumPy rules) to `shape`. */
export function broadcastAccess(a: Access, shape: readonly number[]): Access {
  const pad = shape.length - a.shape.length;
  const strides = shape.map((d, k) => {
    if (k < pad) return 0;
    const da = a.shape[k - pad]!;
    return da === 1 && d !== 1 ? 0 : a.strides[k - pad]!;
  });
  return { ...a, shape: [...shape], strides };
}

export function sliceAccess(a: Access, r: Region): Access {
  let off = a.off;
  r.start.forEach((s, k) => (off += s * a.strides[k]!));
  return { ...a, off, shape: [...r.count], strides: r.step.map((s, k) => s * a.strides[k]!) };
}

/** Axis k of the result is axis perm[k] of `a`. */
export function transposeAccess(a: Access, perm: readonly number[]): Access {
  return { ...a, shape: perm.map((p) => a.shape[p]!), strides: perm.map((p) => a.strides[p]!) };
}

/** A contiguous access read with another shape of the same size. */
export function reshapeAccess(a: Access, shape: readonly number[]): Access {
  return { ...a, shape: [...shape], strides: stridesOf(shape) };
}

/** A loop nest over `shape` with collapsing of dims that are contiguous for every access. */
export function loopNest(shape: readonly number[], accesses: Access[]): { dims: number[]; strides: number[][] } {
  const dims: number[] = [];
  const strides: number[][] = accesses.map(() => []);
  for (let k = 0; k < shape.length; k++) {
    const d = shape[k]!;
    if (d === 1) continue;
    const last = dims.length - 1;
    const mergeable =
      last >= 0 && accesses.every((a, j) => strides[j]![last] === a.strides[k]! * d);
    if (mergeable) {
      dims[last] = dims[last]! * d;
      accesses.forEach((a, j) => (strides[j]![last] = a.strides[k]!));
    } else {
      dims.push(d);
      accesses.forEach((a, j) => strides[j]!.push(a.strides[k]!));
    }
  }
  return { dims, strides };
}

/** `off + Σ stride·index` as source (zero strides left out). */
export function offsetExpr(off: number, strides: number[], idx: string[]): string {
  let s = String(off);
  strides.forEach((st, k) => {
    if (st === 0) return;
    s += st === 1 ? ` + ${idx[k]}` : ` + ${st} * ${idx[k]}`;
  });
  return s;
}

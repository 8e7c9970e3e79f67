/**
 * Vector kernels on flat `Float64Array`s — the only implementation of these operations in the
 * solver layer. Every function works on the first `x.length` entries, allocates nothing and
 * never checks shapes (callers own their buffers; validation happens in `minimize()`).
 */

/** xᵀy. */
export function dot(x: Float64Array, y: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * y[i]!;
  return s;
}

/** ‖x‖₂, scaled so that it neither overflows nor underflows for extreme entries. */
export function norm2(x: Float64Array): number {
  const scale = normInf(x);
  if (scale === 0 || !Number.isFinite(scale)) return scale;
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]! / scale;
    s += v * v;
  }
  return scale * Math.sqrt(s);
}

/** ‖x‖∞ (NaN if any entry is NaN). */
export function normInf(x: Float64Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]!);
    if (a > m || a !== a) m = a;
    if (m !== m) return NaN;
  }
  return m;
}

/** y ← y + a·x. */
export function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i]! += a * x[i]!;
}

/** out ← x + a·d. */
export function addScaled(out: Float64Array, x: Float64Array, a: number, d: Float64Array): void {
  for (let i = 0; i < x.length; i++) out[i] = x[i]! + a * d[i]!;
}

/** out ← x − y. */
export function sub(out: Float64Array, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) out[i] = x[i]! - y[i]!;
}

/** True when a and b hold the same values (bitwise equal numbers; NaN ≠ NaN). */
export function sameVector(a: Float64Array, b: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** True when every entry is finite. */
export function allFinite(x: Float64Array): boolean {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i]!)) return false;
  return true;
}

/** out ← A·v for a dense row-major n×n matrix A. */
export function matVec(out: Float64Array, A: Float64Array, v: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    let s = 0;
    const row = i * n;
    for (let j = 0; j < n; j++) s += A[row + j]! * v[j]!;
    out[i] = s;
  }
}

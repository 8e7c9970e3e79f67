/**
 * A sparse matrix as (row, column, value) triplets in growable typed arrays: how the
 * interior-point method passes Jacobians and Hessians around. Duplicates are allowed and add
 * up. A symmetric matrix is stored by its lower triangle (row ≥ column).
 */
export class Triplets {
  rows: Int32Array;
  cols: Int32Array;
  vals: Float64Array;
  nnz = 0;

  constructor(capacity = 16) {
    this.rows = new Int32Array(capacity);
    this.cols = new Int32Array(capacity);
    this.vals = new Float64Array(capacity);
  }

  clear(): void {
    this.nnz = 0;
  }

  push(i: number, j: number, v: number): void {
    if (this.nnz === this.vals.length) {
      const cap = 2 * this.vals.length + 16;
      const r = new Int32Array(cap);
      const c = new Int32Array(cap);
      const v2 = new Float64Array(cap);
      r.set(this.rows);
      c.set(this.cols);
      v2.set(this.vals);
      this.rows = r;
      this.cols = c;
      this.vals = v2;
    }
    this.rows[this.nnz] = i;
    this.cols[this.nnz] = j;
    this.vals[this.nnz] = v;
    this.nnz++;
  }

  /** Appends the entries of `o`, shifted by (di, dj) and scaled by `a`. */
  append(o: Triplets, di = 0, dj = 0, a = 1): void {
    for (let k = 0; k < o.nnz; k++) this.push(o.rows[k]! + di, o.cols[k]! + dj, a * o.vals[k]!);
  }

  /** The nonzeros of the lower triangle of a dense symmetric n×n matrix (row-major), averaged with its upper triangle. */
  setFromDenseSymmetric(H: Float64Array, n: number): void {
    this.clear();
    for (let i = 0; i < n; i++) {
      const ri = i * n;
      for (let j = 0; j <= i; j++) {
        const v = j === i ? H[ri + j]! : 0.5 * (H[ri + j]! + H[j * n + i]!);
        if (v !== 0) this.push(i, j, v);
      }
    }
  }

  /** y = M·x for the general matrix these triplets hold (y zeroed first). */
  matVec(x: Float64Array, y: Float64Array): void {
    y.fill(0);
    for (let k = 0; k < this.nnz; k++) y[this.rows[k]!]! += this.vals[k]! * x[this.cols[k]!]!;
  }

  /** y = Mᵀ·x (y zeroed first). */
  matTVec(x: Float64Array, y: Float64Array): void {
    y.fill(0);
    for (let k = 0; k < this.nnz; k++) y[this.cols[k]!]! += this.vals[k]! * x[this.rows[k]!]!;
  }

  /** y += M·x for the symmetric matrix whose lower triangle these triplets hold. */
  symMatVecAdd(x: Float64Array, y: Float64Array): void {
    for (let k = 0; k < this.nnz; k++) {
      const i = this.rows[k]!;
      const j = this.cols[k]!;
      const v = this.vals[k]!;
      y[i]! += v * x[j]!;
      if (i !== j) y[j]! += v * x[i]!;
    }
  }

  /** Largest |value| (0 when empty). */
  maxAbs(): number {
    let m = 0;
    for (let k = 0; k < this.nnz; k++) m = Math.max(m, Math.abs(this.vals[k]!));
    return m;
  }
}

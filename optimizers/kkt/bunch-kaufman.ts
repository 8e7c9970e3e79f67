/**
 * Dense symmetric indefinite factorization P·A·Pᵀ = L·D·Lᵀ with Bunch–Kaufman pivoting: D
 * block diagonal with 1×1 and 2×2 blocks, L unit lower triangular, and the inertia of A
 * (numbers of positive, negative and zero eigenvalues, by Sylvester's law of inertia read off
 * D). Bunch & Kaufman, "Some stable methods for calculating inertia and solving symmetric
 * linear systems" (1977); the unblocked lower-triangular algorithm as in Golub & Van Loan
 * §4.4 (LAPACK's xSYTF2 layout: L as a product of interchanges and elementary factors).
 */
import { columnCheck } from '../../src/utpm/linalg/kernels.js';

/** Numbers of positive, negative and zero eigenvalues. */
export interface Inertia {
  pos: number;
  neg: number;
  zero: number;
}

const ALPHA = (1 + Math.sqrt(17)) / 8;

export class DenseLdl {
  /** Row-major n×n; after factor() its lower triangle holds L (below the blocks) and D. */
  readonly a: Float64Array;
  /** piv[k] ≥ 0: 1×1 block, row k was swapped with piv[k]; piv[k] = piv[k+1] = −(r+1): 2×2 block, row k+1 swapped with r. */
  private readonly piv: Int32Array;
  private readonly col0: Float64Array;
  private readonly col1: Float64Array;
  /** Per diagonal entry: |a_ii| plus the magnitudes of every update it received (what a pivot's cancellation is measured against). */
  private readonly mag: Float64Array;

  constructor(readonly n: number) {
    this.a = new Float64Array(n * n);
    this.piv = new Int32Array(n);
    this.col0 = new Float64Array(n);
    this.col1 = new Float64Array(n);
    this.mag = new Float64Array(n);
  }

  /**
   * Factors the symmetric matrix whose lower triangle is in `a` (fill it first; the upper
   * triangle is ignored and overwritten). An eigenvalue of a block of D counts as zero when it
   * is below `relTol` times the magnitudes that cancelled in it (the diagonal entry and every
   * update it received): a test of cancellation that does not depend on the scale of other
   * rows (barrier terms make diagonals range over 20 orders of magnitude). Returns the inertia.
   * `check` is called between blocks of columns and may throw to abandon the factorization
   * (the run's time limit); `a` is then partly overwritten.
   */
  factor(relTol = 100 * Number.EPSILON, check?: () => void): Inertia {
    const { n, a, piv, col0, col1, mag } = this;
    const tick = columnCheck(n, check);
    for (let i = 0; i < n; i++) mag[i] = Math.abs(a[i * n + i]!);
    const inertia: Inertia = { pos: 0, neg: 0, zero: 0 };
    const count = (lambda: number, scale: number): void => {
      if (Math.abs(lambda) <= relTol * scale || Number.isNaN(lambda)) inertia.zero++;
      else if (lambda > 0) inertia.pos++;
      else inertia.neg++;
    };
    let k = 0;
    while (k < n) {
      tick(k);
      const akk = Math.abs(a[k * n + k]!);
      let imax = k;
      let colmax = 0;
      for (let i = k + 1; i < n; i++) {
        const v = Math.abs(a[i * n + k]!);
        if (v > colmax) {
          colmax = v;
          imax = i;
        }
      }
      let kstep = 1;
      let kp = k;
      if (Math.max(akk, colmax) === 0 || Number.isNaN(akk) || Number.isNaN(colmax)) {
        // a zero column: D gets a zero 1×1 block and L nothing to eliminate
        count(a[k * n + k]!, mag[k]!);
        piv[k] = k;
        k++;
        continue;
      }
      if (akk < ALPHA * colmax) {
        let rowmax = 0;
        for (let j = k; j < imax; j++) rowmax = Math.max(rowmax, Math.abs(a[imax * n + j]!));
        for (let j = imax + 1; j < n; j++) rowmax = Math.max(rowmax, Math.abs(a[j * n + imax]!));
        if (akk >= ALPHA * colmax * (colmax / rowmax)) kp = k;
        else if (Math.abs(a[imax * n + imax]!) >= ALPHA * rowmax) kp = imax;
        else {
          kp = imax;
          kstep = 2;
        }
      }
      const kk = k + kstep - 1;
      if (kp !== kk) this.swap(k, kk, kp, kstep);
      if (kstep === 1) {
        const d = a[k * n + k]!;
        count(d, mag[k]!);
        piv[k] = kp;
        if (d !== 0) {
          const r1 = 1 / d;
          for (let i = k + 1; i < n; i++) col0[i] = a[i * n + k]!;
          for (let i = k + 1; i < n; i++) {
            const li = col0[i]! * r1;
            mag[i]! += Math.abs(li * col0[i]!);
            if (li !== 0) {
              const ri = i * n;
              for (let j = k + 1; j <= i; j++) a[ri + j]! -= li * col0[j]!;
            }
            a[i * n + k] = li;
          }
        }
      } else {
        const d11 = a[k * n + k]!;
        const d21 = a[(k + 1) * n + k]!;
        const d22 = a[(k + 1) * n + k + 1]!;
        const half = 0.5 * (d11 + d22);
        const rad = Math.hypot(0.5 * (d11 - d22), d21);
        const scale = Math.max(mag[k]!, mag[k + 1]!, Math.abs(d21));
        count(half + rad, scale);
        count(half - rad, scale);
        piv[k] = piv[k + 1] = -(kp + 1);
        // W = [a_k a_{k+1}]·D⁻¹ row by row, in LAPACK's scaled form (stable when d21 dominates)
        const s11 = d22 / d21;
        const s22 = d11 / d21;
        const t = 1 / (s11 * s22 - 1);
        const sd = t / d21;
        for (let i = k + 2; i < n; i++) {
          const x0 = a[i * n + k]!;
          const x1 = a[i * n + k + 1]!;
          col0[i] = x0;
          col1[i] = x1;
        }
        for (let i = k + 2; i < n; i++) {
          const wk = sd * (s11 * col0[i]! - col1[i]!);
          const wk1 = sd * (s22 * col1[i]! - col0[i]!);
          mag[i]! += Math.abs(wk * col0[i]!) + Math.abs(wk1 * col1[i]!);
          const ri = i * n;
          for (let j = k + 2; j <= i; j++) a[ri + j]! -= wk * col0[j]! + wk1 * col1[j]!;
          a[ri + k] = wk;
          a[ri + k + 1] = wk1;
        }
      }
      k += kstep;
    }
    return inertia;
  }

  /** Symmetric interchange of rows/columns kk and kp (> kk) in the trailing lower triangle. */
  private swap(k: number, kk: number, kp: number, kstep: number): void {
    const { n, a } = this;
    for (let i = kp + 1; i < n; i++) {
      const t = a[i * n + kk]!;
      a[i * n + kk] = a[i * n + kp]!;
      a[i * n + kp] = t;
    }
    for (let j = kk + 1; j < kp; j++) {
      const t = a[j * n + kk]!;
      a[j * n + kk] = a[kp * n + j]!;
      a[kp * n + j] = t;
    }
    const t = a[kk * n + kk]!;
    a[kk * n + kk] = a[kp * n + kp]!;
    a[kp * n + kp] = t;
    const m = this.mag[kk]!;
    this.mag[kk] = this.mag[kp]!;
    this.mag[kp] = m;
    if (kstep === 2) {
      const u = a[(k + 1) * n + k]!;
      a[(k + 1) * n + k] = a[kp * n + k]!;
      a[kp * n + k] = u;
    }
  }

  /** Solves A·x = b in place in `b` with the factors (call only when no zero pivot occurred). */
  solve(b: Float64Array): void {
    const { n, a, piv } = this;
    // L·D·y = b
    let k = 0;
    while (k < n) {
      if (piv[k]! >= 0) {
        const kp = piv[k]!;
        if (kp !== k) {
          const t = b[k]!;
          b[k] = b[kp]!;
          b[kp] = t;
        }
        const bk = b[k]!;
        if (bk !== 0) for (let i = k + 1; i < n; i++) b[i]! -= a[i * n + k]! * bk;
        b[k] = bk / a[k * n + k]!;
        k++;
      } else {
        const kp = -piv[k]! - 1;
        if (kp !== k + 1) {
          const t = b[k + 1]!;
          b[k + 1] = b[kp]!;
          b[kp] = t;
        }
        const b0 = b[k]!;
        const b1 = b[k + 1]!;
        for (let i = k + 2; i < n; i++) b[i]! -= a[i * n + k]! * b0 + a[i * n + k + 1]! * b1;
        const d21 = a[(k + 1) * n + k]!;
        const s11 = a[k * n + k]! / d21;
        const s22 = a[(k + 1) * n + k + 1]! / d21;
        const den = s11 * s22 - 1;
        const c0 = b0 / d21;
        const c1 = b1 / d21;
        b[k] = (s22 * c0 - c1) / den;
        b[k + 1] = (s11 * c1 - c0) / den;
        k += 2;
      }
    }
    // Lᵀ·x = y
    k = n - 1;
    while (k >= 0) {
      if (piv[k]! >= 0) {
        let s = b[k]!;
        for (let i = k + 1; i < n; i++) s -= a[i * n + k]! * b[i]!;
        b[k] = s;
        const kp = piv[k]!;
        if (kp !== k) {
          const t = b[k]!;
          b[k] = b[kp]!;
          b[kp] = t;
        }
        k--;
      } else {
        let s1 = b[k]!;
        let s0 = b[k - 1]!;
        for (let i = k + 1; i < n; i++) {
          s1 -= a[i * n + k]! * b[i]!;
          s0 -= a[i * n + k - 1]! * b[i]!;
        }
        b[k] = s1;
        b[k - 1] = s0;
        const kp = -piv[k]! - 1;
        if (kp !== k) {
          const t = b[k]!;
          b[k] = b[kp]!;
          b[kp] = t;
        }
        k -= 2;
      }
    }
  }
}

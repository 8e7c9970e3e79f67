/**
 * The limited memory of L-BFGS and L-BFGS-B: the last m pairs (s, y) in a ring buffer, with the
 * two-loop recursion for −H·g (Nocedal & Wright, Algorithm 7.4). L-BFGS-B reads the pairs
 * oldest-first through {@link LbfgsMemory.slot} to build its compact representation.
 */
import { dot } from '../vec.js';

export class LbfgsMemory {
  readonly m: number;
  readonly n: number;
  /** Row k (slot k) of S and Y, each n wide. */
  readonly S: Float64Array;
  readonly Y: Float64Array;
  /** sᵀy and yᵀy per slot. */
  readonly sy: Float64Array;
  readonly yy: Float64Array;
  /** Number of stored pairs (≤ m). */
  count = 0;
  private next = 0;
  private readonly alpha: Float64Array;

  constructor(m: number, n: number) {
    this.m = m;
    this.n = n;
    this.S = new Float64Array(m * n);
    this.Y = new Float64Array(m * n);
    this.sy = new Float64Array(m);
    this.yy = new Float64Array(m);
    this.alpha = new Float64Array(m);
  }

  clear(): void {
    this.count = 0;
    this.next = 0;
  }

  /** A copy of the stored pairs, oldest first (for a warm start). */
  snapshot(): { S: Float64Array; Y: Float64Array } {
    const n = this.n;
    const S = new Float64Array(this.count * n);
    const Y = new Float64Array(this.count * n);
    for (let k = 0; k < this.count; k++) {
      const o = this.slot(k) * n;
      S.set(this.S.subarray(o, o + n), k * n);
      Y.set(this.Y.subarray(o, o + n), k * n);
    }
    return { S, Y };
  }

  /** Replaces the memory by the pairs of a {@link snapshot} (the newest m of them, if it holds more). */
  restore(snap: { S: Float64Array; Y: Float64Array }): void {
    this.clear();
    const n = this.n;
    const count = Math.floor(snap.S.length / n);
    for (let k = Math.max(0, count - this.m); k < count; k++) this.push(snap.S.subarray(k * n, (k + 1) * n), snap.Y.subarray(k * n, (k + 1) * n));
  }

  /** Slot of the k-th oldest stored pair (k = 0 … count−1). */
  slot(k: number): number {
    return (this.next - this.count + k + this.m) % this.m;
  }

  /**
   * Stores (s, y) if the curvature sᵀy is safely positive (> ε·yᵀy); returns whether it did.
   * Skipping keeps the implied Hessian approximation positive definite.
   */
  push(s: Float64Array, y: Float64Array): boolean {
    const sy = dot(s, y);
    const yy = dot(y, y);
    if (!(sy > Number.EPSILON * yy) || !Number.isFinite(sy) || !Number.isFinite(yy)) return false;
    const k = this.next;
    this.S.set(s, k * this.n);
    this.Y.set(y, k * this.n);
    this.sy[k] = sy;
    this.yy[k] = yy;
    this.next = (k + 1) % this.m;
    if (this.count < this.m) this.count++;
    return true;
  }

  /** sᵀy/yᵀy of the newest pair (the scaling γ of H₀ = γI), or 1 when empty. */
  gamma(): number {
    if (this.count === 0) return 1;
    const k = this.slot(this.count - 1);
    return this.sy[k]! / this.yy[k]!;
  }

  /** out ← −H·g by the two-loop recursion with H₀ = γI. */
  direction(g: Float64Array, out: Float64Array): void {
    const n = this.n;
    const S = this.S;
    const Y = this.Y;
    for (let i = 0; i < n; i++) out[i] = -g[i]!;
    for (let k = this.count - 1; k >= 0; k--) {
      const j = this.slot(k);
      const o = j * n;
      let a = 0;
      for (let i = 0; i < n; i++) a += S[o + i]! * out[i]!;
      a /= this.sy[j]!;
      this.alpha[j] = a;
      for (let i = 0; i < n; i++) out[i]! -= a * Y[o + i]!;
    }
    const gamma = this.gamma();
    for (let i = 0; i < n; i++) out[i]! *= gamma;
    for (let k = 0; k < this.count; k++) {
      const j = this.slot(k);
      const o = j * n;
      let b = 0;
      for (let i = 0; i < n; i++) b += Y[o + i]! * out[i]!;
      b /= this.sy[j]!;
      const c = this.alpha[j]! - b;
      for (let i = 0; i < n; i++) out[i]! += c * S[o + i]!;
    }
  }
}

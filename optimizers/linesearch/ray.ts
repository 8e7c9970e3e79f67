/**
 * The {@link LineFunction} of an {@link Objective} along a ray x + α·d. It owns the trial point
 * and trial gradient buffers, and remembers which α they belong to, so that a method can pick
 * up f and ∇f at the accepted step without evaluating again.
 */
import type { Objective } from '../objective.js';
import { addScaled, dot } from '../vec.js';
import type { LineFunction } from './types.js';

export class Ray implements LineFunction {
  /** Trial point x + α·d of the last evaluation. */
  readonly xt: Float64Array;
  /** Gradient at {@link xt} (valid when the last evaluation computed it). */
  readonly gt: Float64Array;
  /** φ at the last evaluated α. */
  ft = NaN;
  slope = NaN;
  private x: Float64Array;
  private d: Float64Array;
  private alphaAt = NaN;
  private gradValid = false;
  private lower: Float64Array | null = null;
  private upper: Float64Array | null = null;

  constructor(private readonly obj: Objective) {
    this.xt = new Float64Array(obj.n);
    this.gt = new Float64Array(obj.n);
    this.x = this.xt;
    this.d = this.gt;
  }

  /**
   * Keeps every trial point inside [lower, upper] by projection. L-BFGS-B caps its steps at the
   * feasible maximum; the projection only removes the last-bit rounding of x + α·d at a bound,
   * where the objective may be undefined (a log barrier, say).
   */
  setBounds(lower: Float64Array, upper: Float64Array): void {
    this.lower = lower;
    this.upper = upper;
  }

  private point(alpha: number): void {
    addScaled(this.xt, this.x, alpha, this.d);
    const lo = this.lower;
    const hi = this.upper;
    if (lo && hi) {
      const xt = this.xt;
      for (let i = 0; i < xt.length; i++) {
        if (xt[i]! < lo[i]!) xt[i] = lo[i]!;
        else if (xt[i]! > hi[i]!) xt[i] = hi[i]!;
      }
    }
  }

  /** Points the ray at x along d (both kept by reference; do not modify during a search). */
  reset(x: Float64Array, d: Float64Array): void {
    this.x = x;
    this.d = d;
    this.alphaAt = NaN;
    this.gradValid = false;
  }

  value(alpha: number): number {
    this.point(alpha);
    this.ft = this.obj.value(this.xt);
    this.alphaAt = alpha;
    this.gradValid = false;
    return this.ft;
  }

  valueAndSlope(alpha: number): number {
    this.point(alpha);
    this.ft = this.obj.valueAndGrad(this.xt, this.gt);
    this.slope = dot(this.gt, this.d);
    this.alphaAt = alpha;
    this.gradValid = true;
    return this.ft;
  }

  /** Makes xt, ft, gt those of step α, evaluating only if the last evaluation was elsewhere. */
  settle(alpha: number): number {
    if (this.alphaAt === alpha && this.gradValid) return this.ft;
    return this.valueAndSlope(alpha);
  }
}

/**
 * Truncated conjugate gradients on B·p = −g from p = 0, using only products B·v: the one CG
 * loop behind line-search Newton-CG (methods/newtoncg.ts) and Steihaug–Toint trust-region CG
 * (steihaug.ts). It stops at the forcing tolerance (types.ts), at the iteration limit, on
 * the first direction of non-positive or non-finite curvature, or — given a finite radius —
 * where the next CG step would leave the ball ‖p‖₂ ≤ Δ. The caller decides what such a stop
 * means (Newton-CG falls back on the iterate or steepest descent; Steihaug follows the
 * direction to the boundary), from the direction left in `work.d` and the returned slope and
 * curvature along it.
 */
import { axpy, dot } from '../vec.js';
import { forcingTolerance } from './types.js';

/** Scratch vectors of length n, allocated once by the caller. */
export interface CgWork {
  /** Residual r = B·p + g. */
  readonly r: Float64Array;
  /** Search direction; at a 'negativeCurvature' or 'boundary' stop, the direction that caused it. */
  readonly d: Float64Array;
  /** B·d. */
  readonly Bd: Float64Array;
}

/** Buffers for a problem with n variables. */
export function cgWork(n: number): CgWork {
  return { r: new Float64Array(n), d: new Float64Array(n), Bd: new Float64Array(n) };
}

/** Why CG stopped. */
export type CgStop = 'converged' | 'maxIter' | 'negativeCurvature' | 'boundary' | 'nonFinite';

export interface CgResult {
  stop: CgStop;
  /** CG steps taken into p. */
  iterations: number;
  /** The model m(p) = gᵀp + ½pᵀBp at the returned p, tracked through the recurrences. */
  model: number;
  /** rᵀr at the returned p. */
  rr: number;
  /** At 'negativeCurvature' / 'boundary' / 'nonFinite': rᵀd, the model's slope along d at p, and dᵀBd. */
  slope: number;
  curvature: number;
}

/**
 * Runs CG on B·p = −g from p = 0 (p is overwritten; `hvp(v, out)` writes B·v). Stops at
 * ‖r‖₂ ≤ η‖g‖₂ with the forcing term η of {@link forcingTolerance} (relative to ‖g₀‖₂ =
 * `gnorm0`), after `maxIter` steps, on dᵀBd ≤ 0 or not finite, or — when `radius` is finite —
 * before a step that would end outside ‖p‖₂ ≤ radius. Allocates nothing; never throws.
 */
export function truncatedCg(
  hvp: (v: Float64Array, out: Float64Array) => void,
  g: Float64Array,
  gnorm0: number,
  maxIter: number,
  radius: number,
  p: Float64Array,
  work: CgWork,
): CgResult {
  const n = g.length;
  const { r, d, Bd } = work;
  p.fill(0);
  r.set(g);
  for (let i = 0; i < n; i++) d[i] = -g[i]!;
  let rr = dot(r, r);
  const tol = forcingTolerance(Math.sqrt(rr), gnorm0);
  let model = 0;
  for (let j = 0; j < maxIter; j++) {
    hvp(d, Bd);
    const dBd = dot(d, Bd);
    if (!Number.isFinite(dBd)) return { stop: 'nonFinite', iterations: j, model, rr, slope: NaN, curvature: dBd };
    const rd = dot(r, d);
    if (dBd <= 0) return { stop: 'negativeCurvature', iterations: j, model, rr, slope: rd, curvature: dBd };
    const alpha = rr / dBd;
    if (radius < Infinity) {
      // Would the step leave the region? ‖p + αd‖² against Δ², without forming the point.
      let pp = 0;
      let pd = 0;
      let dd = 0;
      for (let i = 0; i < n; i++) {
        pp += p[i]! * p[i]!;
        pd += p[i]! * d[i]!;
        dd += d[i]! * d[i]!;
      }
      if (pp + 2 * alpha * pd + alpha * alpha * dd >= radius * radius) return { stop: 'boundary', iterations: j, model, rr, slope: rd, curvature: dBd };
    }
    axpy(alpha, d, p);
    model += alpha * rd + 0.5 * alpha * alpha * dBd;
    axpy(alpha, Bd, r);
    const rrNew = dot(r, r);
    if (Math.sqrt(rrNew) <= tol) return { stop: 'converged', iterations: j + 1, model, rr: rrNew, slope: NaN, curvature: NaN };
    const beta = rrNew / rr;
    rr = rrNew;
    for (let i = 0; i < n; i++) d[i] = -r[i]! + beta * d[i]!;
  }
  return { stop: 'maxIter', iterations: maxIter, model, rr, slope: NaN, curvature: NaN };
}

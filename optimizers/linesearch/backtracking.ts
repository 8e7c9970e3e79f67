/**
 * Backtracking line search with the Armijo (sufficient decrease) condition
 *   φ(α) ≤ φ(0) + c1·α·φ'(0),
 * needing only function values at trial points. Each rejected trial is replaced by the
 * minimizer of a quadratic (first) or cubic (later) interpolant of the values seen
 * (Nocedal & Wright §3.5), safeguarded to [0.1α, 0.5α]. A non-finite φ counts as "too long"
 * and halves the step.
 */
import type { LineFunction, LineSearch, LineSearchResult } from './types.js';

export interface BacktrackingOptions {
  /** Sufficient-decrease parameter (default 1e-4). */
  c1?: number;
  /** Maximum number of φ evaluations (default 40). */
  maxEval?: number;
}

/** Creates a backtracking Armijo line search. */
export function backtracking(options: BacktrackingOptions = {}): LineSearch {
  const c1 = options.c1 ?? 1e-4;
  const maxEval = options.maxEval ?? 40;

  function search(fn: LineFunction, phi0: number, slope0: number, alpha0: number, alphaMax: number): LineSearchResult {
    if (!(slope0 < 0)) return { status: 'notDescent', alpha: 0, phi: phi0, slope: slope0, evals: 0 };
    let t = Math.min(alpha0 > 0 ? alpha0 : 1, alphaMax);
    let prevT = NaN;
    let prevF = NaN;
    let sawNonFinite = false;
    let evals = 0;
    while (evals < maxEval) {
      evals++;
      const f = fn.value(t);
      if (!Number.isFinite(f)) {
        sawNonFinite = true;
        prevT = NaN;
        t *= 0.5;
        continue;
      }
      if (f <= phi0 + c1 * t * slope0) return { status: 'converged', alpha: t, phi: f, slope: NaN, evals };
      let next: number;
      if (Number.isNaN(prevT)) {
        // Quadratic through φ(0), φ'(0), φ(t).
        next = (-slope0 * t * t) / (2 * (f - phi0 - slope0 * t));
      } else {
        // Cubic through φ(0), φ'(0), φ(prevT), φ(t).
        const r1 = f - phi0 - slope0 * t;
        const r0 = prevF - phi0 - slope0 * prevT;
        const den = t * t * prevT * prevT * (t - prevT);
        const a = (prevT * prevT * r1 - t * t * r0) / den;
        const b = (-prevT * prevT * prevT * r1 + t * t * t * r0) / den;
        if (a === 0) next = -slope0 / (2 * b);
        else {
          const disc = b * b - 3 * a * slope0;
          next = disc >= 0 ? (-b + Math.sqrt(disc)) / (3 * a) : NaN;
        }
      }
      if (!Number.isFinite(next)) next = 0.5 * t;
      prevT = t;
      prevF = f;
      t = Math.min(Math.max(next, 0.1 * t), 0.5 * t);
      if (!(t > 0)) break;
    }
    return { status: sawNonFinite ? 'nonFinite' : 'noDecrease', alpha: 0, phi: phi0, slope: slope0, evals };
  }

  return { name: 'backtracking', usesSlope: false, search };
}

/**
 * The trust-region subproblem: minimize m(p) = gᵀp + ½·pᵀBp subject to ‖p‖₂ ≤ Δ. Solvers are
 * swappable parts of the trust-region method; each allocates its buffers once for a given n.
 */

/** The local quadratic model handed to a subproblem solver. */
export interface QuadraticModel {
  readonly n: number;
  readonly g: Float64Array;
  /** Dense row-major B, for solvers that need it (else null). */
  readonly H: Float64Array | null;
  /** out ← B·v (counts as a Hessian-vector product). */
  hvp(v: Float64Array, out: Float64Array): void;
  /** ‖∇f(x₀)‖₂ at the start of the run: the scale of the inexact solvers' forcing term. */
  readonly gnorm0: number;
  /**
   * Throws when the run's time limit has passed; solvers on the dense B hand it to their
   * factorizations, which call it between blocks of columns.
   */
  readonly checkTime?: () => void;
}

/**
 * Residual tolerance of an inexact Newton solve: ‖r‖ ≤ η·‖g‖ with the forcing term
 * η = min(0.5, √(‖g‖/‖g₀‖)) (Nocedal & Wright §7.1, measured relative to the starting
 * gradient so that it does not depend on the units of f: with the absolute √‖g‖, a problem
 * whose gradients stay ≫ 1, like Meyer's, never gets more than a halving of the residual).
 * η → 0 as ‖g‖ → 0 gives superlinear convergence.
 */
export function forcingTolerance(gnorm: number, gnorm0: number): number {
  const scale = gnorm0 > 0 && Number.isFinite(gnorm0) ? gnorm0 : 1;
  return Math.min(0.5, Math.sqrt(gnorm / scale)) * gnorm;
}

export interface SubproblemResult {
  /** Predicted reduction m(0) − m(p) (≥ 0 for a valid step). */
  predicted: number;
  /** Whether ‖p‖ lies on the trust-region boundary (enables radius growth). */
  onBoundary: boolean;
  /** 'nonFinite' when B (or B·v) contains NaN/Infinity; p is then unusable. */
  status: 'ok' | 'nonFinite';
}

export interface TrustRegionSubproblem {
  readonly name: string;
  /** Whether the solver reads the dense Hessian or only Hessian-vector products. */
  readonly needs: 'hessian' | 'hvp';
  /**
   * Writes an (approximate) minimizer into p. `sameModel` promises that the model is the one of
   * the previous call (a rejected step, now with a smaller radius), so work may be reused.
   */
  solve(model: QuadraticModel, radius: number, p: Float64Array, sameModel?: boolean): SubproblemResult;
}

/** Builds a solver for problems with n variables. */
export type SubproblemFactory = (n: number) => TrustRegionSubproblem;

/**
 * The step τ ≥ 0 with ‖z + τd‖₂ = Δ, for ‖z‖ ≤ Δ (the positive root of a quadratic, computed
 * without cancellation).
 */
export function boundaryStep(z: Float64Array, d: Float64Array, radius: number): number {
  let zz = 0;
  let zd = 0;
  let dd = 0;
  for (let i = 0; i < z.length; i++) {
    zz += z[i]! * z[i]!;
    zd += z[i]! * d[i]!;
    dd += d[i]! * d[i]!;
  }
  const c = zz - radius * radius; // ≤ 0
  const disc = Math.sqrt(Math.max(0, zd * zd - dd * c));
  // Roots (−zd ± disc)/dd; the non-negative one, in a cancellation-free form.
  return zd >= 0 ? -c / (zd + disc) : (disc - zd) / dd;
}

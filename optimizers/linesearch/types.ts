/**
 * The contract between a descent method and a line search. A line search sees only the 1-D
 * restriction φ(α) = f(x + α·d) through a {@link LineFunction}; the method owns x, d and the
 * trial buffers (see `ray.ts`).
 */

/** φ(α) = f(x + α·d) and its slope φ'(α) = ∇f(x + α·d)ᵀd. */
export interface LineFunction {
  /** φ(α); may be NaN or ±Infinity. */
  value(alpha: number): number;
  /** φ(α), also computing the slope, read afterwards from {@link slope}. */
  valueAndSlope(alpha: number): number;
  /** φ'(α) of the last {@link valueAndSlope} call. */
  readonly slope: number;
}

/**
 * How a search ended. `converged`: the search's own conditions hold (strong Wolfe for
 * Moré–Thuente, sufficient decrease for backtracking); `armijo`: only sufficient decrease
 * holds (usable, but the curvature condition failed within the evaluation budget or the
 * interval became too small); the others are failures and the returned α is 0.
 */
export type LineSearchStatus = 'converged' | 'armijo' | 'notDescent' | 'noDecrease' | 'nonFinite';

export interface LineSearchResult {
  status: LineSearchStatus;
  /** Accepted step (0 on failure). */
  alpha: number;
  /** φ(alpha). */
  phi: number;
  /** φ'(alpha) if it was computed at alpha, else NaN. */
  slope: number;
  /** Number of φ evaluations spent. */
  evals: number;
}

/** A line search: a swappable part of every line-search method. */
export interface LineSearch {
  readonly name: string;
  /** Whether trial points need slopes (gradients), or values suffice. */
  readonly usesSlope: boolean;
  /**
   * Searches along φ from α = 0 (where φ(0) = phi0 and φ'(0) = slope0 < 0) starting with the
   * trial step alpha0, never trying a step above alphaMax. Never throws.
   */
  search(fn: LineFunction, phi0: number, slope0: number, alpha0: number, alphaMax: number): LineSearchResult;
}

export function isAcceptable(status: LineSearchStatus): boolean {
  return status === 'converged' || status === 'armijo';
}

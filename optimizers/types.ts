/**
 * Shared types of the solver layer. Solvers see an {@link ObjectiveFunctions} — value,
 * gradient, Hessian-vector product and Hessian on flat `Float64Array`s — never the AD engine.
 * The AD engine (`src/ad`) produces one from a traced function; a user with hand-written
 * derivatives builds one directly.
 */

/** Derivative oracles on flat vectors of length `n`. Outputs are written in place. */
export interface ObjectiveFunctions {
  /** Number of variables. */
  readonly n: number;
  /** f(x). */
  value(x: Float64Array): number;
  /** f(x); writes ∇f(x) into `g` (length n). */
  valueAndGrad(x: Float64Array, g: Float64Array): number;
  /** Writes ∇²f(x)·v into `out` (length n). Optional. */
  hvp?(x: Float64Array, v: Float64Array, out: Float64Array): void;
  /**
   * Writes ∇²f(x) row-major into `out` (length n·n). Optional. `check`, when the run has a
   * time limit, may be called between blocks of a long computation; it throws to abandon it
   * (the run then ends with status 'timeLimit' at its last iterate). Oracles may ignore it.
   */
  hessian?(x: Float64Array, out: Float64Array, check?: () => void): void;
}

/** One row of a solver's history: the state after iteration `iter` (0 = the start point). */
export interface HistoryEntry {
  iter: number;
  /** Objective value. */
  f: number;
  /** ‖∇f‖∞ (for bound-constrained problems: of the projected gradient). */
  gnorm: number;
  /** ‖x_k − x_{k−1}‖₂ of the accepted step (0 at iter 0). */
  step: number;
  /** Trust-region radius after the iteration, or null for line-search methods. */
  radius: number | null;
  /** Cumulative evaluation counts. */
  nfev: number;
  ngev: number;
  nhvp: number;
  nhev: number;
  /** Milliseconds since the solver started. */
  timeMs: number;
  /** Constrained methods: the largest violation of a constraint (unscaled). gnorm is then ‖∇ₓL‖∞. */
  constraintViolation?: number;
  /** Interior-point method: the barrier parameter μ, and the primal and dual step sizes of the iteration. */
  mu?: number;
  alphaPrimal?: number;
  alphaDual?: number;
}

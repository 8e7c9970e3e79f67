/** What a loaded problem is, whatever file it came from (JSON, YAML or a JS/TS module). */
import type { Tensor } from '../index.js';

/** One named variable: where its values sit in the flat vector x, and its shape. */
export interface VariableInfo {
  readonly name: string;
  /** [] for a number, [n] for a vector, [m, n] for a matrix. */
  readonly shape: readonly number[];
  /** First index in the flat vector. */
  readonly offset: number;
  /** Number of elements. */
  readonly size: number;
}

/** Solver defaults a problem file may carry (`options`); command-line flags override them. */
export interface ProblemOptions {
  method?: string;
  gtol?: number;
  maxIter?: number;
}

/**
 * One entry of a problem's `constraints`: lower ≤ fun(x) ≤ upper elementwise (fun of the flat
 * x; lower == upper is an equality, ±Infinity no bound).
 */
export interface ProblemConstraint {
  readonly fun: (x: Tensor) => Tensor;
  /** One bound per element of fun(x). */
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  /** For solver messages: `constraints[2] "x[1]^2 + x[2]^2 <= 1"`. */
  readonly name: string;
  /** Where it is written (`file:line:col: constraints[2]`), for messages about its values. */
  readonly where: string;
}

/**
 * A problem ready for the solvers: an objective of the flat vector x (all variables,
 * in their declared order, each row-major), its start point, optional bounds, and the
 * known solution if the file gives one.
 */
export interface Problem {
  readonly name: string;
  /** The file it was read from, as given. */
  readonly file: string;
  readonly variables: readonly VariableInfo[];
  /** Total number of unknowns. */
  readonly n: number;
  /** Start point, flat (length n). */
  readonly x0: Float64Array;
  /** The objective as a function of the flat vector (shape [n]); returns a single number (Σ rᵢ² for a residuals problem). */
  readonly f: (x: Tensor) => Tensor;
  /** A least-squares problem's residual vector as a function of the flat vector (the file's `residuals`); f is then Σ rᵢ². */
  readonly residuals?: (x: Tensor) => Tensor;
  /** Number of residuals (with `residuals`). */
  readonly m?: number;
  /** Further start points by name (the file's `starts`), flat; `x0` is the first. */
  readonly starts?: ReadonlyMap<string, Float64Array>;
  /** Bounds on the flat vector (−Infinity / Infinity where unbounded), or null. */
  readonly bounds: { readonly lower: Float64Array; readonly upper: Float64Array } | null;
  /** Known optimal value f*, optimal point (flat) and, for a fit, the parameters' standard errors (flat), when given. */
  readonly solution: { readonly f?: number; readonly x?: Float64Array; readonly stderr?: Float64Array };
  /** General constraints (absent or empty: none). */
  readonly constraints?: readonly ProblemConstraint[];
  readonly options: ProblemOptions;
  /**
   * Where the objective is defined (`file:line:col: objective`), prefixed to messages about
   * its values (e.g. "not finite at the start point").
   */
  readonly where: string;
  /**
   * Hand-written derivatives a module supplies (`grad`, `hess`, `hvp` of its default export),
   * on the flat x, for `tayopt check`; solvers use the engine's exact derivatives.
   */
  readonly derivatives?: {
    readonly grad?: (x: Float64Array, out: Float64Array) => void | ArrayLike<number>;
    readonly hess?: (x: Float64Array, out: Float64Array) => void | ArrayLike<number> | ArrayLike<ArrayLike<number>>;
    readonly hvp?: (x: Float64Array, v: Float64Array, out: Float64Array) => void | ArrayLike<number>;
  };
}

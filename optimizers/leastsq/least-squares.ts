/**
 * `leastSquares()`: nonlinear least squares min Σ ρ̂(rᵢ(x)) on the exact Jacobian — the
 * counterpart of scipy's `least_squares`, running the registry's least-squares methods (lm,
 * trf) on the shared loop, so results, statuses, history rows and callbacks are those of
 * `minimize()`. It validates the arguments (and only it throws — a TayoptError naming the
 * argument); numerical trouble ends the run with a status.
 */
import { readPoint, type PointLike } from '../../src/ad/convert.js';
import type { TensorFunction } from '../../src/ad/program.js';
import { residualFunctions } from '../../src/ad/residual.js';
import { TayoptError } from '../../src/errors.js';
import { suggestion } from '../../src/text.js';
import { type Bounds, readBounds } from '../bounds.js';
import { type CallbackState, type LoopOptions, type Method, runSolver, runSolverAsync, type SolverResult } from '../loop.js';
import { type MinimizeResult, checkSignal } from '../minimize.js';
import { type LeastSquaresMethodName, LEAST_SQUARES_METHOD_NAMES, chooseAuto, isMethodName, methodSpec } from '../methods/index.js';
import { LOSS_NAMES, LeastSquaresObjective, type LossName, type ResidualFunctions } from './objective.js';
import { fitStatistics } from './stats.js';
import { checkOptionKeys, optionKeys } from '../options.js';
import { columnNorms } from './linalg.js';
import { moreThuente } from '../linesearch/morethuente.js';

export interface LeastSquaresOptions {
  /** 'lm' (Levenberg–Marquardt, no bounds, m ≥ n), 'trf' (trust region reflective, bounds) or 'auto' (default: trf, the more robust of the two on NIST StRD; see optimizers/README.md). */
  method?: 'auto' | LeastSquaresMethodName;
  /** Box constraints (trf): { lower, upper } or [lower, upper] pairs, like minimize's. */
  bounds?: Bounds;
  /**
   * Characteristic size of each variable (a number for all, or one per variable): the methods
   * work in x/xScale. Default 'jac': from the Jacobian's column norms, updated as they grow
   * (MINPACK's scaling).
   */
  xScale?: 'jac' | number | ArrayLike<number>;
  /** Robust loss ρ applied to z = (r/fScale)², as scipy's least_squares. Default 'linear' (plain least squares). */
  loss?: LossName;
  /** Soft margin C between inlier and outlier residuals of a robust loss. Default 1. */
  fScale?: number;
  /** Relative reduction of f (actual and predicted) below which the run has converged. Default 1e-15. */
  ftol?: number;
  /**
   * Relative accuracy of x at which the run has converged. trf (no bounds, linear loss): the
   * full model step from x, an estimate of x's error, is below xtol relative to every
   * component of x — default 1e-7. The step tests (a step taken, or lm's trust region, below
   * xtol relative to ‖x‖ in the scaled norm), which only say that progress has stalled, use
   * 1e-10 unless xtol is given.
   */
  xtol?: number;
  /** Cosine between r and the columns of J below which the run has converged. Default 1e-10. */
  gtol?: number;
  /** Iteration (= Jacobian) limit. Default 1000. */
  maxIter?: number;
  /** Stop once max(nfev, njev) ≥ maxEval. Default Infinity. */
  maxEval?: number;
  /** Wall-clock limit in milliseconds. Default Infinity. */
  timeLimit?: number;
  /** ‖x‖∞ beyond which the run stops as diverging. Default 1e20. */
  xmax?: number;
  /** Called with every history row (row 0 = the start point); return true to stop. */
  callback?: (state: CallbackState) => boolean | void;
  /** Keep the full history (default true); false keeps the first and the last row. */
  history?: boolean;
  /** Jacobian mode of the engine: default forward (n directions) when n ≤ m, else reverse. */
  jacobianMode?: 'forward' | 'reverse';
  /**
   * Cancels the run, as minimize's: checked between iterations and at every residual or
   * Jacobian evaluation; once aborted, the run ends with status 'aborted' at the last accepted
   * iterate, with the fit statistics there. With the synchronous `leastSquares` only code the
   * run calls (the residuals, the callback) can abort it; {@link leastSquaresAsync} lets
   * timers and events do so.
   */
  signal?: AbortSignal;
}

/** Every key of LeastSquaresOptions: a new option gets an entry here (the type-check insists). */
export const LEAST_SQUARES_OPTION_KEYS = optionKeys<LeastSquaresOptions>({
  method: true, bounds: true, xScale: true, loss: true, fScale: true, ftol: true, xtol: true, gtol: true, maxIter: true,
  maxEval: true, timeLimit: true, xmax: true, callback: true, history: true, jacobianMode: true, signal: true,
});

/** What leastSquares() returns: minimize's result plus the fit at the solution. */
export interface LeastSquaresResult extends MinimizeResult {
  method: LeastSquaresMethodName;
  /** Jacobian evaluations (the same count as ngev). */
  njev: number;
  /** Number of residuals. */
  m: number;
  /** r(x) at the solution. */
  residuals: Float64Array;
  /** J(x) at the solution, m rows of n. */
  jacobian: number[][];
  /** s²(JᵀJ)⁻¹, s² = Σrᵢ²/(m − n), through a pseudo-inverse; null without degrees of freedom (m ≤ n) or after a non-finite end. */
  covariance: number[][] | null;
  /** Standard errors √diag(covariance), flat like x; or null. */
  stderr: Float64Array | null;
  /** Correlation matrix of the parameters; or null. */
  correlation: number[][] | null;
  /** Numerical rank of J at the solution. */
  rank: number;
  /** True when J is rank deficient: the covariance is a pseudo-inverse and some parameter combinations are not determined. */
  rankDeficient: boolean;
  /** Degrees of freedom m − n. */
  dof: number;
}

/** Default tolerances (see optimizers/README.md, "Least squares: stopping rules"). */
export const LEAST_SQUARES_DEFAULTS = { ftol: 1e-15, xtol: 1e-10, xtolEstimate: 1e-7, gtol: 1e-10, maxIter: 1000 } as const;

function fail(msg: string): never {
  throw new TayoptError(`leastSquares: ${msg}`);
}

function nonNegative(v: unknown, name: string, fallback: number, positive = false): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || Number.isNaN(v) || v < 0 || (positive && v === 0))
    fail(`options.${name} must be a ${positive ? 'positive' : 'non-negative'} number, got ${String(v)}`);
  return v;
}

function count(v: unknown, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !(v === Infinity || (Number.isInteger(v) && v >= 0))) fail(`options.${name} must be a non-negative integer (or Infinity), got ${String(v)}`);
  return v;
}

function readScale(v: LeastSquaresOptions['xScale'], n: number): Float64Array | null {
  if (v === undefined || v === 'jac') return null;
  const out = new Float64Array(n);
  if (typeof v === 'number') out.fill(v);
  else if (v && typeof v === 'object' && typeof (v as ArrayLike<number>).length === 'number') {
    if (v.length !== n) fail(`options.xScale must have ${n} entries (one per variable), got ${v.length}`);
    for (let i = 0; i < n; i++) out[i] = v[i]!;
  } else fail(`options.xScale must be 'jac', a positive number or an array of them, got ${String(v)}`);
  for (let i = 0; i < n; i++) if (!(out[i]! > 0) || !Number.isFinite(out[i]!)) fail(`options.xScale[${i}] must be a positive finite number, got ${out[i]}`);
  return out;
}

function isResidualFunctions(f: unknown): f is ResidualFunctions {
  return !!f && typeof f === 'object' && typeof (f as ResidualFunctions).jacobian === 'function' && typeof (f as ResidualFunctions).residuals === 'function';
}

function rows(a: Float64Array, m: number, n: number): number[][] {
  return Array.from({ length: m }, (_, i) => Array.from(a.subarray(i * n, (i + 1) * n)));
}

/**
 * Minimizes f(x) = Σ ρ̂(rᵢ(x)) — for the default linear loss the residual sum of squares
 * Σ rᵢ², which is what `fun` reports (twice scipy's `cost`).
 *
 * `residual` is a function written with tayopt operations mapping x (shaped like x0) to the
 * residual vector (any shape; m = its number of elements), differentiated by the engine — the
 * Jacobian from one compiled replay, forward mode with n directions when n ≤ m, else
 * reverse — or a {@link ResidualFunctions} object with hand-written residuals and Jacobian.
 *
 * Returns a {@link LeastSquaresResult}: minimize's fields (x flat and finite, fun, grad = ∇f,
 * status, success, message, nit, nfev, njev = ngev, history), the residuals and Jacobian at
 * x, and the covariance, standard errors and correlations of the parameters.
 * Throws a TayoptError for invalid arguments: a residual function returning a single number,
 * a non-finite x0, unknown options, 'lm' with bounds or with fewer residuals than variables.
 */
export function leastSquares(residual: TensorFunction | ResidualFunctions, x0: unknown, options: LeastSquaresOptions = {}): LeastSquaresResult {
  const run = setup(residual, x0, options);
  return run.finish(runSolver(run.impl, run.obj, run.x, run.loop));
}

/**
 * {@link leastSquares} that lets the event loop run between iterations (about every 10 ms), so
 * that an `options.signal` aborted by a timer, a UI event or a signal handler stops the run.
 * Resolves to the same result; rejects with a TayoptError for invalid arguments.
 */
export async function leastSquaresAsync(residual: TensorFunction | ResidualFunctions, x0: unknown, options: LeastSquaresOptions = {}): Promise<LeastSquaresResult> {
  const run = setup(residual, x0, options);
  return run.finish(await runSolverAsync(run.impl, run.obj, run.x, run.loop));
}

/** Everything a run needs, validated, and the result built from the loop's (see {@link leastSquares}). */
interface Run {
  impl: Method;
  obj: LeastSquaresObjective;
  x: Float64Array;
  loop: LoopOptions;
  finish: (run: SolverResult) => LeastSquaresResult;
}

function setup(residual: TensorFunction | ResidualFunctions, x0: unknown, options: LeastSquaresOptions): Run {
  if (options === null || typeof options !== 'object') fail('options must be an object');
  checkOptionKeys('leastSquares', options, LEAST_SQUARES_OPTION_KEYS);
  const p = readPoint(x0, 'leastSquares: x0');
  const x = Float64Array.from(p.values);
  const n = x.length;
  if (n === 0) fail('x0 has no elements');
  for (let i = 0; i < n; i++) if (!Number.isFinite(x[i]!)) fail(`x0[${i}] is ${x[i]}; the starting point must be finite`);
  const method0 = options.method ?? 'auto';
  if (method0 !== 'auto' && !(LEAST_SQUARES_METHOD_NAMES as readonly string[]).includes(method0)) {
    if (isMethodName(method0)) fail(`method '${method0}' minimizes a scalar f; for least squares use ${LEAST_SQUARES_METHOD_NAMES.join(', ')} or 'auto' (or minimize() on Σr²)`);
    fail(`unknown method '${String(method0)}'${suggestion(method0, ['auto', ...LEAST_SQUARES_METHOD_NAMES])}; expected auto, ${LEAST_SQUARES_METHOD_NAMES.join(', ')}`);
  }
  if (options.callback !== undefined && typeof options.callback !== 'function') fail('options.callback must be a function');
  checkSignal(options.signal, 'leastSquares');
  const loss = options.loss ?? 'linear';
  if (!LOSS_NAMES.includes(loss)) fail(`unknown loss '${String(loss)}'; expected ${LOSS_NAMES.join(', ')}`);
  const fScale = nonNegative(options.fScale, 'fScale', 1, true);
  if (!Number.isFinite(fScale)) fail('options.fScale must be finite');
  const xScale = readScale(options.xScale, n);
  if (options.jacobianMode !== undefined && options.jacobianMode !== 'forward' && options.jacobianMode !== 'reverse')
    fail(`options.jacobianMode must be 'forward' or 'reverse', got ${String(options.jacobianMode)}`);

  let res: ResidualFunctions;
  if (isResidualFunctions(residual)) {
    if (residual.n !== n) fail(`the residual functions have n = ${residual.n} variables but x0 has ${n} elements`);
    if (!(Number.isInteger(residual.m) && residual.m > 0)) fail(`the residual functions must say how many residuals they return (m ≥ 1), got ${residual.m}`);
    res = residual;
  } else if (typeof residual === 'function') {
    res = residualFunctions('leastSquares', residual, x0 as PointLike, { mode: options.jacobianMode });
  } else fail('the residual must be a function written with tayopt operations, or { n, m, residuals, jacobian }');
  const m = res.m;

  const bounds = options.bounds === undefined ? null : readBounds(options.bounds, n);
  let method: LeastSquaresMethodName;
  if (method0 === 'auto') {
    method = (chooseAuto({ problem: 'least-squares', bounds: bounds !== null, n, has: new Set(['residuals', 'jacobian']) }) ?? 'trf') as LeastSquaresMethodName;
  } else method = method0;
  if (bounds && !methodSpec(method).bounds) fail(`method '${method}' cannot honour bounds; use 'trf' or 'auto'`);
  if (method === 'lm' && m < n) fail(`method 'lm' needs at least as many residuals as variables, got m = ${m} residuals for n = ${n} variables; use 'trf'`);

  const settings = {
    ftol: nonNegative(options.ftol, 'ftol', LEAST_SQUARES_DEFAULTS.ftol),
    xtol: nonNegative(options.xtol, 'xtol', LEAST_SQUARES_DEFAULTS.xtol),
    xtolEstimate: nonNegative(options.xtol, 'xtol', LEAST_SQUARES_DEFAULTS.xtolEstimate),
    gtol: nonNegative(options.gtol, 'gtol', LEAST_SQUARES_DEFAULTS.gtol),
    xScale,
  };
  const impl = methodSpec(method).build({
    memory: 0,
    lineSearch: moreThuente(), // unused by the least-squares methods
    trustRegion: { maxRadius: Infinity, eta: 0 },
    bounds,
    leastSquares: settings,
  });
  const obj = new LeastSquaresObjective(res, loss, fScale);
  const loop: LoopOptions = {
    gtol: 0, // the methods test their own scaled gtol; the loop only stops at an exact zero gradient
    ftol: 0,
    xtol: 0,
    maxIter: count(options.maxIter, 'maxIter', LEAST_SQUARES_DEFAULTS.maxIter),
    maxEval: count(options.maxEval, 'maxEval', Infinity),
    timeLimit: nonNegative(options.timeLimit, 'timeLimit', Infinity),
    xmax: nonNegative(options.xmax, 'xmax', 1e20, true),
    callback: options.callback,
    gradientName: bounds ? 'projected gradient ‖·‖∞' : '‖∇f‖∞',
    signal: options.signal ?? null,
  };
  return { impl, obj, x, loop, finish: (run) => finish(run, obj, options, p.shape, method) };
}

/** The result of a finished run: its fields, and the residuals, Jacobian and fit statistics at its x. */
function finish(run: SolverResult, obj: LeastSquaresObjective, options: LeastSquaresOptions, shape: number[], method: LeastSquaresMethodName): LeastSquaresResult {
  const { n, m, loss } = obj;
  // the residuals and Jacobian at the returned point (the objective's last Jacobian is there
  // unless the run ended on a failed evaluation or was aborted after a trial point; then one
  // more, not counted — the loop has detached the signal, so an aborted run gets it too)
  if (!obj.jacobianAt(run.x)) obj.valueAndGrad(run.x, new Float64Array(n));
  const r = Float64Array.from(obj.raw.r);
  const J = Float64Array.from(obj.raw.J);
  // the covariance of a robust fit uses the loss-weighted Jacobian J̃ and f (scipy's curve_fit does the same)
  const st = fitStatistics(loss === 'linear' ? J : obj.model.J, m, n, run.fun);
  // A converged run where a column of J has vanished (fallen by a factor 1/ε from its largest
  // norm) has stopped on a plateau — the residuals no longer depend on that variable, as when
  // an exponential rate runs off to where exp(−b·x) underflows — not at a minimizer.
  let { status, success, message } = run;
  if (success) {
    const cn = new Float64Array(n);
    columnNorms(J, m, n, cn);
    const j = cn.findIndex((c, k) => obj.columnMax[k]! > 0 && c <= Number.EPSILON * obj.columnMax[k]!);
    if (j >= 0) {
      status = 'noProgress';
      success = false;
      message = `stopped on a plateau, not at a minimizer: the residuals no longer depend on x[${j}] (its Jacobian column fell from norm ${obj.columnMax[j]!.toExponential(2)} to ${cn[j]!.toExponential(2)}); try another start point or bounds (the method said: ${run.message})`;
    }
  }
  const history = options.history === false && run.history.length > 2 ? [run.history[0]!, run.history[run.history.length - 1]!] : run.history;
  const lastError = obj.lastError;
  return {
    x: run.x,
    shape,
    fun: run.fun,
    grad: run.grad,
    nit: run.nit,
    nfev: run.nfev,
    ngev: run.ngev,
    njev: run.ngev,
    nhvp: 0,
    nhev: 0,
    status,
    success,
    message: status === 'nonFinite' && lastError ? `${message} (last error: ${lastError})` : message,
    history,
    method,
    m,
    residuals: r,
    jacobian: rows(J, m, n),
    covariance: st.covariance ? rows(st.covariance, n, n) : null,
    stderr: st.stderr,
    correlation: st.correlation ? rows(st.correlation, n, n) : null,
    rank: st.rank,
    rankDeficient: st.rankDeficient,
    dof: st.dof,
  };
}

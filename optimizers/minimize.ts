/**
 * `minimize()`: the entry point of the solver layer. It validates the arguments (and only it
 * throws — a TayoptError naming the argument), builds the objective, picks the method, and
 * runs the shared loop. Numerical trouble during the run never throws: it ends the run with a
 * status and a message.
 */
import { readPoint, type PointLike } from '../src/ad/convert.js';
import type { TensorFunction } from '../src/ad/program.js';
import { Tensor } from '../src/trace/tensor.js';
import { TayoptError } from '../src/errors.js';
import { checkBytes } from '../src/size.js';
import { suggestion } from '../src/text.js';
import type { ObjectiveFunctions } from './types.js';
import { Objective, guardEngineErrors } from './objective.js';
import { objectiveAtStart } from './deferred.js';
import { checkOptionKeys, optionKeys } from './options.js';
import { type CallbackState, type ConstraintResult, type LoopOptions, type Method, runSolver, runSolverAsync, type SolverResult, type WarmState } from './loop.js';
import type { LineSearch } from './linesearch/types.js';
import { moreThuente } from './linesearch/morethuente.js';
import { backtracking } from './linesearch/backtracking.js';
import { type Bounds, type Box, clipToBox, readBounds } from './bounds.js';
import { type Constraint, type ConstraintSet, readConstraints } from './constraints.js';
import {
  type ConcreteMethodName,
  type MethodName,
  type MethodSettings,
  type Oracle,
  baseMethod,
  boundMethodsText,
  checkFamilyOptions,
  chooseAuto,
  constraintMethodsText,
  defaultGtol,
  honoursBounds,
  takesConstraints,
  MINIMIZE_METHOD_NAMES,
  isDense,
  isMethodName,
  methodSpec,
} from './methods/index.js';

/** A plain JavaScript objective on flat vectors. */
export type PlainFunction = (x: Float64Array) => number;

export interface MinimizeOptions {
  /**
   * A method of the registry (optimizers/methods/index.ts); every method honours `bounds`.
   * Default 'auto': trust-exact when a Hessian is available and n ≤ 200, trust-ncg when
   * Hessian-vector products are, L-BFGS(-B) otherwise — with or without bounds.
   */
  method?: MethodName;
  /** Gradient of a plain `f`: write ∇f(x) into out, or return it. Giving it selects the plain-JS path. */
  grad?: (x: Float64Array, out: Float64Array) => void | ArrayLike<number>;
  /** Hessian of a plain `f`: write it row-major into out (length n²), or return it flat or as rows. */
  hess?: (x: Float64Array, out: Float64Array) => void | ArrayLike<number> | ArrayLike<ArrayLike<number>>;
  /** Hessian-vector product of a plain `f`: write ∇²f(x)·v into out, or return it. */
  hvp?: (x: Float64Array, v: Float64Array, out: Float64Array) => void | ArrayLike<number>;
  bounds?: Bounds;
  /**
   * General constraints lower ≤ c(x) ≤ upper, each `{ fun, lower, upper }` with `fun` a tayopt
   * function of x returning a number or an array (lower == upper: an equality). Solved by
   * 'ipm' ('auto' picks it); an infeasible start is allowed.
   */
  constraints?: readonly Constraint[];
  /**
   * Stop when ‖∇f‖∞ (projected under bounds) ≤ gtol. Default 1e-12 for methods with second
   * derivatives, 1e-8 for lbfgs and bfgs (`defaultGtol`); a run that cannot get there stops at
   * the limit of double precision (status 'precision'). For 'ipm': the tolerance
   * on its scaled KKT error (default 1e-8).
   */
  gtol?: number;
  /** 'ipm': the largest constraint violation a converged point may have. Default 1e-8. */
  ctol?: number;
  /** Stop when (f_prev − f)/max(|f_prev|, |f|, 1) ≤ ftol after an accepted step. Default 0 (off). */
  ftol?: number;
  /** Stop when the step ‖Δx‖₂ ≤ xtol·(1 + ‖x‖₂). Default 0 (off). */
  xtol?: number;
  /** Default 1000. */
  maxIter?: number;
  /** Stop once max(nfev, ngev) ≥ maxEval. Default Infinity. */
  maxEval?: number;
  /** Wall-clock limit in milliseconds. Default Infinity. */
  timeLimit?: number;
  /** ‖x‖∞ beyond which the run stops as diverging (probably unbounded below). Default 1e20. */
  xmax?: number;
  /**
   * Called with every history row: once at iteration 0 (the start point, before any step)
   * and after every iteration; return true to stop (status 'callbackStop'). x and g are
   * copies: changing them cannot change the run.
   */
  callback?: (state: CallbackState) => boolean | void;
  /** L-BFGS(-B) memory m. Default 10. */
  memory?: number;
  /** Line search of the line-search methods. Default 'more-thuente'. */
  lineSearch?: 'more-thuente' | 'backtracking' | LineSearch;
  /** Trust-region methods: initial radius (default 1), maximum radius (default Infinity), acceptance threshold η (default 0.15). */
  initialRadius?: number;
  maxRadius?: number;
  eta?: number;
  /**
   * Size limit in bytes for the dense methods' n×n matrices (see src/size.ts). Default:
   * TAYOPT_MAX_BYTES, else 64 MiB; a dense method beyond it is refused with a TayoptError.
   */
  maxBytes?: number;
  /**
   * Cancels the run: checked between iterations and at every evaluation inside one; once
   * aborted, the run ends with status 'aborted' at the last accepted iterate (the best point so
   * far). With the synchronous `minimize` only code the run calls (the objective, the callback)
   * can abort it; {@link minimizeAsync} lets timers and events do so.
   */
  signal?: AbortSignal;
  /**
   * Continue from an earlier run: pass its result (or its `state`). lbfgs, bfgs, newton-cg and
   * the trust-region methods resume with the memory they ended with (L-BFGS pairs, the BFGS
   * matrix, the trust radius); start from the earlier result's x by passing it as x0. The
   * method defaults to the earlier run's.
   */
  warmStart?: { readonly state?: WarmState; readonly method?: string } | WarmState;
}

/** Every key of MinimizeOptions: a new option gets an entry here (the type-check insists). */
export const MINIMIZE_OPTION_KEYS = optionKeys<MinimizeOptions>({
  method: true, grad: true, hess: true, hvp: true, bounds: true, gtol: true, ftol: true, xtol: true, maxIter: true,
  maxEval: true, timeLimit: true, xmax: true, callback: true, memory: true, lineSearch: true, initialRadius: true,
  maxRadius: true, eta: true, constraints: true, ctol: true, signal: true, warmStart: true, maxBytes: true,
});

/** What minimize() returns: the solver's result (x flat and always finite, statuses, history) plus x0's shape. */
export interface MinimizeResult extends Omit<SolverResult, 'method'> {
  /** Shape of x0 (e.g. [n] for a vector, [r, c] for a matrix, [] for a number). */
  shape: number[];
  /** The method that ran (the one chosen when method was 'auto'). */
  method: Exclude<MethodName, 'auto'>;
}

/** Options for a plain-JS objective `(x: Float64Array) => number`: `grad` is required. */
export type PlainMinimizeOptions = MinimizeOptions & { grad: NonNullable<MinimizeOptions['grad']> };

/** Options with general constraints: the run is `ipm`'s, and its result carries the constraint fields. */
export type ConstrainedMinimizeOptions = MinimizeOptions & { constraints: readonly Constraint[] };

/** The result of a run with general constraints: constraint values, multipliers and KKT residuals always present. */
export type ConstrainedMinimizeResult = MinimizeResult & ConstraintResult;

/** The n×n matrices a dense method holds at once: the Hessian, its factor, and a work copy. */
const DENSE_MATRICES = 3;

/**
 * Throws a SizeError (a TayoptError) when `method` forms dense n×n matrices that together
 * exceed the size limit (src/size.ts: `maxBytes`, else TAYOPT_MAX_BYTES, else 64 MiB),
 * naming the size and the Hessian-free alternatives. Methods without dense matrices pass.
 */
export function checkDenseSize(method: ConcreteMethodName, n: number, maxBytes?: number): void {
  if (!isDense(method)) return;
  checkBytes(
    DENSE_MATRICES * n * n * 8,
    `method '${method}' on n = ${n} unknowns (${DENSE_MATRICES} dense n×n matrices)`,
    'use a Hessian-free method such as trust-ncg, newton-cg or lbfgs',
    maxBytes,
  );
}

/** `options.warmStart` read: the saved state (if any) and the method that saved it. */
function readWarmStart(w: unknown, n: number): { state: WarmState | null; method: string } | null {
  if (w === undefined) return null;
  if (w === null || typeof w !== 'object') throw new TayoptError('minimize: options.warmStart must be an earlier result (or its state)');
  const o = w as { state?: unknown; method?: unknown; data?: unknown; n?: unknown };
  const st = (o.state ?? ('data' in o ? o : undefined)) as WarmState | undefined;
  if (st !== undefined) {
    if (typeof st !== 'object' || st === null || typeof st.method !== 'string' || typeof st.n !== 'number')
      throw new TayoptError('minimize: options.warmStart.state is not a state saved by minimize');
    if (st.n !== n) throw new TayoptError(`minimize: options.warmStart is from a problem with ${st.n} variables, but x0 has ${n}`);
    return { state: st, method: st.method };
  }
  if (typeof o.method !== 'string') throw new TayoptError('minimize: options.warmStart must be an earlier result (or its state)');
  return { state: null, method: o.method };
}

// ------------------------------------------------------------------ argument reading

/** Throws a TayoptError naming `who` unless `signal` is undefined or an AbortSignal (anything with a boolean `aborted`). */
export function checkSignal(signal: unknown, who: string): void {
  if (signal !== undefined && (signal === null || typeof signal !== 'object' || typeof (signal as { aborted?: unknown }).aborted !== 'boolean'))
    throw new TayoptError(`${who}: options.signal must be an AbortSignal`);
}

/** x0's row-major values (a private copy) and shape, read by the engine's point reader. */
function flattenPoint(x: unknown): { values: Float64Array; shape: number[] } {
  const p = readPoint(x, 'minimize: x0');
  return { values: Float64Array.from(p.values), shape: p.shape };
}

function checkPositive(v: number | undefined, name: string, allowZero: boolean, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || Number.isNaN(v) || v < 0 || (!allowZero && v === 0))
    throw new TayoptError(`minimize: options.${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${String(v)}`);
  return v;
}

function checkCount(v: number | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !(v === Infinity || (Number.isInteger(v) && v >= 0)))
    throw new TayoptError(`minimize: options.${name} must be a non-negative integer (or Infinity), got ${String(v)}`);
  return v;
}

/**
 * Copies what a user's derivative function returned (a flat array, or n rows for an n×n
 * matrix) into out, unless it wrote out itself (returned nothing). `what` names the function
 * in the TayoptError thrown for a wrong length.
 */
export function copyOut(r: void | ArrayLike<number> | ArrayLike<ArrayLike<number>>, out: Float64Array, what: string, n: number): void {
  if (r === undefined || r === null) return;
  const a = r as ArrayLike<unknown>;
  if (a.length === out.length && (out.length === 0 || typeof a[0] === 'number')) {
    for (let i = 0; i < out.length; i++) out[i] = a[i] as number;
    return;
  }
  if (a.length === n && out.length === n * n) {
    for (let i = 0; i < n; i++) {
      const row = a[i] as ArrayLike<number>;
      if (!row || row.length !== n) throw new TayoptError(`${what} returned a row ${i} of length ${row?.length}, expected ${n}`);
      for (let j = 0; j < n; j++) out[i * n + j] = row[j]!;
    }
    return;
  }
  if (a.length === out.length) throw new TayoptError(`${what} returned ${a.length} entries, but they are not numbers (the first is ${typeof a[0] === 'object' ? (a[0] === null ? 'null' : 'an object') : `a ${typeof a[0]}`})`);
  throw new TayoptError(`${what} returned ${a.length} entries, expected ${out.length}`);
}

function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v instanceof Tensor) return v.item();
  throw new TayoptError(`minimize: the plain objective returned ${typeof v}, not a number`);
}

function plainObjective(f: PlainFunction, n: number, o: MinimizeOptions): ObjectiveFunctions {
  const grad = o.grad!;
  const fns: ObjectiveFunctions = {
    n,
    value: (x) => toNumber(f(x)),
    valueAndGrad: (x, g) => {
      copyOut(grad(x, g), g, 'minimize: options.grad', n);
      return toNumber(f(x));
    },
  };
  const hess = o.hess;
  if (hess) (fns as { hessian?: ObjectiveFunctions['hessian'] }).hessian = (x, out) => copyOut(hess(x, out), out, 'minimize: options.hess', n);
  const hvp = o.hvp;
  if (hvp) (fns as { hvp?: ObjectiveFunctions['hvp'] }).hvp = (x, v, out) => copyOut(hvp(x, v, out), out, 'minimize: options.hvp', n);
  return fns;
}

function isObjectiveFunctions(f: unknown): f is ObjectiveFunctions {
  return !!f && typeof f === 'object' && typeof (f as ObjectiveFunctions).valueAndGrad === 'function';
}

/** Validates the method options and builds the method (the registry's factory). */
function buildMethod(name: ConcreteMethodName, o: MinimizeOptions, bounds: Box | null, constraints: ConstraintSet | null) {
  let lineSearch: LineSearch;
  if (o.lineSearch === undefined || o.lineSearch === 'more-thuente') lineSearch = moreThuente();
  else if (o.lineSearch === 'backtracking') lineSearch = backtracking();
  else if (typeof o.lineSearch === 'object' && typeof o.lineSearch.search === 'function') lineSearch = o.lineSearch;
  else throw new TayoptError(`minimize: options.lineSearch must be 'more-thuente', 'backtracking' or a LineSearch, got ${String(o.lineSearch)}`);
  const memory = checkCount(o.memory, 'memory', 10);
  if (memory < 1) throw new TayoptError('minimize: options.memory must be at least 1');
  const trustRegion: MethodSettings['trustRegion'] = {
    initialRadius: o.initialRadius === undefined ? undefined : checkPositive(o.initialRadius, 'initialRadius', false, 1),
    maxRadius: checkPositive(o.maxRadius, 'maxRadius', false, Infinity),
    eta: checkPositive(o.eta, 'eta', true, 0.15),
  };
  if (trustRegion.eta >= 0.25) throw new TayoptError(`minimize: options.eta must be below 0.25, got ${trustRegion.eta}`);
  const tol = checkPositive(o.gtol, 'gtol', true, 1e-8);
  const ctol = checkPositive(o.ctol, 'ctol', true, 1e-8);
  return methodSpec(name).build({ memory, lineSearch, trustRegion, bounds, interiorPoint: { constraints, tol, ctol } });
}

/** The oracles an objective supplies exactly (what `auto` may rely on). */
function oraclesOf(fns: ObjectiveFunctions): Set<Oracle> {
  const has = new Set<Oracle>(['value', 'gradient']);
  if (fns.hvp) has.add('hvp');
  if (fns.hessian) has.add('hessian');
  return has;
}

/** Everything a run needs, validated (see {@link minimize}). */
interface Run {
  impl: Method;
  obj: Objective;
  x: Float64Array;
  loop: LoopOptions;
  result: (res: SolverResult) => MinimizeResult;
}

function setup(f: TensorFunction | PlainFunction | ObjectiveFunctions, x0: unknown, options: MinimizeOptions): Run {
  if (options === null || typeof options !== 'object') throw new TayoptError('minimize: options must be an object');
  checkOptionKeys('minimize', options, MINIMIZE_OPTION_KEYS);
  const method0 = options.method ?? 'auto';
  if (!isMethodName(method0)) {
    throw new TayoptError(`minimize: unknown method '${String(method0)}'${suggestion(method0, MINIMIZE_METHOD_NAMES)}; expected one of ${MINIMIZE_METHOD_NAMES.join(', ')}`);
  }
  const { values: x, shape } = flattenPoint(x0);
  const n = x.length;
  if (n === 0) throw new TayoptError('minimize: x0 has no elements');
  for (let i = 0; i < n; i++) if (!Number.isFinite(x[i]!)) throw new TayoptError(`minimize: x0[${i}] is ${x[i]}; the starting point must be finite`);

  const warm = readWarmStart(options.warmStart, n);
  checkSignal(options.signal, 'minimize');

  for (const k of ['grad', 'hess', 'hvp', 'callback'] as const)
    if (options[k] !== undefined && typeof options[k] !== 'function') throw new TayoptError(`minimize: options.${k} must be a function`);

  let fns: ObjectiveFunctions;
  if (isObjectiveFunctions(f)) {
    if (f.n !== n) throw new TayoptError(`minimize: the objective has n = ${f.n} variables but x0 has ${n} elements`);
    fns = f;
  } else if (typeof f !== 'function') {
    throw new TayoptError('minimize: f must be a function (tayopt or plain with options.grad) or an ObjectiveFunctions object');
  } else if (options.grad) {
    fns = plainObjective(f as PlainFunction, n, options);
  } else {
    if (options.hess || options.hvp)
      throw new TayoptError('minimize: options.hess/options.hvp need options.grad (a plain f); a tayopt f gets all derivatives from the engine');
    fns = objectiveAtStart(f as TensorFunction, x0 as PointLike, shape, n);
  }

  const bounds = options.bounds === undefined ? null : readBounds(options.bounds, n);
  const given = options.constraints !== undefined && options.constraints !== null;
  if (given && !Array.isArray(options.constraints)) throw new TayoptError('minimize: options.constraints must be an array of { fun, lower, upper }');
  const constrained = given && options.constraints!.length > 0;
  if (constrained && method0 !== 'auto' && !takesConstraints(method0))
    throw new TayoptError(`minimize: method '${method0}' cannot take general constraints; use ${constraintMethodsText("'")} or 'auto'`);
  let base: ConcreteMethodName;
  if (method0 === 'auto' && warm) {
    // A warm start continues the earlier run's method.
    if (!isMethodName(warm.method) || warm.method === 'auto') throw new TayoptError(`minimize: options.warmStart names an unknown method '${warm.method}'`);
    base = baseMethod(warm.method);
  } else if (method0 === 'auto') {
    const has = oraclesOf(fns);
    if (constrained) for (const o of ['constraints', 'constraintJacobian', 'lagrangianHessian'] as const) has.add(o);
    const chosen = chooseAuto({ problem: constrained ? 'constrained' : 'scalar', bounds: bounds !== null, n, has });
    if (!chosen) throw new TayoptError('minimize: no method fits this problem');
    base = chosen;
  } else {
    base = baseMethod(method0);
    if (bounds && !honoursBounds(base))
      throw new TayoptError(`minimize: method '${method0}' cannot honour bounds; use ${boundMethodsText("'", ['scalar', 'constrained'])} or 'auto'`);
  }
  const entry = methodSpec(base);
  // a constrained method solves min f(x) as well (no constraints)
  if (entry.problem !== 'scalar' && entry.problem !== 'constrained') throw new TayoptError(`minimize: method '${base}' solves ${entry.problem} problems, not min f(x)`);
  if (constrained && !entry.constraints)
    throw new TayoptError(`minimize: method '${base}' cannot take general constraints; use ${constraintMethodsText("'")} or 'auto'`);
  if (entry.family === 'interior-point')
    for (const k of ['ftol', 'xtol'] as const)
      if (options[k] !== undefined) throw new TayoptError(`minimize: options.${k} does not apply to '${base}': it stops on its KKT test (gtol, ctol)`);
  // The name reported: under bounds a method may run as its bounded form ('lbfgs' → 'lbfgsb').
  const method = (bounds && entry.boundedAs ? entry.boundedAs.name : base) as Exclude<MethodName, 'auto'>;
  if (bounds) clipToBox(x, bounds);
  checkFamilyOptions(method, options as Record<string, unknown>, (m) => new TayoptError(`minimize: ${m}`));
  checkDenseSize(base, n, options.maxBytes === undefined ? undefined : checkPositive(options.maxBytes, 'maxBytes', false, 0));
  if (warm && warm.method !== method)
    throw new TayoptError(`minimize: options.warmStart comes from a '${warm.method}' run; it cannot continue with '${method}'`);

  const cons = constrained ? readConstraints(options.constraints, isObjectiveFunctions(f) || options.grad ? null : (f as TensorFunction), x0 as PointLike) : null;
  const impl = buildMethod(base, options, bounds, cons);
  const guard = guardEngineErrors(fns);
  const obj = new Objective(guard.fns);
  const loop: LoopOptions = {
    gtol: checkPositive(options.gtol, 'gtol', true, defaultGtol(base)),
    ftol: checkPositive(options.ftol, 'ftol', true, 0),
    xtol: checkPositive(options.xtol, 'xtol', true, 0),
    maxIter: checkCount(options.maxIter, 'maxIter', 1000),
    maxEval: checkCount(options.maxEval, 'maxEval', Infinity),
    timeLimit: checkPositive(options.timeLimit, 'timeLimit', true, Infinity),
    xmax: checkPositive(options.xmax, 'xmax', false, 1e20),
    callback: options.callback,
    gradientName: bounds ? 'projected gradient ‖·‖∞' : '‖∇f‖∞',
    box: bounds,
    signal: options.signal ?? null,
    warm: warm?.state ?? null,
  };
  const result = (res: SolverResult): MinimizeResult => ({
    x: res.x,
    shape,
    fun: res.fun,
    grad: res.grad,
    nit: res.nit,
    nfev: res.nfev,
    ngev: res.ngev,
    nhvp: res.nhvp,
    nhev: res.nhev,
    status: res.status,
    success: res.success,
    message: res.status === 'nonFinite' && guard.lastError() ? `${res.message} (last error: ${guard.lastError()})` : res.message,
    history: res.history,
    method,
    ...(res.constraints
      ? { constraints: res.constraints, multipliers: res.multipliers, kkt: res.kkt, ncev: res.ncev, njev: res.njev }
      : {}),
    ...(res.state ? { state: res.state } : {}),
  });
  return { impl, obj, x, loop, result };
}

/**
 * Minimizes f from x0.
 *
 * `f` may be
 *  - a function written with tayopt operations, `(x: Tensor) => Tensor` returning a scalar,
 *    with x shaped like x0 (number, vector, matrix): gradients, Hessian-vector products and
 *    Hessians come from the AD engine, exact, as the method needs them;
 *  - a plain function `(x: Float64Array) => number` together with `options.grad` (and
 *    optionally `hess` / `hvp`); methods that need second derivatives the user did not give
 *    fall back on forward differences of the gradient (one gradient per Hessian-vector
 *    product, n per Hessian);
 *  - an {@link ObjectiveFunctions} object.
 *
 * Returns a {@link MinimizeResult}; `x` is flat (row-major for matrix-shaped x0) and finite.
 * Throws a TayoptError for invalid arguments (non-finite x0, bad option values, bounds of the
 * wrong length or empty, bounds with a method that cannot honour them, a plain f without
 * grad); numerical trouble during the run is reported by `status`, never thrown.
 */
export function minimize(f: PlainFunction, x0: unknown, options: PlainMinimizeOptions & ConstrainedMinimizeOptions): ConstrainedMinimizeResult;
export function minimize(f: PlainFunction, x0: unknown, options: PlainMinimizeOptions): MinimizeResult;
export function minimize(f: TensorFunction | ObjectiveFunctions, x0: unknown, options: ConstrainedMinimizeOptions): ConstrainedMinimizeResult;
export function minimize(f: TensorFunction | ObjectiveFunctions, x0: unknown, options?: MinimizeOptions): MinimizeResult;
export function minimize(
  f: TensorFunction | PlainFunction | ObjectiveFunctions,
  x0: unknown,
  options: MinimizeOptions = {},
): MinimizeResult {
  const run = setup(f, x0, options);
  return run.result(runSolver(run.impl, run.obj, run.x, run.loop));
}

/**
 * {@link minimize} that lets the event loop run between iterations (about every 10 ms), so
 * that an `options.signal` aborted by a timer, a UI event or a signal handler stops the run,
 * and a page or server stays responsive. Resolves to the same result; rejects with a
 * TayoptError for invalid arguments.
 */
export async function minimizeAsync(f: PlainFunction, x0: unknown, options: PlainMinimizeOptions & ConstrainedMinimizeOptions): Promise<ConstrainedMinimizeResult>;
export async function minimizeAsync(f: PlainFunction, x0: unknown, options: PlainMinimizeOptions): Promise<MinimizeResult>;
export async function minimizeAsync(f: TensorFunction | ObjectiveFunctions, x0: unknown, options: ConstrainedMinimizeOptions): Promise<ConstrainedMinimizeResult>;
export async function minimizeAsync(f: TensorFunction | ObjectiveFunctions, x0: unknown, options?: MinimizeOptions): Promise<MinimizeResult>;
export async function minimizeAsync(
  f: TensorFunction | PlainFunction | ObjectiveFunctions,
  x0: unknown,
  options: MinimizeOptions = {},
): Promise<MinimizeResult> {
  const run = setup(f, x0, options);
  return run.result(await runSolverAsync(run.impl, run.obj, run.x, run.loop));
}

/**
 * `minimize()`: the entry point of the solver layer. It validates the arguments (and only it
 * throws — a TayoptError naming the argument), builds the objective, picks the method, and
 * runs the shared loop. Numerical trouble during the run never throws: it ends the run with a
 * status and a message.
 */
import { readPoint, type PointLike } from '../src/ad/convert.js';
import { objective } from '../src/ad/objective.js';
import type { TensorFunction } from '../src/ad/program.js';
import { Tensor } from '../src/trace/tensor.js';
import { TayoptError } from '../src/errors.js';
import type { ObjectiveFunctions } from './types.js';
import { Objective, guardEngineErrors } from './objective.js';
import { type CallbackState, type Method, runSolver, type SolverResult } from './loop.js';
import type { LineSearch } from './linesearch/types.js';
import { moreThuente } from './linesearch/morethuente.js';
import { backtracking } from './linesearch/backtracking.js';
import { lbfgs } from './methods/lbfgs.js';
import { lbfgsb } from './methods/lbfgsb.js';
import { bfgs } from './methods/bfgs.js';
import { newton } from './methods/newton.js';
import { newtonCg } from './methods/newtoncg.js';
import { trustRegion } from './methods/trustregion.js';
import { steihaug } from './subproblem/steihaug.js';
import { moreSorensenSubproblem } from './subproblem/more-sorensen.js';
import { dogleg } from './subproblem/dogleg.js';
import { gltr } from './subproblem/gltr.js';

export type MethodName =
  | 'auto'
  | 'lbfgs'
  | 'lbfgsb'
  | 'bfgs'
  | 'newton'
  | 'newton-cg'
  | 'trust-ncg'
  | 'trust-exact'
  | 'dogleg'
  | 'trust-krylov';

/** Every method name minimize() accepts ('lbfgsb' is L-BFGS with bounds). */
export const METHOD_NAMES: readonly MethodName[] = [
  'auto',
  'lbfgs',
  'lbfgsb',
  'bfgs',
  'newton',
  'newton-cg',
  'trust-ncg',
  'trust-exact',
  'dogleg',
  'trust-krylov',
];
const LINE_SEARCH_METHODS: ReadonlySet<MethodName> = new Set<MethodName>(['lbfgs', 'lbfgsb', 'bfgs', 'newton', 'newton-cg']);
const TRUST_METHODS: ReadonlySet<MethodName> = new Set<MethodName>(['trust-ncg', 'trust-exact', 'dogleg', 'trust-krylov']);

/** Box constraints: lower/upper vectors (a number applies to all; null/±Infinity = none), or one [lo, hi] pair per variable. */
export type Bounds =
  | { lower?: number | ArrayLike<number | null>; upper?: number | ArrayLike<number | null> }
  | ArrayLike<readonly [number | null | undefined, number | null | undefined]>;

/** A plain JavaScript objective on flat vectors. */
export type PlainFunction = (x: Float64Array) => number;

export interface MinimizeOptions {
  /** Default 'auto': L-BFGS-B with bounds; else trust-exact when a Hessian is available and n ≤ 200, trust-ncg when Hessian-vector products are, L-BFGS otherwise. */
  method?: MethodName;
  /** Gradient of a plain `f`: write ∇f(x) into out, or return it. Giving it selects the plain-JS path. */
  grad?: (x: Float64Array, out: Float64Array) => void | ArrayLike<number>;
  /** Hessian of a plain `f`: write it row-major into out (length n²), or return it flat or as rows. */
  hess?: (x: Float64Array, out: Float64Array) => void | ArrayLike<number> | ArrayLike<ArrayLike<number>>;
  /** Hessian-vector product of a plain `f`: write ∇²f(x)·v into out, or return it. */
  hvp?: (x: Float64Array, v: Float64Array, out: Float64Array) => void | ArrayLike<number>;
  bounds?: Bounds;
  /** Stop when ‖∇f‖∞ (projected under bounds) ≤ gtol. Default 1e-5. */
  gtol?: number;
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
  /** Called after every iteration; return true to stop. x and g are live buffers (copy to keep). */
  callback?: (state: CallbackState) => boolean | void;
  /** L-BFGS(-B) memory m. Default 10. */
  memory?: number;
  /** Line search of the line-search methods. Default 'more-thuente'. */
  lineSearch?: 'more-thuente' | 'backtracking' | LineSearch;
  /** Trust-region methods: initial radius (default 1), maximum radius (default Infinity), acceptance threshold η (default 0.15). */
  initialRadius?: number;
  maxRadius?: number;
  eta?: number;
}

/** What minimize() returns: the solver's result (x flat and always finite, statuses, history) plus x0's shape. */
export interface MinimizeResult extends Omit<SolverResult, 'method'> {
  /** Shape of x0 (e.g. [n] for a vector, [r, c] for a matrix, [] for a number). */
  shape: number[];
  /** The method that ran (the one chosen when method was 'auto'). */
  method: Exclude<MethodName, 'auto'>;
}

// ------------------------------------------------------------------ argument reading

/** x0's row-major values (a private copy) and shape, read by the engine's point reader. */
function flattenPoint(x: unknown): { values: Float64Array; shape: number[] } {
  const p = readPoint(x, 'minimize: x0');
  return { values: Float64Array.from(p.values), shape: p.shape };
}

function readBoundVector(v: unknown, n: number, fill: number, what: string): Float64Array {
  const out = new Float64Array(n).fill(fill);
  if (v === undefined || v === null) return out;
  if (typeof v === 'number') {
    if (Number.isNaN(v)) throw new TayoptError(`minimize: ${what} is NaN`);
    return out.fill(v);
  }
  const a = v as ArrayLike<number | null>;
  if (typeof a.length !== 'number' || a.length !== n)
    throw new TayoptError(`minimize: ${what} must have ${n} entries (one per variable), got ${typeof a.length === 'number' ? a.length : typeof v}`);
  for (let i = 0; i < n; i++) {
    const e = a[i];
    if (e === null || e === undefined) continue;
    if (typeof e !== 'number' || Number.isNaN(e)) throw new TayoptError(`minimize: ${what}[${i}] is not a number`);
    out[i] = e;
  }
  return out;
}

function readBounds(b: Bounds, n: number): { lower: Float64Array; upper: Float64Array } {
  let lower: Float64Array;
  let upper: Float64Array;
  if (typeof (b as ArrayLike<unknown>).length === 'number') {
    const pairs = b as ArrayLike<readonly [number | null | undefined, number | null | undefined]>;
    if (pairs.length !== n) throw new TayoptError(`minimize: bounds has ${pairs.length} [lower, upper] pairs, expected ${n}`);
    lower = new Float64Array(n).fill(-Infinity);
    upper = new Float64Array(n).fill(Infinity);
    for (let i = 0; i < n; i++) {
      const p = pairs[i];
      if (!p || typeof p !== 'object' || (p as ArrayLike<unknown>).length !== 2)
        throw new TayoptError(`minimize: bounds[${i}] must be a [lower, upper] pair`);
      const [lo, hi] = p;
      if (lo !== null && lo !== undefined) {
        if (typeof lo !== 'number' || Number.isNaN(lo)) throw new TayoptError(`minimize: bounds[${i}][0] is not a number`);
        lower[i] = lo;
      }
      if (hi !== null && hi !== undefined) {
        if (typeof hi !== 'number' || Number.isNaN(hi)) throw new TayoptError(`minimize: bounds[${i}][1] is not a number`);
        upper[i] = hi;
      }
    }
  } else if (b && typeof b === 'object') {
    const o = b as { lower?: unknown; upper?: unknown };
    lower = readBoundVector(o.lower, n, -Infinity, 'bounds.lower');
    upper = readBoundVector(o.upper, n, Infinity, 'bounds.upper');
  } else throw new TayoptError('minimize: bounds must be { lower, upper } or an array of [lower, upper] pairs');
  for (let i = 0; i < n; i++) {
    if (lower[i]! > upper[i]!) throw new TayoptError(`minimize: bounds are empty for variable ${i}: lower ${lower[i]} > upper ${upper[i]}`);
    if (lower[i] === Infinity || upper[i] === -Infinity) throw new TayoptError(`minimize: bounds for variable ${i} exclude every finite value`);
  }
  return { lower, upper };
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

function copyOut(r: void | ArrayLike<number> | ArrayLike<ArrayLike<number>>, out: Float64Array, what: string, n: number): void {
  if (r === undefined || r === null) return;
  const a = r as ArrayLike<unknown>;
  if (a.length === out.length && (out.length === 0 || typeof a[0] === 'number')) {
    for (let i = 0; i < out.length; i++) out[i] = a[i] as number;
    return;
  }
  if (a.length === n && out.length === n * n) {
    for (let i = 0; i < n; i++) {
      const row = a[i] as ArrayLike<number>;
      if (!row || row.length !== n) throw new TayoptError(`minimize: ${what} returned a row ${i} of length ${row?.length}, expected ${n}`);
      for (let j = 0; j < n; j++) out[i * n + j] = row[j]!;
    }
    return;
  }
  throw new TayoptError(`minimize: ${what} returned ${a.length} entries, expected ${out.length}`);
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
      copyOut(grad(x, g), g, 'options.grad', n);
      return toNumber(f(x));
    },
  };
  const hess = o.hess;
  if (hess) (fns as { hessian?: ObjectiveFunctions['hessian'] }).hessian = (x, out) => copyOut(hess(x, out), out, 'options.hess', n);
  const hvp = o.hvp;
  if (hvp) (fns as { hvp?: ObjectiveFunctions['hvp'] }).hvp = (x, v, out) => copyOut(hvp(x, v, out), out, 'options.hvp', n);
  return fns;
}

function isObjectiveFunctions(f: unknown): f is ObjectiveFunctions {
  return !!f && typeof f === 'object' && typeof (f as ObjectiveFunctions).valueAndGrad === 'function';
}

function buildMethod(
  name: Exclude<MethodName, 'auto'>,
  o: MinimizeOptions,
  bounds: { lower: Float64Array; upper: Float64Array } | null,
): Method {
  let ls: LineSearch | undefined;
  if (o.lineSearch === undefined || o.lineSearch === 'more-thuente') ls = moreThuente();
  else if (o.lineSearch === 'backtracking') ls = backtracking();
  else if (typeof o.lineSearch === 'object' && typeof o.lineSearch.search === 'function') ls = o.lineSearch;
  else throw new TayoptError(`minimize: options.lineSearch must be 'more-thuente', 'backtracking' or a LineSearch, got ${String(o.lineSearch)}`);
  const memory = checkCount(o.memory, 'memory', 10);
  if (memory < 1) throw new TayoptError('minimize: options.memory must be at least 1');
  const tr = {
    initialRadius: o.initialRadius === undefined ? undefined : checkPositive(o.initialRadius, 'initialRadius', false, 1),
    maxRadius: checkPositive(o.maxRadius, 'maxRadius', false, Infinity),
    eta: checkPositive(o.eta, 'eta', true, 0.15),
  };
  if (tr.eta >= 0.25) throw new TayoptError(`minimize: options.eta must be below 0.25, got ${tr.eta}`);
  switch (name) {
    case 'lbfgs':
    case 'lbfgsb':
      return bounds ? (lbfgsb(bounds.lower, bounds.upper, { memory, lineSearch: ls }) as Method) : (lbfgs({ memory, lineSearch: ls }) as Method);
    case 'bfgs':
      return bfgs({ lineSearch: ls }) as Method;
    case 'newton':
      return newton({ lineSearch: ls }) as Method;
    case 'newton-cg':
      return newtonCg({ lineSearch: ls }) as Method;
    case 'trust-ncg':
      return trustRegion('trust-ncg', steihaug, tr) as Method;
    case 'trust-exact':
      return trustRegion('trust-exact', moreSorensenSubproblem(), tr) as Method;
    case 'dogleg':
      return trustRegion('dogleg', dogleg, tr) as Method;
    case 'trust-krylov':
      return trustRegion('trust-krylov', gltr(), tr) as Method;
  }
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
export function minimize(
  f: TensorFunction | PlainFunction | ObjectiveFunctions,
  x0: unknown,
  options: MinimizeOptions = {},
): MinimizeResult {
  if (options === null || typeof options !== 'object') throw new TayoptError('minimize: options must be an object');
  const method0 = options.method ?? 'auto';
  if (!METHOD_NAMES.includes(method0)) throw new TayoptError(`minimize: unknown method '${String(method0)}'; expected one of ${METHOD_NAMES.join(', ')}`);
  const { values: x, shape } = flattenPoint(x0);
  const n = x.length;
  if (n === 0) throw new TayoptError('minimize: x0 has no elements');
  for (let i = 0; i < n; i++) if (!Number.isFinite(x[i]!)) throw new TayoptError(`minimize: x0[${i}] is ${x[i]}; the starting point must be finite`);

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
    fns = objective(f as TensorFunction, x0 as PointLike);
  }

  const bounds = options.bounds === undefined ? null : readBounds(options.bounds, n);
  let method: Exclude<MethodName, 'auto'>;
  if (method0 === 'auto') {
    if (bounds) method = 'lbfgsb';
    else if (fns.hessian && n <= 200) method = 'trust-exact';
    else if (fns.hvp) method = 'trust-ncg';
    else method = 'lbfgs';
  } else method = method0;
  if (bounds && method !== 'lbfgs' && method !== 'lbfgsb')
    throw new TayoptError(`minimize: method '${method}' cannot honour bounds; use 'lbfgs' (L-BFGS-B) or 'auto'`);
  if (method === 'lbfgsb' && !bounds) method = 'lbfgs';
  if (bounds) {
    method = 'lbfgsb';
    for (let i = 0; i < n; i++) x[i] = Math.min(Math.max(x[i]!, bounds.lower[i]!), bounds.upper[i]!);
  }
  if (options.lineSearch !== undefined && !LINE_SEARCH_METHODS.has(method))
    throw new TayoptError(`minimize: options.lineSearch applies to line-search methods, not '${method}'`);
  if (!TRUST_METHODS.has(method))
    for (const k of ['initialRadius', 'maxRadius', 'eta'] as const)
      if (options[k] !== undefined) throw new TayoptError(`minimize: options.${k} applies to trust-region methods, not '${method}'`);

  const impl = buildMethod(method, options, bounds);
  const guard = guardEngineErrors(fns);
  const obj = new Objective(guard.fns);
  const res = runSolver(impl, obj, x, {
    gtol: checkPositive(options.gtol, 'gtol', true, 1e-5),
    ftol: checkPositive(options.ftol, 'ftol', true, 0),
    xtol: checkPositive(options.xtol, 'xtol', true, 0),
    maxIter: checkCount(options.maxIter, 'maxIter', 1000),
    maxEval: checkCount(options.maxEval, 'maxEval', Infinity),
    timeLimit: checkPositive(options.timeLimit, 'timeLimit', true, Infinity),
    xmax: checkPositive(options.xmax, 'xmax', false, 1e20),
    callback: options.callback,
    gradientName: bounds ? 'projected gradient ‖·‖∞' : '‖∇f‖∞',
  });
  return {
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
  };
}

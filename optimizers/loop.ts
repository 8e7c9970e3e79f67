/**
 * The one outer loop shared by every method (Optim.jl style): a method is an `init` and a
 * `step` over its own state; this file owns iteration, the stopping tests, the history, the
 * callback, and the translation of outcomes into a result with a status and a message.
 */
import type { HistoryEntry } from './types.js';
import { type Objective, TimeLimitReached } from './objective.js';
import { allFinite, normInf } from './vec.js';

/** Why a run ended. The first three are convergence (success); the rest are not. */
export type SolverStatus =
  | 'gtol' // ‖∇f‖∞ (or projected gradient) ≤ gtol
  | 'ftol' // relative reduction of f ≤ ftol
  | 'xtol' // step ≤ xtol·(1 + ‖x‖₂)
  | 'maxIter'
  | 'maxEval'
  | 'timeLimit'
  | 'lineSearchFailed' // no acceptable step along a descent direction
  | 'nonFinite' // f or ∇f NaN/±Infinity where it could not be avoided
  | 'diverging' // ‖x‖∞ beyond xmax: the objective is probably unbounded below
  | 'noProgress' // trust region collapsed to rounding level
  | 'callbackStop';

export const SUCCESS_STATUSES: ReadonlySet<SolverStatus> = new Set<SolverStatus>(['gtol', 'ftol', 'xtol']);

/** What every method's state exposes to the loop. `x`, `f`, `g` always hold a finite iterate. */
export interface SolverState {
  x: Float64Array;
  f: number;
  g: Float64Array;
  /** ‖g‖∞, or the ∞-norm of the projected gradient under bounds. */
  gnorm: number;
  /** Trust-region radius, or null for line-search methods. */
  radius: number | null;
}

/** Outcome of one step. On failure the method must leave x, f, g at the previous iterate. */
export interface StepReport {
  status: 'accepted' | 'rejected' | 'lineSearchFailed' | 'nonFinite' | 'noProgress';
  /** ‖Δx‖₂ of the accepted step (0 when rejected). */
  step: number;
  /** Extra words for the result message (what exactly failed). */
  detail?: string;
  /**
   * A method with its own convergence tests (the least-squares methods' scaled ftol/xtol/gtol)
   * ends the run with this status and message once the row of this step is recorded.
   */
  converged?: { status: 'gtol' | 'ftol' | 'xtol' | 'noProgress'; message: string };
}

/** A method: a name, how to start, and how to take one step. */
export interface Method<S extends SolverState = SolverState> {
  readonly name: string;
  /** Builds the state at x0 (f and g evaluated). `x0` is the method's to keep. */
  init(obj: Objective, x0: Float64Array): S;
  step(state: S, obj: Objective): StepReport;
}

/**
 * What the callback sees: each history row as it is recorded — row 0 (the start point, before
 * any step) and one after every iteration. x and g are copies of the solver's: changing them cannot
 * corrupt the iterate.
 */
export interface CallbackState extends HistoryEntry {
  x: Float64Array;
  g: Float64Array;
}

export interface LoopOptions {
  gtol: number;
  ftol: number;
  xtol: number;
  maxIter: number;
  /** Stop once max(nfev, ngev) ≥ maxEval. */
  maxEval: number;
  /** Milliseconds. */
  timeLimit: number;
  /** ‖x‖∞ above which the iterates are declared diverging. */
  xmax: number;
  /** Called with every history row, row 0 included; return true to stop ('callbackStop'). */
  callback?: (state: CallbackState) => boolean | void;
  /** Words used in messages for the gradient measure ("‖∇f‖∞" or "projected gradient ‖·‖∞"). */
  gradientName?: string;
}

export interface SolverResult {
  /** Final iterate, flat (row-major for matrix-shaped variables). Always finite. */
  x: Float64Array;
  fun: number;
  grad: Float64Array;
  nit: number;
  nfev: number;
  ngev: number;
  nhvp: number;
  nhev: number;
  status: SolverStatus;
  success: boolean;
  message: string;
  history: HistoryEntry[];
  method: string;
}

function fmt(v: number): string {
  return Number.isFinite(v) ? v.toExponential(2) : String(v);
}

/** Runs `method` from x0 until a stopping test fires. Never throws for numerical trouble. */
export function runSolver<S extends SolverState>(
  method: Method<S>,
  obj: Objective,
  x0: Float64Array,
  opts: LoopOptions,
): SolverResult {
  const t0 = performance.now();
  const history: HistoryEntry[] = [];
  const gname = opts.gradientName ?? '‖∇f‖∞';
  obj.deadline = t0 + opts.timeLimit;
  const state = method.init(obj, x0);
  let nit = 0;

  const record = (step: number): HistoryEntry => {
    const e: HistoryEntry = {
      iter: nit,
      f: state.f,
      gnorm: state.gnorm,
      step,
      radius: state.radius,
      nfev: obj.nfev,
      ngev: obj.ngev,
      nhvp: obj.nhvp,
      nhev: obj.nhev,
      timeMs: performance.now() - t0,
    };
    history.push(e);
    return e;
  };
  const finish = (status: SolverStatus, message: string): SolverResult => ({
    x: Float64Array.from(state.x),
    fun: state.f,
    grad: Float64Array.from(state.g),
    nit,
    nfev: obj.nfev,
    ngev: obj.ngev,
    nhvp: obj.nhvp,
    nhev: obj.nhev,
    status,
    success: SUCCESS_STATUSES.has(status),
    message,
    history,
    method: method.name,
  });

  // Row 0 is the start point; the callback sees it like every later row, before any test.
  const notify = (e: HistoryEntry): boolean => opts.callback?.({ ...e, x: state.x.slice(), g: state.g.slice() }) === true;
  if (notify(record(0))) return finish('callbackStop', 'stopped by the callback at the start point (iteration 0)');
  if (!Number.isFinite(state.f) || !allFinite(state.g))
    return finish(
      'nonFinite',
      `objective is not finite at the starting point (f = ${state.f}${allFinite(state.g) ? '' : ', gradient has NaN/Infinity entries'}); returning x0`,
    );
  if (state.gnorm <= opts.gtol)
    return finish('gtol', `converged at the starting point: ${gname} = ${fmt(state.gnorm)} ≤ gtol = ${fmt(opts.gtol)}`);

  while (nit < opts.maxIter) {
    const fPrev = state.f;
    let rep: StepReport;
    try {
      rep = method.step(state, obj);
    } catch (e) {
      // thrown between the steps of an iteration, before it changed the iterate
      if (e instanceof TimeLimitReached) return finish('timeLimit', `stopped: time limit of ${opts.timeLimit} ms reached during iteration ${nit + 1}`);
      throw e;
    }
    const detail = rep.detail ? ` (${rep.detail})` : '';
    switch (rep.status) {
      case 'lineSearchFailed':
        return finish(
          'lineSearchFailed',
          `line search failed: no acceptable step along the search direction${detail}; f may be at the limit of floating-point precision, or the gradient may be wrong`,
        );
      case 'nonFinite':
        return finish('nonFinite', `non-finite values (NaN/Infinity) could not be avoided${detail}; returning the last finite iterate`);
      case 'noProgress':
        return finish('noProgress', `no further progress possible${detail}; f may be at the limit of floating-point precision`);
      default:
        break;
    }
    nit++;
    if (notify(record(rep.step))) return finish('callbackStop', `stopped by the callback after iteration ${nit}`);
    if (rep.converged) return finish(rep.converged.status, rep.converged.message);
    if (state.gnorm <= opts.gtol)
      return finish('gtol', `converged: ${gname} = ${fmt(state.gnorm)} ≤ gtol = ${fmt(opts.gtol)}`);
    const xinf = normInf(state.x);
    if (xinf > opts.xmax)
      return finish(
        'diverging',
        `iterates diverge: ‖x‖∞ = ${fmt(xinf)} > xmax = ${fmt(opts.xmax)}; the objective is probably unbounded below`,
      );
    if (rep.status === 'accepted') {
      const df = fPrev - state.f;
      if (opts.ftol > 0 && df <= opts.ftol * Math.max(Math.abs(fPrev), Math.abs(state.f), 1))
        return finish('ftol', `converged: relative reduction of f = ${fmt(df / Math.max(Math.abs(fPrev), Math.abs(state.f), 1))} ≤ ftol = ${fmt(opts.ftol)}`);
      let xn = 0;
      if (opts.xtol > 0) for (let i = 0; i < state.x.length; i++) xn += state.x[i]! * state.x[i]!;
      if (opts.xtol > 0 && rep.step <= opts.xtol * (1 + Math.sqrt(xn)))
        return finish('xtol', `converged: step ${fmt(rep.step)} ≤ xtol·(1 + ‖x‖₂) with xtol = ${fmt(opts.xtol)}`);
    }
    if (Math.max(obj.nfev, obj.ngev) >= opts.maxEval)
      return finish('maxEval', `stopped: evaluation limit reached (nfev = ${obj.nfev}, ngev = ${obj.ngev}, maxEval = ${opts.maxEval})`);
    if (performance.now() - t0 >= opts.timeLimit)
      return finish('timeLimit', `stopped: time limit of ${opts.timeLimit} ms reached`);
  }
  return finish('maxIter', `stopped: maximum number of iterations (${opts.maxIter}) reached; ${gname} = ${fmt(state.gnorm)}`);
}

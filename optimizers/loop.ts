/**
 * The one outer loop shared by every method (Optim.jl style): a method is an `init` and a
 * `step` over its own state; this file owns iteration, the stopping tests, the history, the
 * callback, and the translation of outcomes into a result with a status and a message.
 */
import type { HistoryEntry } from './types.js';
import { type Objective, RunAborted, TimeLimitReached } from './objective.js';
import type { Box } from './bounds.js';
import { roundingLevel, stationaryToPrecision, ZERO_GRADIENT } from './precision.js';
import { allFinite, normInf } from './vec.js';

/** Why a run ended. The first four are convergence (success); the rest are not. */
export type SolverStatus =
  | 'gtol' // ‖∇f‖∞ (or projected gradient) ≤ gtol
  | 'ftol' // relative reduction of f ≤ ftol
  | 'xtol' // step ≤ xtol·(1 + ‖x‖₂)
  | 'precision' // no further progress possible, and the gradient is at its rounding level (precision.ts)
  | 'maxIter'
  | 'maxEval'
  | 'timeLimit'
  | 'lineSearchFailed' // no acceptable step along a descent direction
  | 'nonFinite' // f or ∇f NaN/±Infinity where it could not be avoided
  | 'diverging' // ‖x‖∞ beyond xmax: the objective is probably unbounded below
  | 'noProgress' // no further progress possible, at a point whose gradient is not rounding
  | 'callbackStop'
  | 'aborted' // the signal was aborted
  | 'converged' // a method's own convergence test (the interior-point method: KKT conditions and feasibility)
  | 'locallyInfeasible'; // the constraint violation is at a local minimum above the tolerance

export const SUCCESS_STATUSES: ReadonlySet<SolverStatus> = new Set<SolverStatus>(['gtol', 'ftol', 'xtol', 'precision', 'converged']);

/**
 * What a run leaves for a warm start (`SolverResult.state`): the method's memory — L-BFGS
 * pairs, the BFGS matrix, the trust radius — copied, so later runs do not change it.
 */
export interface WarmState {
  /** The method that saved it; only that method can continue from it. */
  readonly method: string;
  /** Number of variables. */
  readonly n: number;
  /** Method-specific contents (read only by the method's `init`). */
  readonly data: unknown;
}

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

/**
 * Outcome of one step. On failure the method must leave x, f, g at the previous iterate.
 * 'noProgress' means the method can do nothing more from x (its step no longer changes x, its
 * model's decrease is below the rounding level of f, its trust region collapsed); the loop
 * then decides between 'precision' and 'noProgress' (precision.ts), as for a failed line search.
 */
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
  /**
   * Builds the state at x0 (f and g evaluated). `x0` is the method's to keep. `warm` is what
   * {@link save} returned at the end of an earlier run of this method with the same n.
   */
  init(obj: Objective, x0: Float64Array, warm?: unknown): S;
  step(state: S, obj: Objective): StepReport;
  /**
   * A convergence test of the method's own (constrained methods): asked after row 0 and
   * after every iteration; a verdict ends the run with its status. A method that has one is
   * not stopped by the loop's gtol, ftol and xtol tests.
   */
  verdict?(state: S): { status: SolverStatus; message: string } | null;
  /** Fields the method adds to each history row (constraint violation, barrier parameter, step sizes). */
  historyFields?(state: S): Partial<HistoryEntry>;
  /** Fields the method adds to the result (constraint values, multipliers, KKT residuals). */
  resultFields?(state: S): ConstraintResult;
  /** A copy of what a later run needs to continue where this one ends (for warm starts). */
  save?(state: S): unknown;
}

/** What a constrained run adds to its result (all unscaled, at the returned x). */
export interface ConstraintResult {
  /** c(x): every constraint function's values, flattened and concatenated in order. */
  constraints: Float64Array;
  /**
   * Lagrange multipliers with ∇f + Jᵀ·λ − lower + upper = 0 at a KKT point: λᵢ ≥ 0 when
   * cᵢ is at its upper bound, ≤ 0 at its lower bound (either sign for an equality); the
   * bound multipliers are ≥ 0 (0 where x has no bound).
   */
  multipliers: { constraints: Float64Array; lower: Float64Array; upper: Float64Array };
  /** ∞-norms of the KKT residuals: ‖∇f + Jᵀλ − lower + upper‖, the largest constraint violation, the largest |multiplier × slack|. */
  kkt: { stationarity: number; feasibility: number; complementarity: number };
  /** Constraint evaluations (values alone, and with the Jacobian). */
  ncev: number;
  njev: number;
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
  /** The box of a bound-constrained run (the precision test then measures the projected gradient). */
  box?: Box | null;
  /** Checked between iterations and at every oracle call: once aborted, the run ends with status 'aborted'. */
  signal?: { readonly aborted: boolean; readonly reason?: unknown } | null;
  /** The state saved by an earlier run of the same method (`SolverResult.state`). */
  warm?: WarmState | null;
}

export interface SolverResult extends Partial<ConstraintResult> {
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
  /** For a warm start: pass it back (`LoopOptions.warm`) to continue with this run's memory. Absent for methods that keep none beyond x. */
  state?: WarmState;
}

function fmt(v: number): string {
  return Number.isFinite(v) ? v.toExponential(2) : String(v);
}

/** Consecutive iterations that change f only at its rounding level, without a new best gradient, before the precision test. */
const STALL_ITERATIONS = 5;

/** The reason an aborted signal gives, in a few words. */
function abortReason(signal: LoopOptions['signal']): string {
  const r = signal?.reason;
  if (r === undefined || r === null) return '';
  const text = r instanceof Error ? r.message : String(r);
  return text ? ` (${text.length > 80 ? `${text.slice(0, 77)}…` : text})` : '';
}

/**
 * The loop as a generator that yields after every iteration, so that a driver may pause it
 * (the async driver lets the event loop run: timers, UI events, an AbortSignal).
 * Returns the result; never throws for numerical trouble.
 */
export function* solverIterations<S extends SolverState>(
  method: Method<S>,
  obj: Objective,
  x0: Float64Array,
  opts: LoopOptions,
): Generator<void, SolverResult, void> {
  const t0 = performance.now();
  const history: HistoryEntry[] = [];
  const gname = opts.gradientName ?? '‖∇f‖∞';
  obj.deadline = t0 + opts.timeLimit;
  const warm = opts.warm && opts.warm.method === method.name && opts.warm.n === obj.n ? opts.warm.data : undefined;
  const state = method.init(obj, x0, warm);
  let nit = 0;
  // From here on an aborted signal stops every oracle call (the start point is always evaluated).
  const signal = opts.signal ?? null;
  obj.signal = signal;

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
      ...method.historyFields?.(state),
    };
    history.push(e);
    return e;
  };
  const finish = (status: SolverStatus, message: string): SolverResult => {
    obj.signal = null;
    const saved = method.save?.(state);
    return {
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
      ...method.resultFields?.(state),
      ...(saved === undefined ? {} : { state: { method: method.name, n: obj.n, data: saved } }),
    };
  };
  const aborted = (): SolverResult =>
    finish(
      'aborted',
      `aborted${abortReason(signal)} ${nit === 0 ? 'before the first iteration' : `after iteration ${nit}`}; returning the last accepted iterate: f = ${fmt(state.f)}, ${gname} = ${fmt(state.gnorm)}`,
    );
  /**
   * The run can make no further progress (`why`): 'precision' if the gradient is at its
   * rounding level, else `otherwise` with `message` and the gradient's standing.
   */
  const atLimit = (why: string, otherwise: SolverStatus | null, message: string): SolverResult | null => {
    // a method with its own convergence test (constraints): a small ∇f proves nothing there
    if (method.verdict !== undefined) return otherwise === null ? null : finish(otherwise, message);
    const check = stationaryToPrecision(obj, state.x, state.g, opts.gtol, opts.box ?? null, g0);
    if (check.stationary)
      return finish(
        'precision',
        `converged to the limit of double precision: ${gname} = ${fmt(state.gnorm)} is at the gradient's rounding level (it changes by up to ${fmt(check.noise)} when x moves by a few units in the last place) and ${why}; the point is as good as double precision allows${state.gnorm > opts.gtol ? ` (gtol = ${fmt(opts.gtol)} is below that level)` : ''}`,
      );
    if (otherwise === null) return null;
    const w = check.worst;
    const standing = Number.isFinite(w.ratio)
      ? `${gname} = ${fmt(state.gnorm)}, component ${w.index} at ${fmt(w.ratio)} times its rounding level ${fmt(check.noise)}: this is not a stationary point`
      : `${gname} = ${fmt(state.gnorm)} (its rounding level could not be measured)`;
    return finish(otherwise, `${message}; ${standing}`);
  };

  // Row 0 is the start point; the callback sees it like every later row, before any test.
  const notify = (e: HistoryEntry): boolean => opts.callback?.({ ...e, x: state.x.slice(), g: state.g.slice() }) === true;
  if (notify(record(0))) return finish('callbackStop', 'stopped by the callback at the start point (iteration 0)');
  if (!Number.isFinite(state.f) || !allFinite(state.g))
    return finish(
      'nonFinite',
      `objective is not finite at the starting point (f = ${state.f}${allFinite(state.g) ? '' : ', gradient has NaN/Infinity entries'}); returning x0`,
    );
  const own = method.verdict !== undefined;
  const v0 = method.verdict?.(state);
  if (v0) return finish(v0.status, v0.message);
  if (!own && state.gnorm <= opts.gtol)
    return finish('gtol', `converged at the starting point: ${gname} = ${fmt(state.gnorm)} ≤ gtol = ${fmt(opts.gtol)}`);

  const g0 = state.gnorm;
  let bestG = state.gnorm;
  let bestF = state.f;
  let stalled = 0;
  let stallLimit = STALL_ITERATIONS;
  // The iterate with the smallest gradient since the last progress: a method cycling at the
  // precision floor (BFGS on Gauss2 alternates between two points a few ulps apart) may sit on
  // the worse point of its cycle every time the stall test runs.
  const calmX = new Float64Array(obj.n);
  const calmG = new Float64Array(obj.n);
  let calmF = NaN;
  let calmGnorm = Infinity;
  try {
    while (nit < opts.maxIter) {
      if (signal?.aborted) return aborted();
      const fPrev = state.f;
      const rep = method.step(state, obj);
      const detail = rep.detail ? ` (${rep.detail})` : '';
      switch (rep.status) {
        case 'lineSearchFailed':
          return atLimit(
            `the line search finds no decrease of f${detail}`,
            'lineSearchFailed',
            `line search failed: no acceptable step along the search direction${detail}; f may be at the limit of floating-point precision, or the gradient may be wrong`,
          )!;
        case 'nonFinite':
          return finish('nonFinite', `non-finite values (NaN/Infinity) could not be avoided${detail}; returning the last finite iterate`);
        case 'noProgress':
          return atLimit(
            `no further progress is possible${detail}`,
            'noProgress',
            `no further progress possible${detail}: f cannot resolve the remaining decrease (f may be large beside its changes, the objective non-smooth, or the gradient wrong)`,
          )!;
        default:
          break;
      }
      nit++;
      if (notify(record(rep.step))) return finish('callbackStop', `stopped by the callback after iteration ${nit}`);
      if (rep.converged) return finish(rep.converged.status, rep.converged.message);
      const v = method.verdict?.(state);
      if (v) return finish(v.status, v.message);
      if (!own && state.gnorm <= opts.gtol)
        return finish('gtol', `converged: ${gname} = ${fmt(state.gnorm)} ≤ gtol = ${fmt(opts.gtol)}`);
      if (!own && state.gnorm <= ZERO_GRADIENT * g0)
        return finish(
          'precision',
          `converged to the limit of double precision: ${gname} = ${fmt(state.gnorm)} is ${fmt(g0 / state.gnorm)} times smaller than at the start (below ε² of it: zero for every practical purpose)`,
        );
      const xinf = normInf(state.x);
      if (xinf > opts.xmax)
        return finish(
          'diverging',
          `iterates diverge: ‖x‖∞ = ${fmt(xinf)} > xmax = ${fmt(opts.xmax)}; the objective is probably unbounded below`,
        );
      if (rep.status === 'accepted' && !own) {
        const df = fPrev - state.f;
        if (opts.ftol > 0 && df <= opts.ftol * Math.max(Math.abs(fPrev), Math.abs(state.f), 1))
          return finish('ftol', `converged: relative reduction of f = ${fmt(df / Math.max(Math.abs(fPrev), Math.abs(state.f), 1))} ≤ ftol = ${fmt(opts.ftol)}`);
        let xn = 0;
        if (opts.xtol > 0) for (let i = 0; i < state.x.length; i++) xn += state.x[i]! * state.x[i]!;
        if (opts.xtol > 0 && rep.step <= opts.xtol * (1 + Math.sqrt(xn)))
          return finish('xtol', `converged: step ${fmt(rep.step)} ≤ xtol·(1 + ‖x‖₂) with xtol = ${fmt(opts.xtol)}`);
        // Iterations that neither lower the best f beyond its rounding level nor halve the best
        // gradient: a method cycling (or creeping) at the precision floor. Test, and stop there
        // if it is one; if not, test again after twice as many.
        if (state.gnorm < 0.5 * bestG || state.f < bestF - roundingLevel(bestF)) {
          stalled = 0;
          calmGnorm = Infinity;
        } else {
          if (state.gnorm < calmGnorm) {
            calmX.set(state.x);
            calmG.set(state.g);
            calmF = state.f;
            calmGnorm = state.gnorm;
          }
          if (++stalled >= stallLimit) {
            const why = `${stalled} iterations lowered neither f beyond its rounding level nor the gradient`;
            if (calmGnorm < state.gnorm && stationaryToPrecision(obj, calmX, calmG, opts.gtol, opts.box ?? null, g0).stationary) {
              state.x.set(calmX);
              state.g.set(calmG);
              state.f = calmF;
              state.gnorm = calmGnorm;
            }
            const stop = atLimit(why, null, '');
            if (stop) return stop;
            stalled = 0;
            stallLimit *= 2;
          }
        }
        bestG = Math.min(bestG, state.gnorm);
        bestF = Math.min(bestF, state.f);
      }
      if (Math.max(obj.nfev, obj.ngev) >= opts.maxEval)
        return finish('maxEval', `stopped: evaluation limit reached (nfev = ${obj.nfev}, ngev = ${obj.ngev}, maxEval = ${opts.maxEval})`);
      if (performance.now() - t0 >= opts.timeLimit)
        return finish('timeLimit', `stopped: time limit of ${opts.timeLimit} ms reached`);
      yield;
    }
  } catch (e) {
    if (e instanceof RunAborted) return aborted();
    // thrown between the evaluations of an iteration, before it changed the iterate
    if (e instanceof TimeLimitReached) return finish('timeLimit', `stopped: time limit of ${opts.timeLimit} ms reached during iteration ${nit + 1}`);
    obj.signal = null;
    throw e;
  }
  return finish('maxIter', `stopped: maximum number of iterations (${opts.maxIter}) reached; ${gname} = ${fmt(state.gnorm)}`);
}

/** Runs `method` from x0 until a stopping test fires. Never throws for numerical trouble. */
export function runSolver<S extends SolverState>(method: Method<S>, obj: Objective, x0: Float64Array, opts: LoopOptions): SolverResult {
  const it = solverIterations(method, obj, x0, opts);
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
  }
}

/**
 * {@link runSolver} that lets the event loop run between iterations (at most every
 * `yieldMs` milliseconds), so that timers, I/O and an AbortSignal fired from them are served
 * during a long run.
 */
export async function runSolverAsync<S extends SolverState>(
  method: Method<S>,
  obj: Objective,
  x0: Float64Array,
  opts: LoopOptions,
  yieldMs = 10,
): Promise<SolverResult> {
  const it = solverIterations(method, obj, x0, opts);
  let last = performance.now();
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
    if (performance.now() - last >= yieldMs) {
      await new Promise<void>((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));
      last = performance.now();
    }
  }
}

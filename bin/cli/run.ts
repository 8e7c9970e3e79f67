/**
 * Running one method on a loaded problem, as `solve` and `compare` do: the option checks
 * that need the problem (bounds vs method), the start-point check and the solver call
 * (minimize itself turns a value-dependent engine error at a trial point — a singular
 * matrix, say — into a rejected step instead of an exception).
 */
import { type FlatObjective, tensor } from '../../src/index.js';
import { elementName } from '../../src/problem/index.js';
import { ProblemError } from '../../src/problem/source.js';
import type { Problem } from '../../src/problem/types.js';
import {
  type HistoryEntry,
  type LeastSquaresMethodName,
  type LeastSquaresResult,
  type MethodName,
  type MinimizeResult,
  DENSE_MAX_N,
  LEAST_SQUARES_METHOD_NAMES,
  baseMethod,
  boundMethodsText,
  checkDenseSize,
  clipToBox,
  constraintMethodsText,
  defaultGtol,
  honoursBounds,
  isDense,
  leastSquares,
  leastSquaresAsync,
  minimize,
  minimizeAsync,
  takesConstraints,
} from '../../optimizers/index.js';
import { UsageError, finiteAt, flatObjective } from './common.js';

/** Solver settings from the command line (and the problem's own defaults). */
export interface RunSettings {
  /** Undefined: the method's default (optimizers' `defaultGtol`; lm, trf and ipm have their own). */
  gtol?: number;
  maxIter: number;
  ftol?: number;
  xtol?: number;
  maxEval?: number;
  /** Milliseconds. */
  timeLimit?: number;
}

/** The gtol a run uses, in words for the log: the given one, or the method's default. */
export function gtolText(method: MethodName, settings: RunSettings): string {
  if (settings.gtol !== undefined) return settings.gtol.toExponential();
  if (method === 'auto') return "the chosen method's default";
  return `${defaultGtol(baseMethod(method)).toExponential()} (default)`;
}

/** Throws (exit 2) when `method` cannot honour the problem's bounds. */
export function checkBoundsSupport(problem: Problem, method: MethodName, where: string): void {
  if (problem.bounds && !honoursBounds(method)) {
    throw new UsageError(
      `${where}: method "${method}" cannot honour the bounds of ${problem.file}; use ${boundMethodsText('', problem.residuals ? ['least-squares', 'scalar', 'constrained'] : ['scalar', 'constrained'])} or auto`,
    );
  }
}

/**
 * The one-line warning for a dense-Hessian method asked for by name on more than DENSE_MAX_N
 * unknowns (auto never picks one there): each iteration factorizes an n×n matrix, O(n³).
 */
export function denseWarning(problem: Problem, method: MethodName): string | undefined {
  if (method === 'auto' || isLeastSquaresRun(problem, method) || !isDense(baseMethod(method)) || problem.n <= DENSE_MAX_N) return undefined;
  return `tayopt: warning: ${method} factorizes the dense ${problem.n}×${problem.n} Hessian every iteration (O(n³) work); above ${DENSE_MAX_N} unknowns a Hessian-free method such as trust-ncg or newton-cg is usually far faster`;
}

/** Throws (exit 2) when `method` cannot take the problem's general constraints. */
export function checkConstraintSupport(problem: Problem, method: MethodName, where: string): void {
  if (problem.constraints?.length && !takesConstraints(method)) {
    throw new UsageError(`${where}: method "${method}" cannot take the constraints of ${problem.file}; use ${constraintMethodsText()} or auto`);
  }
}

/**
 * Throws (exit 2) when --ftol or --xtol is given for a run of the interior-point method, which
 * stops on its KKT test only — before anything is printed, so the error is the only line.
 */
export function checkToleranceFlags(problem: Problem, method: MethodName, settings: RunSettings, where: string): void {
  const ipm = method === 'ipm' || (method === 'auto' && isConstrained(problem));
  if (!ipm) return;
  for (const [k, flag] of [['ftol', '--ftol'], ['xtol', '--xtol']] as const)
    if (settings[k] !== undefined) throw new UsageError(`${flag} does not apply to ipm${where === '--methods' ? ' (in --methods)' : method === 'auto' ? ` (what auto runs on the constraints of ${problem.file})` : ''}: it stops on its KKT test, whose tolerance is --gtol`);
}

/** Whether the problem has general constraints. */
export function isConstrained(problem: Problem): boolean {
  return (problem.constraints?.length ?? 0) > 0;
}

/** Whether `method` runs as least squares on this problem: lm/trf, or auto on a problem with residuals and no constraints. */
export function isLeastSquaresRun(problem: Problem, method: MethodName): boolean {
  return (LEAST_SQUARES_METHOD_NAMES as readonly string[]).includes(method) || (method === 'auto' && problem.residuals !== undefined && !isConstrained(problem));
}

/** Throws (exit 2) when `method` is a dense-Hessian method whose matrices exceed the size limit at this n. */
export function checkMethodSize(problem: Problem, method: MethodName): void {
  if (method !== 'auto' && !isLeastSquaresRun(problem, method)) checkDenseSize(baseMethod(method), problem.n);
}

/** Throws (exit 2) when a least-squares method is asked for a problem without residuals. */
export function checkProblemKind(problem: Problem, method: MethodName, where: string): void {
  if (isLeastSquaresRun(problem, method) && !problem.residuals)
    throw new UsageError(`${where}: method "${method}" solves least-squares problems, and ${problem.file} gives an objective, not residuals; use a minimize method`);
}

/**
 * The point a run starts from (x0, moved into the bounds as the solver will) and the checked
 * objective there: exit 2 if f or ∇f is not finite at it.
 */
export function prepare(problem: Problem): { obj: FlatObjective; x0: Float64Array } {
  const obj = flatObjective(problem);
  const x0 = problem.bounds ? clipToBox(problem.x0.slice(), problem.bounds) : problem.x0.slice();
  const label = problem.bounds && x0.some((v, i) => v !== problem.x0[i]) ? 'the start point (moved into the bounds)' : 'the start point';
  finiteAt(problem, obj, x0, label, (i) => elementName(problem.variables, i));
  for (const c of problem.constraints ?? []) {
    const v = c.fun(tensor(x0)).toFloat64Array();
    const bad = v.findIndex((u) => !Number.isFinite(u));
    if (bad >= 0) throw new ProblemError(`${c.where}: not finite at ${label} (${v.length === 1 ? 'its value' : `element ${bad + 1}`} is ${v[bad]})`);
  }
  return { obj, x0 };
}

/** The options every run gets from the settings (and the problem's bounds). */
function runOptions(problem: Problem, settings: RunSettings, onRow?: (e: HistoryEntry) => void) {
  const callback = onRow ? ({ x: _x, g: _g, ...row }: { x: Float64Array; g: Float64Array } & HistoryEntry) => onRow(row) : undefined;
  return {
    ...(settings.gtol !== undefined ? { gtol: settings.gtol } : {}),
    maxIter: settings.maxIter,
    ...(settings.ftol !== undefined ? { ftol: settings.ftol } : {}),
    ...(settings.xtol !== undefined ? { xtol: settings.xtol } : {}),
    ...(settings.maxEval !== undefined ? { maxEval: settings.maxEval } : {}),
    ...(settings.timeLimit !== undefined ? { timeLimit: settings.timeLimit } : {}),
    ...(problem.bounds ? { bounds: { lower: problem.bounds.lower, upper: problem.bounds.upper } } : {}),
    callback,
  };
}

/**
 * Runs `method` on `problem` from the prepared start. `onRow` receives every history row as
 * the solver records it (row 0 = the start point). Numerical trouble ends the run with a
 * status; only invalid settings throw.
 */
export function runMethod(
  problem: Problem,
  prepared: { obj: FlatObjective; x0: Float64Array },
  method: MethodName,
  settings: RunSettings,
  onRow?: (e: HistoryEntry) => void,
): MinimizeResult | LeastSquaresResult {
  const options = runOptions(problem, settings, onRow);
  if (isLeastSquaresRun(problem, method)) return leastSquares(problem.residuals!, prepared.x0, { method: method as LeastSquaresMethodName | 'auto', ...options });
  return minimize(...minimizeArgs(problem, prepared), { method, ...options, ...constraintsOf(problem) });
}

/** What minimize() is given: with constraints the objective joins them in one Lagrangian program, so the tayopt function itself. */
function minimizeArgs(problem: Problem, prepared: { obj: FlatObjective; x0: Float64Array }): [FlatObjective | Problem['f'], Float64Array] {
  return [isConstrained(problem) ? problem.f : prepared.obj, prepared.x0];
}

function constraintsOf(problem: Problem): { constraints?: { fun: Problem['f']; lower: Float64Array; upper: Float64Array; name?: string }[] } {
  if (!isConstrained(problem)) return {};
  return { constraints: problem.constraints!.map((c) => ({ fun: c.fun, lower: c.lower, upper: c.upper, name: c.name })) };
}

/**
 * {@link runMethod} that yields to the event loop between iterations, so that aborting
 * `signal` (the CLI's Ctrl-C) ends the run with status 'aborted' at the best point so far
 * (for a least-squares run, with the fit statistics there).
 */
export async function runMethodAsync(
  problem: Problem,
  prepared: { obj: FlatObjective; x0: Float64Array },
  method: MethodName,
  settings: RunSettings,
  onRow: ((e: HistoryEntry) => void) | undefined,
  signal: AbortSignal,
): Promise<MinimizeResult | LeastSquaresResult> {
  if (isLeastSquaresRun(problem, method))
    return leastSquaresAsync(problem.residuals!, prepared.x0, { method: method as LeastSquaresMethodName | 'auto', ...runOptions(problem, settings, onRow), signal });
  return minimizeAsync(...minimizeArgs(problem, prepared), { method, ...runOptions(problem, settings, onRow), ...constraintsOf(problem), signal });
}

/**
 * Running one method on a loaded problem, as `solve` and `compare` do: the option checks
 * that need the problem (bounds vs method), the start-point check and the solver call
 * (minimize itself turns a value-dependent engine error at a trial point — a singular
 * matrix, say — into a rejected step instead of an exception).
 */
import type { FlatObjective } from '../../src/index.js';
import { elementName } from '../../src/problem/index.js';
import type { Problem } from '../../src/problem/types.js';
import { type HistoryEntry, type MethodName, type MinimizeResult, minimize } from '../../optimizers/index.js';
import { projectedGradientNorm } from '../../optimizers/methods/lbfgsb.js';
import { BOUND_METHODS, UsageError, feasibleStart, finiteAt, flatObjective, normInf } from './common.js';

/** Solver settings from the command line (and the problem's own defaults). */
export interface RunSettings {
  gtol: number;
  maxIter: number;
  ftol?: number;
  xtol?: number;
  maxEval?: number;
  /** Milliseconds. */
  timeLimit?: number;
}

/** Throws (exit 2) when `method` cannot honour the problem's bounds. */
export function checkBoundsSupport(problem: Problem, method: MethodName, where: string): void {
  if (problem.bounds && !BOUND_METHODS.has(method)) {
    throw new UsageError(`${where}: method "${method}" cannot honour the bounds of ${problem.file}; use lbfgs (L-BFGS-B) or auto`);
  }
}

/** The point a run starts from and the checked objective there (exit 2 if not finite). */
export function prepare(problem: Problem): { obj: FlatObjective; x0: Float64Array; f0: number; g0: Float64Array } {
  const obj = flatObjective(problem);
  const x0 = feasibleStart(problem);
  const label = problem.bounds && x0.some((v, i) => v !== problem.x0[i]) ? 'the start point (moved into the bounds)' : 'the start point';
  const { f, g } = finiteAt(problem, obj, x0, label, (i) => elementName(problem.variables, i));
  return { obj, x0, f0: f, g0: g };
}

/** The gradient measure the solver reports: ‖g‖∞, or the projected one under bounds. */
export function gradientMeasure(problem: Problem, x: Float64Array, g: Float64Array): number {
  return problem.bounds ? projectedGradientNorm(x, g, problem.bounds.lower, problem.bounds.upper) : normInf(g);
}

/** Wraps the objective so that `onStart` sees the first gradient evaluation (the solver's start). */
function withStart(obj: FlatObjective, onStart: (x: Float64Array, f: number, g: Float64Array, nfev: number, nhvp: number, nhev: number) => void) {
  let started = false;
  let values = 0;
  let hvps = 0;
  let hessians = 0;
  return {
    n: obj.n,
    value(x: Float64Array): number {
      values++;
      return obj.value(x);
    },
    valueAndGrad(x: Float64Array, g: Float64Array): number {
      const f = obj.valueAndGrad(x, g);
      if (!started) {
        started = true;
        onStart(x, f, g, Math.max(1, values), hvps, hessians);
      }
      return f;
    },
    hvp(x: Float64Array, v: Float64Array, out: Float64Array): void {
      hvps++;
      obj.hvp(x, v, out);
    },
    hessian(x: Float64Array, out: Float64Array): void {
      hessians++;
      obj.hessian(x, out);
    },
  };
}

/**
 * Runs `method` on `problem` from the feasible start. `onRow` receives every history row as
 * it happens (row 0 when the solver evaluates its start point). Numerical trouble ends the
 * run with a status; only invalid settings throw.
 */
export function runMethod(
  problem: Problem,
  prepared: { obj: FlatObjective; x0: Float64Array },
  method: MethodName,
  settings: RunSettings,
  onRow?: (e: HistoryEntry) => void,
): MinimizeResult {
  const t0 = performance.now();
  const fns = withStart(prepared.obj, (x, f, g, nfev, nhvp, nhev) => {
    onRow?.({ iter: 0, f, gnorm: gradientMeasure(problem, x, g), step: 0, radius: null, nfev, ngev: 1, nhvp, nhev, timeMs: performance.now() - t0 });
  });
  const result = minimize(fns, prepared.x0, {
    method,
    gtol: settings.gtol,
    maxIter: settings.maxIter,
    ...(settings.ftol !== undefined ? { ftol: settings.ftol } : {}),
    ...(settings.xtol !== undefined ? { xtol: settings.xtol } : {}),
    ...(settings.maxEval !== undefined ? { maxEval: settings.maxEval } : {}),
    ...(settings.timeLimit !== undefined ? { timeLimit: settings.timeLimit } : {}),
    ...(problem.bounds ? { bounds: { lower: problem.bounds.lower, upper: problem.bounds.upper } } : {}),
    callback: onRow
      ? (s) => onRow({ iter: s.iter, f: s.f, gnorm: s.gnorm, step: s.step, radius: s.radius, nfev: s.nfev, ngev: s.ngev, nhvp: s.nhvp, nhev: s.nhev, timeMs: s.timeMs })
      : undefined,
  });
  return result;
}

/**
 * The part shared by every line-search method: a state carrying a search direction, and one
 * step "search along d, move, keep s = Δx and y = Δ∇f for quasi-Newton updates".
 */
import type { SolverState, StepReport } from '../loop.js';
import type { Objective } from '../objective.js';
import { Ray } from '../linesearch/ray.js';
import { isAcceptable, type LineSearch } from '../linesearch/types.js';
import { allFinite, dot, norm2, normInf, sameVector, sub } from '../vec.js';

export interface DescentState extends SolverState {
  /** Search direction of the current iteration. */
  d: Float64Array;
  /** Last accepted step s = x₊ − x and gradient change y = g₊ − g. */
  s: Float64Array;
  y: Float64Array;
  ray: Ray;
}

/** Evaluates f and ∇f at x0 and allocates the buffers of a line-search method. */
export function initDescentState(obj: Objective, x0: Float64Array): DescentState {
  const n = obj.n;
  const g = new Float64Array(n);
  const f = obj.valueAndGrad(x0, g);
  return {
    x: x0,
    f,
    g,
    gnorm: normInf(g),
    radius: null,
    d: new Float64Array(n),
    s: new Float64Array(n),
    y: new Float64Array(n),
    ray: new Ray(obj),
  };
}

/**
 * Searches along state.d from state.x starting with step alpha0 (never beyond alphaMax) and
 * moves to the accepted point. On failure the state is left unchanged. `gnormOf` measures
 * stationarity (‖g‖∞ by default; the projected gradient under bounds).
 */
export function lineSearchStep(
  state: DescentState,
  ls: LineSearch,
  alpha0: number,
  alphaMax = Infinity,
  gnormOf: (x: Float64Array, g: Float64Array) => number = (_x, g) => normInf(g),
): StepReport {
  const slope0 = dot(state.g, state.d);
  if (!(slope0 < 0)) {
    const why = Number.isFinite(slope0) ? 'the search direction is not a descent direction' : 'the search direction is not finite';
    return { status: 'lineSearchFailed', step: 0, detail: why };
  }
  const ray = state.ray;
  ray.reset(state.x, state.d);
  const res = ls.search(ray, state.f, slope0, alpha0, alphaMax);
  if (!isAcceptable(res.status)) {
    if (res.status === 'nonFinite') return { status: 'nonFinite', step: 0, detail: 'at every trial step along the search direction' };
    return { status: 'lineSearchFailed', step: 0, detail: `${ls.name}: ${res.status} after ${res.evals} evaluations` };
  }
  const f = ray.settle(res.alpha);
  if (!Number.isFinite(f) || !allFinite(ray.gt))
    return { status: 'nonFinite', step: 0, detail: 'in the gradient at the accepted step' };
  // A step that leaves x in place, or does not lower f (beyond the rounding level that the
  // approximate Wolfe conditions tolerate) without lowering the gradient, is no progress:
  // report it rather than iterate in place.
  const gnorm = gnormOf(ray.xt, ray.gt);
  const progress = f < state.f || (f <= state.f + 1e-12 * Math.abs(state.f) && gnorm < state.gnorm);
  if (!progress || sameVector(ray.xt, state.x)) return { status: 'lineSearchFailed', step: 0, detail: 'the accepted step does not decrease f' };
  sub(state.s, ray.xt, state.x);
  sub(state.y, ray.gt, state.g);
  state.x.set(ray.xt);
  state.g.set(ray.gt);
  state.f = f;
  state.gnorm = gnorm;
  return { status: 'accepted', step: norm2(state.s) };
}

/**
 * Newton's method with a line search. The direction solves (∇²f + τD)·d = −g, where τD ≥ 0 is
 * the diagonally scaled shift of the modified Cholesky factorization (linalg.ts): τ = 0
 * whenever the Hessian is safely positive definite, so the full Newton step and its quadratic
 * convergence are kept near a strict minimizer, while an indefinite or singular Hessian still
 * gives a descent direction. The unit step is tried first.
 */
import type { Method, StepReport } from '../loop.js';
import type { LineSearch } from '../linesearch/types.js';
import { moreThuente } from '../linesearch/morethuente.js';
import { modifiedCholesky, solveCholesky } from '../linalg.js';
import { type DescentState, initDescentState, lineSearchStep } from './descent.js';

export interface NewtonOptions {
  /** Line search (default Moré–Thuente, c1 = 1e-4, c2 = 0.9). */
  lineSearch?: LineSearch;
}

interface NewtonState extends DescentState {
  L: Float64Array;
  /** Shift τ of the last factorization (0 = exact Newton step). */
  shift: number;
  scratch: Float64Array;
}

export function newton(options: NewtonOptions = {}): Method<NewtonState> {
  const ls = options.lineSearch ?? moreThuente();
  return {
    name: 'newton',
    init(obj, x0) {
      return { ...initDescentState(obj, x0), L: new Float64Array(obj.n * obj.n), shift: 0, scratch: new Float64Array(obj.n) };
    },
    step(state, obj): StepReport {
      const n = state.x.length;
      const H = obj.hessian(state.x);
      const tau = modifiedCholesky(H, n, state.L, state.scratch, obj.checkTime);
      if (Number.isNaN(tau)) return { status: 'nonFinite', step: 0, detail: 'in the Hessian' };
      state.shift = tau;
      for (let i = 0; i < n; i++) state.d[i] = -state.g[i]!;
      solveCholesky(state.L, n, state.d, state.d);
      return lineSearchStep(state, ls, 1);
    },
  };
}

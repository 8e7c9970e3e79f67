/**
 * Line-search Newton-CG, Hessian-free (Nocedal & Wright, Algorithm 7.1): the direction is a
 * truncated conjugate-gradient solution of ∇²f·d = −g using only Hessian-vector products,
 * stopped at the forcing tolerance ‖r‖₂ ≤ η‖g‖₂ (subproblem/types.ts; superlinear
 * convergence), or on the first direction of non-positive curvature: then the CG iterate so far
 * is used, or, at the first CG step, the steepest-descent step scaled by |pᵀBp|. The CG loop
 * is subproblem/truncated-cg.ts, shared with Steihaug's trust-region CG.
 */
import type { Method, StepReport } from '../loop.js';
import type { LineSearch } from '../linesearch/types.js';
import { moreThuente } from '../linesearch/morethuente.js';
import { dot } from '../vec.js';
import { type CgWork, cgWork, truncatedCg } from '../subproblem/truncated-cg.js';
import { type DescentState, initDescentState, lineSearchStep } from './descent.js';

export interface NewtonCgOptions {
  /** Line search (default Moré–Thuente, c1 = 1e-4, c2 = 0.9). */
  lineSearch?: LineSearch;
  /** Maximum CG iterations per outer iteration (default 2n + 20). */
  maxCgIter?: number;
}

interface NewtonCgState extends DescentState {
  gnorm0: number;
  cg: CgWork;
  hvp: (v: Float64Array, out: Float64Array) => void;
}

export function newtonCg(options: NewtonCgOptions = {}): Method<NewtonCgState> {
  const ls = options.lineSearch ?? moreThuente();
  return {
    name: 'newton-cg',
    init(obj, x0, warm) {
      const base = initDescentState(obj, x0);
      // A warm start keeps the start gradient that scales the forcing term.
      const gnorm0 = (warm as { gnorm0?: number } | undefined)?.gnorm0 ?? Math.sqrt(dot(base.g, base.g));
      return { ...base, gnorm0, cg: cgWork(obj.n), hvp: (v, out) => obj.hvp(base.x, v, out) };
    },
    step(state): StepReport {
      const n = state.x.length;
      const { g, d } = state;
      const cg = truncatedCg(state.hvp, g, state.gnorm0, options.maxCgIter ?? 2 * n + 20, Infinity, d, state.cg);
      if (cg.iterations === 0) {
        if (cg.stop === 'nonFinite') return { status: 'nonFinite', step: 0, detail: 'in a Hessian-vector product' };
        if (cg.stop === 'negativeCurvature') {
          // No CG step taken: steepest descent, scaled by the curvature along it when negative.
          const scale = cg.curvature < 0 ? cg.rr / -cg.curvature : 1;
          for (let i = 0; i < n; i++) d[i] = -scale * g[i]!;
        }
      }
      return lineSearchStep(state, ls, 1);
    },
    save: (state) => ({ gnorm0: state.gnorm0 }),
  };
}

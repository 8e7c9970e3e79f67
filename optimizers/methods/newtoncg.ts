/**
 * Line-search Newton-CG, Hessian-free (Nocedal & Wright, Algorithm 7.1): the direction is a
 * truncated conjugate-gradient solution of ∇²f·d = −g using only Hessian-vector products,
 * stopped at the forcing tolerance ‖r‖₂ ≤ η‖g‖₂ (subproblem/types.ts; superlinear
 * convergence), or on the first direction of non-positive curvature: then the CG iterate so far
 * is used, or, at the first CG step, the steepest-descent step scaled by |pᵀBp|.
 */
import type { Method, StepReport } from '../loop.js';
import type { LineSearch } from '../linesearch/types.js';
import { moreThuente } from '../linesearch/morethuente.js';
import { axpy, dot } from '../vec.js';
import { forcingTolerance } from '../subproblem/types.js';
import { type DescentState, initDescentState, lineSearchStep } from './descent.js';

export interface NewtonCgOptions {
  /** Line search (default Moré–Thuente, c1 = 1e-4, c2 = 0.9). */
  lineSearch?: LineSearch;
  /** Maximum CG iterations per outer iteration (default 2n + 20). */
  maxCgIter?: number;
}

interface NewtonCgState extends DescentState {
  gnorm0: number;
  r: Float64Array;
  p: Float64Array;
  Bp: Float64Array;
}

export function newtonCg(options: NewtonCgOptions = {}): Method<NewtonCgState> {
  const ls = options.lineSearch ?? moreThuente();
  return {
    name: 'newton-cg',
    init(obj, x0) {
      const n = obj.n;
      const base = initDescentState(obj, x0);
      return { ...base, gnorm0: Math.sqrt(dot(base.g, base.g)), r: new Float64Array(n), p: new Float64Array(n), Bp: new Float64Array(n) };
    },
    step(state, obj): StepReport {
      const n = state.x.length;
      const { g, d, r, p, Bp } = state;
      const maxCg = options.maxCgIter ?? 2 * n + 20;
      d.fill(0);
      r.set(g);
      for (let i = 0; i < n; i++) p[i] = -g[i]!;
      let rr = dot(r, r);
      const gn = Math.sqrt(rr);
      const tol = forcingTolerance(gn, state.gnorm0);
      for (let j = 0; j < maxCg; j++) {
        obj.hvp(state.x, p, Bp);
        const curv = dot(p, Bp);
        if (!Number.isFinite(curv)) {
          if (j === 0) return { status: 'nonFinite', step: 0, detail: 'in a Hessian-vector product' };
          break;
        }
        if (curv <= 0) {
          if (j === 0) {
            const scale = curv < 0 ? rr / -curv : 1;
            for (let i = 0; i < n; i++) d[i] = -scale * g[i]!;
          }
          break;
        }
        const alpha = rr / curv;
        axpy(alpha, p, d);
        axpy(alpha, Bp, r);
        const rrNew = dot(r, r);
        if (Math.sqrt(rrNew) <= tol) break;
        const beta = rrNew / rr;
        rr = rrNew;
        for (let i = 0; i < n; i++) p[i] = -r[i]! + beta * p[i]!;
      }
      return lineSearchStep(state, ls, 1);
    },
  };
}

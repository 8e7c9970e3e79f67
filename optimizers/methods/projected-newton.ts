/**
 * The line-search methods under bounds l ≤ x ≤ u: the two-metric projected Newton method of
 * D. P. Bertsekas ("Projected Newton methods for optimization problems with simple
 * constraints", SIAM J. Control Optim. 20(2), 1982; C. T. Kelley, "Iterative Methods for
 * Optimization", SIAM 1999, §5.5), with the Newton-type direction on the free variables
 * supplied by each method: `newton` (modified Cholesky of the reduced Hessian), `newton-cg`
 * (truncated CG on reduced Hessian-vector products) and `bfgs` (projected-bfgs.ts).
 *
 * An iteration:
 * 1. The ε-active set, ε = min(10⁻³, ‖P(x − g) − x‖∞): the variables within ε of a bound that
 *    the gradient pushes into it. ε > 0 lets a whole group of nearly active variables reach
 *    their bounds in one step instead of one per iteration; ε → 0 as x converges, so that
 *    near a solution only the truly binding bounds stay fixed.
 * 2. The direction: on the free variables the method's Newton-type step d_F ≈ −B_FF⁻¹g_F, on
 *    the active ones the move to the bound (d_i = bound − x_i, a positive diagonal scaling of
 *    −g_i as the theory requires).
 * 3. A search along the projection arc x(α) = P(x + α·d) from α = 1, accepting
 *    f(x(α)) ≤ f(x) + σ·gᵀ(x(α) − x), σ = 10⁻⁴ (the Armijo condition on the step actually
 *    taken), backtracking by safeguarded quadratic interpolation in [0.1α, 0.5α]. The arc
 *    lets any number of variables meet their bounds in one step — the reason for projecting
 *    the path rather than stopping at the first bound as a capped ray would.
 *
 * Every trial point is projected onto the box, so every iterate is feasible; convergence is
 * measured by the projected gradient. Quadratic (newton) or superlinear (newton-cg, bfgs)
 * convergence is kept once the active set is identified, since the direction is then the
 * method's own step on the free variables. Under bounds these methods use this arc search
 * in place of the `lineSearch` option (a Wolfe search along a ray does not apply to a path
 * with kinks).
 */
import type { Method, SolverState, StepReport } from '../loop.js';
import type { Objective } from '../objective.js';
import { Ray } from '../linesearch/ray.js';
import { projectedGradientNorm } from '../bounds.js';
import { modifiedCholesky, solveCholesky } from '../linalg.js';
import { allFinite, dot, norm2, sub } from '../vec.js';
import { type CgWork, truncatedCg } from '../subproblem/truncated-cg.js';
import { FreeSet, forcingScale } from './face.js';

/** Largest ε of the ε-active set (units of x). */
const EPS_ACTIVE = 1e-3;
/** Sufficient-decrease constant of the arc search. */
const SIGMA = 1e-4;
/** Function values per arc search. */
const MAX_TRIALS = 40;

/** State shared by the projected methods; a method adds its own fields. */
export interface ProjectedState extends SolverState {
  lower: Float64Array;
  upper: Float64Array;
  free: FreeSet;
  /** Search direction in R^n. */
  d: Float64Array;
  /** Last accepted step and gradient change (for quasi-Newton updates). */
  s: Float64Array;
  y: Float64Array;
  /** Gradient on the free variables (first nf entries), and the reduced direction the method writes. */
  rg: Float64Array;
  rd: Float64Array;
  /** ‖P(x₀ − g₀) − x₀‖₂: the scale of forcing terms. */
  gnorm0: number;
  ray: Ray;
}

/** What a method supplies to {@link projectedNewton}. */
export interface FaceDirection<E> {
  /** Its own state, allocated once for n variables. */
  init(obj: Objective, n: number): E;
  /**
   * Writes the Newton-type direction on the free variables into st.rd[0..nf), from
   * st.rg = g on them (st.free lists them); returns a report only on failure.
   */
  direction(st: ProjectedState & E, obj: Objective): StepReport | null;
  /** The first trial step of the arc search (default 1). */
  firstStep?(st: ProjectedState & E): number;
  /** After an accepted step (st.s, st.y set). */
  accepted?(st: ProjectedState & E): void;
  /** After a failed search: reset what may have caused it; true to try the iteration again. */
  reset?(st: ProjectedState & E): boolean;
}

/** gᵀ(x(α) − x) for the trial point in ray.xt, or NaN when the trial point is x itself. */
function linearChange(st: ProjectedState): number {
  const { x, g, ray } = st;
  let lin = 0;
  let moved = false;
  for (let i = 0; i < x.length; i++) {
    const dx = ray.xt[i]! - x[i]!;
    lin += g[i]! * dx;
    moved ||= dx !== 0;
  }
  return moved ? lin : NaN;
}

/**
 * The arc search from st.x along st.d; moves to the accepted point. When the first trial is
 * accepted with a decrease close to the linear prediction (f nearly linear or concave along
 * the arc: the step is too short, as for BFGS's first steps or a concave objective), the step
 * is doubled while f keeps decreasing sufficiently — Moré–Thuente's extrapolation, at one value
 * per doubling.
 */
function arcSearch(st: ProjectedState, alpha0: number): StepReport {
  const { x, g, d, ray } = st;
  ray.reset(x, d);
  let alpha = alpha0;
  let sawNonFinite = false;
  for (let k = 0; k < MAX_TRIALS; k++) {
    let ft = ray.value(alpha);
    let lin = linearChange(st);
    if (Number.isNaN(lin)) break;
    if (Number.isFinite(ft) && lin < 0 && ft <= st.f + SIGMA * lin) {
      for (let e = 0; k === 0 && e < 10 && ft <= st.f + 0.9 * lin; e++) {
        const f2 = ray.value(2 * alpha);
        const lin2 = linearChange(st);
        if (!(Number.isFinite(f2) && lin2 < 0 && f2 < ft && f2 <= st.f + SIGMA * lin2)) break;
        alpha *= 2;
        ft = f2;
        lin = lin2;
      }
      const f = ray.settle(alpha);
      if (!Number.isFinite(f) || !allFinite(ray.gt)) return { status: 'nonFinite', step: 0, detail: 'in the gradient at the accepted step' };
      sub(st.s, ray.xt, x);
      sub(st.y, ray.gt, g);
      x.set(ray.xt);
      g.set(ray.gt);
      st.f = f;
      st.gnorm = projectedGradientNorm(x, g, st.lower, st.upper);
      return { status: 'accepted', step: norm2(st.s) };
    }
    let next = 0.5 * alpha;
    if (!Number.isFinite(ft)) sawNonFinite = true;
    else if (lin < 0) {
      // Minimizer of the quadratic through f(x), the slope lin/α and f(x(α)).
      const q = (-lin * alpha) / (2 * (ft - st.f - lin));
      if (Number.isFinite(q)) next = Math.min(Math.max(q, 0.1 * alpha), 0.5 * alpha);
    }
    alpha = next;
  }
  if (sawNonFinite) return { status: 'nonFinite', step: 0, detail: 'at every trial step along the projection arc' };
  return { status: 'lineSearchFailed', step: 0, detail: `projected search: no sufficient decrease in ${MAX_TRIALS} trials` };
}

/**
 * A projected Newton-type method named `name` for the box [lower, upper], with the direction
 * on the free variables from `dir`.
 */
export function projectedNewton<E>(name: string, lower: Float64Array, upper: Float64Array, dir: FaceDirection<E>): Method<ProjectedState & E> {
  function attempt(st: ProjectedState & E, obj: Objective): StepReport {
    const { x, g, d, free, rg, rd } = st;
    const n = x.length;
    const eps = Math.min(EPS_ACTIVE, st.gnorm);
    free.clear();
    for (let i = 0; i < n; i++) {
      const gi = g[i]!;
      if (gi > 0 && x[i]! <= lower[i]! + eps) d[i] = lower[i]! - x[i]!;
      else if (gi < 0 && x[i]! >= upper[i]! - eps) d[i] = upper[i]! - x[i]!;
      else free.push(i);
    }
    free.gather(g, rg);
    if (free.size > 0) {
      const fail = dir.direction(st, obj);
      if (fail) return fail;
      for (let k = 0; k < free.size; k++) d[free.idx[k]!] = rd[k]!;
    }
    if (!allFinite(d)) return { status: 'nonFinite', step: 0, detail: 'in the search direction' };
    if (!(dot(g, d) < 0)) return { status: 'lineSearchFailed', step: 0, detail: 'the search direction is not a descent direction' };
    return arcSearch(st, dir.firstStep?.(st) ?? 1);
  }

  return {
    name,
    init(obj, x0) {
      const n = obj.n;
      const g = new Float64Array(n);
      const f = obj.valueAndGrad(x0, g);
      const base: ProjectedState = {
        x: x0,
        f,
        g,
        gnorm: projectedGradientNorm(x0, g, lower, upper),
        radius: null,
        lower,
        upper,
        free: new FreeSet(n),
        d: new Float64Array(n),
        s: new Float64Array(n),
        y: new Float64Array(n),
        rg: new Float64Array(n),
        rd: new Float64Array(n),
        gnorm0: forcingScale(x0, g, lower, upper),
        ray: new Ray(obj),
      };
      base.ray.setBounds(lower, upper);
      return Object.assign(base, dir.init(obj, n));
    },
    step(st, obj): StepReport {
      let rep = attempt(st, obj);
      if (rep.status === 'lineSearchFailed' && dir.reset?.(st)) rep = attempt(st, obj);
      if (rep.status === 'accepted') dir.accepted?.(st);
      return rep;
    },
  };
}

/** `newton` under bounds: the reduced Hessian ∇²f_FF, factored by the modified Cholesky of linalg.ts. */
export function projectedNewtonCholesky(lower: Float64Array, upper: Float64Array) {
  return projectedNewton('newton', lower, upper, {
    init: (_obj, n) => ({ rH: new Float64Array(n * n), L: new Float64Array(n * n), scratch: new Float64Array(n) }),
    direction(st, obj) {
      const nf = st.free.size;
      const H = obj.hessian(st.x);
      st.free.gatherMatrix(H, st.rH);
      if (Number.isNaN(modifiedCholesky(st.rH, nf, st.L, st.scratch, obj.checkTime))) return { status: 'nonFinite', step: 0, detail: 'in the Hessian' };
      for (let k = 0; k < nf; k++) st.rd[k] = -st.rg[k]!;
      solveCholesky(st.L, nf, st.rd, st.rd);
      return null;
    },
  });
}

/**
 * `newton-cg` under bounds: truncated CG on the reduced Hessian (products ∇²f·v with v zero
 * on the active variables), the forcing term and negative-curvature rule of newtoncg.ts.
 */
export function projectedNewtonCg(lower: Float64Array, upper: Float64Array, options: { maxCgIter?: number } = {}) {
  return projectedNewton('newton-cg', lower, upper, {
    init: (_obj, n) => ({ r: new Float64Array(n), dd: new Float64Array(n), Bd: new Float64Array(n) }),
    direction(st, obj) {
      const nf = st.free.size;
      const work: CgWork = { r: st.r.subarray(0, nf), d: st.dd.subarray(0, nf), Bd: st.Bd.subarray(0, nf) };
      const g = st.rg.subarray(0, nf);
      const p = st.rd.subarray(0, nf);
      const hvp = (v: Float64Array, out: Float64Array): void => st.free.reducedProduct((a, b) => obj.hvp(st.x, a, b), v, out);
      const cg = truncatedCg(hvp, g, st.gnorm0, options.maxCgIter ?? 2 * nf + 20, Infinity, p, work);
      if (cg.iterations === 0) {
        if (cg.stop === 'nonFinite') return { status: 'nonFinite', step: 0, detail: 'in a Hessian-vector product' };
        if (cg.stop === 'negativeCurvature') {
          const scale = cg.curvature < 0 ? cg.rr / -cg.curvature : 1;
          for (let k = 0; k < nf; k++) p[k] = -scale * g[k]!;
        }
      }
      return null;
    },
  });
}

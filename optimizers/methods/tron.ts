/**
 * The trust-region methods under bounds l ≤ x ≤ u: the active-set trust-region Newton method
 * of C.-J. Lin and J. J. Moré ("Newton's method for large bound-constrained optimization
 * problems", SIAM J. Optim. 9(4), 1999; their code is TRON), one implementation for
 * `trust-ncg`, `trust-exact`, `dogleg` and `trust-krylov`, each keeping its own subproblem
 * solver. An iteration on the model q(s) = gᵀs + ½sᵀBs, ‖s‖₂ ≤ Δ, x + s in the box:
 *
 * 1. Generalized Cauchy step s = P(x − αg) − x by a projected search on α (from the previous
 *    α, divided or multiplied by 10) for q(s) ≤ μ₀·gᵀs with ‖s‖ ≤ Δ, μ₀ = 0.01: enough decrease
 *    for global convergence, and it fixes the variables that the projected gradient path
 *    drives into their bounds.
 * 2. Subspace minimization, repeated while it meets new bounds (≤ 10 rounds): with the
 *    variables at a bound fixed (step s_A on them), the model over the free ones,
 *    q = const + (g + B·s_A)_Fᵀu + ½uᵀB_FF·u with ‖u‖ ≤ √(Δ² − ‖s_A‖²), is an ordinary
 *    trust-region subproblem in nf ≤ n unknowns — handed to the method's own solver
 *    (Steihaug CG, Moré–Sorensen, dogleg, GLTR) on the reduced Hessian or reduced products.
 *    Then a projected search from the current point toward that solution, P(x_j + β·d) with
 *    q decreasing sufficiently (β = 1, ½, …, then the exact minimizer along d inside the box):
 *    the model never rises above the Cauchy point's. Writing the reduced problem about x
 *    (rather than about x_j, as Lin–Moré's projected CG does) keeps ‖s‖ ≤ Δ exact and lets the
 *    solvers for the ball be used as they are.
 * 3. The usual trust-region test on ρ = ared/pred (as trustregion.ts: η = 0.15, shrink to
 *    ¼‖s‖ when ρ < ¼, double when ρ > ¾ with ‖s‖ ≥ 0.9Δ, ρ guarded at rounding level);
 *    the gradient is evaluated only at accepted points.
 *
 * Every trial point is projected onto the box, so every iterate is feasible. Convergence is
 * measured by the projected gradient ‖P(x − g) − x‖∞.
 */
import type { Method, SolverState, StepReport } from '../loop.js';
import type { Objective } from '../objective.js';
import type { QuadraticModel, SubproblemFactory, TrustRegionSubproblem } from '../subproblem/types.js';
import { projectOnto, projectedGradientNorm } from '../bounds.js';
import { allFinite, dot, matVec, norm2, normInf } from '../vec.js';
import { BySize, FreeSet, forcingScale } from './face.js';

export interface TronOptions {
  /** Initial radius (default 1). */
  initialRadius?: number;
  /** Largest radius (default Infinity). */
  maxRadius?: number;
  /** Acceptance threshold η on ρ (default 0.15). */
  eta?: number;
  /** Subspace minimizations per iteration (default 10). */
  maxRounds?: number;
}

/** Sufficient-decrease constant of the projected searches (Lin–Moré's μ₀). */
const MU0 = 0.01;

interface TronState extends SolverState {
  radius: number;
  lower: Float64Array;
  upper: Float64Array;
  /** Cauchy step length α, carried from one iteration to the next. */
  alphaC: number;
  /** ‖P(x₀ − g₀) − x₀‖₂: the scale of the inner solvers' forcing term. */
  gnorm0: number;
  H: Float64Array | null;
  free: FreeSet;
  // n-vectors: the step and B·step, the best Cauchy step and its product, the current point
  // x_j of the subspace phase, a direction and its product, scratch, the trial point and gradient.
  s: Float64Array;
  Bs: Float64Array;
  sBest: Float64Array;
  BsBest: Float64Array;
  xj: Float64Array;
  d: Float64Array;
  Bd: Float64Array;
  t: Float64Array;
  xt: Float64Array;
  gt: Float64Array;
  // Reduced (free-variable) data: gradient, step, dense Hessian (n² when the solver needs it).
  rg: Float64Array;
  ru: Float64Array;
  rH: Float64Array;
}

/** The bounded trust-region method named `name` with the given subproblem solver, for the box [lower, upper]. */
export function tron(
  name: string,
  subproblem: SubproblemFactory,
  lower: Float64Array,
  upper: Float64Array,
  options: TronOptions = {},
): Method<TronState> {
  const initialRadius = options.initialRadius ?? 1;
  const maxRadius = options.maxRadius ?? Infinity;
  const eta = options.eta ?? 0.15;
  const maxRounds = options.maxRounds ?? 10;
  const solvers = new BySize<TrustRegionSubproblem>(subproblem);
  const dense = subproblem(1).needs === 'hessian';

  /** out ← B·v: the dense Hessian of this iteration, or one Hessian-vector product. */
  function mul(st: TronState, obj: Objective, v: Float64Array, out: Float64Array): void {
    if (st.H) matVec(out, st.H, v, st.x.length);
    else obj.hvp(st.x, v, out);
  }

  /** s ← P(x − αg) − x; returns ‖s‖₂. */
  function cauchyStep(st: TronState, alpha: number): number {
    const { x, g, s } = st;
    for (let i = 0; i < x.length; i++) {
      const v = x[i]! - alpha * g[i]!;
      s[i] = (v < lower[i]! ? lower[i]! : v > upper[i]! ? upper[i]! : v) - x[i]!;
    }
    return norm2(s);
  }

  /**
   * Step 1: the generalized Cauchy step into st.s (and B·s into st.Bs). Returns q(s), or NaN
   * when B is not finite, or 0 when no α gives a decrease (the projected gradient is at
   * rounding level).
   */
  function cauchy(st: TronState, obj: Objective): number {
    const { x, g, s, Bs } = st;
    const n = x.length;
    // The largest breakpoint: beyond it P(x − αg) no longer moves.
    let brkmax = 0;
    for (let i = 0; i < n; i++) {
      const gi = g[i]!;
      if (gi < 0) brkmax = Math.max(brkmax, (x[i]! - upper[i]!) / gi);
      else if (gi > 0) brkmax = Math.max(brkmax, (x[i]! - lower[i]!) / gi);
    }
    let q = NaN;
    // 'ok' when s(α) is short enough and decreases q enough; q holds its model value.
    const trial = (alpha: number): 'ok' | 'bad' | 'nonFinite' => {
      if (cauchyStep(st, alpha) > st.radius) return 'bad';
      mul(st, obj, s, Bs);
      const gs = dot(g, s);
      q = gs + 0.5 * dot(s, Bs);
      if (!Number.isFinite(q)) return 'nonFinite';
      return gs < 0 && q <= MU0 * gs ? 'ok' : 'bad';
    };
    let alpha = st.alphaC;
    let r = trial(alpha);
    if (r === 'nonFinite') return NaN;
    if (r === 'bad') {
      for (let k = 0; k < 400 && r === 'bad'; k++) {
        alpha *= 0.1;
        r = trial(alpha);
      }
      if (r !== 'ok') return r === 'nonFinite' ? NaN : 0;
    } else {
      // Extrapolate while the longer step still qualifies; keep the last one that did.
      let best = alpha;
      let qBest = q;
      st.sBest.set(s);
      st.BsBest.set(Bs);
      while (alpha <= brkmax) {
        alpha *= 10;
        if (trial(alpha) !== 'ok') break;
        best = alpha;
        qBest = q;
        st.sBest.set(s);
        st.BsBest.set(Bs);
      }
      alpha = best;
      q = qBest;
      s.set(st.sBest);
      Bs.set(st.BsBest);
    }
    st.alphaC = alpha;
    return q;
  }

  /**
   * Step 2: subspace minimizations from x_j = x + s. Updates st.s, st.Bs and returns the
   * model value q(s), or NaN when the subproblem solver met non-finite values.
   */
  function subspace(st: TronState, obj: Objective, q0: number): number {
    const { x, g, s, Bs, xj, d, Bd, t, free, rg, ru, rH } = st;
    const n = x.length;
    let q = q0;
    for (let i = 0; i < n; i++) xj[i] = x[i]! + s[i]!;
    projectOnto(xj, xj, lower, upper);
    for (let round = 0; round < maxRounds; round++) {
      free.clear();
      let sAA = 0;
      for (let i = 0; i < n; i++) {
        if (xj[i]! > lower[i]! && xj[i]! < upper[i]!) {
          free.push(i);
          d[i] = 0;
        } else {
          d[i] = s[i]!; // s_A: the step of the fixed variables
          sAA += s[i]! * s[i]!;
        }
      }
      const nf = free.size;
      const rem = st.radius * st.radius - sAA;
      if (nf === 0 || !(rem > 0)) break;
      // Linear term of the reduced model: (g + B·s_A) on the free variables.
      if (sAA > 0) mul(st, obj, d, t);
      else t.fill(0);
      for (let k = 0; k < nf; k++) {
        const i = free.idx[k]!;
        rg[k] = g[i]! + t[i]!;
      }
      const u = ru.subarray(0, nf);
      let Hf: Float64Array | null = null;
      if (st.H) {
        Hf = rH.subarray(0, nf * nf);
        free.gatherMatrix(st.H, Hf);
      }
      const model: QuadraticModel = {
        n: nf,
        g: rg.subarray(0, nf),
        H: Hf,
        hvp: (v, out) => free.reducedProduct((a, b) => mul(st, obj, a, b), v, out),
        gnorm0: st.gnorm0,
        checkTime: obj.checkTime,
      };
      const res = solvers.get(nf).solve(model, Math.sqrt(rem), u, false);
      if (res.status === 'nonFinite') return NaN;
      // Direction from x_j to the reduced solution x + s_A ⊕ u; the slope of q there.
      let slope = 0;
      for (let k = 0; k < nf; k++) {
        const i = free.idx[k]!;
        const di = x[i]! + u[k]! - xj[i]!;
        d[i] = di;
        slope += (g[i]! + Bs[i]!) * di;
      }
      for (let i = 0; i < n; i++) if (!(xj[i]! > lower[i]! && xj[i]! < upper[i]!)) d[i] = 0;
      if (!(slope < 0)) break;
      mul(st, obj, d, Bd);
      const dBd = dot(d, Bd);
      if (!Number.isFinite(dBd)) return NaN;
      // Largest β keeping x_j + β·d in the box.
      let bmin = Infinity;
      for (let k = 0; k < nf; k++) {
        const i = free.idx[k]!;
        const di = d[i]!;
        if (di > 0) bmin = Math.min(bmin, (upper[i]! - xj[i]!) / di);
        else if (di < 0) bmin = Math.min(bmin, (lower[i]! - xj[i]!) / di);
      }
      // Projected search: β = 1, ½, … while the point is still cut by the box (each trial one
      // product for the clipped correction); inside the box q is an exact quadratic in β.
      let accepted = false;
      let beta = 1;
      for (let k = 0; k < 10 && beta > bmin; k++, beta *= 0.5) {
        let ge = 0;
        for (let i = 0; i < n; i++) {
          const v = xj[i]! + beta * d[i]!;
          const e = (v < lower[i]! ? lower[i]! : v > upper[i]! ? upper[i]! : v) - xj[i]!;
          st.xt[i] = e;
          ge += (g[i]! + Bs[i]!) * e;
        }
        if (!(ge < 0)) continue;
        mul(st, obj, st.xt, t);
        const qe = q + ge + 0.5 * dot(st.xt, t);
        if (Number.isFinite(qe) && qe <= q + MU0 * ge) {
          for (let i = 0; i < n; i++) {
            s[i]! += st.xt[i]!;
            Bs[i]! += t[i]!;
            xj[i]! += st.xt[i]!;
          }
          projectOnto(xj, xj, lower, upper);
          q = qe;
          accepted = true;
          break;
        }
      }
      if (!accepted) {
        // Inside the box: the minimizer of q along d, or where d meets the box.
        beta = dBd > 0 ? Math.min(1, bmin, -slope / dBd) : Math.min(1, bmin);
        if (!(beta > 0)) break;
        for (let i = 0; i < n; i++) {
          s[i]! += beta * d[i]!;
          Bs[i]! += beta * Bd[i]!;
          xj[i]! += beta * d[i]!;
        }
        projectOnto(xj, xj, lower, upper);
        q += beta * slope + 0.5 * beta * beta * dBd;
        break; // no new bound met: the face is done
      }
    }
    return q;
  }

  return {
    name,
    init(obj: Objective, x0: Float64Array): TronState {
      const n = obj.n;
      const g = new Float64Array(n);
      const f = obj.valueAndGrad(x0, g);
      const v = () => new Float64Array(n);
      const st: TronState = {
        x: x0,
        f,
        g,
        gnorm: projectedGradientNorm(x0, g, lower, upper),
        radius: initialRadius,
        lower,
        upper,
        alphaC: 1,
        gnorm0: forcingScale(x0, g, lower, upper),
        H: null,
        free: new FreeSet(n),
        s: v(),
        Bs: v(),
        sBest: v(),
        BsBest: v(),
        xj: v(),
        d: v(),
        Bd: v(),
        t: v(),
        xt: v(),
        gt: v(),
        rg: v(),
        ru: v(),
        rH: new Float64Array(dense ? n * n : 0),
      };
      return st;
    },
    step(st, obj): StepReport {
      st.H = dense ? obj.hessian(st.x) : null;
      if (st.H && !allFinite(st.H)) return { status: 'nonFinite', step: 0, detail: 'in the Hessian' };
      const tooSmall = (r: number): boolean => r <= 1e-15 * (1 + normInf(st.x));
      let q = cauchy(st, obj);
      if (Number.isNaN(q)) return { status: 'nonFinite', step: 0, detail: `in the Hessian${dense ? '' : '-vector products'}` };
      if (q === 0) {
        st.radius *= 0.25;
        if (tooSmall(st.radius)) return { status: 'noProgress', step: 0, detail: 'the model predicts no decrease' };
        return { status: 'rejected', step: 0 };
      }
      q = subspace(st, obj, q);
      if (Number.isNaN(q)) return { status: 'nonFinite', step: 0, detail: `in the Hessian${dense ? '' : '-vector products'}` };
      const { s, xt, gt } = st;
      const sn = norm2(s);
      for (let i = 0; i < xt.length; i++) xt[i] = st.x[i]! + s[i]!;
      projectOnto(xt, xt, lower, upper);
      const predicted = -q;
      const delta = 10 * Number.EPSILON * Math.max(1, Math.abs(st.f));
      const ft = obj.value(xt);
      let rho = Number.isFinite(ft) ? (st.f - ft + delta) / (predicted + delta) : -Infinity;
      if (rho > eta) {
        const f2 = obj.valueAndGrad(xt, gt);
        if (!Number.isFinite(f2) || !allFinite(gt)) rho = -Infinity;
      }
      if (rho < 0.25) st.radius = 0.25 * sn;
      else if (rho > 0.75 && sn >= 0.9 * st.radius) st.radius = Math.min(2 * st.radius, maxRadius);
      if (rho > eta) {
        st.x.set(xt);
        st.g.set(gt);
        st.f = ft;
        st.gnorm = projectedGradientNorm(st.x, st.g, lower, upper);
        return { status: 'accepted', step: sn };
      }
      if (tooSmall(st.radius)) {
        const r = st.radius.toExponential(2);
        return Number.isFinite(ft)
          ? { status: 'noProgress', step: 0, detail: `trust region radius ${r} collapsed` }
          : { status: 'nonFinite', step: 0, detail: `at trial points until the trust region radius collapsed to ${r}` };
      }
      return { status: 'rejected', step: 0 };
    },
  };
}

/**
 * Trust Region Reflective for bounded least squares: M. A. Branch, T. F. Coleman and Y. Li,
 * "A subspace, interior, and conjugate gradient method for large-scale bound-constrained
 * minimization problems", SIAM J. Sci. Comput. 21(1), 1999, with Coleman–Li's affine
 * scaling (SIAM J. Optim. 6(2), 1996) — the method of scipy's `least_squares(method='trf')`,
 * here with the exact-subproblem variant (dense SVD of the augmented scaled Jacobian).
 *
 * Iterates stay strictly inside the box. The Coleman–Li vector v (distance to the bound the
 * descent direction points at, 1 where there is none) scales the variables, D = diag(√v·s)
 * with s the variable scales, so a variable nearing its bound takes ever smaller steps in x
 * while its scaled step stays of size one; the model of ½f in the scaled variables p̂ is
 * ½‖J̃Dp̂ + r̃‖² + ½p̂ᵀdiag(g·dv·s)p̂ (the second term from the derivative of the scaling).
 * Each trial solves that model in the region ‖p̂‖ ≤ Δ through the SVD of the augmented
 * matrix [J̃D; diag(√(g·dv·s))] and the secular equation (to 1 %); a step that leaves the box
 * is compared with its reflection off the first bound hit (line-minimized) and with the
 * scaled gradient direction, each kept θ = max(0.995, 1 − ‖v·g‖∞) inside the box, and the
 * best model value wins. The radius: ¼ of the step when ρ < ¼, doubled when ρ > ¾ on the
 * boundary; only steps that reduce f are taken.
 *
 * Without bounds v = 1 and this is a plain scaled trust-region Gauss–Newton method. Why
 * this method for bounds: it is the published bounded method whose behaviour on exactly
 * these test sets is documented (scipy), needs no active-set guessing, and keeps the model
 * solve as accurate as LM's (the SVD); iterates never touch a bound, so residual functions
 * that are undefined on it (a log, a power) are never evaluated there.
 *
 * Convergence: `ftol` — the actual reduction of f < ftol·f on a step with ρ > ¼; `xtol` —
 * ‖s⁻¹Δx‖ < xtol·(xtol + ‖s⁻¹x‖); `gtol` — the gradient cosine (as lm) over the variables
 * whose bound does not block the descent direction; and a precision stop when the region
 * shrinks below machine precision relative to x.
 */
import type { Method, SolverState, StepReport } from '../loop.js';
import type { Objective } from '../objective.js';
import type { LeastSquaresObjective } from '../leastsq/objective.js';
import { SvdWorkspace, columnNorms, gradientCosine, scaledSvd, secularStep, stepFromCoefficients } from '../leastsq/linalg.js';
import { projectedGradientNorm } from '../bounds.js';
import { allFinite, normInf } from '../vec.js';
import { type LeastSquaresMethodOptions, ZERO_RESIDUAL, asLeastSquares } from './lm.js';
import { StructuredSecant } from '../leastsq/secant.js';

const EPS = Number.EPSILON;

interface TrfState extends SolverState {
  radius: number;
  /** f at the start point. */
  f0: number;
  alpha: number;
  /** Inverse variable scales (column norms of J, running maximum, or 1/xScale). */
  scaleInv: Float64Array;
  ws: SvdWorkspace;
  gh: Float64Array;
  v: Float64Array;
  dv: Float64Array;
  d: Float64Array;
  dinv: Float64Array;
  diagH: Float64Array;
  sqrtDiagH: Float64Array;
  w: Float64Array;
  ph: Float64Array;
  step: Float64Array;
  refl: Float64Array;
  grad: Float64Array;
  xt: Float64Array;
  Jv: Float64Array;
  Jw: Float64Array;
  cn: Float64Array;
  /** The learned second-order term (unbounded runs with the linear loss), else null. */
  secant: StructuredSecant | null;
  /** Coefficients and x-step of the full (unconstrained) model step. */
  wFull: Float64Array;
  pFull: Float64Array;
  /** On the last accepted step the augmented model predicted the actual reduction better than Gauss–Newton's (NL2SOL's model choice). */
  trustAug: boolean;
  /** The last accepted step was a full model step (not cut by the trust region): the secant learns from it. */
  fullStep: boolean;
}

/** The box, with −∞/∞ where there is none. */
export interface TrfBounds {
  lower: Float64Array;
  upper: Float64Array;
}

/**
 * Moves x strictly inside (lower, upper): points on or beyond a bound go to the next float
 * inside (and for narrow boxes, to the middle). The start point of a bounded run.
 */
export function strictlyFeasible(x: Float64Array, box: TrfBounds): void {
  for (let i = 0; i < x.length; i++) {
    const lo = box.lower[i]!;
    const hi = box.upper[i]!;
    if (x[i]! <= lo) x[i] = lo === -Infinity ? x[i]! : nextUp(lo);
    else if (x[i]! >= hi) x[i] = hi === Infinity ? x[i]! : nextDown(hi);
    if (!(x[i]! > lo && x[i]! < hi)) x[i] = 0.5 * (lo + hi);
  }
}

const F64 = new Float64Array(1);
const I64 = new BigInt64Array(F64.buffer);
function nextUp(v: number): number {
  if (v === 0) return Number.MIN_VALUE;
  F64[0] = v;
  I64[0]! += v > 0 ? 1n : -1n;
  return F64[0]!;
}
function nextDown(v: number): number {
  return -nextUp(-v);
}

/** Largest t ≥ 0 with lower ≤ x + t·s ≤ upper, and whether variable i hits first (sign of s_i) via `hits`. */
function stepToBound(x: Float64Array, s: Float64Array, box: TrfBounds, hits: Float64Array | null): number {
  let tmin = Infinity;
  for (let i = 0; i < x.length; i++) {
    const si = s[i]!;
    if (si === 0) continue;
    const t = Math.max((box.lower[i]! - x[i]!) / si, (box.upper[i]! - x[i]!) / si);
    if (t < tmin) tmin = t;
  }
  if (hits) {
    for (let i = 0; i < x.length; i++) {
      const si = s[i]!;
      hits[i] = si !== 0 && Math.max((box.lower[i]! - x[i]!) / si, (box.upper[i]! - x[i]!) / si) === tmin ? Math.sign(si) : 0;
    }
  }
  return tmin;
}

/** The trust-region reflective method (see the module comment); `box` null = no bounds. */
export function trf(options: LeastSquaresMethodOptions, box: TrfBounds | null): Method<TrfState> {
  const { ftol, xtol, xtolEstimate, gtol, xScale } = options;
  const lower = box?.lower;
  const upper = box?.upper;
  return {
    name: 'trf',
    init(obj0: Objective, x0: Float64Array): TrfState {
      const obj = asLeastSquares(obj0, 'trf');
      const n = obj.n;
      const m = obj.m;
      if (box) strictlyFeasible(x0, box);
      const g = new Float64Array(n);
      const f = obj.valueAndGrad(x0, g);
      const scaleInv = new Float64Array(n);
      if (xScale) for (let j = 0; j < n; j++) scaleInv[j] = 1 / xScale[j]!;
      else {
        columnNorms(obj.model.J, m, n, scaleInv);
        for (let j = 0; j < n; j++) if (!(scaleInv[j]! > 0) || !Number.isFinite(scaleInv[j]!)) scaleInv[j] = 1;
      }
      const st: TrfState = {
        x: x0,
        f,
        g,
        gnorm: boundedGradientNorm(x0, g, lower, upper),
        radius: 1,
        f0: f,
        alpha: 0,
        scaleInv,
        ws: new SvdWorkspace(m + (box ? n : 0), n),
        gh: new Float64Array(n),
        v: new Float64Array(n),
        dv: new Float64Array(n),
        d: new Float64Array(n),
        dinv: new Float64Array(n),
        diagH: new Float64Array(n),
        sqrtDiagH: new Float64Array(n),
        w: new Float64Array(n),
        ph: new Float64Array(n),
        step: new Float64Array(n),
        refl: new Float64Array(n),
        grad: new Float64Array(n),
        xt: new Float64Array(n),
        Jv: new Float64Array(m),
        Jw: new Float64Array(m),
        cn: new Float64Array(n),
        secant: box === null && obj.loss === 'linear' ? new StructuredSecant(m, n) : null,
        wFull: new Float64Array(n),
        pFull: new Float64Array(n),
        trustAug: false,
        fullStep: false,
      };
      // Δ₀ = ‖x₀‖ in the scaled variables (1 at the origin)
      scaling(st);
      let s = 0;
      for (let j = 0; j < n; j++) s += (x0[j]! * st.dinv[j]!) ** 2;
      st.radius = s > 0 ? Math.sqrt(s) : 1;
      return st;
    },
    step(state, obj0): StepReport {
      const obj = obj0 as LeastSquaresObjective;
      const { n, m } = obj;
      const { x, ws, w, ph, step, d, dinv, diagH, xt } = state;
      const { r, J } = obj.model;
      columnNorms(J, m, n, state.cn);
      if (!xScale) for (let j = 0; j < n; j++) if (state.cn[j]! > state.scaleInv[j]!) state.scaleInv[j] = state.cn[j]!;
      const vg = scaling(state);
      const cos = gradientCosine(J, r, m, n, state.cn, (j) => state.dv[j] !== 0 && state.v[j]! <= xtol * (1 + Math.abs(x[j]!)));
      if (cos <= gtol) return { status: 'rejected', step: 0, converged: { status: 'gtol', message: `converged: max cosine between r and J's columns (free directions) = ${cos.toExponential(2)} ≤ gtol = ${gtol.toExponential(2)}` } };
      const sec = state.secant;
      if (sec) sec.observe(x, r, J, state.gh, state.fullStep);
      const theta = Math.max(0.995, 1 - vg);
      scaledSvd(ws, J, m, dinv, r, box ? state.sqrtDiagH : null);
      const rows = Math.max(m + (box ? n : 0), n);
      const cost = 0.5 * state.f;
      let xnorm = 0;
      for (let j = 0; j < n; j++) xnorm += (x[j]! * state.scaleInv[j]!) ** 2;
      xnorm = Math.sqrt(xnorm);

      // ½‖J̃u‖² + ghᵀu + ½Σ diagH (u/d)², for a step u in x
      const quad = (u: Float64Array): number => {
        let q = 0;
        for (let i = 0; i < m; i++) {
          let s = 0;
          for (let j = 0; j < n; j++) s += J[i * n + j]! * u[j]!;
          q += s * s;
        }
        q *= 0.5;
        for (let j = 0; j < n; j++) q += state.gh[j]! * u[j]! + 0.5 * diagH[j]! * (u[j]! / d[j]!) ** 2;
        return q;
      };
      // a, b, c of q(u0 + t·u) = a t² + b t + c
      const quad1d = (u: Float64Array, u0: Float64Array | null): [number, number, number] => {
        const { Jv, Jw } = state;
        for (let i = 0; i < m; i++) {
          let s = 0;
          let s0 = 0;
          for (let j = 0; j < n; j++) {
            s += J[i * n + j]! * u[j]!;
            if (u0) s0 += J[i * n + j]! * u0[j]!;
          }
          Jv[i] = s;
          Jw[i] = s0;
        }
        let a = 0;
        let b = 0;
        for (let i = 0; i < m; i++) {
          a += Jv[i]! * Jv[i]!;
          b += Jv[i]! * Jw[i]!;
        }
        for (let j = 0; j < n; j++) {
          const uh = u[j]! / d[j]!;
          const u0h = u0 ? u0[j]! / d[j]! : 0;
          a += diagH[j]! * uh * uh;
          b += state.gh[j]! * u[j]! + diagH[j]! * u0h * uh;
        }
        return [0.5 * a, b, u0 ? quad(u0) : 0];
      };
      const min1d = (a: number, b: number, c: number, lo: number, hi: number): [number, number] => {
        let bt = lo;
        let bv = lo * (a * lo + b) + c;
        const vh = hi * (a * hi + b) + c;
        if (vh < bv) {
          bt = hi;
          bv = vh;
        }
        if (a !== 0) {
          const ext = (-0.5 * b) / a;
          if (ext > lo && ext < hi) {
            const ve = ext * (a * ext + b) + c;
            if (ve < bv) {
              bt = ext;
              bv = ve;
            }
          }
        }
        return [bt, bv];
      };

      // The full model steps from x estimate x's error: Gauss–Newton's to within the factor
      // 1/(1 − its linear rate), the augmented model's to second order. When both are within
      // xtol of every component of x, x is as accurate as asked: stop without a trial.
      let useAug = false;
      if (sec) {
        const { wFull, pFull } = state;
        secularStep(ws.s, ws.c, rows, Infinity, 0, 0.01, wFull);
        stepFromCoefficients(ws.V, wFull, ph);
        for (let j = 0; j < n; j++) pFull[j] = d[j]! * ph[j]!;
        let small = withinXtol(pFull, x, state.cn, xtolEstimate);
        let gnNorm = 0;
        for (let j = 0; j < n; j++) gnNorm += ph[j]! * ph[j]!;
        // the learned term is for the local phase: where Gauss–Newton's own step fits the region
        const local = Math.sqrt(gnNorm) <= state.radius;
        if (sec.augmentedCoefficients(ws.s, ws.V, ws.c, rows, d, wFull)) {
          stepFromCoefficients(ws.V, wFull, ph);
          let norm = 0;
          for (let j = 0; j < n; j++) {
            pFull[j] = d[j]! * ph[j]!;
            norm += ph[j]! * ph[j]!;
          }
          small &&= withinXtol(pFull, x, state.cn, xtolEstimate);
          useAug = local && state.trustAug && Math.sqrt(norm) <= state.radius;
        }
        if (small)
          return { status: 'rejected', step: 0, converged: { status: 'xtol', message: `converged: the full model step from x is below xtol = ${xtolEstimate.toExponential(2)} relative to every component of x (x's estimated error)` } };
      }

      for (let trial = 0; trial < 100; trial++) {
        let pred: number;
        let inside = true;
        if (useAug) {
          step.set(state.pFull);
          pred = -(quad(step) + sec!.curvature(step));
        } else {
          state.alpha = secularStep(ws.s, ws.c, rows, state.radius, state.alpha, 0.01, w);
          stepFromCoefficients(ws.V, w, ph);
          for (let j = 0; j < n; j++) step[j] = d[j]! * ph[j]!;
          if (box) for (let j = 0; j < n && inside; j++) inside = x[j]! + step[j]! > lower![j]! && x[j]! + step[j]! < upper![j]!;
          if (inside) pred = -quad(step);
          else pred = -selectStep(state, box!, theta, quad, quad1d, min1d);
        }
        let stepHNorm = 0;
        let stepNorm = 0;
        for (let j = 0; j < n; j++) {
          xt[j] = x[j]! + step[j]!;
          stepHNorm += (step[j]! / d[j]!) ** 2;
          stepNorm += (step[j]! * state.scaleInv[j]!) ** 2;
        }
        stepHNorm = Math.sqrt(stepHNorm);
        stepNorm = Math.sqrt(stepNorm);
        // the model's own minimizer (α = 0, inside the box) is within xtol of x: converged here
        if (!sec && state.alpha === 0 && inside && stepNorm < xtol * (xtol + xnorm))
          return { status: 'rejected', step: 0, converged: { status: 'xtol', message: `converged: the Gauss–Newton step ${stepNorm.toExponential(2)} < xtol·(xtol + ‖x‖) (scaled) with xtol = ${xtol.toExponential(2)}` } };
        if (box) strictlyFeasible(xt, box);
        const ft = obj.value(xt);
        if (useAug && !(Number.isFinite(ft) && pred > 0 && cost - 0.5 * ft >= 0.25 * pred)) {
          // the learned model was wrong here: this iteration falls back to Gauss–Newton
          useAug = false;
          continue;
        }
        if (!Number.isFinite(ft)) {
          state.radius = 0.25 * stepHNorm;
          if (state.radius <= EPS * Math.max(xnorm, 1)) return { status: 'nonFinite', step: 0, detail: 'at trial points until the trust region collapsed' };
          continue;
        }
        const actred = cost - 0.5 * ft;
        let ratio: number;
        if (pred > 0) ratio = actred / pred;
        else ratio = pred === actred ? 1 : 0;
        let newRadius = state.radius;
        if (ratio < 0.25) newRadius = 0.25 * stepHNorm;
        else if (ratio > 0.75 && stepHNorm > 0.95 * state.radius) newRadius = 2 * state.radius;

        let conv: StepReport['converged'];
        if (actred < ftol * cost && ratio > 0.25 && actred >= 0)
          conv = { status: 'ftol', message: `converged: reduction of f ${(actred / cost).toExponential(2)} (relative) < ftol = ${ftol.toExponential(2)}` };
        else if (stepNorm < xtol * (xtol + xnorm)) conv = { status: 'xtol', message: `converged: scaled step ${stepNorm.toExponential(2)} < xtol·(xtol + ‖x‖) with xtol = ${xtol.toExponential(2)}` };
        else if (newRadius <= EPS * Math.max(xnorm, EPS)) conv = { status: 'xtol', message: 'converged: no further improvement of x is possible in floating point (trust region ≤ machine epsilon·‖x‖)' };
        if (!conv && newRadius > 0) state.alpha *= state.radius / newRadius;
        state.radius = newRadius;

        if (actred > 0) {
          state.grad.set(x);
          const f2 = obj.valueAndGrad(xt, state.g);
          if (Number.isFinite(f2) && allFinite(state.g)) {
            x.set(xt);
            state.f = f2;
            state.gnorm = boundedGradientNorm(x, state.g, lower, upper);
            if (!conv && state.f <= EPS * EPS * state.f0) conv = ZERO_RESIDUAL;
            if (sec) {
              const curv = sec.curvature(step);
              const predGN = useAug ? pred + curv : pred;
              const predAug = predGN - curv;
              state.trustAug = sec.updates > 0 && Math.abs(actred - predAug) < Math.abs(actred - predGN);
              state.fullStep = useAug || state.alpha === 0;
            }
            return { status: 'accepted', step: stepOf(state.grad, x), ...(conv ? { converged: conv } : {}) };
          }
          obj.valueAndGrad(x, state.g);
          state.radius = 0.25 * stepHNorm;
          continue;
        }
        if (conv) return { status: 'rejected', step: 0, converged: conv };
      }
      return { status: 'noProgress', step: 0, detail: '100 trial steps in one iteration were all rejected' };
    },
  };

  /** Coleman–Li v, dv, the scaling d = √v·s and diag_h; returns ‖v·g‖∞ of the half gradient. */
  function scaling(st: TrfState): number {
    const n = st.x.length;
    let vg = 0;
    for (let j = 0; j < n; j++) {
      const gh = 0.5 * st.g[j]!;
      st.gh[j] = gh;
      let v = 1;
      let dv = 0;
      if (lower && upper) {
        if (gh < 0 && upper[j]! < Infinity) {
          v = upper[j]! - st.x[j]!;
          dv = -1;
        } else if (gh > 0 && lower[j]! > -Infinity) {
          v = st.x[j]! - lower[j]!;
          dv = 1;
        }
      }
      st.v[j] = v;
      st.dv[j] = dv;
      vg = Math.max(vg, Math.abs(v * gh));
      const scale = 1 / st.scaleInv[j]!;
      const vs = dv !== 0 ? v * st.scaleInv[j]! : 1;
      st.d[j] = Math.sqrt(vs) * scale;
      st.dinv[j] = 1 / st.d[j]!;
      st.diagH[j] = gh * dv * scale;
      st.sqrtDiagH[j] = Math.sqrt(Math.max(st.diagH[j]!, 0));
    }
    return vg;
  }
}

/**
 * |p_j| ≤ xtol·max(|x_j|, xtol·‖Cx‖/c_j) for every j, c the column norms of J: the step p is
 * below xtol relative to each component of x. The floor is for components at 0, where a
 * relative test cannot pass: a parameter whose share of the model, c_j|x_j|, is below xtol
 * of the whole, ‖Cx‖, is held to an absolute accuracy of that size. It comes from J itself,
 * so a fixed `xScale` cannot loosen the test. A column of zeros (a parameter the residuals do
 * not depend on) is not tested.
 */
function withinXtol(p: Float64Array, x: Float64Array, cn: Float64Array, xtol: number): boolean {
  const n = x.length;
  let cx = 0;
  for (let j = 0; j < n; j++) cx += (cn[j]! * x[j]!) ** 2;
  const floor = xtol * Math.sqrt(cx);
  for (let j = 0; j < n; j++) if (cn[j]! > 0 && !(Math.abs(p[j]!) <= xtol * Math.max(Math.abs(x[j]!), floor / cn[j]!))) return false;
  return true;
}

function stepOf(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s);
}

/** The stationarity measure: ‖P(x − g) − x‖∞ with P the projection on the box, ‖g‖∞ without one. */
function boundedGradientNorm(x: Float64Array, g: Float64Array, lower?: Float64Array, upper?: Float64Array): number {
  return lower && upper ? projectedGradientNorm(x, g, lower, upper) : normInf(g);
}

/**
 * The step when the trust-region solution leaves the box: the best (by the model) of the
 * step cut θ inside the box, its reflection off the first bound hit (minimized along the
 * reflected ray), and the scaled gradient direction. Writes it into st.step; returns its
 * model value q.
 */
function selectStep(
  st: TrfState,
  box: TrfBounds,
  theta: number,
  quad: (u: Float64Array) => number,
  quad1d: (u: Float64Array, u0: Float64Array | null) => [number, number, number],
  min1d: (a: number, b: number, c: number, lo: number, hi: number) => [number, number],
): number {
  const n = st.x.length;
  const { x, step, refl, d, xt, grad, ph } = st;
  const hits = st.w; // scratch: the secular coefficients are no longer needed for this trial
  const pStride = stepToBound(x, step, box, hits);
  // reflection: direction with the hit components negated, from the point on the bound
  for (let j = 0; j < n; j++) {
    refl[j] = hits[j] !== 0 ? -step[j]! : step[j]!;
    step[j]! *= pStride;
    xt[j] = x[j]! + step[j]!;
  }
  // where the reflected ray leaves the region ‖p̂ + t r̂‖ ≤ Δ (p̂ = step/d)
  let a = 0;
  let b = 0;
  let c = 0;
  for (let j = 0; j < n; j++) {
    const rh = refl[j]! / d[j]!;
    const pj = step[j]! / d[j]!;
    a += rh * rh;
    b += pj * rh;
    c += pj * pj;
  }
  c -= st.radius * st.radius;
  let toTr = Infinity;
  if (a > 0) {
    const disc = Math.sqrt(Math.max(b * b - a * c, 0));
    const q = -(b + (b >= 0 ? disc : -disc));
    const t1 = q / a;
    const t2 = q !== 0 ? c / q : 0;
    toTr = Math.max(t1, t2);
  }
  const toBound = stepToBound(xt, refl, box, null);
  const rStride = Math.min(toBound, toTr);
  let rLo = 0;
  let rHi = -1;
  if (rStride > 0) {
    rLo = ((1 - theta) * pStride) / rStride;
    rHi = rStride === toBound ? theta * toBound : toTr;
  }
  let rValue = Infinity;
  let rT = 0;
  if (rLo <= rHi) {
    const [qa, qb, qc] = quad1d(refl, step);
    [rT, rValue] = min1d(qa, qb, qc, rLo, rHi);
  }
  // the cut step: θ times the way to the bound
  for (let j = 0; j < n; j++) ph[j] = theta * step[j]!;
  const pValue = quad(ph);
  // the scaled gradient direction −d²g
  let gn = 0;
  for (let j = 0; j < n; j++) {
    grad[j] = -d[j]! * d[j]! * st.gh[j]!;
    gn += (grad[j]! / d[j]!) ** 2;
  }
  gn = Math.sqrt(gn);
  const toTrG = gn > 0 ? st.radius / gn : 0;
  const toBoundG = stepToBound(x, grad, box, null);
  const agHi = toBoundG < toTrG ? theta * toBoundG : toTrG;
  const [qa, qb] = quad1d(grad, null);
  const [agT, agValue] = min1d(qa, qb, 0, 0, agHi);
  if (pValue <= rValue && pValue <= agValue) {
    step.set(ph);
    return pValue;
  }
  if (rValue <= agValue) {
    for (let j = 0; j < n; j++) step[j] = step[j]! + rT * refl[j]!;
    return rValue;
  }
  for (let j = 0; j < n; j++) step[j] = agT * grad[j]!;
  return agValue;
}

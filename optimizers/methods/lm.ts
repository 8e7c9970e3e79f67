/**
 * Levenberg–Marquardt as a trust-region method with MINPACK-style variable scaling (J. J.
 * Moré, "The Levenberg–Marquardt algorithm: implementation and theory", Numerical Analysis,
 * LNM 630, 1978; MINPACK's lmder). Each iteration takes the SVD of the column-scaled Jacobian
 * Ĵ = J·D⁻¹ (QR, then Jacobi on R — JᵀJ is never formed), and solves the secular equation
 * ‖p(λ)‖ = Δ for the LM parameter λ (to 10 %, as Moré) for every trial in the region
 * ‖Dp‖ ≤ Δ. D is the running maximum of J's column norms (MINPACK mode 1) unless `xScale`
 * fixes it; Δ₀ = 100‖Dx₀‖ capped at the first step's length; the radius and λ follow Moré's
 * update rules (halving and doubling, quadratic interpolation on a bad step); a trial is
 * accepted when the actual reduction is at least 10⁻⁴ of the predicted one. One iteration
 * of the shared loop is one Jacobian: rejected trials cost residual evaluations only.
 *
 * Convergence (all relative, Moré's tests): `ftol` — actual and predicted relative
 * reductions of f both ≤ ftol; `xtol` — Δ ≤ xtol·‖Dx‖ (after a good step Δ tracks twice the
 * step, so this is a relative step test); `gtol` — the cosine of the largest angle between r
 * and a column of J ≤ gtol. When a test fires with tolerance ε (machine precision) instead,
 * nothing can improve x any more: that is also convergence (Moré's info 6 and 7).
 */
import type { Method, SolverState, StepReport } from '../loop.js';
import type { Objective } from '../objective.js';
import { LeastSquaresObjective } from '../leastsq/objective.js';
import { SvdWorkspace, columnNorms, gradientCosine, scaledSvd, secularStep, stepFromCoefficients } from '../leastsq/linalg.js';
import { allFinite, normInf } from '../vec.js';

/** Tolerances and scaling of the least-squares methods (validated by `leastSquares`). */
export interface LeastSquaresMethodOptions {
  ftol: number;
  xtol: number;
  /** The tolerance of trf's error-estimate test (see leastSquares' `xtol`). */
  xtolEstimate: number;
  gtol: number;
  /** Fixed variable scales (characteristic sizes of x), or null: from the Jacobian's column norms. */
  xScale: Float64Array | null;
}

const EPS = Number.EPSILON;

/**
 * f fell below ε²·f(x₀): the residuals are zero to working precision relative to where they
 * started. The relative tests cannot see this when x* = 0 (‖x‖ → 0) and J is singular there
 * (Powell's singular function: the iterates then converge only linearly).
 */
export const ZERO_RESIDUAL = { status: 'ftol', message: 'converged: f fell below ε²·f(x₀), the residuals vanish to working precision' } as const;

interface LmState extends SolverState {
  radius: number;
  /** f at the start point. */
  f0: number;
  lambda: number;
  /** Variable scaling D. */
  d: Float64Array;
  ws: SvdWorkspace;
  w: Float64Array;
  ph: Float64Array;
  dx: Float64Array;
  xt: Float64Array;
  xPrev: Float64Array;
  first: boolean;
}

export function asLeastSquares(obj: Objective, method: string): LeastSquaresObjective {
  if (!(obj instanceof LeastSquaresObjective)) throw new Error(`${method}: needs a least-squares objective (use leastSquares())`);
  return obj;
}

function scaledNorm(d: Float64Array, x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (d[i]! * x[i]!) ** 2;
  return Math.sqrt(s);
}

/** Moré's Levenberg–Marquardt method (see the module comment). */
export function lm(options: LeastSquaresMethodOptions): Method<LmState> {
  const { ftol, xtol, gtol, xScale } = options;
  return {
    name: 'lm',
    init(obj0: Objective, x0: Float64Array): LmState {
      const obj = asLeastSquares(obj0, 'lm');
      const n = obj.n;
      const g = new Float64Array(n);
      const f = obj.valueAndGrad(x0, g);
      const d = new Float64Array(n);
      if (xScale) for (let j = 0; j < n; j++) d[j] = 1 / xScale[j]!;
      else {
        columnNorms(obj.model.J, obj.m, n, d);
        for (let j = 0; j < n; j++) if (!(d[j]! > 0) || !Number.isFinite(d[j]!)) d[j] = 1;
      }
      const xn = scaledNorm(d, x0);
      return {
        x: x0,
        f,
        g,
        gnorm: normInf(g),
        radius: xn > 0 ? 100 * xn : 100,
        f0: f,
        lambda: 0,
        d,
        ws: new SvdWorkspace(obj.m, n),
        w: new Float64Array(n),
        ph: new Float64Array(n),
        dx: new Float64Array(n),
        xt: new Float64Array(n),
        xPrev: new Float64Array(n),
        first: true,
      };
    },
    step(state, obj0): StepReport {
      const obj = obj0 as LeastSquaresObjective;
      const { n, m } = obj;
      const { d, ws, w, ph, dx, xt } = state;
      const cn = ws.s; // column norms, overwritten by the SVD below
      let { r, J } = obj.model;
      columnNorms(J, m, n, cn);
      if (state.first) {
        const cos = gradientCosine(J, r, m, n, cn);
        if (cos <= gtol) return { status: 'rejected', step: 0, converged: { status: 'gtol', message: `converged at the start point: max cosine between r and J's columns = ${cos.toExponential(2)} ≤ gtol` } };
      }
      if (!xScale) for (let j = 0; j < n; j++) if (cn[j]! > d[j]!) d[j] = cn[j]!;
      scaledSvd(ws, J, m, d, r);
      const rows = Math.max(m, n);
      const f = state.f;
      for (let trial = 0; trial < 100; trial++) {
        state.lambda = secularStep(ws.s, ws.c, rows, state.radius, state.lambda, 0.1, w);
        stepFromCoefficients(ws.V, w, ph);
        let pnorm = 0;
        for (let j = 0; j < n; j++) {
          dx[j] = ph[j]! / d[j]!;
          pnorm += ph[j]! * ph[j]!;
          xt[j] = state.x[j]! + dx[j]!;
        }
        pnorm = Math.sqrt(pnorm);
        // The model's own minimizer (λ = 0) is within xtol of x: x is converged, and the step
        // would only cost a Jacobian at a point no better within the tolerance.
        if (state.lambda === 0 && pnorm <= xtol * scaledNorm(d, state.x))
          return { status: 'rejected', step: 0, converged: { status: 'xtol', message: `converged: the Gauss–Newton step ‖Dp‖ = ${pnorm.toExponential(2)} ≤ xtol·‖Dx‖ with xtol = ${xtol.toExponential(2)}` } };
        if (state.first) state.radius = Math.min(state.radius, pnorm);
        state.first = false;
        const ft = obj.value(xt);
        // model: ‖r + Ĵp̂‖² = ‖r‖² − Σ s_j w_j (2c_j − s_j w_j); rᵀĴp̂ = −Σ c_j s_j w_j
        let pred = 0;
        let dir = 0;
        for (let j = 0; j < n; j++) {
          const sw = ws.s[j]! * w[j]!;
          pred += sw * (2 * ws.c[j]! - sw);
          dir -= ws.c[j]! * sw;
        }
        const prered = pred / f;
        const dirder = dir / f;
        const actred = ft < 100 * f ? 1 - ft / f : -1; // NaN compares false: a failed trial
        const ratio = prered > 0 ? actred / prered : 0;
        if (ratio <= 0.25) {
          let temp = actred >= 0 ? 0.5 : (0.5 * dirder) / (dirder + 0.5 * actred);
          if (!(ft < 100 * f) || !(temp >= 0.1)) temp = 0.1;
          state.radius = temp * Math.min(state.radius, pnorm / 0.1);
          state.lambda /= temp;
        } else if (state.lambda === 0 || ratio >= 0.75) {
          state.radius = pnorm / 0.5;
          state.lambda *= 0.5;
        }
        let accepted = false;
        if (ratio >= 1e-4) {
          state.xPrev.set(state.x);
          const f2 = obj.valueAndGrad(xt, state.g);
          if (Number.isFinite(f2) && allFinite(state.g)) {
            state.x.set(xt);
            state.f = f2;
            state.gnorm = normInf(state.g);
            accepted = true;
          } else {
            // finite residuals but a non-finite Jacobian: step back, and shrink the region
            obj.valueAndGrad(state.x, state.g);
            ({ r, J } = obj.model);
            state.radius = 0.25 * Math.min(state.radius, pnorm);
          }
        }
        const xnorm = scaledNorm(d, state.x);
        const small = (tol: number): string | null => {
          if (Math.abs(actred) <= tol && prered <= tol && 0.5 * ratio <= 1) return 'ftol';
          if (state.radius <= tol * xnorm) return 'xtol';
          return null;
        };
        let conv: StepReport['converged'];
        const hit = small(ftol);
        if (hit === 'ftol') conv = { status: 'ftol', message: `converged: relative reductions of f, actual ${Math.abs(actred).toExponential(2)} and predicted ${prered.toExponential(2)}, ≤ ftol = ${ftol.toExponential(2)}` };
        else if (hit === 'xtol') conv = { status: 'xtol', message: `converged: trust region Δ = ${state.radius.toExponential(2)} ≤ xtol·‖Dx‖ with xtol = ${xtol.toExponential(2)}` };
        else {
          const limit = small(EPS);
          if (limit === 'ftol') conv = { status: 'ftol', message: 'converged: no further reduction of f is possible in floating point (actual and predicted relative reductions ≤ machine epsilon)' };
          else if (limit === 'xtol') conv = { status: 'xtol', message: 'converged: no further improvement of x is possible in floating point (trust region ≤ machine epsilon·‖Dx‖)' };
        }
        if (accepted) {
          let stepNorm = 0;
          for (let j = 0; j < n; j++) stepNorm += dx[j]! * dx[j]!;
          if (!conv && state.f <= EPS * EPS * state.f0) conv = ZERO_RESIDUAL;
          if (!conv) {
            const mod = obj.model;
            columnNorms(mod.J, m, n, ph);
            const cos = gradientCosine(mod.J, mod.r, m, n, ph);
            if (cos <= gtol) conv = { status: 'gtol', message: `converged: max cosine between r and J's columns = ${cos.toExponential(2)} ≤ gtol = ${gtol.toExponential(2)}` };
          }
          return { status: 'accepted', step: Math.sqrt(stepNorm), ...(conv ? { converged: conv } : {}) };
        }
        if (conv) return { status: 'rejected', step: 0, converged: conv };
        if (!Number.isFinite(ft) && state.radius <= EPS * (xnorm || 1)) return { status: 'nonFinite', step: 0, detail: 'at trial points until the trust region collapsed' };
      }
      return { status: 'noProgress', step: 0, detail: '100 trial steps in one iteration were all rejected' };
    },
  };
}

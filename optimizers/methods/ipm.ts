/**
 * `ipm`: a primal-dual interior-point method for min f(x) subject to general constraints
 * cl ≤ c(x) ≤ cu and bounds xl ≤ x ≤ xu, with the exact Hessian of the Lagrangian — the
 * algorithm of Ipopt (Wächter & Biegler, Math. Programming 106, 2006): barrier with the
 * monotone Fiacco–McCormick update, fraction to the boundary, filter line search with
 * second-order corrections, inertia correction of the KKT matrix (LDLᵀ with inertia:
 * dense Bunch–Kaufman, or a profile LDLᵀ for large sparse systems), and a feasibility
 * restoration phase that also detects local infeasibility. The parts: ../ipm/ (nlp.ts the
 * canonical form with slacks and scaling, core.ts one iteration, restoration.ts) and
 * ../kkt/ (the linear algebra).
 *
 * The shared loop runs it like any method; its convergence test is its own (`verdict`):
 * the scaled optimality error E₀ ≤ tol (Ipopt's, with μ = 0) and, unscaled, the largest
 * constraint violation ≤ ctol, ‖∇ₓL‖∞ ≤ 1 and complementarity ≤ 1e-4 (Ipopt's absolute
 * tolerances) — so a run never reports success at an infeasible point.
 */
import type { Box } from '../bounds.js';
import type { ConstraintSet } from '../constraints.js';
import type { ConstraintResult, Method, SolverState, SolverStatus } from '../loop.js';
import type { HistoryEntry } from '../types.js';
import type { Objective } from '../objective.js';
import { IpmCore } from '../ipm/core.js';
import { OriginalNlp } from '../ipm/nlp.js';
import { restoration } from '../ipm/restoration.js';
import { norm2, normInf, sub } from '../vec.js';

export interface IpmOptions {
  /** Tolerance on the scaled optimality error (Ipopt's tol). */
  tol: number;
  /** Largest unscaled constraint violation of a converged point. */
  ctol: number;
  /** Iteration budget for one restoration phase. */
  maxRestorationIter?: number;
}

/** Ipopt's absolute tolerances on the unscaled dual infeasibility and complementarity. */
const DUAL_INF_TOL = 1;
const COMPL_INF_TOL = 1e-4;

interface Verdict {
  status: SolverStatus;
  message: string;
}

export interface IpmState extends SolverState {
  readonly n: number;
  nlp: OriginalNlp;
  core: IpmCore | null;
  verdict: Verdict | null;
  /** Unscaled KKT measures at x and the user's multipliers. */
  violation: number;
  compl: number;
  readonly c: Float64Array;
  readonly lambda: Float64Array;
  readonly zL: Float64Array;
  readonly zU: Float64Array;
  /** Restoration iterations so far (inside the outer iterations). */
  restorationIter: number;
  /** Scratch of length n. */
  readonly work: Float64Array;
}

function fmt(v: number): string {
  return Number.isFinite(v) ? v.toExponential(2) : String(v);
}

/**
 * The interior-point method for constraints `cons` (or none) and `box` (or none), with the
 * convergence tolerances of `opts`.
 */
export function ipm(cons: ConstraintSet | null, box: Box | null, opts: IpmOptions): Method<IpmState> {
  /** Unscaled multipliers, violation, stationarity and complementarity at the current iterate. */
  const measure = (s: IpmState): void => {
    const { nlp, core, n } = s;
    if (!core) return;
    const x = core.z.subarray(0, n);
    s.x.set(x);
    const sf = nlp.sf;
    s.f = core.f / sf;
    for (let j = 0; j < n; j++) s.g[j] = core.gf[j]! / sf;
    const mc = nlp.mc;
    nlp.userCurrent(s.c);
    let viol = 0;
    let compl = 0;
    for (let i = 0; i < mc; i++) {
      const r = nlp.rowOf[i]!;
      s.lambda[i] = r < 0 ? 0 : (core.y[r]! * nlp.sc[i]!) / sf;
      const ci = s.c[i]!;
      const lo = cons!.lower[i]!;
      const hi = cons!.upper[i]!;
      viol = Math.max(viol, lo - ci, ci - hi);
      if (!(ci === ci)) viol = NaN;
      const k = nlp.slackOf[i]!;
      if (k >= 0) {
        if (core.hasL[k]) compl = Math.max(compl, Math.abs(((core.vL[k]! * nlp.sc[i]!) / sf) * (ci - lo)));
        if (core.hasU[k]) compl = Math.max(compl, Math.abs(((core.vU[k]! * nlp.sc[i]!) / sf) * (hi - ci)));
      }
    }
    for (let j = 0; j < n; j++) {
      s.zL[j] = core.vL[j]! / sf;
      s.zU[j] = core.vU[j]! / sf;
      if (core.hasL[j]) compl = Math.max(compl, Math.abs(s.zL[j]! * (x[j]! - core.lo[j]!)));
      if (core.hasU[j]) compl = Math.max(compl, Math.abs(s.zU[j]! * (core.up[j]! - x[j]!)));
    }
    nlp.fixed.forEach((j, q) => {
      const yq = core.y[nlp.fixedRow0 + q]! / sf;
      s.zU[j] = Math.max(yq, 0);
      s.zL[j] = Math.max(-yq, 0);
      viol = Math.max(viol, Math.abs(x[j]! - box!.lower[j]!));
    });
    // ∇f + Jᵀλ − zL + zU, J row by row
    const J = nlp.userJ;
    const r = s.work;
    for (let j = 0; j < n; j++) r[j] = s.g[j]! - s.zL[j]! + s.zU[j]!;
    for (let i = 0; i < mc; i++) {
      const li = s.lambda[i]!;
      if (li !== 0) for (let j = 0, o = i * n; j < n; j++) r[j]! += J[o + j]! * li;
    }
    const dual = normInf(r);
    s.gnorm = dual;
    s.violation = Math.max(0, viol);
    if (viol !== viol) s.violation = NaN;
    s.compl = compl;
  };

  const converged = (s: IpmState): Verdict | null => {
    const core = s.core!;
    const e = core.error(0);
    if (e.E <= opts.tol && s.violation <= opts.ctol && s.gnorm <= DUAL_INF_TOL && s.compl <= COMPL_INF_TOL)
      return {
        status: 'converged',
        message: `converged: KKT conditions hold (scaled optimality error ${fmt(e.E)} ≤ tol = ${fmt(opts.tol)}; constraint violation ${fmt(s.violation)}, ‖∇ₓL‖∞ = ${fmt(s.gnorm)}, complementarity ${fmt(s.compl)})`,
      };
    return null;
  };

  return {
    name: 'ipm',
    init(obj: Objective, x0: Float64Array): IpmState {
      const n = obj.n;
      const nlp = new OriginalNlp(obj, cons, box);
      const mc = nlp.mc;
      const s: IpmState = {
        n,
        x: x0,
        f: NaN,
        g: new Float64Array(n),
        gnorm: NaN,
        radius: null,
        nlp,
        core: null,
        verdict: null,
        violation: NaN,
        compl: NaN,
        c: new Float64Array(mc),
        lambda: new Float64Array(mc),
        zL: new Float64Array(n),
        zU: new Float64Array(n),
        restorationIter: 0,
        work: new Float64Array(n),
      };
      s.f = obj.valueAndGrad(x0, s.g);
      let gmax = 0;
      for (let j = 0; j < n; j++) gmax = Math.max(gmax, Math.abs(s.g[j]!));
      s.gnorm = gmax;
      if (!Number.isFinite(s.f) || !s.g.every(Number.isFinite)) return s; // the loop reports it
      if (mc > 0) {
        nlp.userConstraints(x0, s.c);
        const bad = s.c.findIndex((v) => !Number.isFinite(v));
        if (bad >= 0) {
          s.verdict = {
            status: 'nonFinite',
            message: `constraint ${cons!.rowName(bad)} is ${s.c[bad]} at the starting point; returning x0`,
          };
          return s;
        }
      }
      nlp.setScaling(x0);
      // an objective scaled down (sf < 1) scales the multipliers up when they are unscaled: μ
      // must go below tol/(κ_ε + 1) for the unscaled complementarity test to pass
      const core = new IpmCore(nlp, { tol: opts.tol, muInit: 0.1, complTol: COMPL_INF_TOL * nlp.sf });
      const z = new Float64Array(nlp.N);
      z.set(x0);
      for (let i = 0; i < mc; i++) {
        const k = nlp.slackOf[i]!;
        if (k >= 0) z[k] = nlp.sc[i]! * s.c[i]!;
      }
      nlp.fixed.forEach((j) => (z[j] = box!.lower[j]!));
      core.pushInside(z);
      s.x = new Float64Array(n);
      core.start(z);
      // from the first iteration on (init runs outside the loop's handling of the time limit)
      core.kkt.check = obj.checkTime;
      s.core = core;
      measure(s);
      if (!Number.isFinite(s.f) || !s.g.every(Number.isFinite)) {
        s.verdict = { status: 'nonFinite', message: 'the objective is not finite at the start point moved inside the bounds; returning it' };
        return s;
      }
      if (!s.c.every(Number.isFinite)) {
        const bad = s.c.findIndex((v) => !Number.isFinite(v));
        s.verdict = { status: 'nonFinite', message: `constraint ${cons!.rowName(bad)} is ${s.c[bad]} at the start point moved inside the bounds` };
        return s;
      }
      s.verdict = converged(s);
      return s;
    },

    step(s: IpmState) {
      const core = s.core!;
      const before = Float64Array.from(s.x);
      const out = core.step();
      if (out.kind === 'failed') return { status: out.status, step: 0, detail: out.detail };
      if (out.kind === 'restoration') {
        const r = restoration(core, opts.maxRestorationIter ?? 1000, Math.max(opts.tol, 1e-300));
        s.restorationIter += r.iterations;
        if (r.kind === 'failed') return { status: 'lineSearchFailed', step: 0, detail: `${out.why}; feasibility restoration failed: ${r.detail}` };
        if (r.kind === 'infeasible') {
          measure(s);
          s.verdict = {
            status: 'locallyInfeasible',
            message: `converged to a point of local infeasibility: the restoration phase minimized the constraint violation to ${fmt(s.violation)} > ctol = ${fmt(opts.ctol)}; the problem may be infeasible`,
          };
          return { status: 'accepted', step: distance(before, s.x, s.work) };
        }
      }
      measure(s);
      if (!Number.isFinite(s.f)) return { status: 'nonFinite', step: 0, detail: 'the objective is not finite at the accepted point' };
      s.verdict = converged(s);
      return { status: 'accepted', step: distance(before, s.x, s.work) };
    },

    verdict: (s) => s.verdict,

    historyFields(s): Partial<HistoryEntry> {
      const core = s.core;
      return {
        constraintViolation: s.violation,
        mu: core ? core.mu : NaN,
        alphaPrimal: core ? core.alphaPr : 0,
        alphaDual: core ? core.alphaDu : 0,
      };
    },

    resultFields(s): ConstraintResult {
      return {
        constraints: Float64Array.from(s.c),
        multipliers: { constraints: Float64Array.from(s.lambda), lower: Float64Array.from(s.zL), upper: Float64Array.from(s.zU) },
        kkt: { stationarity: s.gnorm, feasibility: s.violation, complementarity: s.compl },
        ncev: s.nlp.ncev,
        njev: s.nlp.njev,
      };
    },
  };
}

/** ‖a − b‖₂, through the scratch `w`. */
function distance(a: Float64Array, b: Float64Array, w: Float64Array): number {
  sub(w, a, b);
  return norm2(w);
}

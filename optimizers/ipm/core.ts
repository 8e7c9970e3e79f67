/**
 * One primal-dual interior-point iteration on a problem in canonical form (nlp.ts), after
 * Wächter & Biegler, "On the implementation of an interior-point filter line-search algorithm
 * for large-scale nonlinear programming", Math. Programming 106 (2006) — the algorithm of
 * Ipopt. Equation and parameter names follow the paper; the values are its defaults.
 *
 * - Barrier problem min φ_μ(z) = φ(z) − μ Σ ln(z − l) − μ Σ ln(u − z) s.t. h(z) = 0, with the
 *   monotone Fiacco–McCormick rule: μ ← max(μ_min, min(κ_μ·μ, μ^θ_μ)) once the barrier
 *   problem's optimality error E_μ ≤ κ_ε·μ (§2.1).
 * - The step solves the primal-dual system with the bound multipliers eliminated (§2.2),
 *   [W + Σ + δw·I, Aᵀ; A, −δc·I], after inertia correction: δw grows until the matrix has N
 *   positive and M negative eigenvalues, δc > 0 when it is singular (§3.1, Algorithm IC).
 * - Fraction to the boundary τ = max(τ_min, 1 − μ) for primal and bound-dual steps (§2.3).
 * - Filter line search on (θ, φ_μ), θ = ‖h‖₁: switching condition, Armijo for f-type steps,
 *   sufficient decrease in θ or φ otherwise, α_min (§2.3); second-order corrections when the
 *   first trial increases θ (§2.4).
 * - When α falls below α_min (or the matrix cannot be corrected) the caller runs the
 *   feasibility restoration phase (restoration.ts).
 */
import { KktSolver } from '../kkt/kkt.js';
import { Triplets } from '../kkt/triplets.js';
import type { CanonicalNlp } from './nlp.js';

/** Settings of a run (defaults from the paper). */
export interface CoreSettings {
  /** Tolerance on the scaled optimality error E₀. */
  tol: number;
  /** Initial barrier parameter. */
  muInit: number;
  /**
   * Complementarity tolerance of the convergence test in the scaled problem's units (the
   * unscaled tolerance times the objective's scale factor): μ may fall below tol/(κ_ε + 1)
   * to reach it (Ipopt's floor min(tol, compl_inf_tol)/(κ_ε + 1)). Default: no extra floor.
   */
  complTol?: number;
}

// Parameters of the paper (its Table/§ defaults, as in Ipopt).
const KAPPA_EPS = 10;
const KAPPA_MU = 0.2;
const THETA_MU = 1.5;
const TAU_MIN = 0.99;
const S_MAX = 100;
const KAPPA_SIGMA = 1e10;
const DELTA = 1;
const S_THETA = 1.1;
const S_PHI = 2.3;
const ETA_PHI = 1e-8;
const GAMMA_THETA = 1e-5;
const GAMMA_PHI = 1e-8;
const GAMMA_ALPHA = 0.05;
const KAPPA_SOC = 0.99;
const P_MAX = 4;
const KAPPA_D = 1e-5;
const BOUND_PUSH = 1e-2;
const BOUND_FRAC = 1e-2;
const MULT_INIT_MAX = 1e3;
// Inertia correction (Algorithm IC).
const DW0 = 1e-4;
const DW_MIN = 1e-20;
const DW_MAX = 1e40;
const KW_MINUS = 1 / 3;
const KW_PLUS = 8;
const KW_PLUS_FIRST = 100;
const DC_BAR = 1e-8;
const KAPPA_C = 0.25;

/** Consecutive shortened steps that start the watchdog, and its trial iterations (Ipopt's defaults). */
const WATCHDOG_TRIGGER = 10;
const WATCHDOG_TRIALS = 3;

interface Direction {
  alphaMax: number;
  alphaV: number;
  thetaK: number;
  phiK: number;
  dphi: number;
}

/** Where the watchdog started: the iterate, its derivatives and its search direction. */
interface WatchdogPoint extends Direction {
  trials: number;
  z: Float64Array;
  y: Float64Array;
  vL: Float64Array;
  vU: Float64Array;
  f: number;
  gf: Float64Array;
  h: Float64Array;
  A: Triplets;
  dz: Float64Array;
  dy: Float64Array;
  dvL: Float64Array;
  dvU: Float64Array;
}

/** How an iteration ended. */
export type StepOutcome =
  | { kind: 'accepted'; fType: boolean }
  /** No acceptable step (α < α_min) or no usable KKT matrix: feasibility restoration is next. */
  | { kind: 'restoration'; why: string }
  | { kind: 'failed'; status: 'nonFinite' | 'lineSearchFailed' | 'noProgress'; detail: string };

/** The optimality error and its parts (scaled, ∞-norms). */
export interface OptimalityError {
  E: number;
  dual: number;
  primal: number;
  compl: number;
}

/** A set of (θ, φ) pairs no later iterate may be dominated by. */
export class Filter {
  private readonly th: number[] = [];
  private readonly ph: number[] = [];

  reset(): void {
    this.th.length = 0;
    this.ph.length = 0;
  }

  /** Not dominated: every entry has a larger θ or a larger φ. */
  acceptable(theta: number, phi: number): boolean {
    for (let k = 0; k < this.th.length; k++) if (theta >= this.th[k]! && phi >= this.ph[k]!) return false;
    return true;
  }

  add(theta: number, phi: number): void {
    for (let k = this.th.length - 1; k >= 0; k--) {
      if (this.th[k]! >= theta && this.ph[k]! >= phi) {
        this.th.splice(k, 1);
        this.ph.splice(k, 1);
      }
    }
    this.th.push(theta);
    this.ph.push(phi);
  }
}

/** Largest α ∈ (0, 1] with v + α·dv ≥ (1 − τ)·v for the entries where `has` is set (v > 0). */
function fractionToBoundary(v: Float64Array, dv: Float64Array, has: Uint8Array, tau: number): number {
  let a = 1;
  for (let i = 0; i < v.length; i++) {
    if (!has[i]) continue;
    const d = dv[i]!;
    if (d < 0) {
      const ai = (-tau * v[i]!) / d;
      if (ai < a) a = ai;
    }
  }
  return a;
}

export class IpmCore {
  readonly N: number;
  readonly M: number;
  readonly z: Float64Array;
  readonly y: Float64Array;
  /** Bound multipliers (0 where there is no bound). */
  readonly vL: Float64Array;
  readonly vU: Float64Array;
  readonly hasL: Uint8Array;
  readonly hasU: Uint8Array;
  readonly lo: Float64Array;
  readonly up: Float64Array;
  /** φ(z), ∇φ(z), h(z) and its Jacobian at the current iterate. */
  f = NaN;
  readonly gf: Float64Array;
  readonly h: Float64Array;
  readonly A = new Triplets(64);
  readonly W = new Triplets(64);
  mu: number;
  tau: number;
  readonly filter = new Filter();
  thetaMax = Infinity;
  thetaMin = 0;
  muMin: number;
  /** The last accepted step: primal and dual step sizes, δw used. */
  alphaPr = 0;
  alphaDu = 0;
  dw = 0;
  private dwLast = 0;
  private tinyStep = false;
  /** The search direction's step bounds and the line search's reference values. */
  private readonly dir: Direction = { alphaMax: 0, alphaV: 0, thetaK: 0, phiK: 0, dphi: 0 };
  /** Consecutive iterations whose step was shortened by the line search. */
  private shortened = 0;
  private watchdog: WatchdogPoint | null = null;
  readonly kkt: KktSolver;
  // scratch
  private readonly sigma: Float64Array;
  private readonly dLo: Float64Array; // z − l
  private readonly dUp: Float64Array; // u − z
  private readonly gphi: Float64Array;
  private readonly rhs: Float64Array;
  private readonly sol: Float64Array;
  readonly dz: Float64Array;
  private readonly dy: Float64Array;
  private readonly dvL: Float64Array;
  private readonly dvU: Float64Array;
  private readonly zt: Float64Array;
  private readonly ht: Float64Array;
  private readonly csoc: Float64Array;
  private readonly tmpN: Float64Array;
  private readonly AtY: Float64Array;
  /** Lower-only / upper-only bound flags for the damping term κ_d. */
  private readonly onlyL: Uint8Array;
  private readonly onlyU: Uint8Array;

  constructor(
    readonly nlp: CanonicalNlp,
    readonly settings: CoreSettings,
  ) {
    const { N, M } = nlp;
    this.N = N;
    this.M = M;
    this.z = new Float64Array(N);
    this.y = new Float64Array(M);
    this.vL = new Float64Array(N);
    this.vU = new Float64Array(N);
    this.lo = Float64Array.from(nlp.lower);
    this.up = Float64Array.from(nlp.upper);
    this.hasL = Uint8Array.from(this.lo, (v) => (v > -Infinity ? 1 : 0));
    this.hasU = Uint8Array.from(this.up, (v) => (v < Infinity ? 1 : 0));
    this.onlyL = Uint8Array.from(this.hasL, (v, i) => (v && !this.hasU[i] ? 1 : 0));
    this.onlyU = Uint8Array.from(this.hasU, (v, i) => (v && !this.hasL[i] ? 1 : 0));
    this.gf = new Float64Array(N);
    this.h = new Float64Array(M);
    this.mu = settings.muInit;
    this.tau = Math.max(TAU_MIN, 1 - this.mu);
    this.muMin = Math.min(settings.tol, settings.complTol ?? Infinity) / (KAPPA_EPS + 1);
    this.kkt = new KktSolver(N, M);
    this.sigma = new Float64Array(N);
    this.dLo = new Float64Array(N);
    this.dUp = new Float64Array(N);
    this.gphi = new Float64Array(N);
    this.rhs = new Float64Array(N + M);
    this.sol = new Float64Array(N + M);
    this.dz = new Float64Array(N);
    this.dy = new Float64Array(M);
    this.dvL = new Float64Array(N);
    this.dvU = new Float64Array(N);
    this.zt = new Float64Array(N);
    this.ht = new Float64Array(M);
    this.csoc = new Float64Array(M);
    this.tmpN = new Float64Array(N);
    this.AtY = new Float64Array(N);
  }

  /**
   * Moves z inside the bounds as Ipopt does (bound_push, bound_frac = 0.01): at least
   * min(0.01·max(1, |bound|), 0.01·(u − l)) away from each bound. In place.
   */
  pushInside(z: Float64Array): void {
    for (let i = 0; i < this.N; i++) {
      const l = this.lo[i]!;
      const u = this.up[i]!;
      let pl = BOUND_PUSH * Math.max(1, Math.abs(l));
      let pu = BOUND_PUSH * Math.max(1, Math.abs(u));
      if (this.hasL[i] && this.hasU[i]) {
        pl = Math.min(pl, BOUND_FRAC * (u - l));
        pu = Math.min(pu, BOUND_FRAC * (u - l));
      }
      if (this.hasL[i] && z[i]! < l + pl) z[i] = l + pl;
      if (this.hasU[i] && z[i]! > u - pu) z[i] = u - pu;
      if (this.hasL[i] && this.hasU[i] && !(z[i]! > l && z[i]! < u)) z[i] = 0.5 * (l + u);
    }
  }

  /**
   * Starts at z (strictly inside the bounds): evaluates φ, ∇φ, h and A there, sets the bound
   * multipliers (given, or 1) and the equality multipliers (given, or the least-squares
   * estimate, dropped if larger than 1e3).
   */
  start(z: Float64Array, init: { y?: Float64Array; vL?: Float64Array; vU?: Float64Array } = {}): void {
    this.z.set(z);
    this.evaluateAt();
    for (let i = 0; i < this.N; i++) {
      this.vL[i] = this.hasL[i] ? (init.vL ? init.vL[i]! : 1) : 0;
      this.vU[i] = this.hasU[i] ? (init.vU ? init.vU[i]! : 1) : 0;
    }
    if (init.y) this.y.set(init.y);
    else this.leastSquaresMultipliers();
    const theta = this.theta(this.h);
    this.thetaMax = 1e4 * Math.max(1, theta);
    this.thetaMin = 1e-4 * Math.max(1, theta);
    this.filter.reset();
  }

  /** φ, ∇φ, h, A at this.z. */
  evaluateAt(): void {
    this.f = this.nlp.valueAndGrad(this.z, this.gf);
    this.nlp.jacobian(this.z, this.h, this.A);
    this.distances();
  }

  private distances(): void {
    for (let i = 0; i < this.N; i++) {
      this.dLo[i] = this.hasL[i] ? this.z[i]! - this.lo[i]! : 1;
      this.dUp[i] = this.hasU[i] ? this.up[i]! - this.z[i]! : 1;
    }
  }

  /** y from min ‖∇φ − vL + vU + Aᵀy‖ ([I Aᵀ; A 0] system); 0 when it fails or exceeds 1e3. */
  leastSquaresMultipliers(): void {
    const { N, M } = this;
    this.y.fill(0);
    if (M === 0) return;
    const I = new Float64Array(N).fill(1);
    this.kkt.setMatrix(new Triplets(0), I, this.A);
    const inertia = this.kkt.factor(0, 0);
    if (inertia.pos !== N || inertia.neg !== M) return;
    for (let i = 0; i < N; i++) this.rhs[i] = -(this.gf[i]! - this.vL[i]! + this.vU[i]!);
    this.rhs.fill(0, N);
    if (!this.kkt.solve(this.rhs, this.sol)) return;
    let big = 0;
    for (let r = 0; r < M; r++) big = Math.max(big, Math.abs(this.sol[N + r]!));
    if (big <= MULT_INIT_MAX) this.y.set(this.sol.subarray(N));
  }

  /** θ = ‖h‖₁. */
  theta(h: Float64Array): number {
    let s = 0;
    for (let r = 0; r < h.length; r++) s += Math.abs(h[r]!);
    return s;
  }

  /** φ_μ at a point z with objective value f (NaN outside the bounds). */
  barrier(z: Float64Array, f: number): number {
    let b = f;
    const mu = this.mu;
    for (let i = 0; i < this.N; i++) {
      if (this.hasL[i]) {
        const d = z[i]! - this.lo[i]!;
        b -= mu * Math.log(d);
        if (this.onlyL[i]) b += KAPPA_D * mu * d;
      }
      if (this.hasU[i]) {
        const d = this.up[i]! - z[i]!;
        b -= mu * Math.log(d);
        if (this.onlyU[i]) b += KAPPA_D * mu * d;
      }
    }
    return b;
  }

  /** The optimality error E_μ (eq. 5) with its scaled parts. */
  error(mu: number): OptimalityError {
    const { N, M } = this;
    this.A.matTVec(this.y, this.AtY);
    let dual = 0;
    let sumV = 0;
    let nV = 0;
    let compl = 0;
    for (let i = 0; i < N; i++) {
      dual = Math.max(dual, Math.abs(this.gf[i]! + this.AtY[i]! - this.vL[i]! + this.vU[i]!));
      if (this.hasL[i]) {
        sumV += Math.abs(this.vL[i]!);
        nV++;
        compl = Math.max(compl, Math.abs(this.dLo[i]! * this.vL[i]! - mu));
      }
      if (this.hasU[i]) {
        sumV += Math.abs(this.vU[i]!);
        nV++;
        compl = Math.max(compl, Math.abs(this.dUp[i]! * this.vU[i]! - mu));
      }
    }
    let sumY = 0;
    let primal = 0;
    for (let r = 0; r < M; r++) {
      sumY += Math.abs(this.y[r]!);
      primal = Math.max(primal, Math.abs(this.h[r]!));
    }
    const sd = Math.max(S_MAX, (sumY + sumV) / Math.max(1, M + nV)) / S_MAX;
    const sc = Math.max(S_MAX, sumV / Math.max(1, nV)) / S_MAX;
    dual /= sd;
    compl /= sc;
    const E = Math.max(dual, primal, compl);
    return { E: E === E ? E : Infinity, dual, primal, compl };
  }

  /** Monotone barrier update (§2.1), as often as E_μ ≤ κ_ε·μ allows. */
  private updateBarrier(): void {
    for (;;) {
      if (this.mu <= this.muMin) return;
      if (!this.tinyStep && this.error(this.mu).E > KAPPA_EPS * this.mu) return;
      this.tinyStep = false;
      this.mu = Math.max(this.muMin, Math.min(KAPPA_MU * this.mu, this.mu ** THETA_MU));
      this.tau = Math.max(TAU_MIN, 1 - this.mu);
      this.filter.reset();
    }
  }

  /** ∇φ_μ (with the damping term) into gphi; Σ into sigma. */
  private barrierGradient(): void {
    const mu = this.mu;
    for (let i = 0; i < this.N; i++) {
      let g = this.gf[i]!;
      let s = 0;
      if (this.hasL[i]) {
        g -= mu / this.dLo[i]!;
        s += this.vL[i]! / this.dLo[i]!;
        if (this.onlyL[i]) g += KAPPA_D * mu;
      }
      if (this.hasU[i]) {
        g += mu / this.dUp[i]!;
        s += this.vU[i]! / this.dUp[i]!;
        if (this.onlyU[i]) g -= KAPPA_D * mu;
      }
      this.gphi[i] = g;
      this.sigma[i] = s;
    }
  }

  /**
   * Factors the KKT matrix with inertia correction (Algorithm IC) and solves for the current
   * right-hand side into `sol`. False when no regularization up to δw = 1e40 works.
   */
  private factorAndSolve(): boolean {
    const { N, M, kkt } = this;
    const good = (p: { pos: number; neg: number; zero: number }) => p.pos === N && p.neg === M && p.zero === 0;
    let inertia = kkt.factor(0, 0);
    if (good(inertia) && kkt.solve(this.rhs, this.sol)) {
      this.dw = 0;
      return true;
    }
    let dc = 0;
    if (inertia.zero > 0 || good(inertia)) dc = DC_BAR * this.mu ** KAPPA_C;
    let dw = this.dwLast === 0 ? DW0 : Math.max(DW_MIN, KW_MINUS * this.dwLast);
    for (;;) {
      inertia = kkt.factor(dw, dc);
      if (good(inertia) && kkt.solve(this.rhs, this.sol)) {
        this.dwLast = dw;
        this.dw = dw;
        return true;
      }
      if (inertia.zero > 0 && dc === 0) dc = DC_BAR * this.mu ** KAPPA_C;
      dw *= this.dwLast === 0 ? KW_PLUS_FIRST : KW_PLUS;
      if (dw > DW_MAX) return false;
    }
  }

  /** One iteration from the current iterate (the caller has checked convergence). */
  step(): StepOutcome {
    const { N, M, z, y } = this;
    const mu0 = this.mu;
    this.updateBarrier();
    if (this.mu !== mu0) {
      // a new barrier problem: the watchdog's reference point belongs to the old one
      this.watchdog = null;
      this.shortened = 0;
    }
    this.nlp.hessian(z, 1, y, this.W);
    for (let k = 0; k < this.W.nnz; k++) {
      if (!Number.isFinite(this.W.vals[k]!)) return { kind: 'failed', status: 'nonFinite', detail: 'the Hessian of the Lagrangian has NaN/Infinity entries' };
    }
    this.barrierGradient();
    this.kkt.setMatrix(this.W, this.sigma, this.A);
    this.A.matTVec(y, this.AtY);
    for (let i = 0; i < N; i++) this.rhs[i] = -(this.gphi[i]! + this.AtY[i]!);
    for (let r = 0; r < M; r++) this.rhs[N + r] = -this.h[r]!;
    if (!this.factorAndSolve()) return { kind: 'restoration', why: 'the KKT matrix could not be regularized' };
    this.dz.set(this.sol.subarray(0, N));
    this.dy.set(this.sol.subarray(N));
    const mu = this.mu;
    for (let i = 0; i < N; i++) {
      this.dvL[i] = this.hasL[i] ? mu / this.dLo[i]! - this.vL[i]! - (this.vL[i]! / this.dLo[i]!) * this.dz[i]! : 0;
      this.dvU[i] = this.hasU[i] ? mu / this.dUp[i]! - this.vU[i]! + (this.vU[i]! / this.dUp[i]!) * this.dz[i]! : 0;
    }
    const d = this.dir;
    d.alphaMax = this.primalFraction(this.dz);
    d.alphaV = Math.min(fractionToBoundary(this.vL, this.dvL, this.hasL, this.tau), fractionToBoundary(this.vU, this.dvU, this.hasU, this.tau));

    // A tiny step (relative to z) is taken whole: the line search cannot judge it.
    if (this.negligible(1)) {
      for (let i = 0; i < N; i++) this.zt[i] = z[i]! + d.alphaMax * this.dz[i]!;
      this.tinyStep = true;
      return this.accept(d.alphaMax, d.alphaMax, d.alphaV, this.dy, true, NaN, NaN, true);
    }
    d.thetaK = this.theta(this.h);
    d.phiK = this.barrier(z, this.f);
    d.dphi = 0;
    for (let i = 0; i < N; i++) d.dphi += this.gphi[i]! * this.dz[i]!;

    // The watchdog (Wächter & Biegler §3.2, after Chamberlain et al.): after WATCHDOG_TRIGGER
    // shortened steps in a row, take full steps for up to WATCHDOG_TRIALS iterations; keep
    // them if one becomes acceptable to the point where this started, else go back there.
    const wd = this.watchdog;
    if (wd) {
      const t = this.trial(d.alphaMax);
      const verdict = t ? this.acceptable(t.theta, t.phi, wd.thetaK, wd.phiK, wd.dphi, wd.alphaMax) : null;
      if (verdict !== null) {
        this.watchdog = null;
        this.shortened = 0;
        return this.accept(d.alphaMax, d.alphaMax, d.alphaV, this.dy, verdict, wd.thetaK, wd.phiK, false);
      }
      if (t && ++wd.trials < WATCHDOG_TRIALS) return this.accept(d.alphaMax, d.alphaMax, d.alphaV, this.dy, true, NaN, NaN, true);
      this.restoreWatchdog(wd);
      this.watchdog = null;
      this.shortened = 0;
      // the full step from there was the first trial, and failed
      return this.lineSearch(0.5 * this.dir.alphaMax, false);
    }
    if (this.shortened >= WATCHDOG_TRIGGER) {
      const t = this.trial(d.alphaMax);
      if (t) {
        this.watchdog = this.saveWatchdog();
        return this.accept(d.alphaMax, d.alphaMax, d.alphaV, this.dy, true, NaN, NaN, true);
      }
    }
    const out = this.lineSearch(d.alphaMax, true);
    if (out.kind === 'accepted') this.shortened = this.alphaPr < d.alphaMax ? this.shortened + 1 : 0;
    return out;
  }

  /** Whether α·dz is below rounding level relative to z. */
  private negligible(alpha: number): boolean {
    for (let i = 0; i < this.N; i++) if (Math.abs(alpha * this.dz[i]!) > 10 * Number.EPSILON * (1 + Math.abs(this.z[i]!))) return false;
    return true;
  }

  /** θ and φ_μ at z + α·dz (into zt, ht); null when not finite. */
  private trial(alpha: number): { theta: number; phi: number } | null {
    for (let i = 0; i < this.N; i++) this.zt[i] = this.z[i]! + alpha * this.dz[i]!;
    const ft = this.nlp.value(this.zt);
    this.nlp.constraints(this.zt, this.ht);
    const theta = this.theta(this.ht);
    const phi = this.barrier(this.zt, ft);
    return Number.isFinite(theta) && Number.isFinite(phi) ? { theta, phi } : null;
  }

  /** Backtracking filter line search along this.dz from α = `alpha` (§2.3), with second-order corrections if `soc`. */
  private lineSearch(alpha0: number, soc: boolean): StepOutcome {
    const M = this.M;
    const { alphaMax, alphaV, thetaK, phiK, dphi } = this.dir;
    let alphaMin: number;
    if (dphi < 0) {
      alphaMin = Math.min(GAMMA_THETA, (GAMMA_PHI * thetaK) / -dphi);
      if (thetaK <= this.thetaMin) alphaMin = Math.min(alphaMin, (DELTA * thetaK ** S_THETA) / (-dphi) ** S_PHI);
    } else alphaMin = GAMMA_THETA;
    alphaMin *= GAMMA_ALPHA;
    let alpha = alpha0;
    let nonFiniteTrials = 0;
    for (;;) {
      if (alpha < alphaMin || this.negligible(alpha)) {
        if (thetaK > 0) return { kind: 'restoration', why: 'the step size fell below α_min' };
        if (nonFiniteTrials > 0) return { kind: 'failed', status: 'nonFinite', detail: 'the objective or a constraint is NaN/Infinity along the search direction' };
        return { kind: 'failed', status: 'lineSearchFailed', detail: 'the filter line search found no acceptable step' };
      }
      const t = this.trial(alpha);
      if (t) {
        const verdict = this.acceptable(t.theta, t.phi, thetaK, phiK, dphi, alpha);
        if (verdict !== null) return this.accept(alpha, alpha, alphaV, this.dy, verdict, thetaK, phiK, false);
        if (soc && alpha === alphaMax && t.theta >= thetaK && M > 0) {
          const out = this.secondOrderCorrection(thetaK, phiK, dphi, alphaMax, t.theta);
          if (out) return out;
        }
      } else nonFiniteTrials++;
      alpha *= 0.5;
    }
  }

  private saveWatchdog(): WatchdogPoint {
    const A = new Triplets(this.A.nnz);
    A.append(this.A);
    return {
      trials: 0,
      ...this.dir,
      z: this.z.slice(),
      y: this.y.slice(),
      vL: this.vL.slice(),
      vU: this.vU.slice(),
      f: this.f,
      gf: this.gf.slice(),
      h: this.h.slice(),
      A,
      dz: this.dz.slice(),
      dy: this.dy.slice(),
      dvL: this.dvL.slice(),
      dvU: this.dvU.slice(),
    };
  }

  private restoreWatchdog(w: WatchdogPoint): void {
    this.z.set(w.z);
    this.y.set(w.y);
    this.vL.set(w.vL);
    this.vU.set(w.vU);
    this.f = w.f;
    this.gf.set(w.gf);
    this.h.set(w.h);
    this.A.clear();
    this.A.append(w.A);
    this.dz.set(w.dz);
    this.dy.set(w.dy);
    this.dvL.set(w.dvL);
    this.dvU.set(w.dvU);
    Object.assign(this.dir, { alphaMax: w.alphaMax, alphaV: w.alphaV, thetaK: w.thetaK, phiK: w.phiK, dphi: w.dphi });
    this.distances();
  }

  /** Largest α ≤ 1 keeping z + α·dz at the fraction τ of its distance to the bounds. */
  primalFraction(dz: Float64Array): number {
    let a = 1;
    const tau = this.tau;
    for (let i = 0; i < this.N; i++) {
      const d = dz[i]!;
      if (d < 0 && this.hasL[i]) a = Math.min(a, (-tau * this.dLo[i]!) / d);
      if (d > 0 && this.hasU[i]) a = Math.min(a, (tau * this.dUp[i]!) / d);
    }
    return a;
  }

  /**
   * Filter acceptance (§2.3) of a trial point: true for an f-type step (switching condition
   * and Armijo), false for an h-type step (sufficient decrease in θ or φ), null if rejected.
   */
  private acceptable(thetaT: number, phiT: number, thetaK: number, phiK: number, dphi: number, alpha: number): boolean | null {
    if (thetaT > this.thetaMax) return null;
    if (!this.filter.acceptable(thetaT, phiT)) return null;
    const switching = dphi < 0 && alpha * (-dphi) ** S_PHI > DELTA * thetaK ** S_THETA;
    if (switching && thetaK <= this.thetaMin) {
      return phiT <= phiK + ETA_PHI * alpha * dphi ? true : null;
    }
    if (thetaT <= (1 - GAMMA_THETA) * thetaK || phiT <= phiK - GAMMA_PHI * thetaK) return false;
    return null;
  }

  /** Second-order correction steps after a rejected first trial (§2.4); the accepted outcome or null. */
  private secondOrderCorrection(thetaK: number, phiK: number, dphi: number, alpha0: number, thetaT: number): StepOutcome | null {
    const { N, M, z } = this;
    for (let r = 0; r < M; r++) this.csoc[r] = alpha0 * this.h[r]! + this.ht[r]!;
    let thetaOld = thetaT;
    for (let p = 1; p <= P_MAX; p++) {
      for (let r = 0; r < M; r++) this.rhs[N + r] = -this.csoc[r]!;
      if (!this.kkt.solve(this.rhs, this.sol)) return null;
      const dzs = this.tmpN;
      dzs.set(this.sol.subarray(0, N));
      const as = this.primalFraction(dzs);
      for (let i = 0; i < N; i++) this.zt[i] = z[i]! + as * dzs[i]!;
      const ft = this.nlp.value(this.zt);
      this.nlp.constraints(this.zt, this.ht);
      const thetaS = this.theta(this.ht);
      const phiS = this.barrier(this.zt, ft);
      if (!Number.isFinite(thetaS) || !Number.isFinite(phiS)) return null;
      const verdict = this.acceptable(thetaS, phiS, thetaK, phiK, dphi, alpha0);
      if (verdict !== null) {
        const alphaV = this.dir.alphaV;
        const dys = this.sol.subarray(N);
        // restore rhs for later solves of this iteration (none follow, but keep it consistent)
        for (let r = 0; r < M; r++) this.rhs[N + r] = -this.h[r]!;
        return this.accept(as, as, alphaV, dys, verdict, thetaK, phiK, false);
      }
      if (thetaS > KAPPA_SOC * thetaOld) break;
      thetaOld = thetaS;
      for (let r = 0; r < M; r++) this.csoc[r] = as * this.csoc[r]! + this.ht[r]!;
    }
    for (let r = 0; r < M; r++) this.rhs[N + r] = -this.h[r]!;
    return null;
  }

  /** Takes the trial point this.zt: multipliers, dual safeguard, filter, new derivatives. */
  private accept(alpha: number, alphaY: number, alphaV: number, dy: Float64Array, fType: boolean, thetaK: number, phiK: number, tiny: boolean): StepOutcome {
    const { N, M } = this;
    if (!tiny && !fType) this.filter.add((1 - GAMMA_THETA) * thetaK, phiK - GAMMA_PHI * thetaK);
    this.z.set(this.zt);
    for (let r = 0; r < M; r++) this.y[r]! += alphaY * dy[r]!;
    for (let i = 0; i < N; i++) {
      this.vL[i]! += alphaV * this.dvL[i]!;
      this.vU[i]! += alphaV * this.dvU[i]!;
    }
    this.alphaPr = alpha;
    this.alphaDu = alphaV;
    this.evaluateAt();
    // keep each bound multiplier within a factor κ_Σ of μ/(distance) (eq. 16)
    const mu = this.mu;
    for (let i = 0; i < N; i++) {
      if (this.hasL[i]) {
        const d = this.dLo[i]!;
        this.vL[i] = Math.max(Math.min(this.vL[i]!, (KAPPA_SIGMA * mu) / d), mu / (KAPPA_SIGMA * d));
      }
      if (this.hasU[i]) {
        const d = this.dUp[i]!;
        this.vU[i] = Math.max(Math.min(this.vU[i]!, (KAPPA_SIGMA * mu) / d), mu / (KAPPA_SIGMA * d));
      }
    }
    return { kind: 'accepted', fType };
  }
}

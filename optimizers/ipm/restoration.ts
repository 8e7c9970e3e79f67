/**
 * The feasibility restoration phase (Wächter & Biegler 2006, §3.3): when the filter line
 * search finds no acceptable step, look for a less infeasible point close to the current one
 * by solving, with the same interior-point core,
 *
 *   min ρ·Σ(p + q) + ζ/2·‖D_R(z − z_R)‖²  s.t.  h(z) − p + q = 0,  p, q ≥ 0,  bounds on z,
 *
 * (ρ = 1000, ζ = √μ, D_R = diag(min(1, 1/|z_R|))) until a point is acceptable to the filter
 * and θ fell to κ_resto·θ(z_R). If the restoration problem itself converges first, the
 * current point is (locally) the least infeasible one: the problem is locally infeasible.
 */
import { Triplets } from '../kkt/triplets.js';
import { IpmCore } from './core.js';
import type { CanonicalNlp } from './nlp.js';

const RHO = 1000;
const KAPPA_RESTO = 0.9;

/** The restoration problem of `P` around z_R, in canonical form: variables (z, p, q). */
class RestorationNlp implements CanonicalNlp {
  readonly N: number;
  readonly M: number;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  private readonly d2: Float64Array;
  private readonly A0 = new Triplets(64);

  constructor(
    private readonly P: CanonicalNlp,
    private readonly zR: Float64Array,
    private readonly zeta: number,
  ) {
    const { N, M } = P;
    this.N = N + 2 * M;
    this.M = M;
    this.lower = new Float64Array(this.N);
    this.upper = new Float64Array(this.N).fill(Infinity);
    this.lower.set(P.lower);
    this.upper.set(P.upper);
    this.d2 = Float64Array.from(zR, (v) => Math.min(1, 1 / Math.abs(v)) ** 2);
  }

  value(w: Float64Array): number {
    const { N, M } = this.P;
    let s = 0;
    for (let r = 0; r < 2 * M; r++) s += w[N + r]!;
    let q = 0;
    for (let i = 0; i < N; i++) q += this.d2[i]! * (w[i]! - this.zR[i]!) ** 2;
    return RHO * s + 0.5 * this.zeta * q;
  }

  valueAndGrad(w: Float64Array, g: Float64Array): number {
    const N = this.P.N;
    for (let i = 0; i < N; i++) g[i] = this.zeta * this.d2[i]! * (w[i]! - this.zR[i]!);
    g.fill(RHO, N);
    return this.value(w);
  }

  private shift(w: Float64Array, out: Float64Array): void {
    const { N, M } = this.P;
    for (let r = 0; r < M; r++) out[r]! += -w[N + r]! + w[N + M + r]!;
  }

  constraints(w: Float64Array, out: Float64Array): void {
    this.P.constraints(w.subarray(0, this.P.N), out);
    this.shift(w, out);
  }

  jacobian(w: Float64Array, out: Float64Array, A: Triplets): void {
    const { N, M } = this.P;
    this.P.jacobian(w.subarray(0, N), out, this.A0);
    this.shift(w, out);
    A.clear();
    A.append(this.A0);
    for (let r = 0; r < M; r++) {
      A.push(r, N + r, -1);
      A.push(r, N + M + r, 1);
    }
  }

  hessian(w: Float64Array, sigma: number, y: Float64Array, W: Triplets): void {
    const N = this.P.N;
    this.P.hessian(w.subarray(0, N), 0, y, W);
    for (let i = 0; i < N; i++) W.push(i, i, sigma * this.zeta * this.d2[i]!);
  }
}

export type RestorationResult =
  | { kind: 'ok'; iterations: number }
  | { kind: 'infeasible'; iterations: number }
  | { kind: 'failed'; iterations: number; detail: string };

/**
 * Runs the restoration phase from `core`'s current iterate; on success (or local
 * infeasibility) `core` is left at the restoration's point with fresh derivatives and
 * multipliers. `maxIter` bounds the restoration's own iterations; `feasTol` is the scaled
 * ‖h‖∞ below which a point counts as feasible.
 */
export function restoration(core: IpmCore, maxIter: number, feasTol: number): RestorationResult {
  const P = core.nlp;
  const { N, M } = P;
  const thetaR = core.theta(core.h);
  let hmax = 0;
  for (let r = 0; r < M; r++) hmax = Math.max(hmax, Math.abs(core.h[r]!));
  if (hmax <= feasTol) return { kind: 'failed', iterations: 0, detail: 'no acceptable step at an (almost) feasible point: the objective may be at the limit of floating-point precision' };
  // the current point may not be returned to
  core.filter.add(thetaR, core.barrier(core.z, core.f));
  const muR = Math.max(core.mu, hmax);
  const zR = core.z.slice();
  const R = new RestorationNlp(P, zR, Math.sqrt(muR));
  const rc = new IpmCore(R, { tol: core.settings.tol, muInit: muR });
  rc.kkt.check = core.kkt.check; // the run's time limit holds inside the restoration's factorizations too
  // p, q solving the barrier problem in (p, q) for fixed z (eq. 33): p − q = h, each > 0
  const w = new Float64Array(R.N);
  w.set(zR);
  for (let r = 0; r < M; r++) {
    const c = core.h[r]!;
    const b = (muR - RHO * c) / (2 * RHO);
    const q = b + Math.sqrt(b * b + (muR * c) / (2 * RHO));
    w[N + M + r] = q;
    w[N + r] = c + q;
  }
  const vL = new Float64Array(R.N);
  const vU = new Float64Array(R.N);
  for (let i = 0; i < N; i++) {
    vL[i] = Math.min(RHO, core.vL[i]!);
    vU[i] = Math.min(RHO, core.vU[i]!);
  }
  for (let r = N; r < R.N; r++) vL[r] = muR / w[r]!;
  rc.start(w, { y: new Float64Array(M), vL, vU });
  const hz = new Float64Array(M);
  let it = 0;
  for (; it < maxIter; it++) {
    if (rc.error(0).E <= rc.settings.tol) break;
    const out = rc.step();
    if (out.kind !== 'accepted') return { kind: 'failed', iterations: it + 1, detail: out.kind === 'failed' ? out.detail : out.why };
    // h(z) from the restoration rows: h(z) − p + q
    for (let r = 0; r < M; r++) hz[r] = rc.h[r]! + rc.z[N + r]! - rc.z[N + M + r]!;
    const theta = core.theta(hz);
    if (theta <= KAPPA_RESTO * thetaR) {
      const zc = rc.z.subarray(0, N);
      const phi = core.barrier(zc, P.value(zc));
      if (Number.isFinite(phi) && core.filter.acceptable(theta, phi)) {
        takeOver(core, rc);
        return { kind: 'ok', iterations: it + 1 };
      }
    }
  }
  if (it === maxIter) return { kind: 'failed', iterations: it, detail: `the restoration phase did not finish in ${maxIter} iterations` };
  // converged: the least infeasible point nearby
  for (let r = 0; r < M; r++) hz[r] = rc.h[r]! + rc.z[N + r]! - rc.z[N + M + r]!;
  let hzmax = 0;
  for (let r = 0; r < M; r++) hzmax = Math.max(hzmax, Math.abs(hz[r]!));
  takeOver(core, rc);
  if (hzmax > feasTol) return { kind: 'infeasible', iterations: it };
  core.filter.reset();
  return { kind: 'ok', iterations: it };
}

/** Moves `core` to the restoration's point: derivatives there, its bound multipliers (reset to 1 when large), least-squares y. */
function takeOver(core: IpmCore, rc: IpmCore): void {
  const N = core.N;
  core.z.set(rc.z.subarray(0, N));
  core.evaluateAt();
  let vmax = 0;
  for (let i = 0; i < N; i++) vmax = Math.max(vmax, rc.vL[i]!, rc.vU[i]!);
  for (let i = 0; i < N; i++) {
    core.vL[i] = core.hasL[i] ? (vmax > 1e3 ? 1 : rc.vL[i]!) : 0;
    core.vU[i] = core.hasU[i] ? (vmax > 1e3 ? 1 : rc.vU[i]!) : 0;
  }
  core.leastSquaresMultipliers();
}

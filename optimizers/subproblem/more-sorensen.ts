/**
 * Moré–Sorensen: a nearly exact solution of the trust-region subproblem
 *   min gᵀp + ½·pᵀAp  subject to ‖p‖₂ ≤ Δ
 * (J. J. Moré and D. C. Sorensen, "Computing a trust region step", SIAM J. Sci. Stat. Comput.
 * 4(3), 1983; Nocedal & Wright §4.3). The solution is p(λ) = −(A + λI)⁻¹g with λ ≥ 0,
 * A + λI positive semidefinite and λ(Δ − ‖p‖) = 0. λ is found by safeguarded Newton on
 * 1/‖p(λ)‖ − 1/Δ = 0, each step one Cholesky factorization, inside bounds [λ_L, λ_U] that
 * tighten with every factorization:
 *  - a failed factorization yields v with vᵀ(A + λI)v = d_k ≤ 0, so λ* ≥ λ − d_k/‖v‖²;
 *  - a successful one with ‖p‖ < Δ makes λ an upper bound, and a LINPACK-style estimate z of
 *    the smallest singular vector gives a lower bound and the hard-case step p + τz to the
 *    boundary, accepted when τ²·zᵀ(A + λI)z ≤ κ_hard·(pᵀ(A + λI)p + λΔ²).
 * The algorithm is written once over a {@link ShiftedSystem}: dense for `trust-exact`,
 * tridiagonal for the Lanczos subproblems of `trust-krylov`.
 */
import { cholesky, normInfMatrix, smallestSingularVector, solveCholesky, solveLower, solveLowerT } from '../linalg.js';
import { matVec } from '../vec.js';
import type { QuadraticModel, SubproblemFactory, SubproblemResult } from './types.js';

/** A symmetric matrix A that can be factored with a shift, A + λI = L·Lᵀ. */
export interface ShiftedSystem {
  /** Current dimension. */
  readonly n: number;
  /** ‖A‖∞ (an upper bound on |eigenvalues|). */
  normInf(): number;
  minDiagonal(): number;
  /**
   * Factors A + λI; −1 on success, else the failing pivot index (pivot value in `pivot`).
   * `check` may be called between blocks of the work and throw to abandon it.
   */
  factor(lambda: number, check?: () => void): number;
  pivot: number;
  /** After a successful factor: out ← (A + λI)⁻¹·b (out may alias b). */
  solve(b: Float64Array, out: Float64Array): void;
  /** After a successful factor: out ← L⁻¹·b. */
  solveLower(b: Float64Array, out: Float64Array): void;
  /** After a successful factor: unit z with small ‖Lᵀz‖; returns ‖Lᵀz‖ (w is scratch). */
  smallSingular(z: Float64Array, w: Float64Array): number;
  /** After a failure at k: v with vᵀ(A + λI)v = pivot; returns ‖v‖². */
  certificate(k: number, v: Float64Array): number;
  /** vᵀAv. */
  quadratic(v: Float64Array, scratch: Float64Array): number;
}

/** A dense row-major system of dimension n. */
export class DenseSystem implements ShiftedSystem {
  readonly n: number;
  pivot = 0;
  A: Float64Array;
  private readonly L: Float64Array;
  private readonly info = { pivot: 0 };
  private norm = NaN;

  constructor(n: number) {
    this.n = n;
    this.A = new Float64Array(0);
    this.L = new Float64Array(n * n);
  }

  /** Points the system at A (kept by reference). */
  set(A: Float64Array): void {
    this.A = A;
    this.norm = NaN;
  }
  normInf(): number {
    if (Number.isNaN(this.norm)) this.norm = normInfMatrix(this.A, this.n);
    return this.norm;
  }
  minDiagonal(): number {
    let m = Infinity;
    for (let i = 0; i < this.n; i++) m = Math.min(m, this.A[i * this.n + i]!);
    return m;
  }
  factor(lambda: number, check?: () => void): number {
    const k = cholesky(this.A, this.n, lambda, this.L, 0, this.info, check);
    this.pivot = this.info.pivot;
    return k;
  }
  solve(b: Float64Array, out: Float64Array): void {
    solveCholesky(this.L, this.n, b, out);
  }
  solveLower(b: Float64Array, out: Float64Array): void {
    solveLower(this.L, this.n, b, out);
  }
  smallSingular(z: Float64Array, w: Float64Array): number {
    return smallestSingularVector(this.L, this.n, z, w);
  }
  certificate(k: number, v: Float64Array): number {
    const n = this.n;
    v.fill(0);
    for (let j = 0; j < k; j++) v[j] = this.L[k * n + j]!;
    solveLowerT(this.L, n, v, v, k);
    let s = 1;
    for (let j = 0; j < k; j++) {
      v[j] = -v[j]!;
      s += v[j]! * v[j]!;
    }
    v[k] = 1;
    return s;
  }
  quadratic(v: Float64Array, scratch: Float64Array): number {
    matVec(scratch, this.A, v, this.n);
    let s = 0;
    for (let i = 0; i < this.n; i++) s += v[i]! * scratch[i]!;
    return s;
  }
}

/** A symmetric tridiagonal system: diagonal a[0..n), off-diagonal e[0..n−1). */
export class TridiagonalSystem implements ShiftedSystem {
  n = 0;
  pivot = 0;
  readonly a: Float64Array;
  readonly e: Float64Array;
  private readonly l: Float64Array; // diagonal of L
  private readonly s: Float64Array; // sub-diagonal of L

  constructor(capacity: number) {
    this.a = new Float64Array(capacity);
    this.e = new Float64Array(capacity);
    this.l = new Float64Array(capacity);
    this.s = new Float64Array(capacity);
  }

  /** Uses the leading n entries of a and n−1 of e. */
  resize(n: number): void {
    this.n = n;
  }
  normInf(): number {
    let m = 0;
    for (let i = 0; i < this.n; i++) {
      const r = Math.abs(this.a[i]!) + (i > 0 ? Math.abs(this.e[i - 1]!) : 0) + (i < this.n - 1 ? Math.abs(this.e[i]!) : 0);
      if (r > m || r !== r) m = r;
    }
    return m;
  }
  minDiagonal(): number {
    let m = Infinity;
    for (let i = 0; i < this.n; i++) m = Math.min(m, this.a[i]!);
    return m;
  }
  factor(lambda: number): number {
    const { a, e, l, s } = this;
    for (let i = 0; i < this.n; i++) {
      const d = a[i]! + lambda - (i > 0 ? s[i - 1]! * s[i - 1]! : 0);
      if (!(d > 0) || !Number.isFinite(d)) {
        this.pivot = d;
        return i;
      }
      l[i] = Math.sqrt(d);
      if (i < this.n - 1) s[i] = e[i]! / l[i]!;
    }
    return -1;
  }
  solveLower(b: Float64Array, out: Float64Array): void {
    const { l, s } = this;
    for (let i = 0; i < this.n; i++) out[i] = (b[i]! - (i > 0 ? s[i - 1]! * out[i - 1]! : 0)) / l[i]!;
  }
  private solveLowerT(b: Float64Array, out: Float64Array, m: number): void {
    const { l, s } = this;
    for (let i = m - 1; i >= 0; i--) out[i] = (b[i]! - (i < m - 1 ? s[i]! * out[i + 1]! : 0)) / l[i]!;
  }
  solve(b: Float64Array, out: Float64Array): void {
    this.solveLower(b, out);
    this.solveLowerT(out, out, this.n);
  }
  smallSingular(z: Float64Array, w: Float64Array): number {
    const { l, s } = this;
    let wn = 0;
    for (let i = 0; i < this.n; i++) {
      const t = i > 0 ? s[i - 1]! * w[i - 1]! : 0;
      const sign = t >= 0 ? -1 : 1;
      w[i] = (sign - t) / l[i]!;
      wn += w[i]! * w[i]!;
    }
    this.solveLowerT(w, z, this.n);
    let zn = 0;
    for (let i = 0; i < this.n; i++) zn += z[i]! * z[i]!;
    zn = Math.sqrt(zn);
    for (let i = 0; i < this.n; i++) z[i]! /= zn;
    return Math.sqrt(wn) / zn;
  }
  certificate(k: number, v: Float64Array): number {
    v.fill(0, 0, this.n);
    if (k > 0) {
      v[k - 1] = this.s[k - 1]!;
      this.solveLowerT(v, v, k);
    }
    let q = 1;
    for (let j = 0; j < k; j++) {
      v[j] = -v[j]!;
      q += v[j]! * v[j]!;
    }
    v[k] = 1;
    return q;
  }
  quadratic(v: Float64Array): number {
    let q = 0;
    for (let i = 0; i < this.n; i++) {
      q += this.a[i]! * v[i]! * v[i]!;
      if (i < this.n - 1) q += 2 * this.e[i]! * v[i]! * v[i + 1]!;
    }
    return q;
  }
}

export interface MoreSorensenOptions {
  /** Accept ‖p‖ within (1 ± κ_easy)·Δ (default 0.1). */
  kEasy?: number;
  /** Hard-case acceptance parameter (default 0.2). */
  kHard?: number;
  /** Maximum factorizations (default 50). */
  maxIter?: number;
  /** Called during each factorization (between blocks of columns); throws to abandon the solve when the time limit has passed. */
  checkTime?: () => void;
}

export interface MoreSorensenResult {
  predicted: number;
  onBoundary: boolean;
  lambda: number;
  /** Factorizations used. */
  iterations: number;
}

/** Scratch vectors of length ≥ n for {@link moreSorensen}. */
export class MoreSorensenWork {
  readonly w: Float64Array;
  readonly z: Float64Array;
  readonly v: Float64Array;
  readonly t: Float64Array;
  constructor(n: number) {
    this.w = new Float64Array(n);
    this.z = new Float64Array(n);
    this.v = new Float64Array(n);
    this.t = new Float64Array(n);
  }
}

function sumSq(x: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i]! * x[i]!;
  return s;
}

/**
 * Solves the subproblem for the system `sys` (dimension n = sys.n) and gradient g (first n
 * entries), writing p (first n entries). Never throws; if the iteration limit is reached the
 * best available step is scaled into the region.
 */
export function moreSorensen(
  sys: ShiftedSystem,
  g: Float64Array,
  radius: number,
  p: Float64Array,
  work: MoreSorensenWork,
  options: MoreSorensenOptions = {},
): MoreSorensenResult {
  const n = sys.n;
  const kEasy = options.kEasy ?? 0.1;
  const kHard = options.kHard ?? 0.2;
  const maxIter = options.maxIter ?? 50;
  const { w, z, v, t } = work;
  const gn = Math.sqrt(sumSq(g, n));
  const An = sys.normInf();
  let lamL = Math.max(0, -sys.minDiagonal(), gn / radius - An);
  let lamU = Math.max(0, gn / radius + An);
  const pick = (): number => Math.max(Math.sqrt(lamL * lamU), lamL + 0.01 * (lamU - lamL));
  let lambda = lamL === 0 ? 0 : pick();
  let haveP = false;
  let done = false;
  let onBoundary = false;
  let it = 0;

  for (; it < maxIter && !done; it++) {
    const k = sys.factor(lambda, options.checkTime);
    if (k >= 0) {
      const vv = sys.certificate(k, v);
      lamL = Math.max(lamL, lambda - sys.pivot / vv, lambda);
      if (lamU <= lamL) lamU = Math.max(2 * lamL, lamL + An + 1e-300);
      lambda = pick();
      continue;
    }
    for (let i = 0; i < n; i++) t[i] = -g[i]!;
    sys.solve(t, p);
    haveP = true;
    const pp = sumSq(p, n);
    const pn = Math.sqrt(pp);
    if (pn <= radius) {
      if (lambda === 0 || radius - pn <= kEasy * radius) {
        onBoundary = lambda > 0;
        done = true;
        break;
      }
      lamU = Math.min(lamU, lambda);
      // Hard case: move along an approximate eigenvector of the smallest eigenvalue.
      const sigma = sys.smallSingular(z, w);
      let pz = 0;
      for (let i = 0; i < n; i++) pz += p[i]! * z[i]!;
      const disc = Math.sqrt(Math.max(0, pz * pz + radius * radius - pp));
      // Both roots reach ‖p + τz‖ = Δ; the model differs by ½τ²·zᵀ(A + λI)z, so take the smaller.
      const tauSmall = pz >= 0 ? -pz + disc : -pz - disc;
      let gp = 0;
      for (let i = 0; i < n; i++) gp += g[i]! * p[i]!;
      if (tauSmall * tauSmall * sigma * sigma <= kHard * (-gp + lambda * radius * radius)) {
        for (let i = 0; i < n; i++) p[i]! += tauSmall * z[i]!;
        onBoundary = true;
        done = true;
        break;
      }
      lamL = Math.max(lamL, lambda - sigma * sigma);
    } else {
      lamL = Math.max(lamL, lambda);
      if (pn - radius <= kEasy * radius) {
        onBoundary = true;
        done = true;
        break;
      }
    }
    // Newton step on 1/‖p(λ)‖ − 1/Δ: q = L⁻¹p, λ ← λ + (‖p‖/‖q‖)²·(‖p‖ − Δ)/Δ.
    sys.solveLower(p, w);
    const qq = sumSq(w, n);
    const next = lambda + (pp / qq) * ((pn - radius) / radius);
    lambda = next > lamL && next < lamU ? next : pick();
    if (lamU - lamL <= 1e-15 * Math.max(1, lamU)) {
      lambda = lamU;
      if (sys.factor(lambda, options.checkTime) < 0) {
        for (let i = 0; i < n; i++) t[i] = -g[i]!;
        sys.solve(t, p);
        haveP = true;
      }
      break;
    }
  }
  if (!done) {
    // Out of iterations: make the best step we have feasible; failing that, the Cauchy point.
    if (!haveP) {
      const gAg = sys.quadratic(g, w);
      const step = gAg > 0 ? Math.min(gn * gn / gAg, radius / gn) : radius / gn;
      for (let i = 0; i < n; i++) p[i] = -step * g[i]!;
    }
    const pn = Math.sqrt(sumSq(p, n));
    if (pn > radius) for (let i = 0; i < n; i++) p[i]! *= radius / pn;
    onBoundary = pn >= (1 - kEasy) * radius;
  }
  let gp = 0;
  for (let i = 0; i < n; i++) gp += g[i]! * p[i]!;
  const predicted = -(gp + 0.5 * sys.quadratic(p, w));
  return { predicted, onBoundary, lambda, iterations: it };
}

/** `trust-exact`: Moré–Sorensen on the dense Hessian (O(n³) per factorization). */
export const moreSorensenSubproblem =
  (options: MoreSorensenOptions = {}): SubproblemFactory =>
  (n) => {
    const sys = new DenseSystem(n);
    const work = new MoreSorensenWork(n);
    return {
      name: 'more-sorensen',
      needs: 'hessian',
      solve(model: QuadraticModel, radius: number, p: Float64Array): SubproblemResult {
        const H = model.H!;
        for (let i = 0; i < H.length; i++) if (!Number.isFinite(H[i]!)) return { predicted: 0, onBoundary: false, status: 'nonFinite' };
        sys.set(H);
        const r = moreSorensen(sys, model.g, radius, p, work, model.checkTime ? { ...options, checkTime: model.checkTime } : options);
        return { predicted: r.predicted, onBoundary: r.onBoundary, status: 'ok' };
      },
    };
  };

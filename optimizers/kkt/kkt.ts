/**
 * The primal-dual KKT system of an interior-point step,
 *
 *     [ H + Σ + δw·I    Aᵀ   ] [Δz]   [r_z]
 *     [ A             −δc·I  ] [Δy] = [r_y],
 *
 * with H (np×np, symmetric) and A (m×np) sparse, Σ diagonal: assembled, factored by a
 * symmetric indefinite LDLᵀ that reports the inertia, and solved with iterative refinement.
 * Small systems (or dense ones) use dense Bunch–Kaufman; large sparse ones the profile LDLᵀ
 * after a bandwidth-reducing ordering (see profile-ldl.ts): a dense 1500×1500 factorization
 * takes about a second in JavaScript, a banded one of that size milliseconds.
 */
import { DenseLdl, type Inertia } from './bunch-kaufman.js';
import { ProfileLdl } from './profile-ldl.js';
import { Triplets } from './triplets.js';

/** Systems up to this size always use the dense factorization. */
const DENSE_ALWAYS = 300;
/** Otherwise the profile factorization is used when its work is below this fraction of the dense one. */
const PROFILE_WORK_FRACTION = 0.25;
/** Iterative refinement: the residual ratio aimed at, and the one above which a solve counts as failed (Ipopt's residual_ratio_max / _singular). */
const RATIO_GOAL = 1e-10;
const RATIO_FAIL = 1e-5;
const MAX_REFINE = 10;

export type { Inertia };

export class KktSolver {
  readonly N: number;
  /** Lower triangle of [H Aᵀ; A 0] without its diagonal additions. */
  private readonly K = new Triplets(64);
  /** Σ on the primal diagonal, 0 on the dual one. */
  private readonly base: Float64Array;
  /** The diagonal added in the last factorization: Σ + δw, −δc. */
  private readonly diag: Float64Array;
  private dense: DenseLdl | null = null;
  private profile: ProfileLdl | null = null;
  private useProfile = false;
  private kmax = 0;
  private readonly r: Float64Array;
  private readonly dx: Float64Array;
  /** Residual ratio of the last solve, after refinement. */
  lastRatio = 0;
  /** Which factorization the last setMatrix chose. */
  mode: 'dense' | 'profile' = 'dense';
  /** Handed to the dense factorization, which calls it between blocks of columns; it throws to abandon it (a solver's time limit). */
  check: (() => void) | undefined = undefined;

  constructor(
    readonly np: number,
    readonly m: number,
  ) {
    this.N = np + m;
    this.base = new Float64Array(this.N);
    this.diag = new Float64Array(this.N);
    this.r = new Float64Array(this.N);
    this.dx = new Float64Array(this.N);
  }

  /**
   * Sets the matrix: `H` the lower triangle of the primal block (indices < np; its own
   * diagonal entries included), `sigma` the diagonal Σ added to it, `A` the constraint
   * Jacobian (rows < m, columns < np).
   */
  setMatrix(H: Triplets, sigma: Float64Array, A: Triplets): void {
    const K = this.K;
    K.clear();
    K.append(H);
    K.append(A, this.np, 0);
    this.base.fill(0);
    this.base.set(sigma.subarray(0, this.np));
    this.kmax = K.maxAbs();
    for (let i = 0; i < this.np; i++) this.kmax = Math.max(this.kmax, Math.abs(sigma[i]!));
    this.useProfile = false;
    if (this.N > DENSE_ALWAYS) {
      this.profile ??= new ProfileLdl(this.N, (i) => i >= this.np);
      this.check?.(); // the assembly and the analysis below each take ~0.3 s at N ≈ 2000
      this.profile.analyze(K);
      const denseWork = (this.N * this.N * this.N) / 3;
      this.useProfile = this.profile.flops() < PROFILE_WORK_FRACTION * denseWork;
    }
    this.mode = this.useProfile ? 'profile' : 'dense';
  }

  /** Factors with the given regularizations; returns the inertia of the factored matrix. */
  factor(dw: number, dc: number): Inertia {
    const { N, np, diag, base } = this;
    for (let i = 0; i < N; i++) diag[i] = i < np ? base[i]! + dw : -dc;
    if (this.useProfile) return this.profile!.factor(this.K, diag);
    this.dense ??= new DenseLdl(N);
    const a = this.dense.a;
    a.fill(0);
    const K = this.K;
    for (let e = 0; e < K.nnz; e++) {
      const i = K.rows[e]!;
      const j = K.cols[e]!;
      a[i >= j ? i * N + j : j * N + i]! += K.vals[e]!;
    }
    for (let i = 0; i < N; i++) a[i * N + i]! += diag[i]!;
    return this.dense.factor(undefined, this.check);
  }

  /** out = (matrix of the last factorization)·x. */
  private apply(x: Float64Array, out: Float64Array): void {
    out.fill(0);
    this.K.symMatVecAdd(x, out);
    for (let i = 0; i < this.N; i++) out[i]! += this.diag[i]! * x[i]!;
  }

  /**
   * Solves the factored system for `rhs` into `x` (length N), refining iteratively against
   * the unfactored matrix. Returns false when the residual stays large (a numerically
   * singular system): the caller then regularizes more.
   */
  solve(rhs: Float64Array, x: Float64Array): boolean {
    const { N, r, dx } = this;
    const one = (b: Float64Array, out: Float64Array) => {
      if (this.useProfile) this.profile!.solve(b, out);
      else {
        out.set(b);
        this.dense!.solve(out);
      }
    };
    one(rhs, x);
    let bmax = 0;
    for (let i = 0; i < N; i++) bmax = Math.max(bmax, Math.abs(rhs[i]!));
    let ratio = Infinity;
    for (let it = 0; ; it++) {
      this.apply(x, r);
      let rmax = 0;
      let xmax = 0;
      for (let i = 0; i < N; i++) {
        r[i] = rhs[i]! - r[i]!;
        rmax = Math.max(rmax, Math.abs(r[i]!));
        xmax = Math.max(xmax, Math.abs(x[i]!));
      }
      const prev = ratio;
      ratio = rmax / (this.kmax * xmax + bmax + 1e-300);
      if (!(ratio === ratio)) break;
      if (ratio <= RATIO_GOAL || it === MAX_REFINE || (it > 1 && ratio > 0.5 * prev)) break;
      one(r, dx);
      for (let i = 0; i < N; i++) x[i]! += dx[i]!;
    }
    this.lastRatio = ratio;
    if (!(ratio <= RATIO_FAIL)) return false;
    for (let i = 0; i < N; i++) if (!Number.isFinite(x[i]!)) return false;
    return true;
  }
}

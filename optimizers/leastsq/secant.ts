/**
 * The second-order term of a least-squares Hessian, learned by secant updates: with
 * f = ½‖r‖², ∇²f = JᵀJ + S, S = Σ rᵢ∇²rᵢ. Gauss–Newton drops S and so converges only
 * linearly, at the rate of (JᵀJ)⁻¹S, on problems whose residuals are not small at the
 * solution — the usual case in curve fitting (NIST's Chwirut, Kirby, ENSO, Thurber). The
 * structured secant update of Dennis, Gay and Welsch (NL2SOL, ACM TOMS 7(3), 1981) estimates
 * S from quantities the method has anyway, r and J at successive iterates, with no extra
 * evaluation: S₊ s ≈ y♯ = (J₊ − J)ᵀr₊. It is the DFP-like symmetric rank-two update that
 * satisfies that secant condition and changes S least in the norm weighted by y = ∇f₊ − ∇f,
 * after sizing S by min(1, |sᵀy♯| / |sᵀSs|) (the NL2SOL sizing, which keeps an estimate
 * learned far away from dominating near the solution).
 *
 * The augmented step solves (JᵀJ + S)p = −Jᵀr in the scaled variables through the SVD of the
 * scaled Jacobian Ĵ = U·Σ·Vᵀ that the methods already have: with Ŝ_V = Vᵀ Ŝ V and
 * T = Σ⁻¹ Ŝ_V Σ⁻¹, the step is p̂ = −V Σ⁻¹ (I + T)⁻¹ Uᵀr, so JᵀJ is never formed and the
 * step keeps the SVD's accuracy on ill-conditioned fits; it exists when Ĵ has full rank and
 * I + T is positive definite. Everything is sized once per run; nothing allocates per step.
 */
import { cholesky, solveCholesky } from '../linalg.js';
import { allFinite, dot, matVec } from '../vec.js';
import { rankThreshold } from './linalg.js';

export class StructuredSecant {
  /** S, row-major n×n, in the unscaled variables. */
  readonly S: Float64Array;
  /** Number of secant updates so far (0: S = 0, the augmented model is Gauss–Newton's). */
  updates = 0;
  private readonly Jprev: Float64Array;
  private readonly ghPrev: Float64Array;
  private readonly xPrev: Float64Array;
  private hasPrev = false;
  private readonly s: Float64Array;
  private readonly y: Float64Array;
  private readonly ys: Float64Array;
  private readonly z: Float64Array;
  private readonly A: Float64Array;
  private readonly L: Float64Array;
  private readonly u: Float64Array;

  constructor(
    readonly m: number,
    readonly n: number,
  ) {
    this.S = new Float64Array(n * n);
    this.Jprev = new Float64Array(m * n);
    this.ghPrev = new Float64Array(n);
    this.xPrev = new Float64Array(n);
    this.s = new Float64Array(n);
    this.y = new Float64Array(n);
    this.ys = new Float64Array(n);
    this.z = new Float64Array(n);
    this.A = new Float64Array(n * n);
    this.L = new Float64Array(n * n);
    this.u = new Float64Array(n);
  }

  /**
   * Called once per iterate with r (length m), J (row-major m×n) and gh = Jᵀr at x: updates
   * S from the previous iterate (when x moved and `learn` is true) and remembers this one.
   * The caller passes learn = false for a step the trust region cut short: such pairs come
   * from the far phase, where S is not what it is near the solution, and the sizing alone
   * does not undo them (on NIST's Misra1d they made the first augmented step worse than
   * Gauss–Newton's).
   */
  observe(x: Float64Array, r: Float64Array, J: Float64Array, gh: Float64Array, learn = true): void {
    const { m, n, S, s, y, ys, z, Jprev } = this;
    let moved = false;
    if (this.hasPrev && learn) for (let j = 0; j < n && !moved; j++) moved = x[j] !== this.xPrev[j];
    if (moved) {
      // s = x₊ − x, y = ∇f₊ − ∇f (of ½‖r‖²), y♯ = (J₊ − J)ᵀ r₊ = gh₊ − Jᵀr₊
      for (let j = 0; j < n; j++) {
        s[j] = x[j]! - this.xPrev[j]!;
        y[j] = gh[j]! - this.ghPrev[j]!;
        ys[j] = gh[j]!;
      }
      for (let i = 0; i < m; i++) {
        const ri = r[i]!;
        if (ri === 0) continue;
        for (let j = 0; j < n; j++) ys[j]! -= Jprev[i * n + j]! * ri;
      }
      matVec(z, S, s, n);
      const yTs = dot(y, s);
      const sTys = dot(s, ys);
      const sSs = dot(s, z);
      if (yTs > 0 && Number.isFinite(yTs) && Number.isFinite(sTys)) {
        const tau = sSs !== 0 ? Math.min(1, Math.abs(sTys / sSs)) : 1;
        // z = y♯ − τ·S·s; S₊ = τS + (z yᵀ + y zᵀ)/yᵀs − (zᵀs) y yᵀ/(yᵀs)²
        let zs = 0;
        for (let j = 0; j < n; j++) {
          z[j] = ys[j]! - tau * z[j]!;
          zs += z[j]! * s[j]!;
        }
        const a = 1 / yTs;
        const b = zs / (yTs * yTs);
        for (let j = 0; j < n; j++)
          for (let k = j; k < n; k++) {
            const v = tau * S[j * n + k]! + a * (z[j]! * y[k]! + y[j]! * z[k]!) - b * (y[j]! * y[k]!);
            S[j * n + k] = v;
            S[k * n + j] = v;
          }
        this.updates++;
      }
    }
    Jprev.set(J);
    this.ghPrev.set(gh);
    this.xPrev.set(x);
    this.hasPrev = true;
  }

  /**
   * The augmented step in the scaled variables: from the SVD of Ĵ = J·diag(d) (singular
   * values sv descending, right vectors V column-major, c = Uᵀr; `rows` = Ĵ's row count),
   * writes the coefficients w with p̂ = −V·w into `w` (stepFromCoefficients turns them into
   * p̂). Returns false (w untouched) when no update has been made yet, Ĵ is rank deficient or
   * JᵀJ + S is not positive definite.
   */
  augmentedCoefficients(sv: Float64Array, V: Float64Array, c: Float64Array, rows: number, d: Float64Array, w: Float64Array): boolean {
    const { n, S, A, L, u, z } = this;
    if (this.updates === 0) return false;
    if (!(sv[n - 1]! > rankThreshold(sv, rows))) return false;
    // A = I + Σ⁻¹ Vᵀ D S D V Σ⁻¹, built column by column of V (z = D S D v_k)
    for (let k = 0; k < n; k++) {
      for (let i = 0; i < n; i++) {
        let t = 0;
        for (let j = 0; j < n; j++) t += S[i * n + j]! * d[j]! * V[k * n + j]!;
        z[i] = d[i]! * t;
      }
      for (let l = 0; l <= k; l++) {
        let t = 0;
        for (let i = 0; i < n; i++) t += V[l * n + i]! * z[i]!;
        const v = t / (sv[l]! * sv[k]!) + (l === k ? 1 : 0);
        A[k * n + l] = v;
        A[l * n + k] = v;
      }
    }
    if (cholesky(A, n, 0, L, 0) >= 0) return false;
    solveCholesky(L, n, c, u);
    for (let j = 0; j < n; j++) u[j]! /= sv[j]!;
    if (!allFinite(u)) return false;
    w.set(u);
    return true;
  }

  /** q(p) − (½‖Jp‖² + ghᵀp) = ½ pᵀSp for a step p in x: the second-order term's part of the model. */
  curvature(p: Float64Array): number {
    matVec(this.z, this.S, p, this.n);
    return 0.5 * dot(p, this.z);
  }
}

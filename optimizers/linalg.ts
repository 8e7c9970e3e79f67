import { choleskyInto, columnCheck } from '../src/utpm/linalg/kernels.js';

/**
 * Dense linear algebra for the solvers: Cholesky (plain, shifted — the engine's kernel — and
 * modified), its triangular solves, and a smallest-singular-vector estimate for the
 * trust-region hard case. (L-BFGS-B's small 2m×2m systems use the engine's LU.) Matrices
 * are row-major `Float64Array`s of length n·n; only the lower triangle of a symmetric input is read. Nothing here allocates
 * except where a doc comment says so, and nothing throws: failures come back as return values.
 */

/**
 * Factors A + shift·I = L·Lᵀ into the lower triangle of `L` (the strict upper triangle of `L` is
 * left untouched; `L` may alias `A` only when shift is 0).
 * A pivot that is not finite or not larger than `minPivot` stops the factorization.
 * Returns −1 on success, else the index k of the failing pivot; `info.pivot` then holds the
 * failing pivot value d_k = a_kk + shift − Σ_j l_kj² (the leading k×k block is factored).
 * `check` is called between blocks of columns and may throw to abandon the factorization
 * (the run's time limit: `Objective.checkTime`).
 */
export function cholesky(
  A: Float64Array,
  n: number,
  shift: number,
  L: Float64Array,
  minPivot = 0,
  info?: { pivot: number },
  check?: () => void,
): number {
  return choleskyInto(A, 0, n, shift, L, 0, minPivot, info, check);
}

/** Solves L·y = b for lower-triangular L (leading `m` rows of an n-wide matrix); out may alias b. */
export function solveLower(L: Float64Array, n: number, b: Float64Array, out: Float64Array, m = n): void {
  for (let i = 0; i < m; i++) {
    const ri = i * n;
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= L[ri + k]! * out[k]!;
    out[i] = s / L[ri + i]!;
  }
}

/** Solves Lᵀ·x = b for lower-triangular L; out may alias b. */
export function solveLowerT(L: Float64Array, n: number, b: Float64Array, out: Float64Array, m = n): void {
  for (let i = m - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < m; k++) s -= L[k * n + i]! * out[k]!;
    out[i] = s / L[i * n + i]!;
  }
}

/** Solves (L·Lᵀ)·x = b given the Cholesky factor; out may alias b. */
export function solveCholesky(L: Float64Array, n: number, b: Float64Array, out: Float64Array): void {
  solveLower(L, n, b, out);
  solveLowerT(L, n, out, out);
}

/** Largest absolute row sum ‖A‖∞ (= ‖A‖₁ for symmetric A), reading the full matrix. */
export function normInfMatrix(A: Float64Array, n: number): number {
  let m = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += Math.abs(A[i * n + j]!);
    if (s > m || s !== s) m = s;
  }
  return m;
}

/**
 * Modified Cholesky factorization by a diagonally scaled shift: L·Lᵀ = A + τ·D with
 * D = diag(|a_jj|) (zero diagonals replaced by the largest one), τ = 0 if A factors with every
 * pivot above 10⁻¹² of its diagonal, else the first of 10⁻⁸, 10⁻⁷, … that does. The Newton
 * direction −(A + τD)⁻¹g then descends even where A is indefinite or singular, and is the
 * exact Newton step wherever A is safely positive definite. Scaling the shift by the diagonal
 * makes τ invariant under rescaling of the variables (Levenberg–Marquardt style): a uniform
 * shift τI sized by ‖A‖ (Nocedal & Wright, Algorithm 3.3) all but stops the iteration on badly
 * scaled problems (Powell's and Brown's, MGH 3 and 4), while per-pivot modifications
 * (Gill–Murray–Wright) leave near-singular directions nearly unmodified and produce huge steps
 * on over-parameterized least squares. Writes the factor into `L`; returns τ, or NaN when A
 * has non-finite entries. `d` is scratch of length n. `check` is called between blocks of
 * columns and may throw to abandon the factorization (the run's time limit).
 */
export function modifiedCholesky(A: Float64Array, n: number, L: Float64Array, d: Float64Array, check?: () => void): number {
  let dmax = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) if (!Number.isFinite(A[i * n + j]!)) return NaN;
    dmax = Math.max(dmax, Math.abs(A[i * n + i]!));
  }
  if (dmax === 0) dmax = 1;
  for (let i = 0; i < n; i++) d[i] = Math.abs(A[i * n + i]!) || dmax;
  for (let tau = 0; tau <= 1e12; tau = tau === 0 ? 1e-8 : tau * 10) {
    if (factorScaledShift(A, n, tau, d, L, check)) return tau;
  }
  return NaN;
}

/** Cholesky of A + τ·diag(d) requiring each pivot to exceed 10⁻¹²·(a_jj + τd_j). */
function factorScaledShift(A: Float64Array, n: number, tau: number, d: Float64Array, L: Float64Array, check?: () => void): boolean {
  const tick = columnCheck(n, check);
  for (let j = 0; j < n; j++) {
    tick(j);
    const rj = j * n;
    const diag = A[rj + j]! + tau * d[j]!;
    let s = diag;
    for (let k = 0; k < j; k++) s -= L[rj + k]! * L[rj + k]!;
    if (!(s > 1e-12 * Math.abs(diag)) || !Number.isFinite(s)) return false;
    const r = Math.sqrt(s);
    L[rj + j] = r;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let t = A[ri + j]!;
      for (let k = 0; k < j; k++) t -= L[ri + k]! * L[rj + k]!;
      L[ri + j] = t / r;
    }
  }
  return true;
}

/**
 * For a Cholesky factor L of a symmetric positive definite A, estimates a unit vector z with
 * small zᵀAz = ‖Lᵀz‖²: the condition estimator of Cline, Moler, Stewart and Wilkinson (SIAM J.
 * Numer. Anal. 16(2), 1979; LINPACK's xTRCO; Golub & Van Loan Alg. 3.5.1), the "LINPACK
 * technique" Moré and Sorensen prescribe for z, and what scipy's trust-exact implements.
 * Solve L·w = e with e_k = ±1 chosen *with look-ahead* — the sign that makes
 * |w_k| plus the 1-norm of the updated remaining right-hand side larger, not just |w_k| — so
 * that w is large, then Lᵀ·z = w (z = A⁻¹e: two steps of inverse iteration). Writes z (unit
 * 2-norm) and returns the estimate ‖Lᵀz‖₂ of the smallest singular value of Lᵀ. O(n²); `w` is
 * scratch of length n. (The greedy choice without look-ahead, used before, can be off by an
 * order of magnitude: 19× λ_min on the 5×5 example in linalg.test.ts, against 1.006×.)
 */
export function smallestSingularVector(L: Float64Array, n: number, z: Float64Array, w: Float64Array): number {
  // z[i] (i ≥ k) holds the running sum Σ_{j<k} L_ij·w_j of the rows not yet solved.
  z.fill(0, 0, n);
  for (let k = 0; k < n; k++) {
    const lkk = L[k * n + k]!;
    const wPlus = (1 - z[k]!) / lkk;
    const wMinus = (-1 - z[k]!) / lkk;
    let sPlus = Math.abs(wPlus);
    let sMinus = Math.abs(wMinus);
    for (let i = k + 1; i < n; i++) {
      const lik = L[i * n + k]!;
      sPlus += Math.abs(z[i]! + lik * wPlus);
      sMinus += Math.abs(z[i]! + lik * wMinus);
    }
    const wk = sPlus >= sMinus ? wPlus : wMinus;
    w[k] = wk;
    for (let i = k + 1; i < n; i++) z[i]! += L[i * n + k]! * wk;
  }
  let wn = 0;
  for (let i = 0; i < n; i++) wn += w[i]! * w[i]!;
  solveLowerT(L, n, w, z);
  let zn = 0;
  for (let i = 0; i < n; i++) zn += z[i]! * z[i]!;
  zn = Math.sqrt(zn);
  for (let i = 0; i < n; i++) z[i]! /= zn;
  return Math.sqrt(wn) / zn;
}

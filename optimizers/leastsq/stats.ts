/**
 * Fit statistics at a least-squares solution: the covariance of the parameters
 * s²(JᵀJ)⁻¹ with s² = f/(m − n) (f = Σ rᵢ², the residual variance estimate), their standard
 * errors and correlations. (JᵀJ)⁻¹ is the pseudo-inverse V·diag(1/σ²)·Vᵀ from the SVD of the
 * column-scaled J (so the rank decision does not depend on the units of the parameters),
 * never an inverse of the formed JᵀJ; a rank-deficient J is reported as such.
 */
import { SvdWorkspace, columnNorms, rankThreshold, scaledSvd } from './linalg.js';

/** What {@link fitStatistics} returns. Matrices are row-major n×n. */
export interface FitStatistics {
  /** s²(JᵀJ)⁺ (or (JᵀJ)⁺ with `absolute`), or null when m ≤ n leaves no degrees of freedom. */
  covariance: Float64Array | null;
  /** √diag(covariance), or null. */
  stderr: Float64Array | null;
  /** covariance_ij/(stderr_i·stderr_j) (0 where a standard error is 0), or null. */
  correlation: Float64Array | null;
  /** Numerical rank of J (singular values above ε·max(m, n)·σ₁ of the column-scaled J). */
  rank: number;
  /** rank < n: the covariance is a pseudo-inverse, and parameters along J's null space are not determined by the data. */
  rankDeficient: boolean;
  /** Degrees of freedom m − n. */
  dof: number;
  /** The residual variance s² = f/(m − n) (NaN without degrees of freedom; 1 with `absolute`). */
  s2: number;
}

/**
 * Statistics for the row-major m×n Jacobian J at the solution, with f = Σ rᵢ² there.
 * `absolute` (curve_fit's absolute_sigma): the residuals are already divided by known
 * standard deviations, so the covariance is (JᵀJ)⁺ without the factor s².
 */
export function fitStatistics(J: Float64Array, m: number, n: number, f: number, absolute = false): FitStatistics {
  const d = new Float64Array(n);
  columnNorms(J, m, n, d);
  for (let j = 0; j < n; j++) if (!(d[j]! > 0) || !Number.isFinite(d[j]!)) d[j] = 1;
  const ws = new SvdWorkspace(m, n);
  scaledSvd(ws, J, m, d, null);
  const tol = rankThreshold(ws.s, Math.max(m, n));
  let rank = 0;
  for (let j = 0; j < n; j++) if (ws.s[j]! > tol && Number.isFinite(ws.s[j]!)) rank++;
  const dof = m - n;
  const s2 = absolute ? 1 : dof > 0 ? f / dof : NaN;
  const base = { rank, rankDeficient: rank < n, dof, s2 };
  if (!Number.isFinite(s2) || !J.every(Number.isFinite)) return { ...base, covariance: null, stderr: null, correlation: null };
  const cov = new Float64Array(n * n);
  for (let k = 0; k < rank; k++) {
    const inv = 1 / (ws.s[k]! * ws.s[k]!);
    const v = ws.V.subarray(k * n, k * n + n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) cov[i * n + j]! += v[i]! * v[j]! * inv;
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) cov[i * n + j] = (s2 * cov[i * n + j]!) / (d[i]! * d[j]!);
  const stderr = new Float64Array(n);
  for (let i = 0; i < n; i++) stderr[i] = Math.sqrt(Math.max(cov[i * n + i]!, 0));
  const correlation = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) correlation[i * n + j] = stderr[i]! > 0 && stderr[j]! > 0 ? cov[i * n + j]! / (stderr[i]! * stderr[j]!) : i === j ? 1 : 0;
  return { ...base, covariance: cov, stderr, correlation };
}

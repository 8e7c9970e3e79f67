/**
 * Dense linear algebra of the least-squares methods, on preallocated buffers:
 *  - the SVD of a column-scaled Jacobian Ĵ = J·diag(1/d) (optionally with n rows diag(e)
 *    appended, the augmented system of the bounded trust-region method), computed as a
 *    Householder QR of Ĵ followed by one-sided (Hestenes) Jacobi on the n×n factor R. JᵀJ is
 *    never formed: the singular values keep their relative accuracy, so steps, rank decisions
 *    and covariances hold up on ill-conditioned fits (NIST's Longley-like problems, MGH09);
 *  - the trust-region step of the linear least-squares model from that SVD: the
 *    Levenberg–Marquardt parameter λ ≥ 0 with ‖p(λ)‖ = Δ by Newton's method on the secular
 *    equation 1/‖p(λ)‖ = 1/Δ with Moré's safeguards (Moré 1978; Moré & Sorensen 1983).
 * Everything works on Float64Arrays sized once per run (see {@link SvdWorkspace}).
 */

const EPS = Number.EPSILON;

/** Buffers for {@link scaledSvd}, sized for up to `rows` rows and n columns. */
export class SvdWorkspace {
  readonly n: number;
  readonly rows: number;
  /** Working matrix, column-major (rows × n). */
  readonly A: Float64Array;
  /** Right-hand side, Qᵀb after the QR (length rows). */
  readonly b: Float64Array;
  /** Singular values, descending (length n). */
  readonly s: Float64Array;
  /** Right singular vectors, column-major: v_j = V[j·n … j·n + n). */
  readonly V: Float64Array;
  /** Uᵀb, the right-hand side in the singular basis (length n). */
  readonly c: Float64Array;
  /** Scratch for sorting. */
  private readonly order: Int32Array;
  private readonly tmp: Float64Array;

  constructor(rows: number, n: number) {
    this.n = n;
    this.rows = Math.max(rows, n);
    this.A = new Float64Array(this.rows * n);
    this.b = new Float64Array(this.rows);
    this.s = new Float64Array(n);
    this.V = new Float64Array(n * n);
    this.c = new Float64Array(n);
    this.order = new Int32Array(n);
    this.tmp = new Float64Array(n * n);
  }

  /** Sorts s descending, permuting the columns of V and the entries of c alike. */
  sort(): void {
    const { n, s, V, c, order, tmp } = this;
    for (let j = 0; j < n; j++) order[j] = j;
    // insertion sort: n is small and the values come out of Jacobi almost sorted
    for (let i = 1; i < n; i++) {
      const k = order[i]!;
      let j = i - 1;
      while (j >= 0 && s[order[j]!]! < s[k]!) {
        order[j + 1] = order[j]!;
        j--;
      }
      order[j + 1] = k;
    }
    tmp.set(V);
    for (let j = 0; j < n; j++) V.set(tmp.subarray(order[j]! * n, order[j]! * n + n), j * n);
    for (let j = 0; j < n; j++) tmp[j] = s[order[j]!]!;
    s.set(tmp.subarray(0, n));
    for (let j = 0; j < n; j++) tmp[j] = c[order[j]!]!;
    c.set(tmp.subarray(0, n));
  }
}

/**
 * SVD of Ĵ = J·diag(1/d) (J row-major m×n), with n rows diag(e) appended when `e` is given,
 * into `ws`: singular values ws.s (descending), right singular vectors ws.V and, when `r` is
 * given (length m; zeros are appended for the extra rows), ws.c = Uᵀr. Ĵ = U·diag(s)·Vᵀ.
 */
export function scaledSvd(ws: SvdWorkspace, J: Float64Array, m: number, d: Float64Array, r: Float64Array | null, e: Float64Array | null = null): void {
  const n = ws.n;
  const rows = Math.max(m + (e ? n : 0), n);
  const { A, b } = ws;
  for (let j = 0; j < n; j++) {
    const inv = 1 / d[j]!;
    const col = j * rows;
    for (let i = 0; i < m; i++) A[col + i] = J[i * n + j]! * inv;
    for (let i = m; i < rows; i++) A[col + i] = 0;
    if (e) A[col + m + j] = e[j]!;
  }
  if (r) b.set(r.subarray(0, m));
  b.fill(0, m, rows);
  householderQR(A, rows, n, b);
  // R (the top n×n block) into columns of length n, in place at the start of A
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) A[j * n + i] = i <= j && i < rows ? A[j * rows + i]! : 0;
  jacobiSvd(ws, b);
  ws.sort();
}

/**
 * Householder QR of the column-major rows×n matrix A in place (R in the upper triangle, the
 * rest overwritten), applying Qᵀ to b. A zero column is left as it is (R_kk = 0).
 */
function householderQR(A: Float64Array, rows: number, n: number, b: Float64Array): void {
  const kmax = Math.min(rows, n);
  for (let k = 0; k < kmax; k++) {
    const ck = k * rows;
    let scale = 0;
    for (let i = k; i < rows; i++) scale = Math.max(scale, Math.abs(A[ck + i]!));
    if (scale === 0) continue;
    let ss = 0;
    for (let i = k; i < rows; i++) {
      const v = A[ck + i]! / scale;
      ss += v * v;
    }
    const sigma = scale * Math.sqrt(ss);
    const akk = A[ck + k]!;
    const alpha = akk > 0 ? -sigma : sigma;
    // v = a − αe_k (stored in place of the column); vᵀv = 2σ(σ + |a_kk|)
    A[ck + k] = akk - alpha;
    const vtv = 2 * sigma * (sigma + Math.abs(akk));
    for (let j = k + 1; j < n; j++) {
      const cj = j * rows;
      let s = 0;
      for (let i = k; i < rows; i++) s += A[ck + i]! * A[cj + i]!;
      const f = (2 * s) / vtv;
      for (let i = k; i < rows; i++) A[cj + i]! -= f * A[ck + i]!;
    }
    let s = 0;
    for (let i = k; i < rows; i++) s += A[ck + i]! * b[i]!;
    const f = (2 * s) / vtv;
    for (let i = k; i < rows; i++) b[i]! -= f * A[ck + i]!;
    A[ck + k] = alpha;
    for (let i = k + 1; i < rows; i++) A[ck + i] = 0;
  }
}

/**
 * One-sided Jacobi SVD of the n×n column-major matrix G (the start of ws.A): rotates pairs of
 * columns until all are orthogonal to working precision; then s_j = ‖g_j‖, v_j the
 * accumulated rotations, and c_j = g_jᵀb/s_j.
 */
function jacobiSvd(ws: SvdWorkspace, b: Float64Array): void {
  const { n, A: G, V, s, c } = ws;
  V.fill(0);
  for (let j = 0; j < n; j++) V[j * n + j] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let j = 0; j < n - 1; j++) {
      const cj = j * n;
      for (let k = j + 1; k < n; k++) {
        const ck = k * n;
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < n; i++) {
          const a = G[cj + i]!;
          const bb = G[ck + i]!;
          alpha += a * a;
          beta += bb * bb;
          gamma += a * bb;
        }
        if (gamma === 0 || Math.abs(gamma) <= EPS * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const cs = 1 / Math.sqrt(1 + t * t);
        const sn = cs * t;
        for (let i = 0; i < n; i++) {
          const a = G[cj + i]!;
          const bb = G[ck + i]!;
          G[cj + i] = cs * a - sn * bb;
          G[ck + i] = sn * a + cs * bb;
          const va = V[cj + i]!;
          const vb = V[ck + i]!;
          V[cj + i] = cs * va - sn * vb;
          V[ck + i] = sn * va + cs * vb;
        }
      }
    }
    if (!rotated) break;
  }
  for (let j = 0; j < n; j++) {
    let ss = 0;
    let gb = 0;
    for (let i = 0; i < n; i++) {
      const g = G[j * n + i]!;
      ss += g * g;
      gb += g * b[i]!;
    }
    const sj = Math.sqrt(ss);
    s[j] = sj;
    c[j] = sj > 0 ? gb / sj : 0;
  }
}

/** Singular values above this count toward the rank (LAPACK's and scipy's rule: ε·max(rows, n)·s₀). */
export function rankThreshold(s: Float64Array, rows: number): number {
  return EPS * Math.max(rows, s.length) * (s[0] ?? 0);
}

/**
 * The trust-region step of min ½‖Ĵp + r‖² subject to ‖p‖ ≤ Δ, from Ĵ's SVD (s descending, c =
 * Uᵀr, rows = Ĵ's row count for the rank rule): finds λ ≥ 0 so that p(λ) = −V·w(λ),
 * w_j = s_j c_j/(s_j² + λ), has ‖p‖ ≤ Δ, with ‖p‖ within rtol·Δ of Δ when λ > 0. Writes w
 * (length n) and returns λ. λ = 0 (the Gauss–Newton step, or the minimum-norm one when Ĵ is
 * rank deficient) when that step fits. `lambda0` (the previous λ) starts the iteration.
 */
export function secularStep(s: Float64Array, c: Float64Array, rows: number, delta: number, lambda0: number, rtol: number, w: Float64Array): number {
  const n = s.length;
  const tol = rankThreshold(s, rows);
  const fullRank = rows >= n && s[n - 1]! > tol;
  // λ = 0: the (pseudo-inverse) Gauss–Newton step
  let gn = 0;
  for (let j = 0; j < n; j++) {
    const v = s[j]! > tol ? c[j]! / s[j]! : 0;
    w[j] = v;
    gn += v * v;
  }
  if (Math.sqrt(gn) <= delta) return 0;
  // φ(λ) = ‖w(λ)‖ − Δ is convex and decreasing; Newton on 1/‖w‖ (Hebden) with Moré's bounds
  const phi = (lam: number): { phi: number; dphi: number } => {
    let nn = 0;
    let d = 0;
    for (let j = 0; j < n; j++) {
      const den = s[j]! * s[j]! + lam;
      if (den === 0) continue;
      const wj = (s[j]! * c[j]!) / den;
      nn += wj * wj;
      d += (wj * wj) / den;
    }
    const norm = Math.sqrt(nn);
    return { phi: norm - delta, dphi: norm > 0 ? -d / norm : 0 };
  };
  let sc = 0;
  for (let j = 0; j < n; j++) sc += (s[j]! * c[j]!) ** 2;
  let upper = Math.sqrt(sc) / delta;
  let lower = 0;
  if (fullRank) {
    const p0 = phi(0);
    if (p0.dphi < 0) lower = -p0.phi / p0.dphi;
  }
  let lam = lambda0 > 0 ? lambda0 : Math.max(1e-3 * upper, Math.sqrt(lower * upper));
  for (let it = 0; it < 30; it++) {
    if (!(lam > lower && lam < upper)) lam = Math.max(1e-3 * upper, Math.sqrt(lower * upper));
    const { phi: f, dphi } = phi(lam);
    if (Math.abs(f) <= rtol * delta) break;
    if (f < 0) upper = lam;
    else lower = Math.max(lower, lam);
    if (!(dphi < 0)) break;
    const ratio = f / dphi;
    lower = Math.max(lower, lam - ratio);
    lam -= ((f + delta) / delta) * ratio;
    if (upper - lower <= EPS * upper) break;
  }
  let nn = 0;
  for (let j = 0; j < n; j++) {
    const den = s[j]! * s[j]! + lam;
    w[j] = den > 0 ? (s[j]! * c[j]!) / den : 0;
    nn += w[j]! * w[j]!;
  }
  // never longer than the region (the iteration stops within rtol either side)
  const norm = Math.sqrt(nn);
  if (norm > delta) for (let j = 0; j < n; j++) w[j]! *= delta / norm;
  return lam;
}

/** out = −V·w (a step in the scaled variables from secularStep's coefficients). */
export function stepFromCoefficients(V: Float64Array, w: Float64Array, out: Float64Array): void {
  const n = w.length;
  out.fill(0);
  for (let j = 0; j < n; j++) {
    const wj = w[j]!;
    if (wj === 0) continue;
    const col = j * n;
    for (let i = 0; i < n; i++) out[i]! -= V[col + i]! * wj;
  }
}

/** Column norms of the row-major m×n matrix J into out. */
export function columnNorms(J: Float64Array, m: number, n: number, out: Float64Array): void {
  out.fill(0);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[j]! += J[i * n + j]! ** 2;
  for (let j = 0; j < n; j++) out[j] = Math.sqrt(out[j]!);
}

/**
 * max_j |(Jᵀr)_j| / (‖J_j‖·‖r‖) over the columns with ‖J_j‖ > 0 (and, when `skip` is given,
 * the columns it does not mark): the cosine of the largest angle between r and J's columns,
 * 0 at a stationary point, scale-free (Moré's gtol measure).
 */
export function gradientCosine(J: Float64Array, r: Float64Array, m: number, n: number, cn: Float64Array, skip?: (j: number) => boolean): number {
  let rr = 0;
  for (let i = 0; i < m; i++) rr += r[i]! * r[i]!;
  const rn = Math.sqrt(rr);
  if (rn === 0) return 0;
  let worst = 0;
  for (let j = 0; j < n; j++) {
    if (cn[j] === 0 || skip?.(j)) continue;
    let s = 0;
    for (let i = 0; i < m; i++) s += J[i * n + j]! * r[i]!;
    worst = Math.max(worst, Math.abs(s) / (cn[j]! * rn));
  }
  return worst;
}

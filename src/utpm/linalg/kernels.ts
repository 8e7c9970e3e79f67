/**
 * Dense kernels for the linear-algebra primitives, on row-major Float64Array buffers with
 * explicit offsets. They never validate or throw: a singular or indefinite matrix yields
 * ±Infinity/NaN (the public functions in src/trace/linalg-ops.ts check at the edge). Only a
 * `check` callback handed to the Cholesky kernel (a solver's time limit) may throw through it.
 *
 * Small dense matrices dominate tayopt's use, so LU, Cholesky, triangular solves and
 * Householder QR are written here directly (no Matrix objects, no copies beyond one work
 * buffer); the symmetric eigensolver delegates to ml-matrix (tred2 + tql2).
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/** Unit roundoff of float64 (2⁻⁵²). */
export const EPS = 2.220446049250313e-16;

/** An LU factorization with partial pivoting: rows perm[i] of A form row i of P·A = L·U. */
export interface LUFactors {
  readonly n: number;
  /** L (unit lower, below the diagonal) and U (upper, with diagonal), packed row-major. */
  readonly lu: Float64Array;
  readonly perm: Int32Array;
  /** Sign of the permutation (±1). */
  readonly sign: number;
}

/** LU with partial pivoting of the n×n matrix at a[ao…]. A zero pivot column is skipped (U gets a 0). */
export function luFactor(a: Float64Array, ao: number, n: number): LUFactors {
  const lu = a.slice(ao, ao + n * n);
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  let sign = 1;
  for (let k = 0; k < n; k++) {
    let p = k;
    let best = Math.abs(lu[k * n + k]!);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(lu[i * n + k]!);
      if (v > best) {
        best = v;
        p = i;
      }
    }
    if (p !== k) {
      for (let j = 0; j < n; j++) {
        const t = lu[k * n + j]!;
        lu[k * n + j] = lu[p * n + j]!;
        lu[p * n + j] = t;
      }
      const t = perm[k]!;
      perm[k] = perm[p]!;
      perm[p] = t;
      sign = -sign;
    }
    const piv = lu[k * n + k]!;
    if (piv === 0) continue;
    for (let i = k + 1; i < n; i++) {
      const l = lu[i * n + k]! / piv;
      lu[i * n + k] = l;
      if (l === 0) continue;
      for (let j = k + 1; j < n; j++) lu[i * n + j] -= l * lu[k * n + j]!;
    }
  }
  return { n, lu, perm, sign };
}

/**
 * The n×n matrix at a[ao…] with its rows and then its columns scaled to a largest magnitude
 * in [1/√2, √2) by powers of 2 (so exactly), for singularity tests that do not depend on how
 * the equations and unknowns are scaled. `zero` is the index of a zero row (or, when there is
 * none, n + the index of a zero column), −1 when there is neither.
 */
export function equilibrated(a: Float64Array, ao: number, n: number): { scaled: Float64Array; zero: number } {
  const s = a.slice(ao, ao + n * n);
  for (const [rs, cs] of [[n, 1], [1, n]] as const) {
    for (let i = 0; i < n; i++) {
      let m = 0;
      for (let j = 0; j < n; j++) m = Math.max(m, Math.abs(s[i * rs + j * cs]!));
      if (m === 0) return { scaled: s, zero: rs === n ? i : n + i };
      if (!Number.isFinite(m)) continue;
      const f = 2 ** -Math.round(Math.log2(m));
      for (let j = 0; j < n; j++) s[i * rs + j * cs] *= f;
    }
  }
  return { scaled: s, zero: -1 };
}

/**
 * Whether the n×n matrix at a[ao…] is singular to working precision: after equilibration
 * (see {@link equilibrated}) an LU pivot is at most n·ε or not finite — so
 * diag(1e150, 1e-150, 2) is as well-posed as the identity, while dependent rows are still
 * singular. Returns the first such pivot's index and value, or k = −1.
 */
export function equilibratedSingularPivot(a: Float64Array, ao: number, n: number): { k: number; pivot: number } {
  const { scaled, zero } = equilibrated(a, ao, n);
  if (zero >= 0) return { k: zero % n, pivot: 0 };
  const f = luFactor(scaled, 0, n);
  for (let k = 0; k < n; k++) {
    const u = f.lu[k * n + k]!;
    if (!(Math.abs(u) > n * EPS) || !Number.isFinite(u)) return { k, pivot: u };
  }
  return { k: -1, pivot: NaN };
}

/**
 * Solves op(A)·X = B in place for the n×k matrix B at b[bo…], op(A) = A or Aᵀ, with the
 * LU factors of A. `work` needs n·k numbers.
 */
export function luSolve(f: LUFactors, b: Float64Array, bo: number, k: number, trans: boolean, work: Float64Array): void {
  const { n, lu, perm } = f;
  if (!trans) {
    // L·U·X = P·B
    for (let i = 0; i < n; i++) {
      const src = bo + perm[i]! * k;
      for (let c = 0; c < k; c++) work[i * k + c] = b[src + c]!;
    }
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) {
        const l = lu[i * n + j]!;
        if (l === 0) continue;
        for (let c = 0; c < k; c++) work[i * k + c] -= l * work[j * k + c]!;
      }
    }
    for (let i = n - 1; i >= 0; i--) {
      for (let j = i + 1; j < n; j++) {
        const u = lu[i * n + j]!;
        if (u === 0) continue;
        for (let c = 0; c < k; c++) work[i * k + c] -= u * work[j * k + c]!;
      }
      const d = lu[i * n + i]!;
      for (let c = 0; c < k; c++) work[i * k + c] /= d;
    }
    b.set(work.subarray(0, n * k), bo);
  } else {
    // Aᵀ = Uᵀ·Lᵀ·P: solve Uᵀ·Z = B, Lᵀ·W = Z, then X = Pᵀ·W
    for (let i = 0; i < n * k; i++) work[i] = b[bo + i]!;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) {
        const u = lu[j * n + i]!;
        if (u === 0) continue;
        for (let c = 0; c < k; c++) work[i * k + c] -= u * work[j * k + c]!;
      }
      const d = lu[i * n + i]!;
      for (let c = 0; c < k; c++) work[i * k + c] /= d;
    }
    for (let i = n - 1; i >= 0; i--) {
      for (let j = i + 1; j < n; j++) {
        const l = lu[j * n + i]!;
        if (l === 0) continue;
        for (let c = 0; c < k; c++) work[i * k + c] -= l * work[j * k + c]!;
      }
    }
    for (let i = 0; i < n; i++) {
      const dst = bo + perm[i]! * k;
      for (let c = 0; c < k; c++) b[dst + c] = work[i * k + c]!;
    }
  }
}

/** Whether every pivot of the LU factors is finite and non-zero (exact test; see luSingularPivot for a relative one). */
export function luNonsingular(f: LUFactors): boolean {
  for (let i = 0; i < f.n; i++) {
    const d = f.lu[i * f.n + i]!;
    if (!(Math.abs(d) > 0) || !Number.isFinite(d)) return false;
  }
  return true;
}

/** det from LU factors: sign · Π u_kk. */
export function luDet(f: LUFactors): number {
  let d = f.sign;
  for (let k = 0; k < f.n; k++) d *= f.lu[k * f.n + k]!;
  return d === 0 ? 0 : d; // no −0
}

/** log|det| and sign of det from LU factors (sign 0 and −Infinity when a pivot is 0). */
export function luLogAbsDet(f: LUFactors): { sign: number; logabsdet: number } {
  let s = f.sign;
  let l = 0;
  for (let k = 0; k < f.n; k++) {
    const u = f.lu[k * f.n + k]!;
    if (u < 0) s = -s;
    else if (u === 0) return { sign: 0, logabsdet: -Infinity };
    else if (Number.isNaN(u)) return { sign: NaN, logabsdet: NaN };
    l += Math.log(Math.abs(u));
  }
  return { sign: s, logabsdet: l };
}

/** Writes the n×n identity at a[ao…]. */
export function setIdentity(a: Float64Array, ao: number, n: number): void {
  a.fill(0, ao, ao + n * n);
  for (let i = 0; i < n; i++) a[ao + i * n + i] = 1;
}

/** The symmetric part (A + Aᵀ)/2 of the n×n matrix at a[ao…], into out[oo…] (may not alias). */
export function symPart(a: Float64Array, ao: number, n: number, out: Float64Array, oo: number): void {
  for (let i = 0; i < n; i++) {
    out[oo + i * n + i] = a[ao + i * n + i]!;
    for (let j = 0; j < i; j++) {
      const v = 0.5 * (a[ao + i * n + j]! + a[ao + j * n + i]!);
      out[oo + i * n + j] = v;
      out[oo + j * n + i] = v;
    }
  }
}

/**
 * Columns of an n×n O(n³) factorization between two calls of its `check` callback, which is
 * called before columns stride, 2·stride, … A column costs at most n²/4 multiply-adds, so a
 * block costs at most about 10⁶ (a millisecond or two): a deadline is seen within
 * milliseconds at n in the thousands, while a small matrix pays next to nothing (n = 200: one
 * call per 100 columns; n ≤ 63, a factorization of well under a millisecond: none).
 */
export function checkStride(n: number): number {
  return Math.max(1, Math.floor(4e6 / (n * n)));
}

const NO_CHECK = (_column: number): void => {};

/**
 * The per-column hook of an n×n factorization: called with each column index, it calls
 * `check` before columns stride, 2·stride, … ({@link checkStride}); without `check` it is a
 * shared no-op (nothing allocated).
 */
export function columnCheck(n: number, check: (() => void) | undefined): (column: number) => void {
  if (check === undefined) return NO_CHECK;
  const stride = checkStride(n);
  let next = stride;
  return (j) => {
    if (j >= next) {
      check();
      next += stride;
    }
  };
}

/**
 * Factors A + shift·I = L·Lᵀ for the n×n matrix at a[ao…] (reading its lower triangle) into the
 * lower triangle of the n×n matrix at l[lo…]; the strict upper triangle of L is not touched,
 * and L may alias A only when shift is 0. A pivot that is not finite or not above `minPivot`
 * stops the factorization: returns −1 on success, else the failing index k, with `info.pivot`
 * then holding the failing pivot a_kk + shift − Σ_j l_kj² (the leading k×k block is factored).
 * The one Cholesky of the project: the engine's `cholesky` primitive and the solvers' Newton
 * and trust-region steps both use it. `check`, when given, is called every
 * {@link checkStride}(n) columns and may throw to abandon the factorization (a solver's time
 * limit); L is then partly written.
 */
export function choleskyInto(
  a: Float64Array, ao: number, n: number, shift: number,
  l: Float64Array, lo: number,
  minPivot = 0, info?: { pivot: number }, check?: () => void,
): number {
  const tick = columnCheck(n, check);
  for (let j = 0; j < n; j++) {
    tick(j);
    const rj = j * n;
    let s = a[ao + rj + j]! + shift;
    for (let k = 0; k < j; k++) s -= l[lo + rj + k]! * l[lo + rj + k]!;
    if (!(s > minPivot) || !Number.isFinite(s)) {
      if (info) info.pivot = s;
      return j;
    }
    const d = Math.sqrt(s);
    l[lo + rj + j] = d;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let t = a[ao + ri + j]!;
      for (let k = 0; k < j; k++) t -= l[lo + ri + k]! * l[lo + rj + k]!;
      l[lo + ri + j] = t / d;
    }
  }
  return -1;
}

/**
 * Cholesky factor L (lower, row-major, zeros above the diagonal) of the n×n matrix at a[ao…],
 * reading its lower triangle, into out[oo…]. Returns −1, or the index of the first pivot that
 * is not positive (then `out` is filled with NaN).
 */
export function cholFactor(a: Float64Array, ao: number, n: number, out: Float64Array, oo: number): number {
  out.fill(0, oo, oo + n * n);
  const j = choleskyInto(a, ao, n, 0, out, oo);
  if (j >= 0) out.fill(NaN, oo, oo + n * n);
  return j;
}

/**
 * Solves op(T)·X = B in place for the n×k matrix B at b[bo…], where T (n×n at t[to…]) is
 * read as triangular — only its lower (or upper) triangle with the diagonal — and
 * op(T) = T or Tᵀ.
 */
export function triSolve(
  t: Float64Array, to: number, n: number, lower: boolean, trans: boolean,
  b: Float64Array, bo: number, k: number,
): void {
  // op(T) is lower triangular when exactly one of (lower, trans) holds → forward substitution
  const forward = lower !== trans;
  if (forward) {
    for (let i = 0; i < n; i++) {
      const ri = bo + i * k;
      for (let j = 0; j < i; j++) {
        const a = trans ? t[to + j * n + i]! : t[to + i * n + j]!;
        if (a === 0) continue;
        const rj = bo + j * k;
        for (let c = 0; c < k; c++) b[ri + c] -= a * b[rj + c]!;
      }
      const d = t[to + i * n + i]!;
      for (let c = 0; c < k; c++) b[ri + c] /= d;
    }
  } else {
    for (let i = n - 1; i >= 0; i--) {
      const ri = bo + i * k;
      for (let j = i + 1; j < n; j++) {
        const a = trans ? t[to + j * n + i]! : t[to + i * n + j]!;
        if (a === 0) continue;
        const rj = bo + j * k;
        for (let c = 0; c < k; c++) b[ri + c] -= a * b[rj + c]!;
      }
      const d = t[to + i * n + i]!;
      for (let c = 0; c < k; c++) b[ri + c] /= d;
    }
  }
}

/** C[n×k] += op(tri(T))·X[n×k], tri(T) the lower or upper triangle of T (with diagonal). */
export function triMatmulAcc(
  t: Float64Array, to: number, n: number, lower: boolean, trans: boolean,
  x: Float64Array, xo: number, k: number, c: Float64Array, co: number,
): void {
  const opLower = lower !== trans;
  for (let i = 0; i < n; i++) {
    const j0 = opLower ? 0 : i;
    const j1 = opLower ? i : n - 1;
    const ci = co + i * k;
    for (let j = j0; j <= j1; j++) {
      const a = trans ? t[to + j * n + i]! : t[to + i * n + j]!;
      if (a === 0) continue;
      const xj = xo + j * k;
      for (let q = 0; q < k; q++) c[ci + q] += a * x[xj + q]!;
    }
  }
}

/** Solves Z·R = X in place for the m×n matrix X at x[xo…]; R is n×n upper triangular at r[ro…]. */
export function solveRightUpper(r: Float64Array, ro: number, n: number, x: Float64Array, xo: number, m: number): void {
  for (let i = 0; i < m; i++) {
    const xi = xo + i * n;
    for (let j = 0; j < n; j++) {
      let s = x[xi + j]!;
      for (let q = 0; q < j; q++) s -= x[xi + q]! * r[ro + q * n + j]!;
      x[xi + j] = s / r[ro + j * n + j]!;
    }
  }
}

/**
 * Reduced QR of the m×n matrix at a[ao…] (m ≥ n) by Householder reflections: Q (m×n, at
 * q[qo…]) with orthonormal columns and R (n×n upper, at r[ro…]) with a non-negative diagonal
 * — the normalization that makes the factorization unique (and smooth) at full column rank.
 */
export function householderQR(
  a: Float64Array, ao: number, m: number, n: number,
  q: Float64Array, qo: number, r: Float64Array, ro: number,
): void {
  const w = a.slice(ao, ao + m * n);
  const vs = new Float64Array(m * n); // v_k in column k, rows k..m-1
  const beta = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let scale = 0;
    for (let i = k; i < m; i++) scale = Math.max(scale, Math.abs(w[i * n + k]!));
    if (scale === 0) continue; // nothing to eliminate (rank-deficient column): H_k = I
    let norm2 = 0;
    for (let i = k; i < m; i++) norm2 += (w[i * n + k]! / scale) ** 2;
    const x0 = w[k * n + k]!;
    const alpha = -(x0 >= 0 ? 1 : -1) * scale * Math.sqrt(norm2);
    // v = x − α e₁, H = I − β v vᵀ with β = 2 / vᵀv
    let vv = 0;
    for (let i = k; i < m; i++) {
      const v = i === k ? x0 - alpha : w[i * n + k]!;
      vs[i * n + k] = v;
      vv += v * v;
    }
    if (vv === 0) continue;
    const bk = 2 / vv;
    beta[k] = bk;
    for (let j = k; j < n; j++) {
      let s = 0;
      for (let i = k; i < m; i++) s += vs[i * n + k]! * w[i * n + j]!;
      s *= bk;
      for (let i = k; i < m; i++) w[i * n + j] -= s * vs[i * n + k]!;
    }
  }
  // R: the upper triangle of the reduced matrix
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) r[ro + i * n + j] = j >= i ? w[i * n + j]! : 0;
  }
  // Q = H_0 ⋯ H_{n−1} · I[:, :n], applied right to left
  q.fill(0, qo, qo + m * n);
  for (let i = 0; i < n; i++) q[qo + i * n + i] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const bk = beta[k]!;
    if (bk === 0) continue;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = k; i < m; i++) s += vs[i * n + k]! * q[qo + i * n + j]!;
      s *= bk;
      if (s === 0) continue;
      for (let i = k; i < m; i++) q[qo + i * n + j] -= s * vs[i * n + k]!;
    }
  }
  // make diag(R) ≥ 0
  for (let i = 0; i < n; i++) {
    if (r[ro + i * n + i]! < 0) {
      for (let j = i; j < n; j++) r[ro + i * n + j] = -r[ro + i * n + j]!;
      for (let row = 0; row < m; row++) q[qo + row * n + i] = -q[qo + row * n + i]!;
    }
  }
}

/**
 * Eigendecomposition of the symmetric n×n matrix at a[ao…] (its symmetric part is used):
 * eigenvalues ascending into w[wo…], eigenvectors as the columns of the n×n matrix at
 * v[vo…], each normalized so that its entry of largest magnitude (the first, on ties) is
 * positive — a sign choice that is locally smooth.
 */
export function symEig(a: Float64Array, ao: number, n: number, w: Float64Array, wo: number, v: Float64Array, vo: number): void {
  const S = new Matrix(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) S.set(i, j, 0.5 * (a[ao + i * n + j]! + a[ao + j * n + i]!));
  }
  let vals: number[];
  let V: Matrix;
  if (hasNonFinite(S)) {
    vals = new Array<number>(n).fill(NaN);
    V = new Matrix(n, n).fill(NaN);
  } else {
    const evd = new EigenvalueDecomposition(S, { assumeSymmetric: true });
    vals = evd.realEigenvalues;
    V = evd.eigenvectorMatrix;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((p, q) => vals[p]! - vals[q]!);
  for (let c = 0; c < n; c++) {
    const src = order[c]!;
    w[wo + c] = vals[src]!;
    let big = 0;
    let at = 0;
    for (let i = 0; i < n; i++) {
      const x = Math.abs(V.get(i, src));
      if (x > big) {
        big = x;
        at = i;
      }
    }
    const s = V.get(at, src) < 0 ? -1 : 1;
    for (let i = 0; i < n; i++) v[vo + i * n + c] = s * V.get(i, src);
  }
}

function hasNonFinite(m: Matrix): boolean {
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.columns; j++) if (!Number.isFinite(m.get(i, j))) return true;
  return false;
}

/** max |a_ij − a_ji| over the n×n matrix at a[ao…], with its position. */
export function asymmetry(a: Float64Array, ao: number, n: number): { gap: number; i: number; j: number } {
  let gap = 0;
  let bi = 0;
  let bj = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const g = Math.abs(a[ao + i * n + j]! - a[ao + j * n + i]!);
      if (g > gap || Number.isNaN(g)) {
        gap = g;
        bi = i;
        bj = j;
      }
    }
  }
  return { gap, i: bi, j: bj };
}

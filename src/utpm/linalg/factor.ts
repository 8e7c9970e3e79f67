/**
 * Factorizations: `cholesky` (A = L·Lᵀ, L lower with positive diagonal) and `qr`
 * (A = Q·R reduced, A m×n with m ≥ n, Q m×n with orthonormal columns, R n×n upper with
 * non-negative diagonal).
 *
 * Conventions. cholesky factors the symmetric part (A + Aᵀ)/2 — in its Taylor rule too — so
 * its derivative with respect to A is symmetric and agrees with finite differences of the
 * function it actually computes (the public `cholesky` rejects visibly non-symmetric input).
 * `qr` has two outputs but nodes have one, so its node is the packed [m+n, n] array
 * [Q; R] — rows 0…m−1 are Q, rows m…m+n−1 are R — and the public `qr` exposes Q and R as
 * slices of it; slice adjoints then accumulate Q̄ and R̄ into one [Q̄; R̄] for the pullback.
 *
 * Taylor rules (Walter's thesis, "Structured higher-order algorithmic differentiation in the
 * forward and reverse mode with application in optimum experimental design", 2011, ch. 4):
 *
 *   cholesky: matching s^d in A = L·Lᵀ gives L_0·L_dᵀ + L_d·L_0ᵀ = S_d with
 *     S_d = A_d − Σ_{k=1..d−1} L_k·L_{d−k}ᵀ (symmetric); hence
 *     L_d = L_0·Φ(L_0⁻¹·S_d·L_0⁻ᵀ), Φ = lower triangle with the diagonal halved.
 *
 *   qr: with ΔF = A_d − Σ_{k=1..d−1} Q_k·R_{d−k}, S = Σ_{k=1..d−1} Q_kᵀ·Q_{d−k},
 *     E = ΔF·R_0⁻¹, H = Q_0ᵀ·E, and K = Q_0ᵀ·Q_d (unknown): R_d·R_0⁻¹ = H − K is upper
 *     triangular and K + Kᵀ = −S (orthonormality at order d), which fixes K: its strict
 *     lower part is H's, K_ii = −S_ii/2, K_ij = −S_ij − H_ji above. Then
 *     R_d = (H − K)·R_0 and Q_d = E − Q_0·(H − K).
 *
 * Pullbacks: cholesky (Murray, "Differentiation of the Cholesky decomposition", 2016):
 *   Ā = sym(L⁻ᵀ·Φ(Lᵀ·L̄)·L⁻¹). qr (Walter & Lehmann 2013; Seeger et al. 2017):
 *   M = R·R̄ᵀ − Q̄ᵀ·Q, Ā = (Q̄ + Q·copyltu(M))·R⁻ᵀ with copyltu(M) = tril(M) + tril(M, −1)ᵀ.
 *   Both need a non-singular triangular factor (positive definite A, full column rank).
 */
import { TayoptError } from '../../errors.js';
import { gemmAcc } from '../matmul.js';
import type { Primitive } from '../primitive.js';
import { fmtShape } from '../utpm.js';
import { cholFactor, householderQR, solveRightUpper, symPart, triSolve } from './kernels.js';
import { blk, la, matrixShape, squareShape } from './util.js';

/** Mask of Φ: 1 below the diagonal, ½ on it, 0 above. */
function phiMask(n: number): Float64Array {
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) m[i * n + j] = 1;
    m[i * n + i] = 0.5;
  }
  return m;
}

export const cholesky: Primitive = {
  name: 'cholesky',
  arity: 1,
  shape(s) {
    const n = squareShape('cholesky', s[0]!);
    return [n, n];
  },
  forward(out, [A]) {
    const a = A!;
    const n = a.shape[0]!;
    const nn = n * n;
    const od = out.data;
    const S = new Float64Array(nn);
    symPart(a.data, 0, n, S, 0);
    cholFactor(S, 0, n, od, 0);
    if (out.D === 1) return;
    const W = new Float64Array(nn);
    for (let d = 1; d < out.D; d++) {
      for (let p = 0; p < out.P; p++) {
        // S = sym(A_d) − Σ_{k=1..d−1} L_k·L_{d−k}ᵀ
        const ao = blk(a, d, p);
        if (ao < 0) S.fill(0);
        else symPart(a.data, ao, n, S, 0);
        if (d > 1) {
          W.fill(0);
          for (let k = 1; k < d; k++) gemmAcc(od, out.off(k, p), false, od, out.off(d - k, p), true, W, 0, n, n, n);
          for (let i = 0; i < nn; i++) S[i] -= W[i]!;
        }
        // M = L_0⁻¹·(L_0⁻¹·S)ᵀ  (= L_0⁻¹·S·L_0⁻ᵀ as S is symmetric)
        triSolve(od, 0, n, true, false, S, 0, n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) W[i * n + j] = S[j * n + i]!;
        triSolve(od, 0, n, true, false, W, 0, n);
        // Φ(M), then L_d = L_0·Φ(M)
        for (let i = 0; i < n; i++) {
          W[i * n + i] = 0.5 * W[i * n + i]!;
          for (let j = i + 1; j < n; j++) W[i * n + j] = 0;
        }
        const o = out.off(d, p);
        od.fill(0, o, o + nn);
        gemmAcc(od, 0, false, W, 0, false, od, o, n, n, n);
      }
    }
  },
  pullback(b, g, L) {
    const n = L.shape[0]!;
    const P = b.mul(b.matmul(L, g, true, false), b.b.constant(phiMask(n), [n, n]));
    // Sᵀ = L⁻ᵀ·(L⁻ᵀ·P)ᵀ where S = L⁻ᵀ·P·L⁻¹; Ā = sym(S) = sym(Sᵀ)
    const X = la.trisolve(b, L, P, true, true);
    const St = la.trisolve(b, L, la.T(b, X), true, true);
    return [la.sym(b, St)];
  },
};

export const qr: Primitive = {
  name: 'qr',
  arity: 1,
  shape(s) {
    const [m, n] = matrixShape('qr', s[0]!);
    if (m < n) throw new TayoptError(`qr: needs at least as many rows as columns, got shape ${fmtShape(s[0]!)}`);
    if (n === 0) throw new TayoptError(`qr: needs a non-empty matrix, got shape ${fmtShape(s[0]!)}`);
    return [m + n, n];
  },
  forward(out, [A]) {
    const a = A!;
    const m = a.shape[0]!;
    const n = a.shape[1]!;
    const mn = m * n;
    const nn = n * n;
    const od = out.data;
    householderQR(a.data, 0, m, n, od, 0, od, mn);
    if (out.D === 1) return;
    const E = new Float64Array(mn);
    const S = new Float64Array(nn);
    const H = new Float64Array(nn);
    const U = new Float64Array(nn);
    const tmp = new Float64Array(mn);
    for (let d = 1; d < out.D; d++) {
      for (let p = 0; p < out.P; p++) {
        const ao = blk(a, d, p);
        if (ao < 0) E.fill(0);
        else E.set(a.data.subarray(ao, ao + mn));
        S.fill(0);
        if (d > 1) {
          tmp.fill(0);
          for (let k = 1; k < d; k++) {
            const qk = out.off(k, p);
            const qd = out.off(d - k, p);
            gemmAcc(od, qk, false, od, qd + mn, false, tmp, 0, m, n, n);
            gemmAcc(od, qk, true, od, qd, false, S, 0, n, n, m);
          }
          for (let i = 0; i < mn; i++) E[i] -= tmp[i]!;
        }
        solveRightUpper(od, mn, n, E, 0, m); // E = ΔF·R_0⁻¹
        H.fill(0);
        gemmAcc(od, 0, true, E, 0, false, H, 0, n, n, m);
        // U = H − K, upper triangular
        U.fill(0);
        for (let i = 0; i < n; i++) {
          U[i * n + i] = H[i * n + i]! + 0.5 * S[i * n + i]!;
          for (let j = i + 1; j < n; j++) U[i * n + j] = H[i * n + j]! + H[j * n + i]! + S[i * n + j]!;
        }
        const o = out.off(d, p);
        od.fill(0, o + mn, o + mn + nn);
        gemmAcc(U, 0, false, od, mn, false, od, o + mn, n, n, n);
        tmp.fill(0);
        gemmAcc(od, 0, false, U, 0, false, tmp, 0, m, n, n);
        for (let i = 0; i < mn; i++) od[o + i] = E[i]! - tmp[i]!;
      }
    }
  },
  pullback(b, g, y) {
    const n = y.shape[1]!;
    const m = y.shape[0]! - n;
    const Q = la.rows(b, y, 0, m);
    const R = la.rows(b, y, m, n);
    const Qb = la.rows(b, g, 0, m);
    const Rb = la.rows(b, g, m, n);
    const M = b.sub(b.matmul(R, Rb, false, true), b.matmul(Qb, Q, true, false));
    const N = b.add(la.tril(b, M), la.T(b, la.tril(b, M, -1)));
    const C = b.add(Qb, b.matmul(Q, N));
    // Ā = C·R⁻ᵀ, i.e. Āᵀ = R⁻¹·Cᵀ
    return [la.T(b, la.trisolve(b, R, la.T(b, C), false, false))];
  },
};

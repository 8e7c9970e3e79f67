/**
 * Symmetric eigendecomposition: `eigh` (eigenvalues ascending and orthonormal eigenvectors)
 * and `eigvalsh` (eigenvalues only).
 *
 * Representation. The eigh node is the packed [n+1, n] array [λᵀ; V]: row 0 holds the
 * eigenvalues, rows 1…n the matrix V whose columns are the eigenvectors (A·V = V·diag(λ)).
 * The public `eigh` exposes both as slices. Like cholesky, both primitives act on the
 * symmetric part (A + Aᵀ)/2. Each eigenvector's sign is fixed by making its entry of largest
 * magnitude positive.
 *
 * Taylor rule (distinct eigenvalues; Walter's thesis 2011, §4.2). Write V_d = V_0·X_d. At
 * order d, A·V = V·Λ gives Λ_0·X_d − X_d·Λ_0 + F = Λ_d with
 *     F = V_0ᵀ·(Σ_{k=1..d} A_k·V_{d−k} − Σ_{k=1..d−1} V_k·Λ_{d−k}),
 * so Λ_d = diag(F) and X_ij = F_ij/(λ_j − λ_i) off the diagonal, while VᵀV = I at order d
 * fixes the diagonal: X_ii = −½·(Σ_{k=1..d−1} V_kᵀ·V_{d−k})_ii.
 *
 * Pullback (Giles 2008): Ā = sym(V·(diag(λ̄) + F∘(Vᵀ·V̄))·Vᵀ), F_ij = 1/(λ_j − λ_i), F_ii = 0.
 * eigvalsh's pullback is the V̄ = 0 case, sym(V·diag(λ̄)·Vᵀ), with V from an eigh node.
 *
 * Repeated eigenvalues. The eigenvectors of a repeated eigenvalue are not unique and not
 * differentiable. When λ_i = λ_j exactly, the Taylor coefficients of degree ≥ 1 of eigh's V,
 * and of degree ≥ 2 of the eigenvalues, divide by zero and come out ±Infinity/NaN; eigh's
 * pullback does too (also when only the eigenvalues of an eigh node are used). The
 * first-order eigenvalue coefficients diag(V_0ᵀ·A_1·V_0) stay finite, and so do eigvalsh's
 * gradients: sym(V·diag(λ̄)·Vᵀ) for whichever orthonormal basis of the eigenspace the solver
 * returned — a valid (one-sided) derivative of sums of eigenvalues over the cluster and, for
 * the smallest eigenvalue, a supergradient of the concave function λ_min. Nearly repeated
 * eigenvalues give large but finite eigenvector derivatives (the problem is ill-conditioned).
 * Prefer eigvalsh when the eigenvectors are not needed.
 */
import { gemmAcc } from '../matmul.js';
import type { Primitive } from '../primitive.js';
import { UTPM } from '../utpm.js';
import { symEig, symPart } from './kernels.js';
import { la, squareShape } from './util.js';

export const eigh: Primitive = {
  name: 'eigh',
  arity: 1,
  shape(s) {
    const n = squareShape('eigh', s[0]!);
    return [n + 1, n];
  },
  forward(out, [A]) {
    const a = A!;
    const n = a.shape[0]!;
    const nn = n * n;
    const od = out.data;
    symEig(a.data, 0, n, od, 0, od, n);
    if (out.D === 1) return;
    const Asym = new Float64Array(Math.max(0, a.D - 1) * nn);
    const G = new Float64Array(nn);
    const F = new Float64Array(nn);
    const S = new Float64Array(nn);
    for (let p = 0; p < out.P; p++) {
      for (let k = 1; k < a.D; k++) symPart(a.data, a.off(k, p), n, Asym, (k - 1) * nn);
      for (let d = 1; d < out.D; d++) {
        G.fill(0);
        for (let k = 1; k <= d && k < a.D; k++) {
          gemmAcc(Asym, (k - 1) * nn, false, od, out.off(d - k, p) + n, false, G, 0, n, n, n);
        }
        S.fill(0);
        for (let k = 1; k < d; k++) {
          const vk = out.off(k, p) + n;
          const lam = out.off(d - k, p);
          for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) G[i * n + j] -= od[vk + i * n + j]! * od[lam + j]!;
          gemmAcc(od, vk, true, od, out.off(d - k, p) + n, false, S, 0, n, n, n);
        }
        F.fill(0);
        gemmAcc(od, n, true, G, 0, false, F, 0, n, n, n);
        const o = out.off(d, p);
        // X into F's place
        for (let i = 0; i < n; i++) {
          od[o + i] = F[i * n + i]!;
          for (let j = 0; j < n; j++) {
            F[i * n + j] = i === j ? -0.5 * S[i * n + i]! : F[i * n + j]! / (od[j]! - od[i]!);
          }
        }
        od.fill(0, o + n, o + n + nn);
        gemmAcc(od, n, false, F, 0, false, od, o + n, n, n, n);
      }
    }
  },
  pullback(b, g, y) {
    const n = y.shape[1]!;
    const lam = la.rows(b, y, 0, 1); // [1, n]
    const V = la.rows(b, y, 1, n);
    const lb = la.rows(b, g, 0, 1);
    const Vb = la.rows(b, g, 1, n);
    const I = la.eye(b, n);
    // Dm_ij = λ_j − λ_i; F = 1/Dm off the diagonal, 0 on it
    const Dm = b.sub(lam, b.reshape(lam, [n, 1]));
    const F = b.where(I, b.scalar(0), b.div(b.scalar(1), b.where(I, b.scalar(1), Dm)));
    const inner = b.add(b.mul(I, lb), b.mul(F, b.matmul(V, Vb, true, false)));
    return [la.sym(b, b.matmul(b.matmul(V, inner), V, false, true))];
  },
};

export const eigvalsh: Primitive = {
  name: 'eigvalsh',
  arity: 1,
  shape(s) {
    return [squareShape('eigvalsh', s[0]!)];
  },
  forward(out, ins, _params, ws) {
    const n = out.shape[0]!;
    const full = new UTPM([n + 1, n], out.D, out.P);
    eigh.forward(full, ins, null, ws);
    for (let d = 0; d < out.D; d++) {
      const np = d === 0 ? 1 : out.P;
      for (let p = 0; p < np; p++) out.data.set(full.data.subarray(full.off(d, p), full.off(d, p) + n), out.off(d, p));
    }
  },
  pullback(b, g, _y, [A]) {
    const n = g.shape[0]!;
    const V = la.rows(b, b.b.apply('eigh', [A!]), 1, n);
    return [la.sym(b, b.matmul(b.mul(V, b.reshape(g, [1, n])), V, false, true))];
  },
};

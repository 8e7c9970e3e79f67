/**
 * GLTR-style Lanczos trust-region solver (Gould, Lucidi, Roma & Toint, "Solving the
 * trust-region subproblem using the Lanczos method", SIAM J. Optim. 9(2), 1999), Hessian-free.
 * Lanczos builds an orthonormal basis Q_k of the Krylov space K_k(B, g) with B·Q_k = Q_k·T_k +
 * β_k q_{k+1}e_kᵀ; the subproblem restricted to it, min ‖g‖·e₁ᵀh + ½hᵀT_k h with ‖h‖ ≤ Δ, is
 * tridiagonal and solved by the same Moré–Sorensen iteration as `trust-exact` (on a
 * tridiagonal factorization, O(k) per step). Unlike Steihaug-CG it does not stop at the first
 * boundary crossing: it keeps improving the boundary solution until the residual
 * β_k·|e_kᵀh| meets the forcing tolerance (types.ts). The basis is stored (and re-orthogonalized), so memory is
 * k·n for k ≤ maxIter Lanczos steps — and after a rejected step the same Krylov space is
 * re-used for the smaller radius, extended only if its residual test now fails.
 */
import { dot } from '../vec.js';
import { moreSorensen, MoreSorensenWork, TridiagonalSystem } from './more-sorensen.js';
import { forcingTolerance, type QuadraticModel, type SubproblemFactory, type SubproblemResult } from './types.js';

export interface GltrOptions {
  /** Maximum Lanczos steps (default min(n, 200)). */
  maxIter?: number;
}

export const gltr =
  (options: GltrOptions = {}): SubproblemFactory =>
  (n) => {
    const kmax = Math.max(1, Math.min(n, options.maxIter ?? 200));
    const Q = new Float64Array(kmax * n);
    const w = new Float64Array(n);
    const tri = new TridiagonalSystem(kmax);
    const work = new MoreSorensenWork(kmax);
    const rhs = new Float64Array(kmax);
    const h = new Float64Array(kmax);
    // Lanczos state kept between calls: k basis vectors, T_k, and β_k with w = β_k·q_{k+1}.
    let k = 0;
    let beta = 0;
    let tnorm = 0;
    let g0 = 0;

    /** One Lanczos step: appends α_k to T and leaves the next residual in w, its norm in beta. */
    function expand(model: QuadraticModel): boolean {
      if (k > 0) {
        tri.e[k - 1] = beta;
        const o = k * n;
        for (let i = 0; i < n; i++) Q[o + i] = w[i]! / beta;
      }
      const qk = Q.subarray(k * n, (k + 1) * n);
      model.hvp(qk, w);
      let alpha = 0;
      for (let i = 0; i < n; i++) alpha += qk[i]! * w[i]!;
      if (!Number.isFinite(alpha)) return false;
      // w ← w − Σ_j (q_jᵀw) q_j over the whole basis (full re-orthogonalization, two passes).
      for (let pass = 0; pass < 2; pass++)
        for (let j = 0; j <= k; j++) {
          const o = j * n;
          let c = 0;
          for (let i = 0; i < n; i++) c += Q[o + i]! * w[i]!;
          for (let i = 0; i < n; i++) w[i]! -= c * Q[o + i]!;
        }
      tri.a[k] = alpha;
      tnorm = Math.max(tnorm, Math.abs(alpha) + (k > 0 ? beta : 0));
      beta = Math.sqrt(dot(w, w));
      tnorm = Math.max(tnorm, Math.abs(alpha) + beta);
      k++;
      tri.resize(k);
      return true;
    }

    function solve(model: QuadraticModel, radius: number, p: Float64Array, sameModel = false): SubproblemResult {
      const g = model.g;
      p.fill(0);
      if (!sameModel || k === 0) {
        g0 = Math.sqrt(dot(g, g));
        k = 0;
        beta = 0;
        tnorm = 0;
        if (g0 === 0) return { predicted: 0, onBoundary: false, status: 'ok' };
        for (let i = 0; i < n; i++) Q[i] = g[i]! / g0;
        rhs.fill(0);
        rhs[0] = g0;
        if (!expand(model)) return { predicted: 0, onBoundary: false, status: 'nonFinite' };
      }
      const tol = forcingTolerance(g0, model.gnorm0);
      let r = moreSorensen(tri, rhs, radius, h, work, { kEasy: 1e-4, kHard: 1e-4, maxIter: 100 });
      while (!(beta * Math.abs(h[k - 1]!) <= tol || beta <= 1e-12 * tnorm || k === kmax)) {
        if (!expand(model)) return { predicted: 0, onBoundary: false, status: 'nonFinite' };
        r = moreSorensen(tri, rhs, radius, h, work, { kEasy: 1e-4, kHard: 1e-4, maxIter: 100 });
      }
      for (let j = 0; j < k; j++) {
        const o = j * n;
        const hj = h[j]!;
        for (let i = 0; i < n; i++) p[i]! += hj * Q[o + i]!;
      }
      return { predicted: r.predicted, onBoundary: r.onBoundary, status: 'ok' };
    }

    return { name: 'gltr', needs: 'hvp', solve };
  };

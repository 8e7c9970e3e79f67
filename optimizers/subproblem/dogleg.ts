/**
 * Dogleg (Powell; Nocedal & Wright §4.1): the minimizer of the model along the path from 0 to
 * the Cauchy point p_U = −(gᵀg / gᵀBg)·g and on to the Newton point p_B = −B⁻¹g, cut at the
 * trust-region boundary. The path needs B positive definite; where the Hessian is not, B is
 * the modified-Cholesky matrix ∇²f + τD (the same factorization Newton uses) instead of
 * failing as scipy's dogleg does; and should the Cauchy point of the true model then reduce it
 * more, that point is taken. The predicted reduction is that of the true quadratic model.
 */
import { modifiedCholesky, solveCholesky } from '../linalg.js';
import { dot, matVec, norm2 } from '../vec.js';
import { boundaryStep, type QuadraticModel, type SubproblemFactory, type SubproblemResult } from './types.js';

export const dogleg: SubproblemFactory = (n) => {
  const L = new Float64Array(n * n);
  const pB = new Float64Array(n);
  const pU = new Float64Array(n);
  const Hv = new Float64Array(n);
  const scratch = new Float64Array(n);

  function solve(model: QuadraticModel, radius: number, p: Float64Array): SubproblemResult {
    const H = model.H!;
    const g = model.g;
    if (Number.isNaN(modifiedCholesky(H, n, L, scratch, model.checkTime))) return { predicted: 0, onBoundary: false, status: 'nonFinite' };
    for (let i = 0; i < n; i++) pB[i] = -g[i]!;
    solveCholesky(L, n, pB, pB);
    let onBoundary = true;
    if (norm2(pB) <= radius) {
      p.set(pB);
      onBoundary = false;
    } else {
      const gg = dot(g, g);
      const gn = Math.sqrt(gg);
      // gᵀBg = ‖Lᵀg‖² for the factored (possibly modified) B = L·Lᵀ.
      let gBg = 0;
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let i = j; i < n; i++) s += L[i * n + j]! * g[i]!;
        gBg += s * s;
      }
      const cauchy = gg / gBg;
      if (!(gBg > 0) || cauchy * gn >= radius) {
        for (let i = 0; i < n; i++) p[i] = (-radius / gn) * g[i]!;
      } else {
        for (let i = 0; i < n; i++) {
          pU[i] = -cauchy * g[i]!;
          pB[i] = pB[i]! - pU[i]!;
        }
        const s = boundaryStep(pU, pB, radius);
        for (let i = 0; i < n; i++) p[i] = pU[i]! + s * pB[i]!;
      }
    }
    matVec(Hv, H, p, n);
    let predicted = -(dot(g, p) + 0.5 * dot(p, Hv));
    // Where ∇²f was modified the path belongs to another model; keep the Cauchy point of the
    // true model if it does better, so the step always earns at least the Cauchy decrease.
    matVec(Hv, H, g, n);
    const gg = dot(g, g);
    const gHg = dot(g, Hv);
    const tMax = radius / Math.sqrt(gg);
    const t = gHg > 0 ? Math.min(gg / gHg, tMax) : tMax;
    const cauchyReduction = t * gg - 0.5 * t * t * gHg;
    if (cauchyReduction > predicted) {
      for (let i = 0; i < n; i++) p[i] = -t * g[i]!;
      predicted = cauchyReduction;
      onBoundary = t === tMax;
    }
    return { predicted, onBoundary, status: 'ok' };
  }

  return { name: 'dogleg', needs: 'hessian', solve };
};

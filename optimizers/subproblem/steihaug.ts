/**
 * Steihaug–Toint truncated conjugate gradients (Nocedal & Wright, Algorithm 7.2): CG on
 * B·p = −g from p = 0 using only Hessian-vector products, stopped at the forcing tolerance,
 * at the boundary (the iterate is extended along the CG direction to ‖p‖ = Δ), or on
 * non-positive curvature (followed to the boundary). The CG iterates increase in norm and
 * decrease the model monotonically, so the first boundary crossing is the right place to stop.
 * The model value is tracked through the recurrences; no extra products are needed for it.
 */
import { axpy, dot } from '../vec.js';
import { boundaryStep, forcingTolerance, type QuadraticModel, type SubproblemFactory, type SubproblemResult } from './types.js';

export const steihaug: SubproblemFactory = (n) => {
  const r = new Float64Array(n);
  const d = new Float64Array(n);
  const Bd = new Float64Array(n);
  const maxIter = 2 * n + 20;

  function solve(model: QuadraticModel, radius: number, p: Float64Array): SubproblemResult {
    const g = model.g;
    p.fill(0);
    r.set(g);
    for (let i = 0; i < n; i++) d[i] = -g[i]!;
    let rr = dot(r, r);
    const gn = Math.sqrt(rr);
    const tol = forcingTolerance(gn, model.gnorm0);
    let mp = 0; // m(p)
    for (let j = 0; j < maxIter; j++) {
      model.hvp(d, Bd);
      const dBd = dot(d, Bd);
      if (!Number.isFinite(dBd)) return { predicted: 0, onBoundary: false, status: 'nonFinite' };
      const rd = dot(r, d); // = m'(p) along d
      if (dBd <= 0) {
        const tau = boundaryStep(p, d, radius);
        axpy(tau, d, p);
        mp += tau * rd + 0.5 * tau * tau * dBd;
        return { predicted: -mp, onBoundary: true, status: 'ok' };
      }
      const alpha = rr / dBd;
      // Would the CG step leave the region? ‖p + αd‖² vs Δ², without forming the point.
      let pp = 0;
      let pd = 0;
      let dd = 0;
      for (let i = 0; i < n; i++) {
        pp += p[i]! * p[i]!;
        pd += p[i]! * d[i]!;
        dd += d[i]! * d[i]!;
      }
      if (pp + 2 * alpha * pd + alpha * alpha * dd >= radius * radius) {
        const tau = boundaryStep(p, d, radius);
        axpy(tau, d, p);
        mp += tau * rd + 0.5 * tau * tau * dBd;
        return { predicted: -mp, onBoundary: true, status: 'ok' };
      }
      axpy(alpha, d, p);
      mp += alpha * rd + 0.5 * alpha * alpha * dBd;
      axpy(alpha, Bd, r);
      const rrNew = dot(r, r);
      if (Math.sqrt(rrNew) <= tol) break;
      const beta = rrNew / rr;
      rr = rrNew;
      for (let i = 0; i < n; i++) d[i] = -r[i]! + beta * d[i]!;
    }
    return { predicted: -mp, onBoundary: false, status: 'ok' };
  }

  return { name: 'steihaug-cg', needs: 'hvp', solve };
};

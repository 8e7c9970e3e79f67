/**
 * Steihaug–Toint truncated conjugate gradients (Nocedal & Wright, Algorithm 7.2): CG on
 * B·p = −g from p = 0 using only Hessian-vector products, stopped at the forcing tolerance,
 * at the boundary (the iterate is extended along the CG direction to ‖p‖ = Δ), or on
 * non-positive curvature (followed to the boundary). The CG iterates increase in norm and
 * decrease the model monotonically, so the first boundary crossing is the right place to stop.
 * The model value is tracked through the recurrences; no extra products are needed for it.
 */
import { axpy } from '../vec.js';
import { cgWork, truncatedCg } from './truncated-cg.js';
import { boundaryStep, type QuadraticModel, type SubproblemFactory, type SubproblemResult } from './types.js';

export const steihaug: SubproblemFactory = (n) => {
  const work = cgWork(n);
  const maxIter = 2 * n + 20;

  function solve(model: QuadraticModel, radius: number, p: Float64Array): SubproblemResult {
    const cg = truncatedCg(model.hvp, model.g, model.gnorm0, maxIter, radius, p, work);
    if (cg.stop === 'nonFinite') return { predicted: 0, onBoundary: false, status: 'nonFinite' };
    if (cg.stop === 'negativeCurvature' || cg.stop === 'boundary') {
      // Follow the last CG direction to the boundary: the model keeps decreasing along it.
      const tau = boundaryStep(p, work.d, radius);
      axpy(tau, work.d, p);
      const mp = cg.model + (tau * cg.slope + 0.5 * tau * tau * cg.curvature);
      return { predicted: -mp, onBoundary: true, status: 'ok' };
    }
    return { predicted: -cg.model, onBoundary: false, status: 'ok' };
  }

  return { name: 'steihaug-cg', needs: 'hvp', solve };
};

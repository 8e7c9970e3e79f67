/**
 * BFGS with a dense inverse-Hessian approximation H (Nocedal & Wright, Algorithm 6.1):
 * d = −H·g, strong-Wolfe line search trying α = 1 first, and the inverse update
 * H₊ = (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ with ρ = 1/(yᵀs). Before the first update H₀ = I is
 * rescaled to (yᵀs / yᵀy)·I (N&W eq. 6.20), which fixes the scale the identity guessed.
 * Updates with yᵀs not safely positive are skipped. O(n²) memory and work per iteration.
 */
import type { Method, StepReport } from '../loop.js';
import type { LineSearch } from '../linesearch/types.js';
import { moreThuente } from '../linesearch/morethuente.js';
import { dot, matVec, norm2 } from '../vec.js';
import { type DescentState, initDescentState, lineSearchStep } from './descent.js';

export interface BfgsOptions {
  /** Line search (default Moré–Thuente, c1 = 1e-4, c2 = 0.9). */
  lineSearch?: LineSearch;
}

interface BfgsState extends DescentState {
  H: Float64Array;
  Hy: Float64Array;
  /** True while H is still the (unscaled) identity. */
  fresh: boolean;
}

function setIdentity(H: Float64Array, n: number, scale: number): void {
  H.fill(0);
  for (let i = 0; i < n; i++) H[i * n + i] = scale;
}

export function bfgs(options: BfgsOptions = {}): Method<BfgsState> {
  const ls = options.lineSearch ?? moreThuente();

  function search(state: BfgsState): StepReport {
    const n = state.x.length;
    matVec(state.d, state.H, state.g, n);
    for (let i = 0; i < n; i++) state.d[i] = -state.d[i]!;
    return lineSearchStep(state, ls, state.fresh ? Math.min(1, 1 / norm2(state.d)) : 1);
  }

  return {
    name: 'bfgs',
    init(obj, x0) {
      const n = obj.n;
      const H = new Float64Array(n * n);
      setIdentity(H, n, 1);
      return { ...initDescentState(obj, x0), H, Hy: new Float64Array(n), fresh: true };
    },
    step(state): StepReport {
      const n = state.x.length;
      let rep = search(state);
      if (rep.status === 'lineSearchFailed' && !state.fresh) {
        setIdentity(state.H, n, 1);
        state.fresh = true;
        rep = search(state);
      }
      if (rep.status !== 'accepted') return rep;
      const { s, y, H, Hy } = state;
      const sy = dot(s, y);
      const yy = dot(y, y);
      if (!(sy > Number.EPSILON * yy) || !Number.isFinite(sy)) return rep;
      if (state.fresh) {
        setIdentity(H, n, sy / yy);
        state.fresh = false;
      }
      matVec(Hy, H, y, n);
      const rho = 1 / sy;
      const c = rho * rho * dot(y, Hy) + rho;
      for (let i = 0; i < n; i++) {
        const si = s[i]!;
        const hi = Hy[i]!;
        const row = i * n;
        for (let j = 0; j < n; j++) H[row + j]! += c * si * s[j]! - rho * (hi * s[j]! + si * Hy[j]!);
      }
      return rep;
    },
  };
}

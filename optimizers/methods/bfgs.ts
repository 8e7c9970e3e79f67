/**
 * BFGS with a dense inverse-Hessian approximation (Nocedal & Wright, Algorithm 6.1): d = −H·g,
 * strong-Wolfe line search trying α = 1 first, and the inverse update
 * H₊ = (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ with ρ = 1/(yᵀs); updates with yᵀs not safely
 * positive are skipped.
 *
 * The initial matrix H₀ = γI is re-chosen at every iteration, γ = sᵀs/sᵀy of the newest pair
 * (Barzilai and Borwein's first step), instead of being fixed once. The update is linear in
 * H₀, so H = γ·M + N with M and N updated by the same recursion (M₀ = I, N₀ = 0; M₊ = VᵀMV,
 * N₊ = VᵀNV + ρssᵀ, V = I − ρysᵀ): γ only scales the part of H that no pair has determined yet
 * (M annihilates the newest y: the secant condition H₊y = s holds for every γ), i.e. the
 * directions not explored so far. This is BFGS with unlimited memory re-initialized every
 * iteration — the reduced-Hessian idea of Gill and Leonard (SIAM J. Optim. 12(1), 2001) in
 * dense form.
 *
 * Why: BFGS corrects an H that is too large along unexplored directions within a few steps
 * (the line search cuts the overlong step back and the update learns that curvature), but an H
 * that is too small only slowly, one direction per iteration (Powell 1986; Nocedal, Acta
 * Numerica 1992, §4). A γ fixed after the first step from one Rayleigh quotient — sᵀy/yᵀy
 * (N&W eq. 6.20) — reflects the steepest curvature the first step met, and is far too small
 * for the flat directions of an ill-conditioned problem: on f = Σ dᵢxᵢ², dᵢ = 10^(6i/(n−1)),
 * n = 200, it took 1,508 iterations where scipy's unscaled H₀ = I took 200 (see
 * optimizers/README.md for the measurements). Re-chosen every iteration from the newest step,
 * and with the larger of the two Barzilai–Borwein quotients (sᵀs/sᵀy ≥ sᵀy/yᵀy), the
 * unexplored part keeps pace with the flattest curvature found so far. O(n²) memory and work
 * per iteration (two n×n matrices).
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
  /** H = γ·M + N (row-major n×n each). */
  M: Float64Array;
  N: Float64Array;
  gamma: number;
  /** Scratch of length n. */
  t1: Float64Array;
  t2: Float64Array;
  /** True until the first update (and after a restart): H = I. */
  fresh: boolean;
}

/** What a BFGS run keeps for a warm start. */
interface BfgsWarm {
  M: Float64Array;
  N: Float64Array;
  gamma: number;
  fresh: boolean;
}

function restart(state: BfgsState, n: number): void {
  state.M.fill(0);
  for (let i = 0; i < n; i++) state.M[i * n + i] = 1;
  state.N.fill(0);
  state.gamma = 1;
  state.fresh = true;
}

/**
 * A ← VᵀAV + c·ssᵀ with V = I − ρysᵀ, given Ay in `Ay` and yAy = yᵀAy (the BFGS inverse
 * update, O(n²); c = ρ is the textbook H₊, c = 0 updates a part of a split H). A is n×n row-major.
 */
export function inverseUpdate(A: Float64Array, s: Float64Array, Ay: Float64Array, yAy: number, rho: number, c: number, n: number): void {
  const k = rho * rho * yAy + c;
  for (let i = 0; i < n; i++) {
    const si = s[i]!;
    const ai = Ay[i]!;
    const row = i * n;
    for (let j = 0; j < n; j++) A[row + j]! += k * si * s[j]! - rho * (ai * s[j]! + si * Ay[j]!);
  }
}

export function bfgs(options: BfgsOptions = {}): Method<BfgsState> {
  const ls = options.lineSearch ?? moreThuente();

  function search(state: BfgsState): StepReport {
    const n = state.x.length;
    const { d, t1, t2 } = state;
    matVec(t1, state.M, state.g, n);
    matVec(t2, state.N, state.g, n);
    for (let i = 0; i < n; i++) d[i] = -(state.gamma * t1[i]! + t2[i]!);
    return lineSearchStep(state, ls, state.fresh ? Math.min(1, 1 / norm2(d)) : 1);
  }

  return {
    name: 'bfgs',
    init(obj, x0, warm) {
      const n = obj.n;
      const state: BfgsState = {
        ...initDescentState(obj, x0),
        M: new Float64Array(n * n),
        N: new Float64Array(n * n),
        gamma: 1,
        t1: new Float64Array(n),
        t2: new Float64Array(n),
        fresh: true,
      };
      const w = warm as BfgsWarm | undefined;
      if (w && w.M.length === n * n) {
        state.M.set(w.M);
        state.N.set(w.N);
        state.gamma = w.gamma;
        state.fresh = w.fresh;
      } else restart(state, n);
      return state;
    },
    step(state): StepReport {
      const n = state.x.length;
      let rep = search(state);
      if (rep.status === 'lineSearchFailed' && !state.fresh) {
        restart(state, n);
        rep = search(state);
      }
      if (rep.status !== 'accepted') return rep;
      const { s, y, M, N, t1, t2 } = state;
      const sy = dot(s, y);
      const yy = dot(y, y);
      if (!(sy > Number.EPSILON * yy) || !Number.isFinite(sy)) return rep;
      const rho = 1 / sy;
      matVec(t1, M, y, n);
      matVec(t2, N, y, n);
      inverseUpdate(M, s, t1, dot(y, t1), rho, 0, n);
      inverseUpdate(N, s, t2, dot(y, t2), rho, rho, n);
      state.gamma = dot(s, s) / sy;
      state.fresh = false;
      return rep;
    },
    save(state): BfgsWarm {
      return { M: Float64Array.from(state.M), N: Float64Array.from(state.N), gamma: state.gamma, fresh: state.fresh };
    },
  };
}

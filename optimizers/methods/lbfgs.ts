/**
 * L-BFGS (Nocedal & Wright, Algorithm 7.5): two-loop recursion over the last m pairs, scaled
 * initial matrix H₀ = (sᵀy/yᵀy)·I, strong-Wolfe line search with the unit step tried first.
 * The first iteration (and any restart) tries a step of length at most 1 along −g. When a
 * search along the quasi-Newton direction fails, the memory is dropped and the iteration is
 * retried along −g before failure is reported.
 */
import type { Method, StepReport } from '../loop.js';
import type { LineSearch } from '../linesearch/types.js';
import { moreThuente } from '../linesearch/morethuente.js';
import { norm2 } from '../vec.js';
import { type DescentState, initDescentState, lineSearchStep } from './descent.js';
import { LbfgsMemory } from './lbfgs-memory.js';

export interface LbfgsOptions {
  /** Number of stored pairs (default 10). */
  memory?: number;
  /** Line search (default Moré–Thuente, c1 = 1e-4, c2 = 0.9). */
  lineSearch?: LineSearch;
}

interface LbfgsState extends DescentState {
  mem: LbfgsMemory;
}

/** Unconstrained L-BFGS. For bounds see `lbfgsb`. */
export function lbfgs(options: LbfgsOptions = {}): Method<LbfgsState> {
  const m = options.memory ?? 10;
  const ls = options.lineSearch ?? moreThuente();
  return {
    name: 'lbfgs',
    init(obj, x0, warm) {
      const mem = new LbfgsMemory(m, obj.n);
      if (warm) mem.restore(warm as ReturnType<LbfgsMemory['snapshot']>);
      return { ...initDescentState(obj, x0), mem };
    },
    step(state): StepReport {
      const { mem, d } = state;
      mem.direction(state.g, d);
      let rep = lineSearchStep(state, ls, mem.count === 0 ? Math.min(1, 1 / norm2(d)) : 1);
      if (rep.status === 'lineSearchFailed' && mem.count > 0) {
        mem.clear();
        mem.direction(state.g, d);
        rep = lineSearchStep(state, ls, Math.min(1, 1 / norm2(d)));
      }
      if (rep.status === 'accepted') mem.push(state.s, state.y);
      return rep;
    },
    save: (state) => state.mem.snapshot(),
  };
}

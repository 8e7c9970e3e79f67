/**
 * The trust-region method (Nocedal & Wright, Algorithm 4.1), one implementation for
 * `trust-ncg`, `trust-exact`, `dogleg` and `trust-krylov`, which differ only in the subproblem
 * solver plugged in. Each iteration solves the subproblem, evaluates f (only f) at x + p, and
 * compares the actual with the predicted reduction: ρ = ared/pred. The step is accepted when
 * ρ > η, and only then is the gradient evaluated — rejected steps cost values, not gradients.
 * The radius shrinks to ¼‖p‖ when ρ < ¼ and doubles when ρ > ¾ on the boundary; a very
 * successful boundary step is first retried with doubled radii (Dennis & Schnabel's internal
 * doubling), which lets a run that starts with a small radius cover distance without paying
 * a gradient per doubling. ρ is computed as (ared + δ)/(pred + δ), δ = 10ε·max(1, |f|), so that
 * reductions at rounding level do not read as model failure (Conn, Gould & Toint §17.4).
 * A trial with a non-finite f or gradient is rejected like a very bad step.
 * When the predicted decrease is below the rounding level of f, ρ is noise and the step is
 * judged by the gradient: accepted if f does not rise beyond rounding and ‖∇f‖∞ decreases.
 * No progress (the loop then tests for the limit of precision): a step that leaves x
 * unchanged in floating point, or a radius collapsed to rounding level.
 */
import type { Method, SolverState, StepReport } from '../loop.js';
import type { Objective } from '../objective.js';
import type { QuadraticModel, SubproblemFactory, TrustRegionSubproblem } from '../subproblem/types.js';
import { roundingLevel } from '../precision.js';
import { addScaled, allFinite, norm2, normInf, sameVector } from '../vec.js';

export interface TrustRegionOptions {
  /** Initial radius (default 1). */
  initialRadius?: number;
  /** Largest radius (default Infinity: an unbounded objective is then caught by `xmax`). */
  maxRadius?: number;
  /** Acceptance threshold η on ρ (default 0.15, as scipy). */
  eta?: number;
  /** Dennis–Schnabel internal doubling of very successful boundary steps (default true). */
  internalDoubling?: boolean;
}

function nonFiniteModel(sub: TrustRegionSubproblem): StepReport {
  return { status: 'nonFinite', step: 0, detail: `in the Hessian${sub.needs === 'hvp' ? '-vector products' : ''}` };
}

interface TrustRegionState extends SolverState {
  radius: number;
  sub: TrustRegionSubproblem;
  model: QuadraticModel & { H: Float64Array | null };
  p: Float64Array;
  pBest: Float64Array;
  xt: Float64Array;
  gt: Float64Array;
  /** True after a rejected step: the model at x is unchanged. */
  sameModel: boolean;
}

/** A trust-region method named `name` using the given subproblem solver. */
export function trustRegion(name: string, subproblem: SubproblemFactory, options: TrustRegionOptions = {}): Method<TrustRegionState> {
  const initialRadius = options.initialRadius ?? 1;
  const maxRadius = options.maxRadius ?? Infinity;
  const eta = options.eta ?? 0.15;
  const doubling = options.internalDoubling ?? true;
  return {
    name,
    init(obj: Objective, x0: Float64Array, warm?: unknown): TrustRegionState {
      const n = obj.n;
      const g = new Float64Array(n);
      const f = obj.valueAndGrad(x0, g);
      const w = warm as Partial<TrustRegionWarm> | undefined;
      const state: TrustRegionState = {
        x: x0,
        f,
        g,
        gnorm: normInf(g),
        radius: w?.radius ?? initialRadius,
        sub: subproblem(n),
        model: { n, g, H: null, hvp: (v, out) => obj.hvp(state.x, v, out), gnorm0: w?.gnorm0 ?? norm2(g), checkTime: obj.checkTime },
        p: new Float64Array(n),
        pBest: new Float64Array(n),
        xt: new Float64Array(n),
        gt: new Float64Array(n),
        sameModel: false,
      };
      return state;
    },
    step(state, obj): StepReport {
      const { sub, p, xt, gt } = state;
      state.model.H = sub.needs === 'hessian' ? obj.hessian(state.x) : null;
      let res = sub.solve(state.model, state.radius, p, state.sameModel);
      if (res.status === 'nonFinite') return nonFiniteModel(sub);
      let pn = norm2(p);
      const tooSmall = (r: number): boolean => r <= 1e-15 * (1 + normInf(state.x));
      /** A rejected trial (the radius already reduced): 'rejected', or the end once the radius has collapsed. */
      const reject = (finiteTrial: boolean, why: string): StepReport => {
        state.sameModel = true;
        if (!tooSmall(state.radius)) return { status: 'rejected', step: 0 };
        const r = state.radius.toExponential(2);
        return finiteTrial
          ? { status: 'noProgress', step: 0, detail: `${why}the trust region radius ${r} collapsed` }
          : { status: 'nonFinite', step: 0, detail: `at trial points until the trust region radius collapsed to ${r}` };
      };
      if (!(res.predicted > 0) || !(pn > 0)) {
        // The model sees no decrease: only rounding can cause this with g ≠ 0.
        state.radius = 0.25 * Math.min(state.radius, pn > 0 ? pn : state.radius);
        state.sameModel = true;
        if (tooSmall(state.radius)) return { status: 'noProgress', step: 0, detail: 'the model predicts no decrease' };
        return { status: 'rejected', step: 0 };
      }
      const delta = roundingLevel(state.f);
      const ratio = (f: number, pred: number): number => (Number.isFinite(f) ? (state.f - f + delta) / (pred + delta) : -Infinity);
      addScaled(xt, state.x, 1, p);
      if (sameVector(xt, state.x)) return { status: 'noProgress', step: 0, detail: `the step, ‖p‖ = ${pn.toExponential(2)}, no longer changes x in double precision` };
      if (res.predicted <= roundingLevel(state.f)) {
        // At the rounding floor of f, ρ is noise: the step is judged by the gradient instead
        // (as the approximate Wolfe conditions do in the line searches). Newton steps still
        // shrink ‖∇f‖ there; a cycle at the floor does not, and ends when the radius has shrunk
        // until x + p = x.
        const f2 = obj.valueAndGrad(xt, gt);
        const g2 = normInf(gt);
        if (Number.isFinite(f2) && allFinite(gt) && f2 <= state.f + roundingLevel(state.f) && g2 < state.gnorm) {
          if (res.onBoundary) state.radius = Math.min(2 * state.radius, maxRadius);
          state.x.set(xt);
          state.g.set(gt);
          state.f = f2;
          state.gnorm = g2;
          state.sameModel = false;
          return { status: 'accepted', step: pn };
        }
        state.radius = 0.25 * pn;
        return reject(Number.isFinite(f2) && allFinite(gt), "the model's decrease is below the rounding level of f and ");
      }
      let ft = obj.value(xt);
      let rho = ratio(ft, res.predicted);

      // Internal doubling (Dennis & Schnabel, Algorithm A6.4.5): a very successful step on the
      // boundary is retried from the same x with twice the radius, at the price of one more
      // model solve and one value (no gradient), for as long as f keeps improving.
      let doublingFailed = false;
      if (doubling) {
        for (let k = 0; k < 10 && rho > 0.75 && res.onBoundary && state.radius < maxRadius; k++) {
          state.pBest.set(p);
          const saved = { res, ft, rho, pn, radius: state.radius };
          state.radius = Math.min(2 * state.radius, maxRadius);
          const res2 = sub.solve(state.model, state.radius, p, true);
          let ft2 = NaN;
          if (res2.status === 'ok' && res2.predicted > 0) {
            addScaled(xt, state.x, 1, p);
            ft2 = obj.value(xt);
          }
          const rho2 = ratio(ft2, res2.predicted);
          if (ft2 < saved.ft && rho2 > eta) {
            res = res2;
            ft = ft2;
            rho = rho2;
            pn = norm2(p);
            continue;
          }
          p.set(state.pBest);
          addScaled(xt, state.x, 1, p);
          ({ res, ft, rho, pn } = saved);
          state.radius = saved.radius;
          doublingFailed = true;
          break;
        }
      }

      let gOk = true;
      if (rho > eta) {
        const f2 = obj.valueAndGrad(xt, gt);
        gOk = Number.isFinite(f2) && allFinite(gt);
        if (!gOk) rho = -Infinity;
      }
      if (rho < 0.25) state.radius = 0.25 * pn;
      else if (rho > 0.75 && res.onBoundary && !doublingFailed) state.radius = Math.min(2 * state.radius, maxRadius);
      if (rho > eta) {
        state.x.set(xt);
        state.g.set(gt);
        state.f = ft;
        state.gnorm = normInf(gt);
        state.sameModel = false;
        return { status: 'accepted', step: pn };
      }
      return reject(Number.isFinite(ft) && gOk, '');
    },
    save(state): TrustRegionWarm {
      return { radius: state.radius, gnorm0: state.model.gnorm0 };
    },
  };
}

/** What a trust-region run keeps for a warm start: the radius, and the start gradient that scales the forcing term. */
interface TrustRegionWarm {
  radius: number;
  gnorm0: number;
}

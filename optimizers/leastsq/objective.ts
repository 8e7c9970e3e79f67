/**
 * The objective of a least-squares problem, as the shared loop and the least-squares methods
 * see it. f(x) = Σ ρ̂(rᵢ(x)) with ρ̂(r) = C²·ρ((r/C)²) (C = fScale), which for the default
 * linear loss is Σ rᵢ², the residual sum of squares — twice scipy's `cost` (½Σρ̂). The
 * gradient reported is ∇f = 2Jᵀ(ρ'·r).
 *
 * It is an {@link Objective} (same caching and counting: nfev counts residual evaluations,
 * ngev Jacobians), and after each gradient evaluation it also holds the model the methods
 * work on: the residuals r̃ and Jacobian J̃ with ½‖r̃ + J̃p‖² the Gauss–Newton model of ½f,
 * which for a robust loss are scipy's IRLS-style rescaling (Triggs et al. 1999):
 * J̃ = diag(s)·J, r̃ = (ρ'/s)·r, s = √max(ρ' + 2ρ''·r², ε) (ρ', ρ'' at z = (r/C)², scaled).
 */
import { NumericalError } from '../../src/errors.js';
import { Objective } from '../objective.js';
import type { ObjectiveFunctions } from '../types.js';

/** Residual oracles on flat vectors (what `src/ad/residual.ts` supplies, or a user's own). */
export interface ResidualFunctions {
  readonly n: number;
  readonly m: number;
  /** Writes r(x) into r (length m). */
  residuals(x: Float64Array, r: Float64Array): void;
  /** Writes r(x) into r and J(x) row-major (m×n) into J. */
  jacobian(x: Float64Array, r: Float64Array, J: Float64Array): void;
}

/** The robust losses of scipy's least_squares (ρ of z = (r/C)²). */
export type LossName = 'linear' | 'soft_l1' | 'huber' | 'cauchy' | 'arctan';

export const LOSS_NAMES: readonly LossName[] = ['linear', 'soft_l1', 'huber', 'cauchy', 'arctan'];

/** ρ(z), ρ'(z), ρ''(z) into out[0..2]. */
function rho(loss: LossName, z: number, out: Float64Array): void {
  switch (loss) {
    case 'linear':
      out[0] = z;
      out[1] = 1;
      out[2] = 0;
      return;
    case 'soft_l1': {
      const t = 1 + z;
      out[0] = 2 * (Math.sqrt(t) - 1);
      out[1] = 1 / Math.sqrt(t);
      out[2] = -0.5 * t ** -1.5;
      return;
    }
    case 'huber':
      if (z <= 1) {
        out[0] = z;
        out[1] = 1;
        out[2] = 0;
      } else {
        const sz = Math.sqrt(z);
        out[0] = 2 * sz - 1;
        out[1] = 1 / sz;
        out[2] = -0.5 / (z * sz);
      }
      return;
    case 'cauchy':
      out[0] = Math.log1p(z);
      out[1] = 1 / (1 + z);
      out[2] = -1 / ((1 + z) * (1 + z));
      return;
    case 'arctan':
      out[0] = Math.atan(z);
      out[1] = 1 / (1 + z * z);
      out[2] = (-2 * z) / ((1 + z * z) * (1 + z * z));
      return;
  }
}

/** NumericalError at a trial point (a singular matrix in a traced solve, say) reads as NaN. */
function guarded(res: ResidualFunctions, onError: (message: string) => void): ResidualFunctions {
  const fail = (e: unknown, r: Float64Array): void => {
    if (!(e instanceof NumericalError)) throw e;
    onError(e.message);
    r.fill(NaN);
  };
  return {
    n: res.n,
    m: res.m,
    residuals(x, r) {
      try {
        res.residuals(x, r);
      } catch (e) {
        fail(e, r);
      }
    },
    jacobian(x, r, J) {
      try {
        res.jacobian(x, r, J);
      } catch (e) {
        fail(e, r);
        J.fill(NaN);
      }
    },
  };
}

/** Buffers and the loss, shared by the oracles handed to {@link Objective} and the methods. */
class ResidualCore {
  readonly n: number;
  readonly m: number;
  readonly res: ResidualFunctions;
  /** r at the last value() call. */
  readonly rValue: Float64Array;
  /** r and J at the last gradient (valueAndGrad) call. */
  readonly r: Float64Array;
  readonly J: Float64Array;
  /** The model's r̃, J̃ (aliases of r, J for the linear loss). */
  readonly rt: Float64Array;
  readonly Jt: Float64Array;
  /** The point of r and J (valid when hasJ). */
  readonly xJ: Float64Array;
  hasJ = false;
  /** Largest norm each Jacobian column has had over the run (NaN-free). */
  readonly columnMax: Float64Array;
  private readonly rho = new Float64Array(3);
  lastError = '';

  constructor(
    res: ResidualFunctions,
    readonly loss: LossName,
    readonly fScale: number,
  ) {
    this.res = guarded(res, (msg) => (this.lastError = msg));
    this.n = res.n;
    this.m = res.m;
    this.rValue = new Float64Array(res.m);
    this.r = new Float64Array(res.m);
    this.J = new Float64Array(res.m * res.n);
    this.xJ = new Float64Array(res.n);
    this.columnMax = new Float64Array(res.n);
    this.rt = loss === 'linear' ? this.r : new Float64Array(res.m);
    this.Jt = loss === 'linear' ? this.J : new Float64Array(res.m * res.n);
  }

  /** f = Σ ρ̂(rᵢ); NaN when any rᵢ is not finite. */
  value(r: Float64Array): number {
    let f = 0;
    if (this.loss === 'linear') {
      for (let i = 0; i < r.length; i++) f += r[i]! * r[i]!;
    } else {
      const c2 = this.fScale * this.fScale;
      for (let i = 0; i < r.length; i++) {
        rho(this.loss, (r[i]! * r[i]!) / c2, this.rho);
        f += c2 * this.rho[0]!;
      }
    }
    return Number.isFinite(f) ? f : NaN;
  }

  functions(): ObjectiveFunctions {
    return {
      n: this.n,
      value: (x) => {
        this.res.residuals(x, this.rValue);
        return this.value(this.rValue);
      },
      valueAndGrad: (x, g) => {
        const { n, m, r, J, rt, Jt } = this;
        this.res.jacobian(x, r, J);
        this.xJ.set(x);
        this.hasJ = true;
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let i = 0; i < m; i++) s += J[i * n + j]! * J[i * n + j]!;
          if (s > this.columnMax[j]! ** 2 && Number.isFinite(s)) this.columnMax[j] = Math.sqrt(s);
        }
        const f = this.value(r);
        g.fill(0);
        const c2 = this.fScale * this.fScale;
        for (let i = 0; i < m; i++) {
          let w = 1; // ρ'
          if (this.loss !== 'linear') {
            rho(this.loss, (r[i]! * r[i]!) / c2, this.rho);
            w = this.rho[1]!;
            const s = Math.sqrt(Math.max(w + (2 * this.rho[2]! * r[i]! * r[i]!) / c2, Number.EPSILON));
            rt[i] = (w / s) * r[i]!;
            for (let j = 0; j < n; j++) Jt[i * n + j] = s * J[i * n + j]!;
          }
          const a = 2 * w * r[i]!;
          for (let j = 0; j < n; j++) g[j]! += a * J[i * n + j]!;
        }
        return f;
      },
    };
  }
}

/**
 * The least-squares objective: an {@link Objective} over f = Σ ρ̂(rᵢ) whose gradient
 * evaluations also leave the Gauss–Newton model (r̃, J̃) at that point in `model`.
 * Only value() and valueAndGrad() are meant to be called (the finite-difference Hessian
 * fallbacks of Objective would evaluate Jacobians beside the model).
 */
export class LeastSquaresObjective extends Objective {
  readonly m: number;
  readonly loss: LossName;
  private readonly core: ResidualCore;

  constructor(res: ResidualFunctions, loss: LossName = 'linear', fScale = 1) {
    const core = new ResidualCore(res, loss, fScale);
    super(core.functions());
    this.core = core;
    this.m = res.m;
    this.loss = loss;
  }

  /** r̃ and J̃ (row-major m×n) at the last point where valueAndGrad evaluated the Jacobian. */
  get model(): { r: Float64Array; J: Float64Array } {
    return { r: this.core.rt, J: this.core.Jt };
  }

  /** The raw residuals and Jacobian at that point. */
  get raw(): { r: Float64Array; J: Float64Array } {
    return { r: this.core.r, J: this.core.J };
  }

  /** Largest norm each column of J has had at the points evaluated so far. */
  get columnMax(): Float64Array {
    return this.core.columnMax;
  }

  /** Whether `raw` and `model` hold the residuals and Jacobian at x. */
  jacobianAt(x: Float64Array): boolean {
    const c = this.core;
    if (!c.hasJ) return false;
    for (let i = 0; i < x.length; i++) if (c.xJ[i] !== x[i]) return false;
    return true;
  }

  /** The message of the last NumericalError met at a trial point ('' if none). */
  get lastError(): string {
    return this.core.lastError;
  }
}

/**
 * The form the interior-point core solves, and the user's problem put into it.
 *
 * Canonical form:  min φ(z)  subject to  h(z) = 0,  lower ≤ z ≤ upper  (bounds may be ±∞).
 *
 * The user's problem min f(x) s.t. cl ≤ c(x) ≤ cu, xl ≤ x ≤ xu becomes, as in Ipopt:
 *  - z = (x, s): one slack s per inequality row, with the row's bounds; h = c_I(x) − s;
 *  - equality rows (cl = cu): h = c_E(x) − cl; rows with no bound at all are dropped;
 *  - a fixed variable (xl = xu) loses its bounds and gets the row x_j − xl_j = 0;
 *  - gradient-based scaling (Ipopt's default): φ = s_f·f with s_f = min(1, 100/‖∇f(x0)‖∞),
 *    each row scaled by min(1, 100/‖∇cᵢ(x0)‖∞), so no function starts steeper than 100.
 */
import { NumericalError } from '../../src/errors.js';
import type { Box } from '../bounds.js';
import type { ConstraintSet } from '../constraints.js';
import type { Objective } from '../objective.js';
import type { Triplets } from '../kkt/triplets.js';

/** A problem in canonical form for the interior-point core. */
export interface CanonicalNlp {
  /** Number of variables z and of equality rows h. */
  readonly N: number;
  readonly M: number;
  /** Bounds on z (−Infinity / Infinity where there is none). */
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  /** φ(z); NaN or ±Infinity where it is not finite. */
  value(z: Float64Array): number;
  /** φ(z), with ∇φ(z) into g. */
  valueAndGrad(z: Float64Array, g: Float64Array): number;
  /** h(z) into out. */
  constraints(z: Float64Array, out: Float64Array): void;
  /** h(z) into out and its Jacobian into A (cleared first; rows < M, columns < N). */
  jacobian(z: Float64Array, out: Float64Array, A: Triplets): void;
  /** The lower triangle (row ≥ column) of σ∇²φ(z) + Σ_r y_r∇²h_r(z) into W (cleared first). */
  hessian(z: Float64Array, sigma: number, y: Float64Array, W: Triplets): void;
}

/** Largest gradient entry a scaled function may start with (Ipopt's nlp_scaling_max_gradient). */
const SCALING_MAX_GRADIENT = 100;

/** The user's problem in canonical form (see the file comment). */
export class OriginalNlp implements CanonicalNlp {
  readonly n: number;
  /** Constraint values of the user's problem. */
  readonly mc: number;
  readonly N: number;
  readonly M: number;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  /** Canonical row of each constraint value (−1: no bound, dropped). */
  readonly rowOf: Int32Array;
  /** Slack of each constraint value (its z index), or −1 for equalities and dropped rows. */
  readonly slackOf: Int32Array;
  /** Fixed variables; their rows follow the constraint rows. */
  readonly fixed: Int32Array;
  readonly fixedRow0: number;
  /** Scale of f and of each constraint value. */
  sf = 1;
  readonly sc: Float64Array;
  /** Constraint value and Jacobian evaluations. */
  ncev = 0;
  njev = 0;
  private readonly cbuf: Float64Array;
  private readonly J: Float64Array;
  private readonly H: Float64Array;
  private readonly Hc: Float64Array | null;
  private readonly lam: Float64Array;
  private readonly g: Float64Array;

  constructor(
    private readonly obj: Objective,
    readonly cons: ConstraintSet | null,
    readonly box: Box | null,
  ) {
    const n = obj.n;
    this.n = n;
    const mc = cons ? cons.oracles.m : 0;
    this.mc = mc;
    this.rowOf = new Int32Array(mc).fill(-1);
    this.slackOf = new Int32Array(mc).fill(-1);
    let rows = 0;
    let slacks = 0;
    for (let i = 0; i < mc; i++) {
      const lo = cons!.lower[i]!;
      const hi = cons!.upper[i]!;
      if (lo === -Infinity && hi === Infinity) continue;
      this.rowOf[i] = rows++;
      if (lo !== hi) this.slackOf[i] = n + slacks++;
    }
    const fixed: number[] = [];
    if (box) for (let j = 0; j < n; j++) if (box.lower[j] === box.upper[j]) fixed.push(j);
    this.fixed = Int32Array.from(fixed);
    this.fixedRow0 = rows;
    this.N = n + slacks;
    this.M = rows + fixed.length;
    this.lower = new Float64Array(this.N).fill(-Infinity);
    this.upper = new Float64Array(this.N).fill(Infinity);
    if (box) {
      this.lower.set(box.lower);
      this.upper.set(box.upper);
      for (const j of fixed) {
        this.lower[j] = -Infinity;
        this.upper[j] = Infinity;
      }
    }
    this.sc = new Float64Array(mc).fill(1);
    this.setSlackBounds();
    this.cbuf = new Float64Array(mc);
    this.J = new Float64Array(mc * n);
    this.H = new Float64Array(n * n);
    this.Hc = cons && !cons.oracles.withObjective ? new Float64Array(n * n) : null;
    this.lam = new Float64Array(mc);
    this.g = new Float64Array(n);
  }

  private setSlackBounds(): void {
    for (let i = 0; i < this.mc; i++) {
      const k = this.slackOf[i]!;
      if (k < 0) continue;
      this.lower[k] = this.sc[i]! * this.cons!.lower[i]!;
      this.upper[k] = this.sc[i]! * this.cons!.upper[i]!;
    }
  }

  /**
   * Gradient-based scaling at x0 (from ∇f and the constraint Jacobian there; non-finite
   * gradients leave the scale at 1). Call before the core starts.
   */
  setScaling(x0: Float64Array): void {
    const n = this.n;
    this.obj.valueAndGrad(x0, this.g);
    let gmax = 0;
    for (let j = 0; j < n; j++) gmax = Math.max(gmax, Math.abs(this.g[j]!));
    this.sf = Number.isFinite(gmax) && gmax > SCALING_MAX_GRADIENT ? SCALING_MAX_GRADIENT / gmax : 1;
    if (this.mc > 0) {
      this.userJacobian(x0);
      for (let i = 0; i < this.mc; i++) {
        let r = 0;
        for (let j = 0; j < n; j++) r = Math.max(r, Math.abs(this.J[i * n + j]!));
        this.sc[i] = Number.isFinite(r) && r > SCALING_MAX_GRADIENT ? SCALING_MAX_GRADIENT / r : 1;
      }
      this.setSlackBounds();
    }
  }

  /** c(x) of the user's problem into out (NaN when the engine reports a numerical error). */
  userConstraints(x: Float64Array, out: Float64Array): void {
    if (this.mc === 0) return;
    this.ncev++;
    try {
      this.cons!.oracles.values(x, out);
    } catch (e) {
      if (!(e instanceof NumericalError)) throw e;
      out.fill(NaN);
    }
  }

  /** c(x) into this.cbuf and ∂c/∂x into this.J (dense). */
  private userJacobian(x: Float64Array): void {
    this.njev++;
    try {
      this.cons!.oracles.jacobian(x, this.cbuf, this.J);
    } catch (e) {
      if (!(e instanceof NumericalError)) throw e;
      this.cbuf.fill(NaN);
      this.J.fill(NaN);
    }
  }

  /** c(x) at the last jacobian() point into out. */
  userCurrent(out: Float64Array): void {
    out.set(this.cbuf);
  }

  /** The Jacobian of c at the last jacobian() point (dense, row-major mc×n). */
  get userJ(): Float64Array {
    return this.J;
  }

  value(z: Float64Array): number {
    return this.sf * this.obj.value(z.subarray(0, this.n));
  }

  valueAndGrad(z: Float64Array, g: Float64Array): number {
    const n = this.n;
    const f = this.obj.valueAndGrad(z.subarray(0, n), this.g);
    for (let j = 0; j < n; j++) g[j] = this.sf * this.g[j]!;
    g.fill(0, n);
    return this.sf * f;
  }

  /** Canonical rows from the user's constraint values c (and z for slacks and fixed variables). */
  private rowsFrom(c: Float64Array, z: Float64Array, out: Float64Array): void {
    for (let i = 0; i < this.mc; i++) {
      const r = this.rowOf[i]!;
      if (r < 0) continue;
      const k = this.slackOf[i]!;
      out[r] = k >= 0 ? this.sc[i]! * c[i]! - z[k]! : this.sc[i]! * (c[i]! - this.cons!.lower[i]!);
    }
    const box = this.box;
    this.fixed.forEach((j, q) => (out[this.fixedRow0 + q] = z[j]! - box!.lower[j]!));
  }

  constraints(z: Float64Array, out: Float64Array): void {
    this.userConstraints(z.subarray(0, this.n), this.cbuf);
    this.rowsFrom(this.cbuf, z, out);
  }

  jacobian(z: Float64Array, out: Float64Array, A: Triplets): void {
    const n = this.n;
    A.clear();
    if (this.mc > 0) this.userJacobian(z.subarray(0, n));
    this.rowsFrom(this.cbuf, z, out);
    const J = this.J;
    for (let i = 0; i < this.mc; i++) {
      const r = this.rowOf[i]!;
      if (r < 0) continue;
      const s = this.sc[i]!;
      const ri = i * n;
      for (let j = 0; j < n; j++) {
        const v = J[ri + j]!;
        if (v !== 0) A.push(r, j, s * v);
      }
      const k = this.slackOf[i]!;
      if (k >= 0) A.push(r, k, -1);
    }
    this.fixed.forEach((j, q) => A.push(this.fixedRow0 + q, j, 1));
  }

  hessian(z: Float64Array, sigma: number, y: Float64Array, W: Triplets): void {
    const n = this.n;
    const x = z.subarray(0, n);
    const H = this.H;
    for (let i = 0; i < this.mc; i++) {
      const r = this.rowOf[i]!;
      this.lam[i] = r < 0 ? 0 : this.sc[i]! * y[r]!;
    }
    const cons = this.cons;
    try {
      if (cons && cons.oracles.withObjective) {
        cons.oracles.lagrangianHessian(x, sigma * this.sf, this.lam, H, this.obj.deadlineCheck);
        this.obj.nhev++;
      } else {
        if (sigma !== 0) {
          const Hf = this.obj.hessian(x);
          for (let k = 0; k < n * n; k++) H[k] = sigma * this.sf * Hf[k]!;
        } else {
          H.fill(0);
          this.obj.nhev++;
        }
        if (cons && cons.oracles.m > 0) {
          cons.oracles.lagrangianHessian(x, 0, this.lam, this.Hc!, this.obj.deadlineCheck);
          for (let k = 0; k < n * n; k++) H[k]! += this.Hc![k]!;
        }
      }
    } catch (e) {
      if (!(e instanceof NumericalError)) throw e;
      H.fill(NaN);
    }
    this.obj.checkTime();
    W.setFromDenseSymmetric(H, n);
  }
}

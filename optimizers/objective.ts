/**
 * The caching, counting wrapper every solver talks to. It remembers f and ∇f at the last point
 * where each was computed (and ∇²f at the last point where the Hessian was asked for), so a
 * solver may ask again without paying again, and it counts every call that reaches the user's
 * functions:
 *  - nfev: value computations — `value()` calls, and `valueAndGrad()` calls at a point whose value
 *    was not already known (a gradient evaluation yields the value for free);
 *  - ngev: gradient computations (including those spent on finite-difference fallbacks);
 *  - nhvp: Hessian-vector products; nhev: full Hessians.
 * Missing second-order oracles are supplied as documented fallbacks: an hvp by forward
 * differences of gradients (one extra gradient per product), a Hessian from n hvps
 * (symmetrized). Non-finite values pass through unchanged; solvers decide what they mean.
 */
import { NumericalError } from '../src/errors.js';
import type { ObjectiveFunctions } from './types.js';
import { sameVector } from './vec.js';

/**
 * Wraps oracles so that a NumericalError raised at a trial point (a singular matrix met while
 * tracing a value-dependent function, say) reads as NaN: the solver rejects the step and,
 * when nothing finite can be found, stops with status 'nonFinite'. `lastError` keeps the
 * message. Other exceptions (misuse, bugs) propagate.
 */
export function guardEngineErrors(fns: ObjectiveFunctions): { fns: ObjectiveFunctions; lastError: () => string } {
  let last = '';
  const fail = (e: unknown): number => {
    if (!(e instanceof NumericalError)) throw e;
    last = e.message;
    return NaN;
  };
  const guarded: ObjectiveFunctions = {
    n: fns.n,
    value(x) {
      try {
        return fns.value(x);
      } catch (e) {
        return fail(e);
      }
    },
    valueAndGrad(x, g) {
      try {
        return fns.valueAndGrad(x, g);
      } catch (e) {
        g.fill(NaN);
        return fail(e);
      }
    },
  };
  if (fns.hvp) {
    const hvp = fns.hvp.bind(fns);
    guarded.hvp = (x, v, out) => {
      try {
        hvp(x, v, out);
      } catch (e) {
        out.fill(fail(e));
      }
    };
  }
  if (fns.hessian) {
    const hessian = fns.hessian.bind(fns);
    guarded.hessian = (x, out, check) => {
      try {
        hessian(x, out, check);
      } catch (e) {
        out.fill(fail(e));
      }
    };
  }
  return { fns: guarded, lastError: () => last };
}

/**
 * Thrown by an {@link Objective} whose `signal` has been aborted, at its next oracle call; the
 * loop catches it and ends the run with status 'aborted' at the last accepted iterate.
 */
export class RunAborted extends Error {
  constructor() {
    super('the run was aborted');
    this.name = 'RunAborted';
  }
}

/**
 * Thrown by {@link Objective.checkTime} inside a long iteration once the run's time limit has
 * passed; the solver loop turns it into the status 'timeLimit' with the last accepted iterate.
 */
export class TimeLimitReached extends Error {
  constructor() {
    super('time limit reached');
    this.name = 'TimeLimitReached';
  }
}

export class Objective {
  readonly n: number;
  /**
   * When the run must stop (performance.now() milliseconds; Infinity: never). Set by the
   * solver loop; the expensive steps inside an iteration — Hessians, Hessian-vector products,
   * factorizations — call {@link checkTime} so a long iteration does not overrun the limit.
   */
  deadline = Infinity;
  nfev = 0;
  ngev = 0;
  nhvp = 0;
  nhev = 0;
  /** True when Hessian-vector products are exact (not finite differences). */
  readonly exactHvp: boolean;
  /** True when the full Hessian comes from a user or AD oracle (not assembled from hvps). */
  readonly exactHessian: boolean;
  /**
   * When set and aborted, every oracle call throws {@link RunAborted}: cancellation reaches
   * into long iterations (line searches, Hessian assembly, CG loops), not only between them.
   */
  signal: { readonly aborted: boolean } | null = null;

  private readonly fns: ObjectiveFunctions;
  private readonly xv: Float64Array;
  private fv = NaN;
  private hasV = false;
  private readonly xg: Float64Array;
  private readonly gc: Float64Array;
  private fg = NaN;
  private hasG = false;
  private xh: Float64Array | null = null;
  private H: Float64Array | null = null;
  private hasH = false;
  // Scratch for finite-difference products and Hessian assembly (allocated on first use).
  private xs: Float64Array | null = null;
  private gs: Float64Array | null = null;
  private es: Float64Array | null = null;
  private hs: Float64Array | null = null;

  constructor(fns: ObjectiveFunctions) {
    this.fns = fns;
    this.n = fns.n;
    this.xv = new Float64Array(fns.n);
    this.xg = new Float64Array(fns.n);
    this.gc = new Float64Array(fns.n);
    this.exactHvp = typeof fns.hvp === 'function';
    this.exactHessian = typeof fns.hessian === 'function';
  }

  /** f(x). */
  value(x: Float64Array): number {
    if (this.signal?.aborted) throw new RunAborted();
    if (this.hasV && sameVector(x, this.xv)) return this.fv;
    if (this.hasG && sameVector(x, this.xg)) return this.fg;
    const f = this.fns.value(x);
    this.nfev++;
    this.xv.set(x);
    this.fv = f;
    this.hasV = true;
    return f;
  }

  /** f(x); writes ∇f(x) into g. */
  valueAndGrad(x: Float64Array, g: Float64Array): number {
    if (this.signal?.aborted) throw new RunAborted();
    if (!(this.hasG && sameVector(x, this.xg))) {
      const known = this.hasV && sameVector(x, this.xv);
      const f = this.fns.valueAndGrad(x, this.gc);
      this.ngev++;
      if (!known) this.nfev++;
      this.xg.set(x);
      this.fg = f;
      this.hasG = true;
      this.xv.set(x);
      this.fv = f;
      this.hasV = true;
    }
    g.set(this.gc);
    return this.fg;
  }

  /**
   * Writes ∇²f(x)·v into out. Without an exact oracle: (∇f(x + hv) − ∇f(x))/h with
   * h = √ε·(1 + ‖x‖∞)/‖v‖∞, using the cached gradient at x when there is one.
   */
  hvp(x: Float64Array, v: Float64Array, out: Float64Array): void {
    if (this.signal?.aborted) throw new RunAborted();
    this.checkTime();
    if (this.fns.hvp) {
      this.fns.hvp(x, v, out);
      this.nhvp++;
      return;
    }
    const n = this.n;
    this.xs ??= new Float64Array(n);
    this.gs ??= new Float64Array(n);
    let vmax = 0;
    let xmax = 0;
    for (let i = 0; i < n; i++) {
      vmax = Math.max(vmax, Math.abs(v[i]!));
      xmax = Math.max(xmax, Math.abs(x[i]!));
    }
    if (vmax === 0) {
      out.fill(0);
      return;
    }
    if (!(this.hasG && sameVector(x, this.xg))) this.valueAndGrad(x, this.gs);
    const h = (Math.sqrt(Number.EPSILON) * (1 + xmax)) / vmax;
    for (let i = 0; i < n; i++) this.xs[i] = x[i]! + h * v[i]!;
    // Evaluated beside the cache: the solver's current point keeps its cached gradient.
    this.fns.valueAndGrad(this.xs, this.gs);
    this.ngev++;
    this.nfev++;
    for (let i = 0; i < n; i++) out[i] = (this.gs[i]! - this.gc[i]!) / h;
  }

  /**
   * ∇²f(x), row-major n×n. Returns the wrapper's own buffer (valid until the Hessian is asked
   * for at another point; do not modify). Without an exact oracle it is assembled column by
   * column from n Hessian-vector products and symmetrized.
   */
  hessian(x: Float64Array): Float64Array {
    if (this.signal?.aborted) throw new RunAborted();
    const n = this.n;
    if (this.H && this.hasH && sameVector(x, this.xh!)) return this.H;
    this.checkTime();
    this.H ??= new Float64Array(n * n);
    this.xh ??= new Float64Array(n);
    const H = this.H;
    // H is rewritten in place: a time limit reached half-way must not leave it cached
    this.hasH = false;
    if (this.fns.hessian) {
      // an engine Hessian is swept in blocks of directions, checking the time between them
      this.fns.hessian(x, H, this.deadlineCheck);
      this.nhev++;
    } else {
      this.es ??= new Float64Array(n);
      this.hs ??= new Float64Array(n);
      const e = this.es;
      e.fill(0);
      for (let j = 0; j < n; j++) {
        e[j] = 1;
        this.hvp(x, e, this.hs);
        e[j] = 0;
        for (let i = 0; i < n; i++) H[i * n + j] = this.hs[i]!;
      }
      for (let i = 0; i < n; i++)
        for (let j = 0; j < i; j++) {
          const s = 0.5 * (H[i * n + j]! + H[j * n + i]!);
          H[i * n + j] = s;
          H[j * n + i] = s;
        }
    }
    this.xh.set(x);
    this.hasH = true;
    return H;
  }

  /**
   * Throws {@link TimeLimitReached} once the deadline has passed: called between expensive
   * steps, never mid-update, and handed (bound) to the dense kernels — factorizations, the
   * Hessian sweep — that call it between blocks of their work.
   */
  readonly checkTime = (): void => {
    if (this.deadline !== Infinity && performance.now() > this.deadline) throw new TimeLimitReached();
  };

  /**
   * {@link checkTime} when the run has a deadline, else undefined: for oracles whose checked
   * form works differently (an engine Hessian then runs in short sweeps), not only slower.
   */
  get deadlineCheck(): (() => void) | undefined {
    return this.deadline === Infinity ? undefined : this.checkTime;
  }
}

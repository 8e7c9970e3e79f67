/**
 * checkDerivatives: is a hand-written gradient, Hessian or Hessian-vector product right?
 *
 * Two independent witnesses, neither needing a step size from the user:
 *  - the Taylor-remainder test along a few seeded random directions v: for h = h₀, h₀/2, …
 *    the remainder |f(x+hv) − f(x) − h∇f·v| shrinks like h² when the gradient is right and
 *    like h when it is wrong; the symmetric remainder |f(x+hv) + f(x−hv) − 2f(x) − h²vᵀHv|
 *    shrinks like h⁴ when the Hessian (or vᵀ·hvp(x, v)) is right and like h² when it is
 *    wrong. Only steps whose remainder stands well above the rounding level of f count.
 *  - central differences (with a Richardson error estimate from a doubled step) per
 *    component, which say where a wrong derivative is wrong.
 * Besides x the check runs at a few random points around it, so a derivative wrong only in a
 * part of the domain (say for x < 0) is caught from a start where it happens to be right.
 */
import { TayoptError } from '../src/errors.js';
import { rng } from '../src/random.js';
import { copyOut, type MinimizeOptions } from './minimize.js';

/** Derivatives to check, as `minimize` takes them for a plain f, and how thoroughly. */
export interface CheckDerivativesOptions {
  grad?: MinimizeOptions['grad'];
  hess?: MinimizeOptions['hess'];
  hvp?: MinimizeOptions['hvp'];
  /** Random directions per point for the Taylor test (and hvp's v). Default 3. */
  directions?: number;
  /**
   * Points besides x: the first is −x (jittered), the others x with each component moved by
   * up to 1 + |xᵢ|, at random; points where f is not finite are skipped. Default 2; 0 checks
   * at x only.
   */
  points?: number;
  /** Seed of the directions and points. Default 1. */
  seed?: number;
}

/** One component where the supplied derivative and the central-difference estimate differ. */
export interface ComponentError {
  /** [i] for a gradient or Hessian-vector product entry, [i, j] for a Hessian entry (0-based). */
  index: number[];
  supplied: number;
  /** Central-difference estimate (Richardson-extrapolated). */
  estimate: number;
  /** Whether the difference exceeds the estimate's error bound: this component is wrong. */
  wrong: boolean;
}

/** The verdict on one derivative. */
export interface DerivativeCheck {
  derivative: 'grad' | 'hess' | 'hvp';
  /** True when both the Taylor test and the central differences agree with it. */
  ok: boolean;
  /**
   * Observed order of the Taylor remainder (the lowest over directions and points): about 2
   * for a right gradient and 1 for a wrong one; about 4 for a right Hessian or
   * Hessian-vector product and 2 for a wrong one. null when the remainder stayed at the
   * rounding level of f for every step (f is exactly linear, or quadratic, along every
   * direction tried and the derivative matches it).
   */
  order: number | null;
  /** The order a right derivative shows: 2 (grad) or 4 (hess, hvp). */
  expectedOrder: number;
  /** Largest ‖supplied − estimate‖∞ / ‖estimate‖∞ over the points. */
  relativeError: number;
  /** Up to 5 components that disagree most, at the point where the relative error is largest (wrong ones first). */
  worst: ComponentError[];
  /** That point. */
  at: Float64Array;
  /** One line: the verdict, the order and where it is wrong. */
  message: string;
}

/** What checkDerivatives returns. */
export interface DerivativeReport {
  /** True when every supplied derivative passed. */
  ok: boolean;
  checks: DerivativeCheck[];
  /** Points checked (x first). */
  points: Float64Array[];
}

const EPS = 2.220446049250313e-16;
/** Steps h₀·2⁻ᵏ, k = 0 … STEPS−1, of the Taylor test. */
const STEPS = 24;
/** A remainder counts when it is this many times the rounding level of the values it is made of. */
const ABOVE_NOISE = 1000;

type Fn = (x: Float64Array) => number;

/**
 * Checks user-written derivatives of f at x (and at `points` random points around it): the
 * gradient `grad`, the Hessian `hess` (n×n, flat row-major or rows) and the Hessian-vector
 * product `hvp`, in the forms `minimize` takes. Costs about 4n + 25·directions evaluations of
 * f per point for the gradient; the Hessian's reference uses 4n gradients (when the gradient
 * passed) or 8n² values of f.
 *
 * Throws a TayoptError when x is not finite, f is not finite at x, no derivative is given, or a
 * derivative returns the wrong number of entries.
 */
export function checkDerivatives(f: (x: Float64Array) => number, x: ArrayLike<number>, options: CheckDerivativesOptions = {}): DerivativeReport {
  if (typeof f !== 'function') throw new TayoptError('checkDerivatives: f must be a function (x: Float64Array) => number');
  if (options === null || typeof options !== 'object') throw new TayoptError('checkDerivatives: options must be an object');
  for (const k of ['grad', 'hess', 'hvp'] as const)
    if (options[k] !== undefined && typeof options[k] !== 'function') throw new TayoptError(`checkDerivatives: options.${k} must be a function`);
  if (!options.grad && !options.hess && !options.hvp) throw new TayoptError('checkDerivatives: give at least one of options.grad, options.hess, options.hvp');
  const x0 = Float64Array.from(x as ArrayLike<number>);
  const n = x0.length;
  if (n === 0) throw new TayoptError('checkDerivatives: x has no elements');
  x0.forEach((v, i) => {
    if (!Number.isFinite(v)) throw new TayoptError(`checkDerivatives: x[${i}] is ${v}; the point must be finite`);
  });
  const directions = count(options.directions, 'directions', 3, 1);
  const extra = count(options.points, 'points', 2, 0);
  const random = rng(count(options.seed, 'seed', 1, 0));

  const value: Fn = (p) => {
    const v = f(p);
    if (typeof v !== 'number') throw new TayoptError(`checkDerivatives: f returned ${typeof v}, not a number`);
    return v;
  };
  if (!Number.isFinite(value(x0))) throw new TayoptError(`checkDerivatives: f is ${value(x0)} at x; check at a point where it is finite`);

  // The first extra point mirrors x through the origin (jittered), so that a derivative wrong
  // for one sign of a variable shows from a start of the other sign; the rest are random.
  const points = [x0];
  for (let k = 0; k < extra; k++) {
    const p = Float64Array.from(x0, (v) => (k === 0 ? -v + (0.1 + 0.1 * Math.abs(v)) * (2 * random() - 1) : v + (1 + Math.abs(v)) * (2 * random() - 1)));
    if (Number.isFinite(value(p))) points.push(p);
  }
  const grad = options.grad
    ? (p: Float64Array): Float64Array => {
        const out = new Float64Array(n);
        copyOut(options.grad!(p.slice(), out), out, 'checkDerivatives: options.grad', n);
        return out;
      }
    : null;
  const hess = options.hess
    ? (p: Float64Array): Float64Array => {
        const out = new Float64Array(n * n);
        copyOut(options.hess!(p.slice(), out), out, 'checkDerivatives: options.hess', n);
        return out;
      }
    : null;
  const hvp = options.hvp
    ? (p: Float64Array, v: Float64Array): Float64Array => {
        const out = new Float64Array(n);
        copyOut(options.hvp!(p.slice(), v.slice(), out), out, 'checkDerivatives: options.hvp', n);
        return out;
      }
    : null;

  const perPoint = points.map((p) => {
    const vs = Array.from({ length: directions }, () => Float64Array.from(p, (xi) => (2 * random() - 1) * (1 + Math.abs(xi))));
    const out: PointCheck[] = [];
    let gradOk = false;
    if (grad) {
      const g = grad(p);
      const orders = vs.map((v) => taylorOrder(value, p, v, 1, (h) => h * dot(g, v)));
      const cd = centralGradient(value, p);
      const c = compare('grad', g, cd.estimate, cd.error, (i) => [i], orders, p);
      gradOk = c.ok;
      out.push(c);
    }
    if (hess || hvp) {
      const ref = gradOk ? hessianFromGradient(grad!, p) : hessianFromValues(value, p);
      if (hess) {
        const H = hess(p);
        const orders = vs.map((v) => taylorOrder(value, p, v, 2, (h) => h * h * quad(H, v)));
        out.push(compare('hess', H, ref.estimate, ref.error, (k) => [Math.floor(k / n), k % n], orders, p));
      }
      if (hvp) {
        const hv = vs.map((v) => hvp(p, v));
        const orders = vs.map((v, k) => taylorOrder(value, p, v, 2, (h) => h * h * dot(hv[k]!, v)));
        // Compare the products along every direction, entry by entry, as one long vector.
        const supplied = new Float64Array(n * directions);
        const estimate = new Float64Array(n * directions);
        const error = new Float64Array(n * directions);
        vs.forEach((v, k) => {
          supplied.set(hv[k]!, k * n);
          estimate.set(matVec(ref.estimate, v), k * n);
          error.set(matVec(ref.error, v.map(Math.abs)), k * n);
        });
        out.push(compare('hvp', supplied, estimate, error, (k) => [k % n], orders, p));
      }
    }
    return out;
  });

  const checks = perPoint[0]!.map((_, d) => merge(perPoint.map((c) => c[d]!)));
  return { ok: checks.every((c) => c.ok), checks, points };
}

/** One derivative at one point. */
type PointCheck = Omit<DerivativeCheck, 'message'>;

function count(v: number | undefined, name: string, fallback: number, min: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new TayoptError(`checkDerivatives: options.${name} must be an integer ≥ ${min}, got ${String(v)}`);
  return v;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** vᵀHv for a flat row-major H. */
function quad(H: Float64Array, v: Float64Array): number {
  return dot(v, matVec(H, v));
}

function matVec(H: Float64Array, v: Float64Array): Float64Array {
  const n = v.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += H[i * n + j]! * v[j]!;
    out[i] = s;
  }
  return out;
}

function along(p: Float64Array, v: Float64Array, h: number): Float64Array {
  return Float64Array.from(p, (xi, i) => xi + h * v[i]!);
}

/**
 * Observed order of the Taylor remainder along v. kind 1: |f(x+hv) − f(x) − model(h)| with
 * model(h) = h∇f·v (order 2 when right); kind 2: |f(x+hv) + f(x−hv) − 2f(x) − model(h)| with
 * model(h) = h²vᵀHv (order 4 when right). The order is the median of the last (smallest-h)
 * three log₂ ratios of consecutive remainders that both stand ABOVE_NOISE times above the
 * rounding level of their terms; null when no two do.
 */
function taylorOrder(f: Fn, p: Float64Array, v: Float64Array, kind: 1 | 2, model: (h: number) => number): number | null {
  const f0 = f(p);
  let h = 0.1;
  const rem: number[] = [];
  const ok: boolean[] = [];
  for (let k = 0; k < STEPS; k++, h /= 2) {
    const fp = f(along(p, v, h));
    const fm = kind === 2 ? f(along(p, v, -h)) : 0;
    const m = model(h);
    const r = kind === 1 ? Math.abs(fp - f0 - m) : Math.abs(fp + fm - 2 * f0 - m);
    const noise = EPS * (Math.abs(fp) + Math.abs(fm) + 2 * Math.abs(f0) + Math.abs(m));
    rem.push(r);
    ok.push(Number.isFinite(r) && r > ABOVE_NOISE * noise);
  }
  const ratios: number[] = [];
  for (let k = 0; k + 1 < STEPS; k++) if (ok[k] && ok[k + 1]) ratios.push(Math.log2(rem[k]! / rem[k + 1]!));
  if (ratios.length === 0) return null;
  const last = ratios.slice(-3).sort((a, b) => a - b);
  return last[last.length >> 1]!;
}

/** Central differences of f per component with steps h and 2h: the Richardson estimate and its error bound. */
function centralGradient(f: Fn, p: Float64Array): { estimate: Float64Array; error: Float64Array } {
  const n = p.length;
  const estimate = new Float64Array(n);
  const error = new Float64Array(n);
  const q = p.slice();
  const d = (i: number, h: number): { v: number; scale: number } => {
    q[i] = p[i]! + h;
    const fp = f(q);
    q[i] = p[i]! - h;
    const fm = f(q);
    q[i] = p[i]!;
    return { v: (fp - fm) / (2 * h), scale: Math.abs(fp) + Math.abs(fm) };
  };
  for (let i = 0; i < n; i++) {
    const h = Math.cbrt(EPS) * Math.max(1, Math.abs(p[i]!));
    const a = d(i, h);
    const b = d(i, 2 * h);
    estimate[i] = (4 * a.v - b.v) / 3;
    error[i] = Math.abs(a.v - b.v) + (ABOVE_NOISE * EPS * Math.max(a.scale, b.scale)) / h;
  }
  return { estimate, error };
}

/** Hessian from central differences of a (checked) gradient, symmetrized, with an error bound per entry. */
function hessianFromGradient(grad: (p: Float64Array) => Float64Array, p: Float64Array): { estimate: Float64Array; error: Float64Array } {
  const n = p.length;
  const estimate = new Float64Array(n * n);
  const error = new Float64Array(n * n);
  const q = p.slice();
  const col = (j: number, h: number): Float64Array => {
    q[j] = p[j]! + h;
    const gp = grad(q);
    q[j] = p[j]! - h;
    const gm = grad(q);
    q[j] = p[j]!;
    return gp.map((v, i) => (v - gm[i]!) / (2 * h));
  };
  const g = grad(p);
  for (let j = 0; j < n; j++) {
    const h = Math.cbrt(EPS) * Math.max(1, Math.abs(p[j]!));
    const a = col(j, h);
    const b = col(j, 2 * h);
    for (let i = 0; i < n; i++) {
      estimate[i * n + j] = (4 * a[i]! - b[i]!) / 3;
      error[i * n + j] = Math.abs(a[i]! - b[i]!) + (ABOVE_NOISE * EPS * (Math.abs(g[i]!) + Math.abs(a[i]!) * h)) / h;
    }
  }
  symmetrize(estimate, error, n);
  return { estimate, error };
}

/** Hessian from second differences of f (when no trustworthy gradient is given), with an error bound per entry. */
function hessianFromValues(f: Fn, p: Float64Array): { estimate: Float64Array; error: Float64Array } {
  const n = p.length;
  const estimate = new Float64Array(n * n);
  const error = new Float64Array(n * n);
  const q = p.slice();
  const at = (i: number, a: number, j: number, b: number): number => {
    q[i] = q[i]! + a;
    q[j] = q[j]! + b;
    const v = f(q);
    q[i] = p[i]!;
    q[j] = p[j]!;
    return v;
  };
  const f0 = f(p);
  const entry = (i: number, j: number, hi: number, hj: number): number =>
    i === j
      ? (at(i, hi, i, 0) - 2 * f0 + at(i, -hi, i, 0)) / (hi * hi)
      : (at(i, hi, j, hj) - at(i, hi, j, -hj) - at(i, -hi, j, hj) + at(i, -hi, j, -hj)) / (4 * hi * hj);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const hi = Math.pow(EPS, 0.25) * Math.max(1, Math.abs(p[i]!));
      const hj = Math.pow(EPS, 0.25) * Math.max(1, Math.abs(p[j]!));
      const a = entry(i, j, hi, hj);
      const b = entry(i, j, 2 * hi, 2 * hj);
      estimate[i * n + j] = estimate[j * n + i] = (4 * a - b) / 3;
      error[i * n + j] = error[j * n + i] = Math.abs(a - b) + (ABOVE_NOISE * EPS * 4 * Math.abs(f0)) / (hi * hj);
    }
  }
  return { estimate, error };
}

function symmetrize(H: Float64Array, E: Float64Array, n: number): void {
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const a = H[i * n + j]!;
      const b = H[j * n + i]!;
      H[i * n + j] = H[j * n + i] = 0.5 * (a + b);
      E[i * n + j] = E[j * n + i] = Math.max(E[i * n + j]!, E[j * n + i]!) + 0.5 * Math.abs(a - b);
    }
}

/** Relative tolerance beyond the estimate's error bound (central differences of a smooth f are good to ~1e-10 relative). */
const RELATIVE_SLACK = 1e-6;

function compare(
  derivative: DerivativeCheck['derivative'],
  supplied: Float64Array,
  estimate: Float64Array,
  error: Float64Array,
  index: (k: number) => number[],
  orders: (number | null)[],
  at: Float64Array,
): PointCheck {
  let scale = 0;
  for (const v of estimate) scale = Math.max(scale, Math.abs(v));
  let diff = 0;
  const rows: (ComponentError & { d: number })[] = [];
  for (let k = 0; k < supplied.length; k++) {
    const d = Math.abs(supplied[k]! - estimate[k]!);
    diff = Math.max(diff, d);
    const wrong = !(d <= 10 * error[k]! + RELATIVE_SLACK * (Math.abs(estimate[k]!) + 1e-3 * scale));
    rows.push({ index: index(k), supplied: supplied[k]!, estimate: estimate[k]!, wrong, d: Number.isNaN(d) ? Infinity : d });
  }
  rows.sort((a, b) => Number(b.wrong) - Number(a.wrong) || b.d - a.d);
  // One row per component (a Hessian-vector product is compared along several directions).
  const seen = new Set<string>();
  const worst = rows
    .filter((r) => !seen.has(r.index.join()) && !!seen.add(r.index.join()))
    .slice(0, 5)
    .map(({ d: _d, ...c }) => c);
  const expectedOrder = derivative === 'grad' ? 2 : 4;
  const known = orders.filter((o): o is number => o !== null);
  const order = known.length ? Math.min(...known) : null;
  const orderOk = order === null || order > expectedOrder - 0.5;
  return {
    derivative,
    ok: orderOk && !rows.some((r) => r.wrong),
    order,
    expectedOrder,
    relativeError: scale > 0 ? diff / scale : diff,
    worst,
    at,
  };
}

/** The checks of one derivative at every point, as one verdict. */
function merge(list: PointCheck[]): DerivativeCheck {
  const bad = list.find((c) => !c.ok);
  const worstAt = bad ?? list.reduce((a, b) => (b.relativeError > a.relativeError ? b : a));
  const known = list.map((c) => c.order).filter((o): o is number => o !== null);
  const c: PointCheck = {
    ...worstAt,
    ok: !bad,
    order: known.length ? Math.min(...known) : null,
    relativeError: Math.max(...list.map((c) => c.relativeError)),
  };
  return { ...c, message: describe(c) };
}

function fmt(v: number): string {
  return Number.isFinite(v) ? v.toPrecision(4) : String(v);
}

function describe(c: PointCheck): string {
  const order = c.order === null ? 'the Taylor remainder is at rounding level for every step' : `the Taylor remainder shrinks like h^${c.order.toFixed(2)} (right: h^${c.expectedOrder})`;
  const head = `${c.derivative}: ${c.ok ? 'right' : 'WRONG'} — ${order}; relative error ${c.relativeError.toExponential(1)} against central differences`;
  if (c.ok) return head;
  const wrong = c.worst.filter((w) => w.wrong);
  const where = wrong.length
    ? `; wrong at ${wrong.map((w) => `[${w.index.join(', ')}] (${fmt(w.supplied)}, differences give ${fmt(w.estimate)})`).join(', ')}`
    : '; no single component stands out';
  return `${head}${where}; at x = [${Array.from(c.at.subarray(0, 6), fmt).join(', ')}${c.at.length > 6 ? ', …' : ''}]`;
}

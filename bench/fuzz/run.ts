/**
 * Runs a fuzz case through every driver and checks each result against a truth that does
 * not come from the code under test:
 *
 * - values against the plain-JS oracle (oracle.ts);
 * - first derivatives (gradients, Jacobians, jvp, vjp, Taylor c₁) against Richardson-
 *   extrapolated central differences of the oracle;
 * - second derivatives (Hessians, hvp, Taylor c₂) against second differences of the oracle
 *   (full Hessians for up to 6 variables; vᵀHv along the case's direction always);
 * - Taylor c₃ against third differences of the oracle along the direction;
 * - and, where the two sides are exact, each mode against another: reverse against forward
 *   gradients, forward-over-reverse against forward-Taylor Hessians, hvp against H·v, jvp and
 *   vjp against the Jacobian, objective(…) against the drivers.
 *
 * Every driver is traced at the case's first point and then called at the second (a replay,
 * or a retrace for value-reading programs); its result there must also equal what a fresh
 * trace at the second point returns. Results must have the point's structure.
 *
 * A finite difference is used only when all its samples stay on the smooth piece of the
 * centre (the oracle's branch trail) and its Richardson error estimate is small; otherwise
 * that check is counted as inconclusive, never as a pass or a failure.
 */
import ndarray from 'ndarray';
import * as t from '../../src/index.js';
import { type Program, traceProgram } from '../../src/ad/program.js';
import { UTPM } from '../../src/utpm/utpm.js';
import { rng } from '../problems/rng.js';
import { type Expr, code, evaluate, num, opCount, topo } from './expr.js';
import { type Case, type Structure } from './generate.js';
import * as O from './oracle.js';
import type { Arr } from './oracle.js';

export interface Mismatch {
  readonly driver: string;
  /** What disagreed ('crash', 'value', 'fd', 'cross', 'fresh', 'structure'). */
  readonly check: string;
  readonly detail: string;
}

export interface CaseResult {
  readonly mismatches: Mismatch[];
  /** Checks run, and finite-difference checks skipped as inconclusive. */
  readonly checks: number;
  readonly inconclusive: number;
  /** Largest normwise relative difference between a replay and a fresh trace at the same point. */
  readonly replayVsFresh: number;
  readonly drivers: string[];
}

type Fn = (x: t.Tensor) => t.Tensor;

/** The program as the engine runs it: the printed source, compiled (a fresh function each time). */
export function compileProgram(root: Expr): Fn {
  return new Function('t', `return ${code(root)};`)(t) as Fn;
}

// ------------------------------------------------------------------ points and results

function nestedOf(a: Arr): unknown {
  const rec = (off: number, ax: number): unknown => {
    if (ax === a.shape.length) return a.data[off]!;
    const inner = O.size(a.shape.slice(ax + 1));
    return Array.from({ length: a.shape[ax]! }, (_, i) => rec(off + i * inner, ax + 1));
  };
  return rec(0, 0);
}

/** The value `a` in the given structure (ndarray variants are strided views of larger buffers). */
export function pointOf(a: Arr, s: Structure): unknown {
  const shape = [...a.shape];
  switch (s) {
    case 'number':
      return a.data[0]!;
    case 'array':
      return Array.from(a.data);
    case 'f64':
      return a.data.slice();
    case 'nested':
      return nestedOf(a);
    case 'nd':
      return ndarray(a.data.slice(), shape);
    case 'ndT': {
      // stored with the axes reversed; the view transposes them back
      const rev = [...shape].reverse();
      const base = ndarray(new Float64Array(a.data.length), rev);
      const view = base.transpose(...rev.map((_, i) => rev.length - 1 - i));
      O.forEachIndex(shape, (idx, k) => view.set(...idx, a.data[k]!));
      return view;
    }
    case 'ndNeg': {
      const base = ndarray(new Float64Array(a.data.length), shape);
      const view = base.step(-1);
      O.forEachIndex(shape, (idx, k) => view.set(...idx, a.data[k]!));
      return view;
    }
    case 'ndOff': {
      const big = shape.map((d) => d + 2);
      const base = ndarray(new Float64Array(O.size(big)).fill(NaN), big);
      const view = base.lo(...shape.map(() => 1)).hi(...shape);
      O.forEachIndex(shape, (idx, k) => view.set(...idx, a.data[k]!));
      return view;
    }
  }
}

/** Source code of a point in a structure (for repros). */
function pointCode(a: Arr, s: Structure): string {
  const nested = (): string => JSON.stringify(nestedOf(a), (_k, v) => v).replace(/-?\d[^,\]]*/g, (m) => num(Number(m)));
  switch (s) {
    case 'number':
      return num(a.data[0]!);
    case 'array':
    case 'nested':
      return nested();
    case 'f64':
      return `Float64Array.of(${Array.from(a.data, num).join(', ')})`;
    case 'nd':
      return `ndarray(Float64Array.of(${Array.from(a.data, num).join(', ')}), ${JSON.stringify(a.shape)})`;
    default:
      return `/* a ${s} ndarray view of */ ndarray(Float64Array.of(${Array.from(a.data, num).join(', ')}), ${JSON.stringify(a.shape)})`;
  }
}

/**
 * Reads a result that should have `s`'s structure and `shape`: returns its row-major values,
 * or a description of what is wrong.
 */
function readStructured(v: unknown, shape: readonly number[], s: Structure): Float64Array | string {
  const n = O.size(shape);
  switch (s) {
    case 'number':
      return typeof v === 'number' ? Float64Array.of(v) : `expected a number, got ${describe(v)}`;
    case 'array':
    case 'f64':
      return v instanceof Float64Array && v.length === n ? v : `expected a Float64Array of ${n}, got ${describe(v)}`;
    case 'nested':
      return readNested(v, shape);
    default: {
      const nd = v as ndarray.NdArray;
      if (!nd || typeof nd !== 'object' || !('stride' in nd) || (nd.shape as number[]).join() !== shape.join()) return `expected an ndarray of shape [${shape}], got ${describe(v)}`;
      const out = new Float64Array(n);
      O.forEachIndex(shape, (idx, k) => (out[k] = nd.get(...idx)));
      return out;
    }
  }
}

function readNested(v: unknown, shape: readonly number[]): Float64Array | string {
  const out: number[] = [];
  const rec = (w: unknown, ax: number): boolean => {
    if (ax === shape.length) {
      if (typeof w !== 'number') return false;
      out.push(w);
      return true;
    }
    return Array.isArray(w) && w.length === shape[ax] && w.every((e) => rec(e, ax + 1));
  };
  return rec(v, 0) ? Float64Array.from(out) : `expected nested arrays of shape [${shape}], got ${describe(v)}`;
}

/** A result shaped by an output shape: number, Float64Array, or nested arrays. */
function readByShape(v: unknown, shape: readonly number[]): Float64Array | string {
  if (shape.length === 0) return readStructured(v, shape, 'number');
  if (shape.length === 1) return readStructured(v, shape, 'f64');
  return readNested(v, shape);
}

function describe(v: unknown): string {
  if (v instanceof Float64Array) return `Float64Array(${v.length})`;
  if (Array.isArray(v)) return `array(${v.length})`;
  if (v && typeof v === 'object' && 'shape' in v) return `object of shape [${(v as { shape: number[] }).shape}]`;
  return typeof v === 'number' ? `the number ${v}` : String(v);
}

// ------------------------------------------------------------------ finite differences

interface FD {
  d: Float64Array;
  /** Richardson error estimate, per component. */
  err: Float64Array;
}

/**
 * The k-th derivative (k = 1, 2, 3) at s = 0 of s ↦ φ(s) by central differences at steps
 * h, h/2, h/4, extrapolated twice (errors in h², h⁴ removed). Null when a sample leaves the
 * centre's smooth piece or is not finite.
 */
function richardson(phi: (s: number) => Float64Array | null, k: 1 | 2 | 3, h: number): FD | null {
  const cache = new Map<number, Float64Array | null>();
  const at = (s: number) => {
    if (!cache.has(s)) cache.set(s, phi(s));
    return cache.get(s)!;
  };
  const level = (hh: number): Float64Array | null => {
    const pts = k === 1 ? [[hh, 1], [-hh, -1]] : k === 2 ? [[hh, 1], [0, -2], [-hh, 1]] : [[2 * hh, 1], [hh, -2], [-hh, 2], [-2 * hh, -1]];
    const den = k === 1 ? 2 * hh : k === 2 ? hh * hh : 2 * hh * hh * hh;
    let out: Float64Array | null = null;
    for (const [s, w] of pts) {
      const v = at(s!);
      if (!v) return null;
      out ??= new Float64Array(v.length);
      for (let i = 0; i < v.length; i++) out[i] += (w! * v[i]!) / den;
    }
    return out;
  };
  const D = [h, h / 2, h / 4].map(level);
  if (D.some((x) => x === null)) return null;
  const [a, b, c] = D as Float64Array[];
  const n = a!.length;
  const d = new Float64Array(n);
  const err = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r1 = (4 * b![i]! - a![i]!) / 3;
    const r1b = (4 * c![i]! - b![i]!) / 3;
    d[i] = (16 * r1b - r1) / 15;
    err[i] = Math.abs(d[i]! - r1b) + 1e-15 * Math.abs(d[i]!);
  }
  return { d, err };
}

// ------------------------------------------------------------------ comparisons

/** max |a_i| over the numbers that are not NaN. */
const normInf = (a: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) if (!Number.isNaN(a[i]!)) m = Math.max(m, Math.abs(a[i]!));
  return m;
};

/** max|got − want| / max(‖want‖∞, floor), Infinity for NaN or a length mismatch. */
function relDiff(got: ArrayLike<number>, want: ArrayLike<number>, floor: number): number {
  if (got.length !== want.length) return Infinity;
  let m = 0;
  for (let i = 0; i < got.length; i++) {
    const d = Math.abs(got[i]! - want[i]!);
    if (Number.isNaN(d)) {
      if (Number.isNaN(want[i]!) && Number.isNaN(got[i]!)) continue;
      return Infinity;
    }
    m = Math.max(m, d);
  }
  return m === 0 ? 0 : m / Math.max(normInf(want), floor, 1e-300);
}

const fmtVec = (a: ArrayLike<number>): string => `[${Array.from(a, (v) => (Number.isFinite(v) ? Number(v.toPrecision(8)) : v)).join(', ')}]`;

/** Tolerances (normwise relative). */
export const TOL = {
  /** Values against the oracle: rounding of the same arithmetic in another order. */
  value: 1e-11,
  /** Two exact derivative modes against each other. */
  cross: 1e-9,
  /** A replay against a fresh trace at the same point. */
  fresh: 1e-12,
  /** Derivatives against extrapolated finite differences (on top of the error estimate). */
  fd: 1e-6,
};

// ------------------------------------------------------------------ the case

interface Ctx {
  readonly c: Case;
  readonly fn: { vec: Fn; scal: Fn };
  readonly fresh: { vec: Fn; scal: Fn };
  readonly A: Arr;
  readonly B: Arr;
  readonly n: number;
  readonly mismatches: Mismatch[];
  checks: number;
  inconclusive: number;
  replayVsFresh: number;
  readonly results: Map<string, Float64Array>;
  readonly truths: Map<string, FD | Float64Array | null>;
  /** Value scale of the program at B: largest magnitude of any oracle value. */
  scaleVec: number;
  scaleScal: number;
}

function fail(ctx: Ctx, driver: string, check: string, detail: string): void {
  ctx.mismatches.push({ driver, check, detail });
}

/**
 * got ≈ want normwise: max|got − want| ≤ tol·max(‖want‖∞, floor). Derivatives (checks 'fd'
 * and 'cross') use at least the program's value scale as the floor: a derivative that is 0
 * up to rounding (a constant composition) is computed as ±1e-17-ish by each mode.
 */
function compare(ctx: Ctx, driver: string, check: string, got: Float64Array, want: ArrayLike<number>, tol: number, floor: number, what: string): void {
  ctx.checks++;
  const d = relDiff(got, want, check === 'cross' || check === 'fd' ? Math.max(floor, ctx.scaleVec, ctx.scaleScal, 1) : floor);
  if (!(d <= tol)) fail(ctx, driver, check, `${what}: got ${fmtVec(got)}, want ${fmtVec(want)} (relative difference ${d.toExponential(2)} > ${tol})`);
}

/** Compares against an FD truth; inconclusive when the truth is missing or its error estimate is large. */
function compareFD(ctx: Ctx, driver: string, got: Float64Array, fd: FD | null, what: string, tol = TOL.fd): void {
  if (!fd) {
    ctx.inconclusive++;
    return;
  }
  const scale = Math.max(normInf(fd.d), 1e-3);
  if (normInf(fd.err) > 0.1 * tol * scale) {
    ctx.inconclusive++;
    return;
  }
  compare(ctx, driver, 'fd', got, fd.d, tol, 1e-3, `${what} vs finite differences`);
}

/** The oracle at x: the program's values, or null when x leaves the smooth piece of `centre`. */
function oracleAt(root: Expr, x: Arr, centre: number[] | null): { v: Arr; trail: number[]; scale: number } | null {
  const trail = O.newTrail();
  const memo = new Map<number, Arr>();
  let v: Arr;
  try {
    v = evaluate(root, x, trail, memo);
  } catch {
    return null;
  }
  if (centre && (trail.branches.length !== centre.length || trail.branches.some((b, i) => b !== centre[i]))) return null;
  let scale = 0;
  for (const a of memo.values()) for (const y of a.data) if (Number.isFinite(y)) scale = Math.max(scale, Math.abs(y));
  for (const y of v.data) if (!Number.isFinite(y)) return null;
  return { v, trail: trail.branches, scale };
}

const H_STEP = 1e-3;

function shifted(x: Arr, dir: ArrayLike<number>, s: number): Arr {
  return O.arr(x.shape, Array.from(x.data, (v, i) => v + s * dir[i]!));
}

/** φ(s) = program(x + s·dir) on the centre's smooth piece. */
function along(root: Expr, x: Arr, dir: ArrayLike<number>): (s: number) => Float64Array | null {
  const centre = oracleAt(root, x, null);
  return (s) => {
    if (!centre) return null;
    const o = oracleAt(root, shifted(x, dir, s), centre.trail);
    return o ? o.v.data : null;
  };
}

const unit = (n: number, i: number, j = -1, sj = 1): Float64Array => {
  const e = new Float64Array(n);
  e[i] = 1;
  if (j >= 0) e[j] = sj;
  return e;
};

function truth(ctx: Ctx, key: string, make: () => FD | Float64Array | null): FD | Float64Array | null {
  if (!ctx.truths.has(key)) ctx.truths.set(key, make());
  return ctx.truths.get(key)!;
}

/** Oracle value of a program at B. */
function valueTruth(ctx: Ctx, which: 'vec' | 'scal'): Float64Array {
  return truth(ctx, `value-${which}`, () => {
    const o = oracleAt(ctx.c[which], ctx.B, null)!;
    if (which === 'vec') ctx.scaleVec = o.scale;
    else ctx.scaleScal = o.scale;
    return o.v.data;
  }) as Float64Array;
}

/** FD Jacobian (m×n, row-major) of a program at B. */
function jacobianFD(ctx: Ctx, which: 'vec' | 'scal'): FD | null {
  return truth(ctx, `jac-${which}`, () => {
    const m = valueTruth(ctx, which).length;
    const n = ctx.n;
    const d = new Float64Array(m * n);
    const err = new Float64Array(m * n);
    for (let j = 0; j < n; j++) {
      const fd = richardson(along(ctx.c[which], ctx.B, unit(n, j)), 1, H_STEP);
      if (!fd) return null;
      for (let i = 0; i < m; i++) {
        d[i * n + j] = fd.d[i]!;
        err[i * n + j] = fd.err[i]!;
      }
    }
    return { d, err };
  }) as FD | null;
}

/** FD Hessian of the scalar program at B (n ≤ 6), from directional second differences. */
function hessianFD(ctx: Ctx): FD | null {
  return truth(ctx, 'hess', () => {
    const n = ctx.n;
    if (n > 6) return null;
    const d = new Float64Array(n * n);
    const err = new Float64Array(n * n);
    const second = (dir: Float64Array) => richardson(along(ctx.c.scal, ctx.B, dir), 2, H_STEP * 10);
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) {
        let v: number;
        let e: number;
        if (i === j) {
          const fd = second(unit(n, i));
          if (!fd) return null;
          v = fd.d[0]!;
          e = fd.err[0]!;
        } else {
          const p = second(unit(n, i, j, 1));
          const q = second(unit(n, i, j, -1));
          if (!p || !q) return null;
          v = (p.d[0]! - q.d[0]!) / 4;
          e = (p.err[0]! + q.err[0]!) / 4;
        }
        d[i * n + j] = d[j * n + i] = v;
        err[i * n + j] = err[j * n + i] = e;
      }
    }
    return { d, err };
  }) as FD | null;
}

/** k-th directional derivative of a program along v at B. */
function directionalFD(ctx: Ctx, which: 'vec' | 'scal', k: 1 | 2 | 3): FD | null {
  return truth(ctx, `dir-${which}-${k}`, () => richardson(along(ctx.c[which], ctx.B, ctx.c.v.data), k, k === 1 ? H_STEP : H_STEP * 10 * k)) as FD | null;
}

// ------------------------------------------------------------------ drivers

interface Driver {
  readonly name: string;
  /** Needs a one-element program. */
  readonly scalar: boolean;
  /** Calls the driver on `f` at point x; returns the row-major result, or a structure error. */
  run(ctx: Ctx, f: Fn, x: Arr): Float64Array | string;
  /** Checks the result at B. */
  check(ctx: Ctx, got: Float64Array): void;
}

const flatRows = (rows: number[][], m: number, n: number): Float64Array | string => {
  if (!Array.isArray(rows) || rows.length !== m || rows.some((r) => !Array.isArray(r) || r.length !== n)) return `expected ${m} rows of ${n}, got ${describe(rows)}`;
  return Float64Array.from(rows.flat());
};

const structured = (ctx: Ctx, x: Arr) => pointOf(x, ctx.c.structure);

/** The case's direction, in the point's structure or (every other case) flat. */
const direction = (ctx: Ctx) => (ctx.c.seed % 2 === 0 ? pointOf(ctx.c.v, ctx.c.structure) : ctx.c.v.data.slice());

const scalarValueDriverCheck = (ctx: Ctx, driver: string, value: number) =>
  compare(ctx, driver, 'value', Float64Array.of(value), valueTruth(ctx, 'scal'), TOL.value, Math.max(1, ctx.scaleScal), 'value');

function gradChecks(ctx: Ctx, driver: string, g: Float64Array): void {
  const fd = jacobianFD(ctx, 'scal');
  compareFD(ctx, driver, g, fd, 'gradient');
  const other = ctx.results.get('grad(forward)');
  if (other && driver !== 'grad(forward)') compare(ctx, driver, 'cross', g, other, TOL.cross, 1e-300, 'gradient vs forward-mode gradient');
}

function hessChecks(ctx: Ctx, driver: string, H: Float64Array): void {
  const n = ctx.n;
  compareFD(ctx, driver, H, hessianFD(ctx), 'Hessian', 1e-5);
  const v = ctx.c.v.data;
  const vHv = Float64Array.of(v.reduce((s, vi, i) => s + vi * v.reduce((r, vj, j) => r + H[i * n + j]! * vj, 0), 0));
  compareFD(ctx, driver, vHv, directionalFD(ctx, 'scal', 2), 'vᵀHv', 1e-5);
  const Ht = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Ht[i * n + j] = H[j * n + i]!;
  compare(ctx, driver, 'cross', H, Ht, TOL.cross, 1e-300, 'Hessian symmetry');
  const fwd = ctx.results.get('hessian(forward)');
  if (fwd && driver !== 'hessian(forward)') compare(ctx, driver, 'cross', H, fwd, TOL.cross, 1e-300, 'Hessian vs forward-mode Hessian');
}

function matVec(M: Float64Array, v: ArrayLike<number>, m: number, n: number, transpose = false): Float64Array {
  const out = new Float64Array(transpose ? n : m);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    if (transpose) out[j] += M[i * n + j]! * v[i]!;
    else out[i] += M[i * n + j]! * v[j]!;
  }
  return out;
}

/** taylor(f, x, v, degree), its coefficients (each of `shape`) one after the other. */
function taylorCoefficients(ctx: Ctx, f: Fn, x: Arr, degree: number, shape: readonly number[]): Float64Array | string {
  const out: number[] = [];
  for (const c of t.taylor(f, structured(ctx, x) as t.PointLike, direction(ctx) as t.PointLike, degree)) {
    const r = readByShape(c, shape);
    if (typeof r === 'string') return r;
    out.push(...r);
  }
  return Float64Array.from(out);
}

export const DRIVERS: readonly Driver[] = [
  {
    name: 'grad(forward)',
    scalar: true,
    run: (ctx, f, x) => readStructured(t.grad(f, { mode: 'forward' })(structured(ctx, x) as t.PointLike), x.shape, ctx.c.structure),
    check: (ctx, g) => gradChecks(ctx, 'grad(forward)', g),
  },
  {
    name: 'grad',
    scalar: true,
    run: (ctx, f, x) => readStructured(t.grad(f)(structured(ctx, x) as t.PointLike), x.shape, ctx.c.structure),
    check: (ctx, g) => gradChecks(ctx, 'grad', g),
  },
  {
    name: 'valueAndGrad',
    scalar: true,
    run: (ctx, f, x) => {
      const r = t.valueAndGrad(f)(structured(ctx, x) as t.PointLike);
      const g = readStructured(r.grad, x.shape, ctx.c.structure);
      if (typeof g === 'string') return g;
      if (typeof r.value !== 'number') return `value: expected a number, got ${describe(r.value)}`;
      return Float64Array.of(r.value, ...g);
    },
    check: (ctx, vg) => {
      scalarValueDriverCheck(ctx, 'valueAndGrad', vg[0]!);
      gradChecks(ctx, 'valueAndGrad', vg.subarray(1));
    },
  },
  {
    name: 'hessian(forward)',
    scalar: true,
    run: (ctx, f, x) => flatRows(t.hessian(f, { mode: 'forward' })(structured(ctx, x) as t.PointLike), ctx.n, ctx.n),
    check: (ctx, H) => hessChecks(ctx, 'hessian(forward)', H),
  },
  {
    name: 'hessian',
    scalar: true,
    run: (ctx, f, x) => flatRows(t.hessian(f)(structured(ctx, x) as t.PointLike), ctx.n, ctx.n),
    check: (ctx, H) => hessChecks(ctx, 'hessian', H),
  },
  {
    name: 'hvp',
    scalar: true,
    run: (ctx, f, x) => readStructured(t.hvp(f)(structured(ctx, x) as t.PointLike, direction(ctx) as t.PointLike), x.shape, ctx.c.structure),
    check: (ctx, hv) => {
      const H = ctx.results.get('hessian');
      if (H) compare(ctx, 'hvp', 'cross', hv, matVec(H, ctx.c.v.data, ctx.n, ctx.n), TOL.cross, 1e-300, 'hvp vs H·v');
      const v = ctx.c.v.data;
      compareFD(ctx, 'hvp', Float64Array.of(hv.reduce((s, h, i) => s + h * v[i]!, 0)), directionalFD(ctx, 'scal', 2), 'vᵀ·hvp', 1e-5);
    },
  },
  {
    name: 'objective',
    scalar: true,
    run: (ctx, f, x) => {
      // objective(f, x0) is made at the trace point; later calls give flat vectors
      const n = ctx.n;
      const obj = t.objective(f, structured(ctx, ctx.A) as t.PointLike);
      const xs = x.data.slice();
      const g = new Float64Array(n);
      const hv = new Float64Array(n);
      const H = new Float64Array(n * n);
      const value = obj.value(xs);
      const value2 = obj.valueAndGrad(xs, g);
      obj.hvp(xs, ctx.c.v.data.slice(), hv);
      obj.hessian(xs, H);
      return Float64Array.of(value, value2, ...g, ...hv, ...H);
    },
    check: (ctx, r) => {
      const n = ctx.n;
      scalarValueDriverCheck(ctx, 'objective.value', r[0]!);
      scalarValueDriverCheck(ctx, 'objective.valueAndGrad', r[1]!);
      gradChecks(ctx, 'objective.valueAndGrad', r.subarray(2, 2 + n));
      const H = r.subarray(2 + 2 * n);
      hessChecks(ctx, 'objective.hessian', H);
      compare(ctx, 'objective.hvp', 'cross', r.subarray(2 + n, 2 + 2 * n), matVec(H, ctx.c.v.data, n, n), TOL.cross, 1e-300, 'hvp vs H·v');
    },
  },
  {
    name: 'taylor(scalar)',
    scalar: true,
    run: (ctx, f, x) => taylorCoefficients(ctx, f, x, 3, ctx.c.scal.shape),
    check: (ctx, cs) => {
      scalarValueDriverCheck(ctx, 'taylor(scalar)', cs[0]!);
      compareFD(ctx, 'taylor(scalar)', cs.subarray(1, 2), directionalFD(ctx, 'scal', 1), 'c₁');
      compareFD(ctx, 'taylor(scalar)', Float64Array.of(2 * cs[2]!), directionalFD(ctx, 'scal', 2), '2·c₂', 1e-5);
      compareFD(ctx, 'taylor(scalar)', Float64Array.of(6 * cs[3]!), directionalFD(ctx, 'scal', 3), '6·c₃', 1e-4);
      const g = ctx.results.get('grad');
      const v = ctx.c.v.data;
      if (g) compare(ctx, 'taylor(scalar)', 'cross', cs.subarray(1, 2), Float64Array.of(g.reduce((s, gi, i) => s + gi * v[i]!, 0)), TOL.cross, normInf(g) * normInf(v), 'c₁ vs ∇f·v');
      const H = ctx.results.get('hessian');
      if (H) {
        const vHv = v.reduce((s, vi, i) => s + vi * v.reduce((r, vj, j) => r + H[i * ctx.n + j]! * vj, 0), 0);
        compare(ctx, 'taylor(scalar)', 'cross', Float64Array.of(2 * cs[2]!), Float64Array.of(vHv), TOL.cross, normInf(H) * normInf(v) ** 2, '2·c₂ vs vᵀHv');
      }
    },
  },
  {
    name: 'jacobian(forward)',
    scalar: false,
    run: (ctx, f, x) => flatRows(t.jacobian(f, { mode: 'forward' })(structured(ctx, x) as t.PointLike), O.size(ctx.c.vec.shape), ctx.n),
    check: (ctx, J) => compareFD(ctx, 'jacobian(forward)', J, jacobianFD(ctx, 'vec'), 'Jacobian'),
  },
  {
    name: 'jacobian(reverse)',
    scalar: false,
    run: (ctx, f, x) => flatRows(t.jacobian(f, { mode: 'reverse' })(structured(ctx, x) as t.PointLike), O.size(ctx.c.vec.shape), ctx.n),
    check: (ctx, J) => {
      compareFD(ctx, 'jacobian(reverse)', J, jacobianFD(ctx, 'vec'), 'Jacobian');
      const fwd = ctx.results.get('jacobian(forward)');
      if (fwd) compare(ctx, 'jacobian(reverse)', 'cross', J, fwd, TOL.cross, 1e-300, 'reverse vs forward Jacobian');
    },
  },
  {
    name: 'jvp',
    scalar: false,
    run: (ctx, f, x) => readByShape(t.jvp(f)(structured(ctx, x) as t.PointLike, direction(ctx) as t.PointLike), ctx.c.vec.shape),
    check: (ctx, jv) => {
      const J = ctx.results.get('jacobian(forward)');
      if (J) compare(ctx, 'jvp', 'cross', jv, matVec(J, ctx.c.v.data, jv.length, ctx.n), TOL.cross, normInf(J) * normInf(ctx.c.v.data), 'jvp vs J·v');
      compareFD(ctx, 'jvp', jv, directionalFD(ctx, 'vec', 1), 'jvp');
    },
  },
  {
    name: 'vjp',
    scalar: false,
    run: (ctx, f, x) => {
      const u = ctx.c.seed % 3 === 0 ? ctx.c.u.data.slice() : ctx.c.u.shape.length === 0 ? ctx.c.u.data[0]! : nestedOf(ctx.c.u);
      return readStructured(t.vjp(f)(structured(ctx, x) as t.PointLike, u as t.PointLike), x.shape, ctx.c.structure);
    },
    check: (ctx, uj) => {
      const J = jacobianFD(ctx, 'vec');
      if (!J) {
        ctx.inconclusive++;
        return;
      }
      const m = O.size(ctx.c.vec.shape);
      const want = matVec(J.d, ctx.c.u.data, m, ctx.n, true);
      const err = matVec(J.err, ctx.c.u.data.map(Math.abs), m, ctx.n, true);
      compareFD(ctx, 'vjp', uj, { d: want, err }, 'vjp');
      const Jr = ctx.results.get('jacobian(reverse)');
      if (Jr) compare(ctx, 'vjp', 'cross', uj, matVec(Jr, ctx.c.u.data, m, ctx.n, true), TOL.cross, normInf(Jr) * normInf(ctx.c.u.data), 'vjp vs uᵀJ');
    },
  },
  {
    name: 'taylor(vector)',
    scalar: false,
    run: (ctx, f, x) => taylorCoefficients(ctx, f, x, 2, ctx.c.vec.shape),
    check: (ctx, cs) => {
      const m = O.size(ctx.c.vec.shape);
      valueTruth(ctx, 'vec');
      compare(ctx, 'taylor(vector)', 'value', cs.subarray(0, m), valueTruth(ctx, 'vec'), TOL.value, Math.max(1, ctx.scaleVec), 'c₀');
      compareFD(ctx, 'taylor(vector)', cs.subarray(m, 2 * m), directionalFD(ctx, 'vec', 1), 'c₁');
      compareFD(ctx, 'taylor(vector)', cs.subarray(2 * m).map((v) => 2 * v), directionalFD(ctx, 'vec', 2), '2·c₂', 1e-5);
      const jv = ctx.results.get('jvp');
      if (jv) compare(ctx, 'taylor(vector)', 'cross', cs.subarray(m, 2 * m), jv, TOL.cross, 1e-300, 'c₁ vs jvp');
    },
  },
];

/**
 * Runs case `c` through `drivers` (default: all): traced at the first point, replayed at the
 * second, compared with a fresh trace there and with the truths.
 */
export function runCase(c: Case, drivers: readonly Driver[] = DRIVERS): CaseResult {
  // one function object traced at the first point and one at the second, each shared by the
  // drivers (their programs are cached per function); the order of the drivers rotates with
  // the seed, so that each is sometimes the one that traces
  const traced = { vec: compileProgram(c.vec), scal: compileProgram(c.scal) };
  const fresh = { vec: compileProgram(c.vec), scal: compileProgram(c.scal) };
  const ctx: Ctx = {
    c,
    fn: traced,
    fresh,
    A: c.points[0]!,
    B: c.points[1]!,
    n: O.size(c.xShape),
    mismatches: [],
    checks: 0,
    inconclusive: 0,
    replayVsFresh: 0,
    results: new Map(),
    truths: new Map(),
    scaleVec: 1,
    scaleScal: 1,
  };
  valueTruth(ctx, 'vec');
  valueTruth(ctx, 'scal');
  const names: string[] = [];
  const start = drivers.length ? c.seed % drivers.length : 0;
  const order = [...drivers.slice(start), ...drivers.slice(0, start)];
  const results = new Map<Driver, [Float64Array, Float64Array] | null>();
  for (const d of order) {
    const which = d.scalar ? 'scal' : 'vec';
    try {
      d.run(ctx, ctx.fn[which], ctx.A); // traces (or replays a program another driver traced)
      const got = d.run(ctx, ctx.fn[which], ctx.B); // replays (a value-reading program retraces)
      const fresh = d.run(ctx, ctx.fresh[which], ctx.B);
      if (typeof got === 'string' || typeof fresh === 'string') {
        fail(ctx, d.name, 'structure', typeof got === 'string' ? got : (fresh as string));
        results.set(d, null);
      } else results.set(d, [got, fresh]);
    } catch (e) {
      fail(ctx, d.name, 'crash', `${(e as Error).message.split('\n')[0]}`);
      results.set(d, null);
    }
  }
  // checks in the table's order: cross-checks read the results of drivers listed earlier
  for (const d of drivers) {
    names.push(d.name);
    const r = results.get(d);
    if (!r) continue;
    const [got, fresh] = r;
    ctx.checks++;
    const rf = relDiff(got, fresh, 1e-300);
    ctx.replayVsFresh = Math.max(ctx.replayVsFresh, rf === Infinity ? 0 : rf);
    if (!(rf <= TOL.fresh)) fail(ctx, d.name, 'fresh', `replay ${fmtVec(got)} differs from a fresh trace ${fmtVec(fresh)} at the same point (${rf.toExponential(2)})`);
    ctx.results.set(d.name, got);
    try {
      d.check(ctx, got);
    } catch (e) {
      fail(ctx, d.name, 'crash', `checking: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  if (drivers === DRIVERS) {
    compiledVsInterpreter(ctx);
    names.push('compiled = interpreter');
  }
  return { mismatches: ctx.mismatches, checks: ctx.checks, inconclusive: ctx.inconclusive, replayVsFresh: ctx.replayVsFresh, drivers: names };
}

/**
 * The compiled replay against the reference interpreter on the same graphs (the scalar
 * program with its reverse sweep, the vector program with its vjp sweep), traced at the
 * first point and evaluated at the second with random Taylor coefficients, at the (D, P) the
 * drivers use and beyond.
 */
function compiledVsInterpreter(ctx: Ctx): void {
  const r = rng(ctx.c.seed * 31 + 7);
  for (const [which, kind] of [['scal', 'grad'], ['vec', 'vjp']] as const) {
    let prog: Program;
    try {
      prog = traceProgram('fuzz', kind, compileProgram(ctx.c[which]), ctx.c.xShape, ctx.A.data.slice());
    } catch (e) {
      fail(ctx, `compiled(${kind})`, 'crash', `trace: ${(e as Error).message.split('\n')[0]}`);
      continue;
    }
    const outs = [prog.y, prog.adjoint!].filter((o) => prog.traced(o));
    if (outs.length === 0) continue;
    // a value-reading program's graph holds only on its branch: evaluate it where it was traced
    const at = prog.replayable ? ctx.B : ctx.A;
    for (const [D, P, seedConstant] of [[1, 1, true], [2, 1, true], [2, 3, true], [2, 2, false], [3, 2, true], [4, 1, false]] as const) {
      const what = `compiled(${kind}) D=${D} P=${P}${seedConstant ? '' : ', seed with directions'}`;
      const xin = new UTPM(prog.x.shape, D, P);
      xin.data.set(at.data);
      for (let i = xin.size; i < xin.data.length; i++) xin.data[i] = 2 * r() - 1;
      const ins = [xin];
      // a gradient's seed is the constant 1 (compiled in) or carries directions; a vjp's cotangent is an input
      const s = new UTPM(prog.seed!.shape, seedConstant && kind === 'grad' ? 1 : D, P);
      s.data.fill(1, 0, s.size);
      if (kind === 'vjp') for (let i = 0; i < s.size; i++) s.data[i] = ctx.c.u.data[i]!;
      for (let i = s.size; i < s.data.length; i++) s.data[i] = 2 * r() - 1;
      ins.push(s);
      try {
        const want = prog.interpret(outs, ins, D, P);
        const rep = prog.replay(outs, D, P, { seedConstant: seedConstant && kind === 'grad' });
        ins.forEach((u, k) => rep.inputs[k]!.data.set(u.data.subarray(0, rep.inputs[k]!.data.length)));
        rep.run();
        outs.forEach((_, k) => compare(ctx, what, 'cross', rep.outputs[k]!.data, want[k]!.data, 1e-12, 1, `output ${k} vs the interpreter`));
      } catch (e) {
        fail(ctx, what, 'crash', `${(e as Error).message.split('\n')[0]}`);
      }
    }
  }
}

// ------------------------------------------------------------------ shrinking and repros

/** Rebuilds `root` with node `target` replaced by `by` (same shape), sharing the rest. */
function replaceNode(root: Expr, target: Expr, by: Expr): Expr {
  const memo = new Map<number, Expr>();
  const rec = (e: Expr): Expr => {
    if (e === target) return by;
    const got = memo.get(e.id);
    if (got) return got;
    const args = e.args.map(rec);
    const out = args.every((a, i) => a === e.args[i]) ? e : { ...e, args };
    memo.set(e.id, out);
    return out;
  };
  return rec(root);
}

/** Simpler variants of a case: a node replaced by an argument of the same shape, methods and forms made plain. */
function* simplifications(c: Case): Generator<Case> {
  for (const which of ['scal', 'vec'] as const) {
    const root = c[which];
    for (const e of topo(root).reverse()) {
      for (const a of e.args) {
        if (a.shape.join() !== e.shape.join()) continue;
        yield { ...c, [which]: replaceNode(root, e, a) };
      }
      if (e.p.method) yield { ...c, [which]: replaceNode(root, e, { ...e, p: { ...e.p, method: false } }) };
    }
  }
  if (c.structure !== 'f64' && c.structure !== 'number' && c.xShape.length === 1) yield { ...c, structure: 'f64' };
  if (c.structure !== 'nested' && c.xShape.length > 1) yield { ...c, structure: 'nested' };
}

/** A program is still a valid case when the oracle gives finite values at both points. */
function valid(c: Case): boolean {
  for (const root of [c.vec, c.scal]) {
    for (const x of c.points) {
      const trail = O.newTrail();
      const memo = new Map<number, Arr>();
      try {
        evaluate(root, x, trail, memo);
      } catch {
        return false;
      }
      if (trail.kinkDistance < 0.05) return false;
      for (const a of memo.values()) for (const y of a.data) if (!(Math.abs(y) <= 1e4)) return false;
    }
  }
  return O.size(c.scal.shape) === 1;
}

/**
 * Shrinks a failing case: repeatedly takes the first simplification that still fails the
 * same check of the same driver.
 */
export function shrink(c: Case, m: Mismatch): Case {
  if (m.driver.startsWith('compiled')) return c;
  const driver = DRIVERS.filter((d) => d.name === m.driver || d.name === m.driver.split('.')[0]);
  const still = (k: Case): boolean => {
    if (!valid(k)) return false;
    try {
      return runCase(k, driver.length ? driver : DRIVERS).mismatches.some((x) => x.driver === m.driver && x.check === m.check);
    } catch {
      return false;
    }
  };
  let cur = c;
  for (let round = 0; round < 200; round++) {
    let next: Case | null = null;
    for (const k of simplifications(cur)) {
      if (still(k)) {
        next = k;
        break;
      }
    }
    if (!next) break;
    cur = next;
  }
  return cur;
}

/** A mismatch as runnable code. */
export function repro(c: Case, m: Mismatch): string {
  const scalar = DRIVERS.find((d) => d.name === m.driver.split('.')[0] || d.name === m.driver)?.scalar ?? true;
  const root = scalar || m.driver.startsWith('objective') ? c.scal : c.vec;
  const A = pointCode(c.points[0]!, c.structure);
  const B = pointCode(c.points[1]!, c.structure);
  const v = pointCode(c.v, c.structure);
  const call: Record<string, string> = {
    'grad(forward)': `t.grad(f, { mode: 'forward' })(@X)`,
    grad: 't.grad(f)(@X)',
    valueAndGrad: 't.valueAndGrad(f)(@X)',
    'hessian(forward)': `t.hessian(f, { mode: 'forward' })(@X)`,
    hessian: 't.hessian(f)(@X)',
    hvp: `t.hvp(f)(@X, ${v})`,
    'taylor(scalar)': `t.taylor(f, @X, ${v}, 3)`,
    'taylor(vector)': `t.taylor(f, @X, ${v}, 2)`,
    'jacobian(forward)': `t.jacobian(f, { mode: 'forward' })(@X)`,
    'jacobian(reverse)': `t.jacobian(f, { mode: 'reverse' })(@X)`,
    jvp: `t.jvp(f)(@X, ${v})`,
    vjp: `t.vjp(f)(@X, ${JSON.stringify(nestedOf(c.u))})`,
  };
  const name = m.driver.split('.')[0]!;
  if (name.startsWith('compiled')) {
    const kind = name.includes('vjp') ? 'vjp' : 'grad';
    return [
      `import * as t from 'tayopt'; // and, from the repository: src/ad/program.ts, src/utpm/utpm.ts`,
      `const f = ${code(kind === 'vjp' ? c.vec : c.scal)};`,
      `const prog = traceProgram('fuzz', '${kind}', f, ${JSON.stringify(c.xShape)}, Float64Array.of(${Array.from(c.points[0]!.data, num).join(', ')}));`,
      `// ${m.driver}: prog.replay([prog.y, prog.adjoint], D, P) at x1 = [${Array.from(c.points[1]!.data, num).join(', ')}] with random`,
      `// Taylor coefficients, against prog.interpret(…) on the same inputs — ${m.check}: ${m.detail}`,
      `// ${opCount(kind === 'vjp' ? c.vec : c.scal)} operations, case seed ${c.seed}`,
    ].join('\n');
  }
  const expr = name === 'objective'
    ? `(() => { const o = t.objective(f, x0); const g = new Float64Array(${O.size(c.xShape)}); const x = Float64Array.of(${Array.from(c.points[1]!.data, num).join(', ')}); return [o.value(x), o.valueAndGrad(x, g), g]; })()`
    : call[name]!;
  return [
    `import * as t from 'tayopt';${c.structure.startsWith('nd') ? `\nimport ndarray from 'ndarray';` : ''}`,
    `const f = ${code(root)};`,
    `const x0 = ${A}; // traced here`,
    `const x1 = ${B}; // replayed here`,
    `${expr.replace('@X', 'x0')}; // first call: trace`,
    `console.log(${expr.replace('@X', 'x1')}); // ${m.check}: ${m.detail}`,
    `// ${opCount(root)} operations, case seed ${c.seed}`,
  ].join('\n');
}

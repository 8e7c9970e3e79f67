/**
 * The derivative drivers. Each takes a function written with tayopt operations
 * (`f: (x: Tensor) => Tensor`) and returns a function of a point:
 *
 *   grad(f)(x)            ∇f(x), structured like x
 *   valueAndGrad(f)(x)    { value, grad }
 *   hvp(f)(x, v)          ∇²f(x)·v — one forward-over-reverse (D = 2) sweep
 *   hessian(f)(x)         ∇²f(x) as number[][] (n = number of elements of x)
 *   jacobian(g)(x)        ∂g/∂x as number[][] (m output elements × n)
 *   jvp(g)(x, v)          J·v, structured like g(x)
 *   vjp(g)(x, u)          uᵀ·J, structured like x
 *   taylor(f, x, v, k)    Taylor coefficients of s ↦ f(x + s·v) up to degree k
 *
 * Points may be numbers, number[], number[][], Float64Array or ndarray; see convert.ts for
 * how results are shaped. Misuse throws a TayoptError naming the driver.
 */
import { TayoptError } from '../errors.js';
import { interpret } from '../trace/interpret.js';
import { Tape, Tensor, type Node } from '../trace/tensor.js';
import { UTPM, fmtShape, sizeOf } from '../utpm/utpm.js';
import { type Point, type PointLike, byShape, readLike, readPoint, rows, shapeLike } from './convert.js';
import { backward } from './reverse.js';

/** A function written with tayopt operations. */
export type TensorFunction = (x: Tensor) => Tensor;

export interface Traced {
  tape: Tape;
  x: Tensor;
  y: Tensor;
}

function describe(v: unknown): string {
  if (typeof v === 'number') return `the plain number ${v}`;
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a plain array';
  return typeof v === 'object' ? `an object (${(v as object).constructor?.name ?? 'Object'})` : typeof v;
}

function checkFn(name: string, f: unknown): asserts f is TensorFunction {
  if (typeof f !== 'function') throw new TayoptError(`${name}: expected a function, got ${describe(f)}`);
}

/** Records f at point x on a fresh tape. */
export function trace(name: string, f: TensorFunction, x: Point): Traced {
  const tape = new Tape();
  const xt = tape.input(x.shape, x.values);
  const y = f(xt) as unknown;
  if (!(y instanceof Tensor)) {
    throw new TayoptError(
      `${name}: the function returned ${describe(y)}, not a tayopt Tensor — compute the result from the argument with tayopt operations (t.sum, t.mul, …)`,
    );
  }
  return { tape, x: xt, y };
}

export interface GradTraced extends Traced {
  g: Tensor;
}

/** Records f and its reverse sweep at x; f must return a single element. */
export function traceGradient(name: string, f: TensorFunction, x: Point): GradTraced {
  const t = trace(name, f, x);
  if (t.y.size !== 1) {
    throw new TayoptError(`${name}: the function must return a scalar, got shape ${fmtShape(t.y.shape)}`);
  }
  const seed = new Tensor([], Float64Array.of(1), null, -1);
  const [g] = backward(t.tape, t.y, seed, [t.x]);
  return { ...t, g: g! };
}

/**
 * Evaluates `out` of a traced graph at D with `count` directions on input `x`, in blocks of
 * directions small enough for memory; `fill(p, dir)` writes direction p into `dir` and
 * `take(value, p0, pcount)` receives each block's result.
 */
export function sweepDirections(
  nodes: readonly Node[],
  xId: number,
  x0: Float64Array,
  outId: number,
  D: number,
  count: number,
  fill: (p: number, dir: Float64Array) => void,
  take: (value: UTPM, p0: number, pcount: number) => void,
): void {
  let total = 0;
  for (const n of nodes) total += sizeOf(n.shape);
  const budget = 32e6; // numbers held at once (≈256 MB)
  const block = Math.max(1, Math.min(count, Math.floor(budget / Math.max(1, total * (D - 1))) - 1));
  const n = x0.length;
  for (let p0 = 0; p0 < count; p0 += block) {
    const pc = Math.min(block, count - p0);
    const xin = new UTPM([...nodes[xId]!.shape], D, pc);
    xin.data.set(x0);
    for (let p = 0; p < pc; p++) fill(p0 + p, xin.data.subarray(xin.off(1, p), xin.off(1, p) + n));
    const [v] = interpret(nodes, [outId], new Map([[xId, xin]]), D, pc);
    take(v!, p0, pc);
  }
}

/** Degree-1 coefficient of direction p of a value (zeros when it is a constant). */
function coef(v: UTPM, d: number, p: number): Float64Array {
  return d < v.D ? v.data.subarray(v.off(d, p), v.off(d, p) + v.size) : new Float64Array(v.size);
}

// -------------------------------------------------------------------------- drivers

export interface GradOptions {
  /** 'reverse' (default): one reverse sweep. 'forward': n forward directions (for small n or checking). */
  mode?: 'reverse' | 'forward';
}

/** ∇f at a point, shaped like the point. f must return a scalar. */
export function grad(f: TensorFunction, options: GradOptions = {}): (x: PointLike) => unknown {
  checkFn('grad', f);
  return (x0) => {
    const x = readPoint(x0, 'grad: point');
    if (options.mode === 'forward') return shapeLike(x, forwardGradient('grad', f, x).grad);
    return shapeLike(x, traceGradient('grad', f, x).g._v.slice());
  };
}

/** { value: f(x), grad: ∇f(x) } from one reverse sweep. */
export function valueAndGrad(f: TensorFunction): (x: PointLike) => { value: number; grad: unknown } {
  checkFn('valueAndGrad', f);
  return (x0) => {
    const x = readPoint(x0, 'valueAndGrad: point');
    const t = traceGradient('valueAndGrad', f, x);
    return { value: t.y._v[0]!, grad: shapeLike(x, t.g._v.slice()) };
  };
}

function forwardGradient(name: string, f: TensorFunction, x: Point): { value: number; grad: Float64Array } {
  const t = trace(name, f, x);
  if (t.y.size !== 1) throw new TayoptError(`${name}: the function must return a scalar, got shape ${fmtShape(t.y.shape)}`);
  const n = x.values.length;
  const g = new Float64Array(n);
  if (t.y._tape === t.tape) {
    sweepDirections(t.tape.nodes, t.x._id, x.values, t.y._id, 2, n, (p, dir) => (dir[p] = 1), (v, p0, pc) => {
      for (let p = 0; p < pc; p++) g[p0 + p] = coef(v, 1, p)[0]!;
    });
  }
  return { value: t.y._v[0]!, grad: g };
}

/** ∇²f(x)·v by one forward-over-reverse sweep (Taylor degree 2 through the adjoint graph). */
export function hvp(f: TensorFunction): (x: PointLike, v: PointLike) => unknown {
  checkFn('hvp', f);
  return (x0, v0) => {
    const x = readPoint(x0, 'hvp: point');
    const v = readLike(v0, x.shape, 'hvp: direction');
    const t = traceGradient('hvp', f, x);
    const out = new Float64Array(v.length);
    if (t.g._tape === t.tape) {
      sweepDirections(t.tape.nodes, t.x._id, x.values, t.g._id, 2, 1, (_p, dir) => dir.set(v), (val) =>
        out.set(coef(val, 1, 0)),
      );
    }
    return shapeLike(x, out);
  };
}

export interface HessianOptions {
  /**
   * 'forward-over-reverse' (default): n Hessian-vector products in one sweep of n directions.
   * 'forward': degree-2 Taylor interpolation on n(n+1)/2 directions, no reverse mode.
   */
  mode?: 'forward-over-reverse' | 'forward';
}

/** The full n×n Hessian (n = elements of x) as rows. */
export function hessian(f: TensorFunction, options: HessianOptions = {}): (x: PointLike) => number[][] {
  checkFn('hessian', f);
  return (x0) => {
    const x = readPoint(x0, 'hessian: point');
    const n = x.values.length;
    const H = options.mode === 'forward' ? forwardHessian(f, x) : reverseHessian(f, x);
    return rows(H, n, n);
  };
}

/** Row-major Hessian by forward-over-reverse: block (1, p) of the adjoint is H·e_p. */
export function reverseHessian(f: TensorFunction, x: Point, name = 'hessian'): Float64Array {
  const n = x.values.length;
  const H = new Float64Array(n * n);
  const t = traceGradient(name, f, x);
  if (t.g._tape !== t.tape) return H;
  sweepDirections(t.tape.nodes, t.x._id, x.values, t.g._id, 2, n, (p, dir) => (dir[p] = 1), (v, p0, pc) => {
    for (let p = 0; p < pc; p++) H.set(coef(v, 1, p), (p0 + p) * n);
  });
  return H;
}

/**
 * Hessian from forward Taylor arithmetic alone: with y₂(v) = ½vᵀHv the degree-2 coefficient
 * along v, H_ii = 2·y₂(e_i) and H_ij = y₂(e_i+e_j) − y₂(e_i) − y₂(e_j).
 */
function forwardHessian(f: TensorFunction, x: Point): Float64Array {
  const n = x.values.length;
  const t = trace('hessian', f, x);
  if (t.y.size !== 1) throw new TayoptError(`hessian: the function must return a scalar, got shape ${fmtShape(t.y.shape)}`);
  const H = new Float64Array(n * n);
  if (t.y._tape !== t.tape) return H;
  // direction p < n is e_p; beyond, pairs (i, j), i < j, in order
  const pairs: [number, number][] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) pairs.push([i, j]);
  const q = new Float64Array(n + pairs.length);
  sweepDirections(
    t.tape.nodes, t.x._id, x.values, t.y._id, 3, q.length,
    (p, dir) => {
      if (p < n) dir[p] = 1;
      else {
        const [i, j] = pairs[p - n]!;
        dir[i] = 1;
        dir[j] = 1;
      }
    },
    (v, p0, pc) => {
      for (let p = 0; p < pc; p++) q[p0 + p] = coef(v, 2, p)[0]!;
    },
  );
  for (let i = 0; i < n; i++) H[i * n + i] = 2 * q[i]!;
  pairs.forEach(([i, j], k) => {
    const h = q[n + k]! - q[i]! - q[j]!;
    H[i * n + j] = h;
    H[j * n + i] = h;
  });
  return H;
}

export interface JacobianOptions {
  /** Default: forward when n ≤ m (n directions), else reverse (m adjoint directions). */
  mode?: 'forward' | 'reverse';
}

/** The Jacobian of g (any output shape; m = its number of elements) as m rows of n. */
export function jacobian(g: TensorFunction, options: JacobianOptions = {}): (x: PointLike) => number[][] {
  checkFn('jacobian', g);
  return (x0) => {
    const x = readPoint(x0, 'jacobian: point');
    const t = trace('jacobian', g, x);
    const n = x.values.length;
    const m = t.y.size;
    const J = new Float64Array(m * n);
    if (t.y._tape !== t.tape) return rows(J, m, n);
    const mode = options.mode ?? (n <= m ? 'forward' : 'reverse');
    if (mode === 'forward') {
      sweepDirections(t.tape.nodes, t.x._id, x.values, t.y._id, 2, n, (p, dir) => (dir[p] = 1), (v, p0, pc) => {
        for (let p = 0; p < pc; p++) {
          const col = coef(v, 1, p);
          for (let i = 0; i < m; i++) J[i * n + p0 + p] = col[i]!;
        }
      });
    } else {
      // the adjoint graph is linear in the seed u: Taylor directions on u give rows of J
      const u = t.tape.input(t.y.shape, new Float64Array(m));
      const [xbar] = backward(t.tape, t.y, u, [t.x]);
      if (xbar!._tape === t.tape) {
        const nodes = t.tape.nodes;
        for (let p0 = 0; p0 < m; p0 += 256) {
          const pc = Math.min(256, m - p0);
          const xin = new UTPM(t.x.shape, 2, pc);
          xin.data.set(x.values);
          const uin = new UTPM(t.y.shape, 2, pc);
          for (let p = 0; p < pc; p++) uin.data[uin.off(1, p) + p0 + p] = 1;
          const [v] = interpret(nodes, [xbar!._id], new Map([[t.x._id, xin], [u._id, uin]]), 2, pc);
          for (let p = 0; p < pc; p++) J.set(coef(v!, 1, p), (p0 + p) * n);
        }
      }
    }
    return rows(J, m, n);
  };
}

/** J·v (the directional derivative of g along v), shaped like g(x). */
export function jvp(g: TensorFunction): (x: PointLike, v: PointLike) => unknown {
  checkFn('jvp', g);
  return (x0, v0) => {
    const x = readPoint(x0, 'jvp: point');
    const v = readLike(v0, x.shape, 'jvp: direction');
    const t = trace('jvp', g, x);
    let out = new Float64Array(t.y.size);
    if (t.y._tape === t.tape) {
      sweepDirections(t.tape.nodes, t.x._id, x.values, t.y._id, 2, 1, (_p, dir) => dir.set(v), (val) => {
        out = coef(val, 1, 0).slice();
      });
    }
    return byShape(t.y.shape, out);
  };
}

/** uᵀ·J (the adjoint of g applied to u, u shaped like g(x)), shaped like x. */
export function vjp(g: TensorFunction): (x: PointLike, u: PointLike) => unknown {
  checkFn('vjp', g);
  return (x0, u0) => {
    const x = readPoint(x0, 'vjp: point');
    const t = trace('vjp', g, x);
    const u = readLike(u0, t.y.shape, 'vjp: cotangent');
    const [xbar] = backward(t.tape, t.y, new Tensor(t.y.shape, u, null, -1), [t.x]);
    return shapeLike(x, xbar!._v.slice());
  };
}

/**
 * Taylor coefficients c_0 … c_degree of s ↦ f(x + s·v) (c_k = f^{(k)}/k! along v), each
 * shaped like f(x): returns an array of length degree + 1.
 */
export function taylor(f: TensorFunction, x0: PointLike, v0: PointLike, degree: number): unknown[] {
  checkFn('taylor', f);
  if (!Number.isInteger(degree) || degree < 0) throw new TayoptError(`taylor: degree must be a non-negative integer, got ${degree}`);
  const x = readPoint(x0, 'taylor: point');
  const v = readLike(v0, x.shape, 'taylor: direction');
  const t = trace('taylor', f, x);
  const D = degree + 1;
  const coeffs: Float64Array[] = [t.y._v.slice()];
  if (t.y._tape === t.tape && D > 1) {
    sweepDirections(t.tape.nodes, t.x._id, x.values, t.y._id, D, 1, (_p, dir) => dir.set(v), (val) => {
      for (let d = 1; d < D; d++) coeffs.push(coef(val, d, 0).slice());
    });
  }
  while (coeffs.length < D) coeffs.push(new Float64Array(t.y.size));
  return coeffs.map((c) => byShape(t.y.shape, c));
}

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
 * The first call for a function and input shape traces it; later calls replay compiled code
 * (see program.ts for the rules, and `clearCache`). Points may be numbers, number[],
 * number[][], Float64Array or ndarray; see convert.ts for how results are shaped. Misuse
 * throws a TayoptError naming the driver.
 */
import { TayoptError } from '../errors.js';
import { checkBytes } from '../size.js';
import type { Tensor } from '../trace/tensor.js';
import type { UTPM } from '../utpm/utpm.js';
import { type Point, type PointLike, byShape, readLike, readPoint, rows, shapeLike } from './convert.js';
import { type Feed, type Program, type TensorFunction, block, directionBlock, evaluate, program } from './program.js';
import { PointReader } from './reader.js';
import type { DerivativeOf, Structured } from './types.js';

export type { TensorFunction };

const ONE = Float64Array.of(1);

/**
 * Taylor-coefficient elements (tape size × directions × (D − 1)) of one sweep when the caller
 * may interrupt between sweeps: about 5 ms of replay (an n = 1500 Hessian: 100 directions
 * per sweep instead of all 1500 at once).
 */
const INTERRUPTIBLE_BLOCK = 2e6;

function checkFn(name: string, f: unknown): asserts f is TensorFunction {
  if (typeof f !== 'function') throw new TayoptError(`${name}: expected a function, got ${f === null ? 'null' : typeof f}`);
}

/**
 * Runs `count` Taylor directions through a program in sweeps of at most `directionBlock`
 * directions; `dir(p, buf)` writes global direction p, `take(values, p0, pc)` reads a sweep.
 * With `check` the sweeps are short (INTERRUPTIBLE_BLOCK elements, milliseconds each) and
 * `check` is called before each; it may throw to abandon the computation. Every direction's
 * arithmetic is the same in any block, so the results do not depend on the block size.
 */
export function sweep(
  prog: Program,
  outputs: readonly Tensor[],
  D: number,
  count: number,
  x: Float64Array,
  dirs: { x?: (p: number, d: Float64Array) => void; seed?: (p: number, d: Float64Array) => void; seedValue?: Float64Array },
  take: (vals: UTPM[], p0: number, pc: number) => void,
  check?: () => void,
): void {
  const B = directionBlock(prog, D, count, check === undefined ? undefined : INTERRUPTIBLE_BLOCK);
  for (let p0 = 0; p0 < count; p0 += B) {
    check?.();
    const pc = Math.min(B, count - p0);
    // every sweep uses P = B (one compiled replay); unused directions stay zero
    const feed: Feed = {
      x,
      xDir: dirs.x ? (p, d) => p < pc && dirs.x!(p0 + p, d) : undefined,
      seed: dirs.seedValue,
      seedDir: dirs.seed ? (p, d) => p < pc && dirs.seed!(p0 + p, d) : undefined,
    };
    take(evaluate(prog, outputs, D, B, feed), p0, pc);
  }
}

/**
 * f(x) with ∇f(x) written into `g` (flat, length n). The first call traces (and compiles the
 * D = 1 replay for later calls); later calls replay, reading x and writing g in place.
 */
export function valueAndGradInto(name: string, f: TensorFunction, x: Point, g: Float64Array): number {
  const { prog, fresh } = program(name, 'grad', f, x.shape, x.values);
  if (fresh || !prog.gradReplay) {
    prog.prepareGradReplay(); // compiles for later calls (replayable programs only)
    g.set(prog.adjoint!._v);
    return prog.y._v[0]!;
  }
  const { r, ky, ka } = prog.gradReplay;
  r.bindInput(0, x.values);
  r.bindInput(1, ONE);
  const bound = ka >= 0 && r.bindOutput(ka, g);
  r.run();
  if (ka < 0) g.set(prog.adjoint!._v);
  else if (!bound) g.set(r.outputs[ka]!.data.subarray(0, g.length));
  const value = ky >= 0 ? r.outputs[ky]!.data[0]! : prog.y._v[0]!;
  r.unbind();
  return value;
}

/** f(x) and ∇f(x) as a new array. */
export function valueAndGradFlat(name: string, f: TensorFunction, x: Point): { value: number; grad: Float64Array } {
  const grad = new Float64Array(x.values.length);
  return { value: valueAndGradInto(name, f, x, grad), grad };
}

/** Writes ∇²f(x)·v into `out` (flat) by one forward-over-reverse sweep. */
export function hvpInto(name: string, f: TensorFunction, x: Point, v: Float64Array, out: Float64Array): void {
  const { prog } = program(name, 'grad', f, x.shape, x.values);
  const adj = prog.adjoint!;
  if (!prog.traced(adj)) {
    out.fill(0);
    return;
  }
  if (!prog.replayable) {
    const [g] = evaluate(prog, [adj], 2, 1, { x: x.values, xDir: (_p, d) => d.set(v), seed: ONE });
    out.set(block(g!, 1, 0));
    return;
  }
  const r = (prog.hvpReplay ??= prog.replay([adj], 2, 1));
  const xin = r.inputs[0]!;
  const n = xin.size;
  xin.data.set(x.values);
  xin.data.set(v, n);
  r.run();
  const g = r.outputs[0]!;
  if (g.D < 2) out.fill(0);
  else out.set(g.data.subarray(n, 2 * n));
}

/**
 * Row-major Hessian by forward-over-reverse: direction p of the adjoint is H·e_p. `check`
 * (a solver's time limit) is called between sweeps of a few milliseconds and may throw.
 */
export function hessianFlat(name: string, f: TensorFunction, x: Point, maxBytes?: number, check?: () => void): Float64Array {
  const n = x.values.length;
  checkHessianSize(name, n, 1, maxBytes);
  const H = new Float64Array(n * n);
  const { prog } = program(name, 'grad', f, x.shape, x.values);
  sweep(
    prog,
    [prog.adjoint!],
    2,
    n,
    x.values,
    { x: (p, d) => (d[p] = 1), seedValue: ONE },
    ([g], p0, pc) => {
      for (let p = 0; p < pc; p++) H.set(block(g!, 1, p), (p0 + p) * n);
    },
    check,
  );
  return H;
}

// -------------------------------------------------------------------------- drivers

export interface GradOptions {
  /** 'reverse' (default): one reverse sweep. 'forward': n forward directions (for small n or checking). */
  mode?: 'reverse' | 'forward';
}

/** ∇f at a point, shaped like the point. f must return a scalar. */
export function grad(f: TensorFunction, options: GradOptions = {}): <X extends PointLike>(x: X) => DerivativeOf<X> {
  checkFn('grad', f);
  const reader = new PointReader();
  const forward = options.mode === 'forward';
  return <X extends PointLike>(x0: X) => {
    const x = reader.read(x0, 'grad: point');
    if (forward) return shapeLike(x, forwardGradient('grad', f, x)) as DerivativeOf<X>;
    const g = reader.result(x, x.values.length);
    valueAndGradInto('grad', f, x, g);
    return shapeLike(x, g) as DerivativeOf<X>;
  };
}

/** { value: f(x), grad: ∇f(x) } from one reverse sweep. */
export function valueAndGrad(f: TensorFunction): <X extends PointLike>(x: X) => { value: number; grad: DerivativeOf<X> } {
  checkFn('valueAndGrad', f);
  const reader = new PointReader();
  return <X extends PointLike>(x0: X) => {
    const x = reader.read(x0, 'valueAndGrad: point');
    const g = reader.result(x, x.values.length);
    const value = valueAndGradInto('valueAndGrad', f, x, g);
    return { value, grad: shapeLike(x, g) as DerivativeOf<X> };
  };
}

function scalarProgram(name: string, f: TensorFunction, x: Point): Program {
  const { prog } = program(name, 'value', f, x.shape, x.values);
  if (prog.y.size !== 1) throw new TayoptError(`${name}: the function must return a scalar, got shape [${prog.y.shape.join(',')}]`);
  return prog;
}

/** Gradient by forward mode: n directions e_i at degree 2. */
function forwardGradient(name: string, f: TensorFunction, x: Point): Float64Array {
  const prog = scalarProgram(name, f, x);
  const n = x.values.length;
  const g = new Float64Array(n);
  sweep(prog, [prog.y], 2, n, x.values, { x: (p, d) => (d[p] = 1) }, ([y], p0, pc) => {
    for (let p = 0; p < pc; p++) g[p0 + p] = block(y!, 1, p)[0]!;
  });
  return g;
}

/** ∇²f(x)·v by one forward-over-reverse sweep (Taylor degree 2 through the adjoint graph). */
export function hvp(f: TensorFunction): <X extends PointLike>(x: X, v: PointLike) => DerivativeOf<X> {
  checkFn('hvp', f);
  const reader = new PointReader();
  return <X extends PointLike>(x0: X, v0: PointLike) => {
    const x = reader.read(x0, 'hvp: point');
    const v = readLike(v0, x.shape, 'hvp: direction');
    const out = reader.result(x, v.length);
    hvpInto('hvp', f, x, v, out);
    return shapeLike(x, out) as DerivativeOf<X>;
  };
}

export interface HessianOptions {
  /**
   * 'forward-over-reverse' (default): n Hessian-vector products in one sweep of n directions.
   * 'forward': degree-2 Taylor interpolation on n(n+1)/2 directions, no reverse mode.
   */
  mode?: 'forward-over-reverse' | 'forward';
  /** Size limit in bytes (src/size.ts); default TAYOPT_MAX_BYTES, else 64 MiB. */
  maxBytes?: number;
}

/**
 * Refuses a Hessian beyond the size limit before anything is allocated: the n×n result and
 * its rows as numbers (`copies` more n×n arrays for the forward mode's directions).
 */
function checkHessianSize(name: string, n: number, copies: number, maxBytes?: number): void {
  checkBytes((1 + copies) * n * n * 8, `${name}: the Hessian of n = ${n} unknowns`, 'use hvp (Hessian-vector products), or a Hessian-free method such as trust-ncg or newton-cg', maxBytes);
}

/** The full n×n Hessian (n = elements of x) as rows. */
export function hessian(f: TensorFunction, options: HessianOptions = {}): (x: PointLike) => number[][] {
  checkFn('hessian', f);
  return (x0) => {
    const x = readPoint(x0, 'hessian: point');
    const n = x.values.length;
    if (options.mode === 'forward') checkHessianSize('hessian', n, 4, options.maxBytes);
    const H = options.mode === 'forward' ? forwardHessian(f, x) : hessianFlat('hessian', f, x, options.maxBytes);
    return rows(H, n, n);
  };
}

/**
 * Hessian from forward Taylor arithmetic alone: with y₂(v) = ½vᵀHv the degree-2 coefficient
 * along v, H_ii = 2·y₂(e_i) and H_ij = y₂(e_i+e_j) − y₂(e_i) − y₂(e_j).
 */
function forwardHessian(f: TensorFunction, x: Point): Float64Array {
  const n = x.values.length;
  const prog = scalarProgram('hessian', f, x);
  const H = new Float64Array(n * n);
  // direction p < n is e_p; beyond, the pairs (i, j), i < j, in order
  const pairs: [number, number][] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) pairs.push([i, j]);
  const q = new Float64Array(n + pairs.length);
  const dir = (p: number, d: Float64Array) => {
    if (p < n) d[p] = 1;
    else {
      const [i, j] = pairs[p - n]!;
      d[i] = 1;
      d[j] = 1;
    }
  };
  sweep(prog, [prog.y], 3, q.length, x.values, { x: dir }, ([y], p0, pc) => {
    for (let p = 0; p < pc; p++) q[p0 + p] = block(y!, 2, p)[0]!;
  });
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
  /** Size limit in bytes (src/size.ts); default TAYOPT_MAX_BYTES, else 64 MiB. */
  maxBytes?: number;
}

/** The Jacobian of g (any output shape; m = its number of elements) as m rows of n. */
export function jacobian(g: TensorFunction, options: JacobianOptions = {}): (x: PointLike) => number[][] {
  checkFn('jacobian', g);
  return (x0) => {
    const x = readPoint(x0, 'jacobian: point');
    const n = x.values.length;
    const { prog: fwd } = program('jacobian', 'value', g, x.shape, x.values);
    const m = fwd.y.size;
    checkBytes(2 * m * n * 8, `jacobian: the Jacobian of ${m} outputs × ${n} unknowns`, 'use jvp or vjp (products with the Jacobian)', options.maxBytes);
    const J = new Float64Array(m * n);
    const mode = options.mode ?? (n <= m ? 'forward' : 'reverse');
    if (mode === 'forward') {
      sweep(fwd, [fwd.y], 2, n, x.values, { x: (p, d) => (d[p] = 1) }, ([y], p0, pc) => {
        for (let p = 0; p < pc; p++) {
          const col = block(y!, 1, p);
          for (let i = 0; i < m; i++) J[i * n + p0 + p] = col[i]!;
        }
      });
    } else {
      // the adjoint graph is linear in the cotangent u: Taylor directions on u give rows of J
      const { prog } = program('jacobian', 'vjp', g, x.shape, x.values);
      sweep(prog, [prog.adjoint!], 2, m, x.values, { seed: (p, d) => (d[p] = 1), seedValue: new Float64Array(m) }, ([a], p0, pc) => {
        for (let p = 0; p < pc; p++) J.set(block(a!, 1, p), (p0 + p) * n);
      });
    }
    return rows(J, m, n);
  };
}

/**
 * J·v (the directional derivative of g along v), shaped like g(x): a number for a scalar g,
 * a Float64Array for a vector, nested arrays beyond. The types cannot see g's output shape:
 * the result is {@link Structured} unless the variable it is assigned to says which (Y).
 */
export function jvp(g: TensorFunction): <Y extends Structured = Structured>(x: PointLike, v: PointLike) => Y {
  checkFn('jvp', g);
  return <Y extends Structured = Structured>(x0: PointLike, v0: PointLike) => {
    const x = readPoint(x0, 'jvp: point');
    const v = readLike(v0, x.shape, 'jvp: direction');
    const { prog } = program('jvp', 'value', g, x.shape, x.values);
    const [y] = evaluate(prog, [prog.y], 2, 1, { x: x.values, xDir: (_p, d) => d.set(v) });
    return byShape(prog.y.shape, block(y!, 1, 0).slice()) as Y;
  };
}

/** uᵀ·J (the adjoint of g applied to u, u shaped like g(x)), shaped like x. */
export function vjp(g: TensorFunction): <X extends PointLike>(x: X, u: PointLike) => DerivativeOf<X> {
  checkFn('vjp', g);
  return <X extends PointLike>(x0: X, u0: PointLike) => {
    const x = readPoint(x0, 'vjp: point');
    const { prog } = program('vjp', 'vjp', g, x.shape, x.values);
    const u = readLike(u0, prog.y.shape, 'vjp: cotangent');
    const [a] = evaluate(prog, [prog.adjoint!], 1, 1, { x: x.values, seed: u });
    return shapeLike(x, a!.data.slice(0, a!.size)) as DerivativeOf<X>;
  };
}

/**
 * Taylor coefficients c_0 … c_degree of s ↦ f(x + s·v) (c_k = f^{(k)}/k! along v), each
 * shaped like f(x) (number, Float64Array, nested arrays; as for {@link jvp}, the types take
 * the coefficient type Y from the variable assigned to): an array of length degree + 1.
 */
export function taylor<Y extends Structured = Structured>(f: TensorFunction, x0: PointLike, v0: PointLike, degree: number): Y[] {
  checkFn('taylor', f);
  if (!Number.isInteger(degree) || degree < 0) throw new TayoptError(`taylor: degree must be a non-negative integer, got ${degree}`);
  const x = readPoint(x0, 'taylor: point');
  const v = readLike(v0, x.shape, 'taylor: direction');
  // every array of the program carries degree + 1 coefficients: the input's are the least
  checkBytes((degree + 1) * x.values.length * 8, `taylor: degree ${degree} on n = ${x.values.length} unknowns`, 'use a lower degree');
  const { prog } = program('taylor', 'value', f, x.shape, x.values);
  const D = degree + 1;
  const [y] = evaluate(prog, [prog.y], D, 1, { x: x.values, xDir: (_p, d) => d.set(v) });
  return Array.from({ length: D }, (_, d) => byShape(prog.y.shape, block(y!, d, 0).slice()) as Y);
}

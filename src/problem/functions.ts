/**
 * The functions an objective expression may call, by their math.js names, each mapped onto
 * tayopt operations. Scalar functions act elementwise on vectors and matrices (NumPy
 * semantics; math.js itself would reject `exp(vector)`). Dimension arguments are 1-based,
 * as in math.js. Nothing here evaluates user code: each entry is a fixed function of tensors.
 *
 * Linear algebra (det, inv, lusolve, cholesky, trace, diag, norm) maps onto the engine's
 * differentiable linear-algebra operations.
 */
import * as t from '../index.js';
import { Tensor, tensor } from '../index.js';
import { ProblemError } from './source.js';
import { foldReduce, isSquare, matrixPower, mmul, shapeText } from './linalg.js';

/** An argument: a tensor, or a string literal where a function takes one (norm(A, 'fro')). */
export type Arg = Tensor | string;

export interface FunctionSpec {
  /** Fewest and most arguments. */
  readonly min: number;
  readonly max: number;
  /** Argument positions that may be string literals. */
  readonly strings?: readonly number[];
  /** Only for constants: no argument may depend on the variables (checked when compiling). */
  readonly constantOnly?: boolean;
  /** Applies the function; messages name the function, the caller adds the expression. */
  apply(args: readonly Arg[]): Tensor;
}

/** The tensor argument at position i (strings were rejected by the compiler elsewhere). */
function T(args: readonly Arg[], i: number, fn: string): Tensor {
  const a = args[i];
  if (typeof a === 'string' || a === undefined) throw new ProblemError(`${fn}: argument ${i + 1} must be a number or an array, not a string`);
  return a;
}

/** A constant (not variable-dependent) scalar argument. */
export function constScalar(x: Tensor, what: string): number {
  if (x.isTraced) throw new ProblemError(`${what} must be a constant: it may not depend on the variables`);
  if (x.size !== 1) throw new ProblemError(`${what} must be a single number, got shape ${shapeText(x.shape)}`);
  return x.item();
}

/** A constant integer argument. */
export function constInt(x: Tensor, what: string): number {
  const v = constScalar(x, what);
  if (!Number.isInteger(v)) throw new ProblemError(`${what} must be an integer, got ${v}`);
  return v;
}

/** A 1-based dimension argument for x → 0-based axis. */
function axisArg(x: Tensor, d: Tensor, fn: string): number {
  const dim = constInt(d, `${fn}: the dimension`);
  if (dim < 1 || dim > x.ndim) {
    throw new ProblemError(`${fn}: dimension ${dim} is out of range for shape ${shapeText(x.shape)} (dimensions are 1..${x.ndim})`);
  }
  return dim - 1;
}

const unary = (op: (x: Tensor) => Tensor) => ({ min: 1, max: 1, apply: (a: readonly Arg[]) => op(a[0] as Tensor) });

const LN2 = Math.LN2;
const LN10 = Math.LN10;

/**
 * Reductions with math.js's three call forms: f(A) over all elements, f(A, dim) along a
 * 1-based dimension, f(a, b, c, …) over single-number arguments.
 */
function reduction(
  fn: string,
  all: (x: Tensor) => Tensor,
  along: (x: Tensor, axis: number) => Tensor,
  several: (xs: Tensor[]) => Tensor,
): FunctionSpec {
  return {
    min: 1,
    max: Infinity,
    apply(args) {
      const xs = args.map((_, i) => T(args, i, fn));
      if (xs.length === 1) return all(xs[0]!);
      if (xs.length === 2 && xs[0]!.ndim >= 1 && xs[1]!.ndim === 0) return along(xs[0]!, axisArg(xs[0]!, xs[1]!, fn));
      const bad = xs.find((x) => x.size !== 1);
      if (bad) {
        throw new ProblemError(
          `${fn}: with several arguments each must be a single number (got shape ${shapeText(bad.shape)}); use ${fn}(A) or ${fn}(A, dim) for arrays`,
        );
      }
      return several(xs.map((x) => t.reshape(x, [])));
    },
  };
}

const chain = (pair: (a: Tensor, b: Tensor) => Tensor) => (xs: Tensor[]) => xs.reduce((p, q) => pair(p, q));

/** A constant-only function computed on values (no derivative exists or is needed). */
function constantOnly(fn: string, arity: number, f: (...v: number[]) => number): FunctionSpec {
  return {
    min: arity,
    max: arity,
    constantOnly: true,
    apply(args) {
      const xs = args.map((_, i) => T(args, i, fn));
      xs.forEach((x, i) => {
        if (x.isTraced) {
          throw new ProblemError(`${fn}: argument ${i + 1} depends on the variables; ${fn} has no useful derivative and may only be applied to constants`);
        }
      });
      const shape = xs.reduce((acc, x) => t.add(acc, x)).shape; // the broadcast shape (checks it)
      const vals = xs.map((x) => t.broadcastTo(x, shape).toFloat64Array());
      const out = new Float64Array(vals[0]!.length);
      const v = new Array<number>(arity);
      for (let i = 0; i < out.length; i++) {
        for (let k = 0; k < arity; k++) v[k] = vals[k]![i]!;
        out[i] = f(...v);
      }
      return t.reshape(tensor(out), [...shape]);
    },
  };
}

/** Sizes from f(n), f(m, n) or f([m, n]). */
function sizesOf(fn: string, args: readonly Arg[]): number[] {
  const xs = args.map((_, i) => T(args, i, fn));
  let sizes: number[];
  if (xs.length === 1 && xs[0]!.ndim === 1) {
    if (xs[0]!.isTraced) throw new ProblemError(`${fn}: the size must be a constant`);
    sizes = Array.from(xs[0]!.toFloat64Array());
  } else {
    sizes = xs.map((x, i) => constInt(x, `${fn}: size ${i + 1}`));
  }
  if (sizes.some((s) => !Number.isInteger(s) || s < 0) || sizes.length > 2) {
    throw new ProblemError(`${fn}: sizes must be one or two non-negative integers, got [${sizes.join(', ')}]`);
  }
  if (sizes.reduce((a, b) => a * b, 1) > 1e8) throw new ProblemError(`${fn}: size [${sizes.join(', ')}] is too large`);
  return sizes;
}

/**
 * math.js norm: a vector's p-norm (default 2; p ≥ 1, Inf, -Inf); a matrix's 'fro'
 * (Frobenius), 1 (largest column sum), Inf (largest row sum), or 2 / default (largest
 * singular value, from the eigenvalues of AᵀA).
 */
function norm(args: readonly Arg[]): Tensor {
  const x = T(args, 0, 'norm');
  const p = args[1];
  if (typeof p === 'string' && p !== 'fro') throw new ProblemError(`norm: unknown norm '${p}' (use a number p, Infinity or 'fro')`);
  if (x.ndim >= 2) {
    if (x.ndim > 2) throw new ProblemError(`norm: expects a vector or a matrix, got shape ${shapeText(x.shape)}`);
    if (p === 'fro') return t.norm(x);
    const pv = p === undefined ? 2 : constScalar(p, 'norm: p');
    if (pv === 1) return foldReduce(t.sum(t.abs(x), 0), null, t.maximum);
    if (pv === Infinity) return foldReduce(t.sum(t.abs(x), 1), null, t.maximum);
    if (pv === 2) {
      const ev = t.eigvalsh(t.dot(t.transpose(x), x));
      return t.sqrt(t.at(ev, ev.size - 1));
    }
    throw new ProblemError(`norm: for a matrix p must be 1, 2, Infinity or 'fro', got ${pv}`);
  }
  if (p === undefined || p === 'fro') return t.norm(x);
  const pv = constScalar(p, 'norm: p');
  if (pv === 2) return t.norm(x);
  if (pv === 1) return t.sum(t.abs(x));
  if (pv === Infinity) return foldReduce(t.abs(x), null, t.maximum);
  if (pv === -Infinity) return foldReduce(t.abs(x), null, t.minimum);
  if (!(pv >= 1)) throw new ProblemError(`norm: p must be ≥ 1 or ±Infinity, got ${pv}`);
  return t.pow(t.sum(t.pow(t.abs(x), pv)), 1 / pv);
}

function concat(args: readonly Arg[]): Tensor {
  const xs = args.map((_, i) => T(args, i, 'concat'));
  let axis: number | null = null;
  if (xs.length >= 2 && xs[xs.length - 1]!.ndim === 0) {
    const d = xs.pop()!;
    axis = axisArg(xs[0]!, d, 'concat');
  }
  const scalar = xs.find((x) => x.ndim === 0);
  if (scalar) throw new ProblemError('concat: joins arrays, not single numbers (write [a, b] to make a vector of numbers)');
  const ax = axis ?? xs[0]!.ndim - 1; // math.js: the last dimension by default
  const nd = xs[0]!.ndim;
  xs.forEach((x) => {
    if (x.ndim !== nd || x.shape.some((s, i) => i !== ax && s !== xs[0]!.shape[i])) {
      throw new ProblemError(`concat: shapes ${xs.map((y) => shapeText(y.shape)).join(', ')} cannot be joined along dimension ${ax + 1}`);
    }
  });
  return t.concatenate(xs, ax);
}

function diag(args: readonly Arg[]): Tensor {
  const x = T(args, 0, 'diag');
  const k = args.length > 1 ? constInt(T(args, 1, 'diag'), 'diag: the diagonal offset k') : 0;
  if (x.ndim !== 1 && x.ndim !== 2) throw new ProblemError(`diag: expects a vector or a matrix, got shape ${shapeText(x.shape)}`);
  return t.diag(x, k);
}

function trace(args: readonly Arg[]): Tensor {
  const a = T(args, 0, 'trace');
  if (!isSquare(a)) throw new ProblemError(`trace: expects a square matrix, got shape ${shapeText(a.shape)}`);
  return t.trace(a);
}

const square2 = (fn: string, op: (a: Tensor) => Tensor): FunctionSpec => ({
  min: 1,
  max: 1,
  apply(args) {
    const a = T(args, 0, fn);
    if (!isSquare(a)) throw new ProblemError(`${fn}: expects a square matrix, got shape ${shapeText(a.shape)}`);
    return op(a);
  },
});

function solve(fn: string): FunctionSpec {
  return {
    min: 2,
    max: 2,
    apply(args) {
      const a = T(args, 0, fn);
      const b = T(args, 1, fn);
      if (!isSquare(a)) throw new ProblemError(`${fn}: expects a square matrix first, got shape ${shapeText(a.shape)}`);
      if ((b.ndim !== 1 && b.ndim !== 2) || b.shape[0] !== a.shape[0]) {
        throw new ProblemError(`${fn}: the right-hand side must have ${a.shape[0]} rows, got shape ${shapeText(b.shape)}`);
      }
      return t.solve(a, b);
    },
  };
}

function pow(args: readonly Arg[]): Tensor {
  return powerOp(T(args, 0, 'pow'), T(args, 1, 'pow'), 'pow');
}

/**
 * math.js `^`: a scalar power, or the power of a square matrix by a constant integer ≥ 0
 * (repeated products). Anything else is an error that points to `.^`.
 */
export function powerOp(a: Tensor, b: Tensor, op = '^'): Tensor {
  if (a.ndim === 0 && b.ndim === 0) return t.pow(a, b);
  if (b.ndim === 0 && isSquare(a) && !b.isTraced) {
    const k = b.item();
    if (Number.isInteger(k) && k >= 0) return matrixPower(a, k);
    throw new ProblemError(`${op}: a matrix power needs a constant integer exponent ≥ 0, got ${k} (for the elementwise power write .^)`);
  }
  throw new ProblemError(
    `${op}: shapes ${shapeText(a.shape)} and ${shapeText(b.shape)}: ^ is the power of a number or of a square matrix; for the elementwise power write .^`,
  );
}

/**
 * math.js `*`: scalar times anything, else the matrix product. Between two vectors math.js
 * makes it the dot product, which silently turns an intended elementwise product (b*x*x in a
 * residual) into one number; so, as with `^`, that is an error naming the two spellings —
 * unless the left one is written transposed (`x' * y`), which asks for the inner product.
 */
export function multiplyOp(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0) return t.mul(a, b);
  if (a.ndim === 1 && b.ndim === 1 && !TRANSPOSED.has(a))
    throw new ProblemError(
      `*: both sides are vectors (shapes ${shapeText(a.shape)} and ${shapeText(b.shape)}): for the elementwise product write .*, for the dot product dot(a, b) (or a' * b)`,
    );
  const r = mmul(a, b);
  // x' * M is a row too: (x' * M) * y is the quadratic form
  return TRANSPOSED.has(a) && r.ndim === 1 ? transposeOp(r) : r;
}

/** math.js `/`: division by a number, or a·inv(B) for a square matrix B. */
export function divideOp(a: Tensor, b: Tensor): Tensor {
  if (b.size === 1 && b.ndim <= 2) return t.div(a, t.reshape(b, []));
  if (isSquare(b)) {
    return multiplyOp(a, t.inv(b));
  }
  throw new ProblemError(`/: cannot divide by an array of shape ${shapeText(b.shape)} (for elementwise division write ./)`);
}

/** Vectors written transposed (`x'`): on the left of `*` they ask for the inner product. */
const TRANSPOSED = new WeakSet<Tensor>();

/**
 * The matrix transpose; vectors and numbers are their own transpose (as in math.js). A
 * transposed vector is the same value under a new handle, remembered so that `x' * y` stays
 * the inner product while `x * y` is an error.
 */
export function transposeOp(a: Tensor): Tensor {
  if (a.ndim !== 1) return a.ndim < 2 ? a : t.transpose(a);
  const row = new Tensor(a.shape, a._v, a._tape, a._id);
  TRANSPOSED.add(row);
  return row;
}

function dot(args: readonly Arg[]): Tensor {
  const a = T(args, 0, 'dot');
  const b = T(args, 1, 'dot');
  if (a.ndim === 1 && b.ndim === 1 && a.size !== b.size) {
    throw new ProblemError(`dot: vectors of different lengths ${a.size} and ${b.size}`);
  }
  return mmul(a, b, 'dot');
}

function reshape(args: readonly Arg[]): Tensor {
  const x = T(args, 0, 'reshape');
  const s = T(args, 1, 'reshape');
  if (s.isTraced || s.ndim !== 1) throw new ProblemError('reshape: the new size must be a constant vector, e.g. reshape(x, [2, 3])');
  const sizes = Array.from(s.toFloat64Array());
  const known = sizes.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
  const ok = sizes.every((d) => Number.isInteger(d) && d >= -1) && sizes.filter((d) => d === -1).length <= 1;
  if (!ok || (sizes.includes(-1) ? known === 0 || x.size % known !== 0 : known !== x.size)) {
    throw new ProblemError(`reshape: cannot reshape shape ${shapeText(x.shape)} (${x.size} elements) to [${sizes.join(', ')}]`);
  }
  return t.reshape(x, sizes);
}

const maxPair = (a: Tensor, b: Tensor) => t.maximum(a, b);
const minPair = (a: Tensor, b: Tensor) => t.minimum(a, b);

/** The function table, by math.js name (plus a few engine extensions: sigmoid, softplus). */
export const FUNCTIONS: ReadonlyMap<string, FunctionSpec> = new Map<string, FunctionSpec>([
  // elementwise
  ['abs', unary(t.abs)],
  ['sign', unary(t.sign)],
  ['exp', unary(t.exp)],
  ['expm1', unary(t.expm1)],
  [
    'log',
    {
      min: 1,
      max: 2,
      apply: (a) => (a.length === 1 ? t.log(T(a, 0, 'log')) : t.div(t.log(T(a, 0, 'log')), t.log(T(a, 1, 'log')))),
    },
  ],
  ['log1p', unary(t.log1p)],
  ['log2', unary((x) => t.div(t.log(x), LN2))],
  ['log10', unary((x) => t.div(t.log(x), LN10))],
  ['sqrt', unary(t.sqrt)],
  ['square', unary(t.square)],
  ['cube', unary((x) => t.pow(x, 3))],
  ['cbrt', unary((x) => t.mul(t.sign(x), t.pow(t.abs(x), 1 / 3)))],
  ['sin', unary(t.sin)],
  ['cos', unary(t.cos)],
  ['tan', unary(t.tan)],
  ['sec', unary((x) => t.div(1, t.cos(x)))],
  ['csc', unary((x) => t.div(1, t.sin(x)))],
  ['cot', unary((x) => t.div(1, t.tan(x)))],
  ['sinh', unary(t.sinh)],
  ['cosh', unary(t.cosh)],
  ['tanh', unary(t.tanh)],
  ['asin', unary(t.asin)],
  ['acos', unary(t.acos)],
  ['atan', unary(t.atan)],
  ['atan2', { min: 2, max: 2, apply: (a) => t.atan2(T(a, 0, 'atan2'), T(a, 1, 'atan2')) }],
  ['erf', unary(t.erf)],
  ['sigmoid', unary(t.sigmoid)],
  ['softplus', unary(t.softplus)],
  ['pow', { min: 2, max: 2, apply: pow }],
  ['hypot', { min: 1, max: Infinity, apply: (a) => (a.length === 1 ? t.sqrt(t.sum(t.square(T(a, 0, 'hypot')))) : t.sqrt(a.map((_, i) => t.square(T(a, i, 'hypot'))).reduce((p, q) => t.add(p, q)))) }],
  // operators in function form
  ['add', { min: 2, max: Infinity, apply: (a) => a.map((_, i) => T(a, i, 'add')).reduce((p, q) => t.add(p, q)) }],
  ['subtract', { min: 2, max: 2, apply: (a) => t.sub(T(a, 0, 'subtract'), T(a, 1, 'subtract')) }],
  ['multiply', { min: 2, max: Infinity, apply: (a) => a.map((_, i) => T(a, i, 'multiply')).reduce(multiplyOp) }],
  ['divide', { min: 2, max: 2, apply: (a) => divideOp(T(a, 0, 'divide'), T(a, 1, 'divide')) }],
  ['dotMultiply', { min: 2, max: 2, apply: (a) => t.mul(T(a, 0, 'dotMultiply'), T(a, 1, 'dotMultiply')) }],
  ['dotDivide', { min: 2, max: 2, apply: (a) => t.div(T(a, 0, 'dotDivide'), T(a, 1, 'dotDivide')) }],
  ['dotPow', { min: 2, max: 2, apply: (a) => t.pow(T(a, 0, 'dotPow'), T(a, 1, 'dotPow')) }],
  ['unaryMinus', unary(t.neg)],
  ['transpose', unary(transposeOp)],
  ['ctranspose', unary(transposeOp)],
  // reductions
  ['sum', reduction('sum', (x) => t.sum(x), (x, ax) => t.sum(x, ax), chain(t.add))],
  ['prod', reduction('prod', (x) => t.prod(x), (x, ax) => t.prod(x, ax), chain(t.mul))],
  ['mean', reduction('mean', (x) => t.mean(x), (x, ax) => t.mean(x, ax), (xs) => t.div(chain(t.add)(xs), xs.length))],
  ['max', reduction('max', (x) => foldReduce(x, null, maxPair), (x, ax) => foldReduce(x, ax, maxPair), chain(maxPair))],
  ['min', reduction('min', (x) => foldReduce(x, null, minPair), (x, ax) => foldReduce(x, ax, minPair), chain(minPair))],
  ['norm', { min: 1, max: 2, strings: [1], apply: norm }],
  // linear algebra
  ['dot', { min: 2, max: 2, apply: dot }],
  ['trace', { min: 1, max: 1, apply: trace }],
  ['diag', { min: 1, max: 2, apply: diag }],
  ['det', square2('det', (a) => t.det(a))],
  ['inv', square2('inv', (a) => t.inv(a))],
  ['lusolve', solve('lusolve')],
  ['solve', solve('solve')],
  ['cholesky', square2('cholesky', (a) => t.cholesky(a))],
  // construction and shape
  ['identity', { min: 1, max: 2, apply: (a) => { const s = sizesOf('identity', a); return t.eye(s[0]!, s[1] ?? s[0]!); } }],
  ['zeros', { min: 1, max: 2, apply: (a) => t.zeros(sizesOf('zeros', a)) }],
  ['ones', { min: 1, max: 2, apply: (a) => t.ones(sizesOf('ones', a)) }],
  ['size', { min: 1, max: 1, apply: (a) => tensor(Float64Array.from(T(a, 0, 'size').shape)) }],
  ['count', { min: 1, max: 1, apply: (a) => tensor(T(a, 0, 'count').size) }],
  ['reshape', { min: 2, max: 2, apply: reshape }],
  ['flatten', unary((x) => t.flatten(x))],
  ['concat', { min: 1, max: Infinity, apply: concat }],
  // constants only: no derivative
  ['mod', constantOnly('mod', 2, (a, b) => (b === 0 ? a : a - b * Math.floor(a / b)))],
  ['floor', constantOnly('floor', 1, Math.floor)],
  ['ceil', constantOnly('ceil', 1, Math.ceil)],
  ['round', constantOnly('round', 1, (v) => Math.sign(v) * Math.round(Math.abs(v)))],
  ['fix', constantOnly('fix', 1, Math.trunc)],
]);

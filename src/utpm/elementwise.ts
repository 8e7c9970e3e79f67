/**
 * Elementwise primitives. Each operation is one table entry holding, side by side:
 * - `value`: the function on one number (what a D = 1 evaluation computes);
 * - `series`: its Taylor rule on one element's coefficients, any degree (series.ts has the
 *   shared series arithmetic);
 * - `pullback`: the adjoint of its arguments, written with primitives so it can be
 *   differentiated again;
 * - `code`: the template of compiled code — the value, and the degree-1 coefficient along
 *   one direction, as JavaScript expressions — with `helpers`, the runtime functions the
 *   template calls, by the names it calls them.
 * The public functions (`t.exp`, …) and Tensor methods (`x.exp()`) are derived from these
 * tables (src/trace/ops.ts); `internal` entries only appear inside pullbacks.
 *
 * Kinks (README, "Kinks"): `abs` takes the derivative +1 at x = 0 (the right derivative);
 * `maximum(a, b)` and `minimum(a, b)` follow their FIRST argument on ties; comparisons, `sign`
 * and `where`'s condition carry no derivative. Every mode applies the same rule.
 */
import { TayoptError } from '../errors.js';
import type { Contribution, Ops, Primitive, Value } from './primitive.js';
import * as S from './series.js';
import { UTPM, broadcastIndex, broadcastShapes, fmtShape, sameShape } from './utpm.js';
import type { Workspace } from './workspace.js';

/** Template of compiled code for one elementwise operation. */
export interface ElementwiseCode {
  /** The value, from the operands' value expressions. */
  value(a: string[]): string;
  /**
   * The degree-1 coefficient (tangent) along one direction, from the operands' values `a`,
   * their tangents `t` (null: identically zero, a constant operand) and the result `y`;
   * null when it is identically zero.
   */
  tangent(a: string[], t: (string | null)[], y: string): string | null;
  /** Unary functions: f′ from the operand `a` and the result `y` (tangent = f′·t), computed once per element. */
  deriv?(a: string, y: string): string;
}

/** Runtime functions called by templates, by name. */
export type CodeHelpers = Readonly<Record<string, (...x: number[]) => number>>;

export interface UnaryOp {
  readonly value: (x: number) => number;
  readonly series: (x: Float64Array, y: Float64Array, D: number, ws: Workspace) => void;
  /** The adjoint of x given ȳ (ȳ·f′(x)), from the result y and the argument x. */
  readonly pullback: <V extends Value>(b: Ops<V>, ybar: V, y: V, x: V) => V;
  readonly code: ElementwiseCode;
  readonly helpers?: CodeHelpers;
  /** Only used inside pullbacks; not a public function. */
  readonly internal?: true;
}

export interface BinaryOp {
  readonly value: (a: number, b: number) => number;
  /** Only used inside pullbacks; not a public function. */
  readonly internal?: true;
  readonly helpers?: CodeHelpers;
  readonly series: (a: Float64Array, b: Float64Array, y: Float64Array, D: number, ws: Workspace) => void;
  /** The adjoints of a and b (each unbroadcast to its shape; null where `needs` is false). */
  readonly pullback: <V extends Value>(b: Ops<V>, ybar: V, y: V, x: V, z: V, needs: readonly boolean[]) => Contribution<V>[];
  readonly code: ElementwiseCode;
}

/** A function of one number with f′ given as an expression: its template is f′·t. */
function chain(value: (a: string) => string, deriv: (a: string, y: string) => string): ElementwiseCode {
  return {
    value: ([a]) => value(a!),
    tangent: ([a], [t], y) => (t === null ? null : `(${deriv(a!, y)}) * ${t}`),
    deriv,
  };
}

function sum(terms: (string | null)[]): string | null {
  const ts = terms.filter((x): x is string => x !== null);
  return ts.length === 0 ? null : ts.join(' + ');
}

/** Selects a, or b, per element: the template of maximum, minimum and where. */
const select = (cond: string, ta: string | null, tb: string | null): string | null =>
  ta === null && tb === null ? null : `(${cond} ? ${ta ?? 0} : ${tb ?? 0})`;

const SQRT_PI_2 = 2 / Math.sqrt(Math.PI);

// ---------------------------------------------------------------- unary

export const UNARY_OPS = {
  neg: {
    value: (x) => -x,
    series: (x, y, D) => {
      for (let d = 0; d < D; d++) y[d] = -x[d]!;
    },
    pullback: (b, g) => b.neg(g),
    code: { value: ([a]) => `(-${a})`, tangent: (_a, [t]) => (t === null ? null : `(-${t})`) },
  },
  square: {
    value: (x) => x * x,
    series: S.sSquare,
    pullback: (b, g, _y, x) => b.mul(g, b.scale(x, 2)),
    code: chain((a) => `(${a} * ${a})`, (a) => `2 * ${a}`),
  },
  sqrt: {
    value: Math.sqrt,
    series: S.sSqrt,
    pullback: (b, g, y) => b.div(g, b.scale(y, 2)),
    code: chain((a) => `Math.sqrt(${a})`, (_a, y) => `0.5 / ${y}`),
  },
  exp: { value: Math.exp, series: S.sExp, pullback: (b, g, y) => b.mul(g, y), code: chain((a) => `Math.exp(${a})`, (_a, y) => y) },
  log: {
    value: Math.log,
    series: S.sLog,
    pullback: (b, g, _y, x) => b.div(g, x),
    code: chain((a) => `Math.log(${a})`, (a) => `1 / ${a}`),
  },
  log1p: {
    value: Math.log1p,
    series: S.sLog1p,
    pullback: (b, g, _y, x) => b.div(g, b.add(x, b.scalar(1))),
    code: chain((a) => `Math.log1p(${a})`, (a) => `1 / (1 + ${a})`),
  },
  expm1: {
    value: Math.expm1,
    series: S.sExpm1,
    pullback: (b, g, y) => b.mul(g, b.add(y, b.scalar(1))),
    code: chain((a) => `Math.expm1(${a})`, (_a, y) => `${y} + 1`),
  },
  sin: {
    value: Math.sin,
    series: (x, y, D, ws) => S.sSinCos(x, y, null, D, ws),
    pullback: (b, g, _y, x) => b.mul(g, b.unary('cos', x)),
    code: chain((a) => `Math.sin(${a})`, (a) => `Math.cos(${a})`),
  },
  cos: {
    value: Math.cos,
    series: (x, y, D, ws) => S.sSinCos(x, null, y, D, ws),
    pullback: (b, g, _y, x) => b.neg(b.mul(g, b.unary('sin', x))),
    code: chain((a) => `Math.cos(${a})`, (a) => `-Math.sin(${a})`),
  },
  tan: {
    value: Math.tan,
    series: S.sTan,
    pullback: (b, g, y) => b.mul(g, b.add(b.scalar(1), b.square(y))),
    code: chain((a) => `Math.tan(${a})`, (_a, y) => `1 + ${y} * ${y}`),
  },
  sinh: {
    value: Math.sinh,
    series: (x, y, D, ws) => S.sSinhCosh(x, y, null, D, ws),
    pullback: (b, g, _y, x) => b.mul(g, b.unary('cosh', x)),
    code: chain((a) => `Math.sinh(${a})`, (a) => `Math.cosh(${a})`),
  },
  cosh: {
    value: Math.cosh,
    series: (x, y, D, ws) => S.sSinhCosh(x, null, y, D, ws),
    pullback: (b, g, _y, x) => b.mul(g, b.unary('sinh', x)),
    code: chain((a) => `Math.cosh(${a})`, (a) => `Math.sinh(${a})`),
  },
  // tanh′ = sech²: 1 − y² only where that does not cancel (|y| < 0.7), else from x
  tanh: {
    value: Math.tanh,
    series: S.sTanh,
    pullback: (b, g, y, x) => b.mul(g, b.b.apply('sech2', [x, y])),
    code: chain((a) => `Math.tanh(${a})`, (a, y) => `SECH2(${a}, ${y})`),
    helpers: { SECH2: S.sechSqFromTanh },
  },
  asin: {
    value: Math.asin,
    series: S.sAsin,
    pullback: (b, g, _y, x) => b.div(g, b.unary('sqrt', b.sub(b.scalar(1), b.square(x)))),
    code: chain((a) => `Math.asin(${a})`, (a) => `1 / Math.sqrt(1 - ${a} * ${a})`),
  },
  acos: {
    value: Math.acos,
    series: S.sAcos,
    pullback: (b, g, _y, x) => b.neg(b.div(g, b.unary('sqrt', b.sub(b.scalar(1), b.square(x))))),
    code: chain((a) => `Math.acos(${a})`, (a) => `-1 / Math.sqrt(1 - ${a} * ${a})`),
  },
  atan: {
    value: Math.atan,
    series: S.sAtan,
    pullback: (b, g, _y, x) => b.div(g, b.add(b.scalar(1), b.square(x))),
    code: chain((a) => `Math.atan(${a})`, (a) => `1 / (1 + ${a} * ${a})`),
  },
  abs: {
    value: Math.abs,
    series: (x, y, D) => {
      const s = x[0]! >= 0 ? 1 : -1;
      for (let d = 0; d < D; d++) y[d] = s * x[d]!;
    },
    pullback: (b, g, _y, x) => b.where(b.compare('ge', x, b.scalar(0)), g, b.neg(g)),
    code: chain((a) => `Math.abs(${a})`, (a) => `${a} >= 0 ? 1 : -1`),
  },
  // σ′ = σ(x)·σ(−x): y − y² only where that does not cancel (y ≤ 0.5), else from x
  sigmoid: {
    value: S.sigmoid0,
    series: S.sSigmoid,
    pullback: (b, g, y, x) => b.mul(g, b.b.apply('sigmoid_d', [x, y])),
    code: chain((a) => `SIG(${a})`, (a, y) => `SIGD(${a}, ${y})`),
    helpers: { SIG: S.sigmoid0, SIGD: S.sigmoidDerivFromValue },
  },
  softplus: {
    value: S.softplus0,
    series: S.sSoftplus,
    pullback: (b, g, _y, x) => b.mul(g, b.unary('sigmoid', x)),
    code: chain((a) => `SP(${a})`, (a) => `SIG(${a})`),
    helpers: { SP: S.softplus0, SIG: S.sigmoid0 },
  },
  erf: {
    value: S.erf0,
    series: S.sErf,
    pullback: (b, g, _y, x) => b.mul(g, b.scale(b.unary('exp', b.neg(b.square(x))), SQRT_PI_2)),
    code: chain((a) => `ERF(${a})`, (a) => `1.1283791670955126 * Math.exp(-(${a} * ${a}))`),
    helpers: { ERF: S.erf0 },
  },
} as const satisfies Record<string, UnaryOp>;

// ---------------------------------------------------------------- binary

/** a^b with a constant exponent (b has no higher coefficients): the x^r recurrence. */
function powSeries(constantExponent: boolean): BinaryOp['series'] {
  return constantExponent ? (a, b, y, D, ws) => S.sPowConst(a, b[0]!, y, D, ws) : S.sPow;
}

export const BINARY_OPS = {
  add: {
    value: (a, b) => a + b,
    series: (a, b, y, D) => {
      for (let d = 0; d < D; d++) y[d] = a[d]! + b[d]!;
    },
    pullback: (b, g, _y, x, z, n) => [n[0] ? b.unbroadcast(g, x.shape) : null, n[1] ? b.unbroadcast(g, z.shape) : null],
    code: { value: ([a, b]) => `(${a} + ${b})`, tangent: (_a, [ta, tb]) => sum([ta, tb]) },
  },
  sub: {
    value: (a, b) => a - b,
    series: (a, b, y, D) => {
      for (let d = 0; d < D; d++) y[d] = a[d]! - b[d]!;
    },
    pullback: (b, g, _y, x, z, n) => [n[0] ? b.unbroadcast(g, x.shape) : null, n[1] ? b.unbroadcast(b.neg(g), z.shape) : null],
    code: {
      value: ([a, b]) => `(${a} - ${b})`,
      tangent: (_a, [ta, tb]) => (tb === null ? ta : ta === null ? `(-${tb})` : `${ta} - ${tb}`),
    },
  },
  mul: {
    value: (a, b) => a * b,
    series: S.sMul,
    pullback: (b, g, _y, x, z, n) => [
      n[0] ? b.unbroadcast(b.mul(g, z), x.shape) : null,
      n[1] ? b.unbroadcast(b.mul(g, x), z.shape) : null,
    ],
    code: {
      value: ([a, b]) => `(${a} * ${b})`,
      tangent: ([a, b], [ta, tb]) => sum([ta === null ? null : `${ta} * ${b}`, tb === null ? null : `${a} * ${tb}`]),
    },
  },
  div: {
    value: (a, b) => a / b,
    series: S.sDiv,
    pullback: (b, g, y, x, z, n) => [
      n[0] ? b.unbroadcast(b.div(g, z), x.shape) : null,
      n[1] ? b.unbroadcast(b.neg(b.div(b.mul(g, y), z)), z.shape) : null,
    ],
    code: {
      value: ([a, b]) => `(${a} / ${b})`,
      tangent: ([, b], [ta, tb], y) => {
        if (ta === null && tb === null) return null;
        if (tb === null) return `${ta} / ${b}`;
        return `(${ta ?? 0} - ${y} * ${tb}) / ${b}`;
      },
    },
  },
  /**
   * a^b. A constant exponent works for any base where the power is real (integer exponents
   * exactly, also at 0); a traced exponent is exp(b·log a) and needs a > 0.
   */
  pow: {
    value: Math.pow,
    series: powSeries(false), // the primitive picks powSeries(true) for a constant exponent
    // ∂/∂x = z·x^(z−1). For an exponent that is constant (no derivative sought) the power of
    // x moves from −1 to 0 where z = 0: the derivative of x⁰ is 0 also at x = 0, where
    // x^(z−1) is infinite. A traced exponent keeps z·x^(z−1), whose own z-derivative this
    // would break (and it needs x > 0 anyway).
    pullback: (b, g, y, x, z, n) => [
      n[0]
        ? b.unbroadcast(b.mul(g, b.mul(z, b.pow(x, n[1] ? b.sub(z, b.scalar(1)) : b.add(b.sub(z, b.scalar(1)), b.compare('eq', z, b.scalar(0)))))), x.shape)
        : null,
      n[1] ? b.unbroadcast(b.mul(g, b.mul(y, b.unary('log', x))), z.shape) : null,
    ],
    code: {
      value: ([a, b]) => `Math.pow(${a}, ${b})`,
      tangent: ([a, b], [ta, tb], y) =>
        sum([
          // the derivative of x⁰ is 0 also at x = 0 (where x^−1 is infinite)
          ta === null ? null : `(${b} === 0 ? 0 : ${b} * Math.pow(${a}, ${b} - 1)) * ${ta}`,
          tb === null ? null : `${y} * Math.log(${a}) * ${tb}`,
        ]),
    },
  },
  /** atan2(a, b): the angle of the point (b, a). */
  atan2: {
    value: Math.atan2,
    series: S.sAtan2,
    pullback: (b, g, _y, x, z, n) => {
      const w = b.add(b.square(x), b.square(z));
      return [
        n[0] ? b.unbroadcast(b.div(b.mul(g, z), w), x.shape) : null,
        n[1] ? b.unbroadcast(b.neg(b.div(b.mul(g, x), w)), z.shape) : null,
      ];
    },
    code: {
      value: ([a, b]) => `Math.atan2(${a}, ${b})`,
      tangent: ([a, b], [ta, tb]) => {
        const num = sum([ta === null ? null : `${b} * ${ta}`, tb === null ? null : `-${a} * ${tb}`]);
        return num === null ? null : `(${num}) / (${a} * ${a} + ${b} * ${b})`;
      },
    },
  },
  /** The larger argument; on ties the first, whose whole series is taken. */
  maximum: {
    value: (a, b) => (a >= b ? a : b),
    series: (a, b, y, D) => {
      const src = a[0]! >= b[0]! ? a : b;
      for (let d = 0; d < D; d++) y[d] = src[d]!;
    },
    pullback: (b, g, _y, x, z, n) => {
      const m = b.compare('ge', x, z);
      const zero = b.scalar(0);
      return [n[0] ? b.unbroadcast(b.where(m, g, zero), x.shape) : null, n[1] ? b.unbroadcast(b.where(m, zero, g), z.shape) : null];
    },
    code: { value: ([a, b]) => `(${a} >= ${b} ? ${a} : ${b})`, tangent: ([a, b], [ta, tb]) => select(`${a} >= ${b}`, ta, tb) },
  },
  minimum: {
    value: (a, b) => (a <= b ? a : b),
    series: (a, b, y, D) => {
      const src = a[0]! <= b[0]! ? a : b;
      for (let d = 0; d < D; d++) y[d] = src[d]!;
    },
    pullback: (b, g, _y, x, z, n) => {
      const m = b.compare('le', x, z);
      const zero = b.scalar(0);
      return [n[0] ? b.unbroadcast(b.where(m, g, zero), x.shape) : null, n[1] ? b.unbroadcast(b.where(m, zero, g), z.shape) : null];
    },
    code: { value: ([a, b]) => `(${a} <= ${b} ? ${a} : ${b})`, tangent: ([a, b], [ta, tb]) => select(`${a} <= ${b}`, ta, tb) },
  },
  /**
   * sech²(x) = tanh′(x) given the hint t = tanh(x) (tanh's pullback; no derivative through
   * the hint): cheap where 1 − t² does not cancel. sech²′ = −2·tanh·sech².
   */
  sech2: {
    value: S.sechSqFromTanh,
    series: (x, t, y, D, ws) => S.sSechSq(x, t[0]!, y, D, ws),
    pullback: (b, g, y, _x, t, n) => [n[0] ? b.mul(g, b.mul(b.scale(t, -2), y)) : null, null],
    code: {
      value: ([x, t]) => `SECH2(${x}, ${t})`,
      tangent: ([, t], [tx], y) => (tx === null ? null : `(-2 * ${t} * ${y}) * ${tx}`),
    },
    helpers: { SECH2: S.sechSqFromTanh },
    internal: true,
  },
  /** σ′(x) given the hint s = σ(x) (sigmoid's pullback; no derivative through the hint). σ″ = σ′·(1 − 2σ). */
  sigmoid_d: {
    value: S.sigmoidDerivFromValue,
    series: (x, s, y, D, ws) => S.sSigmoidDeriv(x, s[0]!, y, D, ws),
    pullback: (b, g, y, _x, s, n) => [n[0] ? b.mul(g, b.mul(y, b.sub(b.scalar(1), b.scale(s, 2)))) : null, null],
    code: {
      value: ([x, s]) => `SIGD(${x}, ${s})`,
      tangent: ([, s], [tx], y) => (tx === null ? null : `(${y} * (1 - 2 * ${s})) * ${tx}`),
    },
    helpers: { SIGD: S.sigmoidDerivFromValue },
    internal: true,
  },
} as const satisfies Record<string, BinaryOp>;

// ---------------------------------------------------------------- comparisons, sign (no derivative)

/** Comparisons: 1 where the relation holds, else 0; the JavaScript operator is the template. */
export const COMPARISON_OPS = {
  gt: { value: (a: number, b: number) => a > b, js: '>' },
  ge: { value: (a: number, b: number) => a >= b, js: '>=' },
  lt: { value: (a: number, b: number) => a < b, js: '<' },
  le: { value: (a: number, b: number) => a <= b, js: '<=' },
  eq: { value: (a: number, b: number) => a === b, js: '===' },
  ne: { value: (a: number, b: number) => a !== b, js: '!==' },
} as const;

/** Unary functions without a derivative. */
export const NONDIFF_UNARY_OPS = {
  sign: { value: Math.sign, code: (a: string) => `Math.sign(${a})` },
} as const;

/** Public unary names: `t.name(x)` and `x.name()`. */
export type UnaryName =
  | { [K in keyof typeof UNARY_OPS]: (typeof UNARY_OPS)[K] extends { internal: true } ? never : K }[keyof typeof UNARY_OPS]
  | keyof typeof NONDIFF_UNARY_OPS;
/** Public binary names: `t.name(a, b)` and `a.name(b)`. */
export type BinaryName =
  | { [K in keyof typeof BINARY_OPS]: (typeof BINARY_OPS)[K] extends { internal: true } ? never : K }[keyof typeof BINARY_OPS]
  | keyof typeof COMPARISON_OPS;

/** Names of the public unary and binary operations, for installing them. */
export const UNARY_NAMES = [
  ...Object.keys(UNARY_OPS).filter((k) => !(UNARY_OPS as Record<string, UnaryOp>)[k]!.internal),
  ...Object.keys(NONDIFF_UNARY_OPS),
] as UnaryName[];
export const BINARY_NAMES = [
  ...Object.keys(BINARY_OPS).filter((k) => !(BINARY_OPS as Record<string, BinaryOp>)[k]!.internal),
  ...Object.keys(COMPARISON_OPS),
] as BinaryName[];

// ---------------------------------------------------------------- primitives from the tables

/** Copies the D coefficients of element i in direction p into buf (zeros past u.D). */
function gather(u: UTPM, i: number, p: number, D: number, buf: Float64Array): void {
  const data = u.data;
  buf[0] = data[i]!;
  for (let d = 1; d < D; d++) buf[d] = d < u.D ? data[u.off(d, p) + i]! : 0;
}

function scatter(out: UTPM, i: number, p: number, buf: Float64Array): void {
  const data = out.data;
  if (p === 0) data[i] = buf[0]!;
  for (let d = 1; d < out.D; d++) data[out.off(d, p) + i] = buf[d]!;
}

function unaryPrimitive(name: string, op: UnaryOp): Primitive {
  return {
    name,
    arity: 1,
    shape: (s) => [...s[0]!],
    forward(out, ins, _params, ws) {
      const x = ins[0]!;
      const N = out.size;
      const D = out.D;
      if (D === 1) {
        const od = out.data;
        const xd = x.data;
        const f = op.value;
        for (let i = 0; i < N; i++) od[i] = f(xd[i]!);
        return;
      }
      ws.reserve(D);
      const xs = ws.a;
      const ys = ws.y;
      for (let p = 0; p < out.P; p++) {
        for (let i = 0; i < N; i++) {
          gather(x, i, p, D, xs);
          op.series(xs, ys, D, ws);
          scatter(out, i, p, ys);
        }
      }
    },
    pullback(b, ybar, y, xs) {
      return [op.pullback(b, ybar, y, xs[0]!)];
    },
  };
}

function broadcastShape(name: string, a: readonly number[], b: readonly number[]): number[] {
  const s = broadcastShapes(a, b);
  if (!s) throw new TayoptError(`${name}: shapes ${fmtShape(a)} and ${fmtShape(b)} do not broadcast`);
  return s;
}

/** For each output element, the flat index of each input's element broadcast onto it (null: the same). */
function indexMaps(out: UTPM, a: UTPM, b: UTPM): [Int32Array | null, Int32Array | null] {
  return [
    sameShape(a.shape, out.shape) ? null : broadcastIndex(a.shape, out.shape),
    sameShape(b.shape, out.shape) ? null : broadcastIndex(b.shape, out.shape),
  ];
}

/** The Taylor rule of a broadcasting binary operation with the series rule `series`. */
function binaryForward(out: UTPM, a: UTPM, c: UTPM, value: BinaryOp['value'], series: BinaryOp['series'], ws: Workspace): void {
  const [ia, ib] = indexMaps(out, a, c);
  const N = out.size;
  const D = out.D;
  if (D === 1) {
    const od = out.data;
    const ad = a.data;
    const cd = c.data;
    for (let i = 0; i < N; i++) od[i] = value(ad[ia ? ia[i]! : i]!, cd[ib ? ib[i]! : i]!);
    return;
  }
  ws.reserve(D);
  for (let p = 0; p < out.P; p++) {
    for (let i = 0; i < N; i++) {
      gather(a, ia ? ia[i]! : i, p, D, ws.a);
      gather(c, ib ? ib[i]! : i, p, D, ws.b);
      series(ws.a, ws.b, ws.y, D, ws);
      scatter(out, i, p, ws.y);
    }
  }
}

function binaryPrimitive(name: string, op: BinaryOp): Primitive {
  return {
    name,
    arity: 2,
    shape: (s) => broadcastShape(name, s[0]!, s[1]!),
    forward(out, ins, _params, ws) {
      const series = name === 'pow' ? powSeries(ins[1]!.D === 1) : op.series;
      binaryForward(out, ins[0]!, ins[1]!, op.value, series, ws);
    },
    pullback(b, ybar, y, xs, _params, needs) {
      return op.pullback(b, ybar, y, xs[0]!, xs[1]!, needs);
    },
  };
}

function comparisonPrimitive(name: string, f: (a: number, b: number) => boolean): Primitive {
  return {
    name,
    arity: 2,
    nondiff: true,
    shape: (s) => broadcastShape(name, s[0]!, s[1]!),
    forward(out, ins) {
      const [a, c] = ins as [UTPM, UTPM];
      const [ia, ib] = indexMaps(out, a, c);
      const od = out.data;
      for (let i = 0; i < out.size; i++) od[i] = f(a.data[ia ? ia[i]! : i]!, c.data[ib ? ib[i]! : i]!) ? 1 : 0;
    },
  };
}

function nondiffUnaryPrimitive(name: string, f: (x: number) => number): Primitive {
  return {
    name,
    arity: 1,
    nondiff: true,
    shape: (s) => [...s[0]!],
    forward(out, ins) {
      const xd = ins[0]!.data;
      for (let i = 0; i < out.size; i++) out.data[i] = f(xd[i]!);
    },
  };
}

/** where(c, a, b): a where c ≠ 0, else b; c carries no derivative. Broadcasts all three. */
const wherePrimitive: Primitive = {
  name: 'where',
  arity: 3,
  shape(s) {
    const ab = broadcastShapes(s[1]!, s[2]!);
    const all = ab && broadcastShapes(s[0]!, ab);
    if (!all) {
      throw new TayoptError(`where: shapes ${fmtShape(s[0]!)}, ${fmtShape(s[1]!)} and ${fmtShape(s[2]!)} do not broadcast`);
    }
    return all;
  },
  forward(out, ins) {
    const [c, a, b] = ins as [UTPM, UTPM, UTPM];
    const ic = sameShape(c.shape, out.shape) ? null : broadcastIndex(c.shape, out.shape);
    const [ia, ib] = indexMaps(out, a, b);
    const N = out.size;
    for (let i = 0; i < N; i++) {
      const takeA = c.data[ic ? ic[i]! : i]! !== 0;
      const src = takeA ? a : b;
      const j = takeA ? (ia ? ia[i]! : i) : ib ? ib[i]! : i;
      out.data[i] = src.data[j]!;
      for (let d = 1; d < out.D; d++) {
        for (let p = 0; p < out.P; p++) {
          out.data[out.off(d, p) + i] = d < src.D ? src.data[src.off(d, p) + j]! : 0;
        }
      }
    }
  },
  pullback(b, g, _y, xs, _p, n) {
    const c = xs[0]!;
    const zero = b.scalar(0);
    return [null, n[1] ? b.unbroadcast(b.where(c, g, zero), xs[1]!.shape) : null, n[2] ? b.unbroadcast(b.where(c, zero, g), xs[2]!.shape) : null];
  },
};

const WHERE_CODE: ElementwiseCode = {
  value: ([c, a, b]) => `(${c} !== 0 ? ${a} : ${b})`,
  tangent: ([c], [, ta, tb]) => select(`${c} !== 0`, ta ?? null, tb ?? null),
};

const CODE = new Map<string, ElementwiseCode>([
  ...Object.entries(UNARY_OPS as Record<string, UnaryOp>).map(([k, v]) => [k, v.code] as const),
  ...Object.entries(BINARY_OPS as Record<string, BinaryOp>).map(([k, v]) => [k, v.code] as const),
  ...Object.entries(COMPARISON_OPS).map(([k, v]) => [k, { value: ([a, b]: string[]) => `(${a} ${v.js} ${b} ? 1 : 0)`, tangent: () => null }] as const),
  ...Object.entries(NONDIFF_UNARY_OPS).map(([k, v]) => [k, { value: ([a]: string[]) => v.code(a!), tangent: () => null }] as const),
  ['where', WHERE_CODE],
]);

/** The compiled-code template of elementwise primitive `op`, or undefined for any other primitive. */
export function elementwiseCode(op: string): ElementwiseCode | undefined {
  return CODE.get(op);
}

/** Every runtime function the templates call, by the name they call it. */
export const CODE_HELPERS: CodeHelpers = Object.assign(
  {},
  ...[...Object.values(UNARY_OPS as Record<string, UnaryOp>), ...Object.values(BINARY_OPS as Record<string, BinaryOp>)].map((v) => v.helpers ?? {}),
);

/** All elementwise primitives. */
export const ELEMENTWISE: Primitive[] = [
  ...Object.entries(UNARY_OPS as Record<string, UnaryOp>).map(([k, v]) => unaryPrimitive(k, v)),
  ...Object.entries(BINARY_OPS as Record<string, BinaryOp>).map(([k, v]) => binaryPrimitive(k, v)),
  ...Object.entries(COMPARISON_OPS).map(([k, v]) => comparisonPrimitive(k, v.value)),
  ...Object.entries(NONDIFF_UNARY_OPS).map(([k, v]) => nondiffUnaryPrimitive(k, v.value)),
  wherePrimitive,
];

/**
 * Elementwise primitives: unary functions, binary arithmetic with NumPy broadcasting,
 * comparisons, and `where`. Each entry carries its scalar function (degree 0), its Taylor
 * series rule (any degree) and its pullback.
 *
 * Kinks (documented behaviour): `abs` uses the derivative +1 at x = 0 (the right
 * derivative: abs behaves as the identity there); `maximum(a, b)` and `minimum(a, b)` follow
 * their FIRST argument on ties. Forward and reverse mode apply the same rule.
 */
import { TayoptError } from '../errors.js';
import type { Contribution, Ops, Primitive, Value } from './primitive.js';
import * as S from './series.js';
import { UTPM, broadcastIndex, broadcastShapes, fmtShape, sameShape } from './utpm.js';

let ga = new Float64Array(16);
let gb = new Float64Array(16);
let gy = new Float64Array(16);
function ensure(D: number): void {
  if (ga.length < D) {
    ga = new Float64Array(D);
    gb = new Float64Array(D);
    gy = new Float64Array(D);
  }
}

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

// ---------------------------------------------------------------- unary

type Series1 = (x: Float64Array, y: Float64Array, D: number) => void;
type Grad1 = <V extends Value>(b: Ops<V>, ybar: V, y: V, x: V) => V;

interface UnaryDef {
  f0: (x: number) => number;
  series: Series1;
  /** The adjoint of x given ybar (ybar·f'(x), written with primitives). */
  pb: Grad1;
}

function unary(name: string, def: UnaryDef): Primitive {
  return {
    name,
    arity: 1,
    shape: (s) => [...s[0]!],
    forward(out, ins) {
      const x = ins[0]!;
      const N = out.size;
      const D = out.D;
      const od = out.data;
      const xd = x.data;
      if (D === 1) {
        const f = def.f0;
        for (let i = 0; i < N; i++) od[i] = f(xd[i]!);
        return;
      }
      ensure(D);
      const xs = ga;
      const ys = gy;
      for (let p = 0; p < out.P; p++) {
        for (let i = 0; i < N; i++) {
          gather(x, i, p, D, xs);
          def.series(xs, ys, D);
          scatter(out, i, p, ys);
        }
      }
    },
    pullback(b, ybar, y, xs) {
      return [def.pb(b, ybar, y, xs[0]!)];
    },
  };
}

const SQRT_PI_2 = 2 / Math.sqrt(Math.PI);

const sinS: Series1 = (x, y, D) => S.sSinCos(x, y, null, D);
const cosS: Series1 = (x, y, D) => S.sSinCos(x, null, y, D);
const sinhS: Series1 = (x, y, D) => S.sSinhCosh(x, y, null, D);
const coshS: Series1 = (x, y, D) => S.sSinhCosh(x, null, y, D);

const UNARY: Record<string, UnaryDef> = {
  neg: {
    f0: (x) => -x,
    series: (x, y, D) => {
      for (let d = 0; d < D; d++) y[d] = -x[d]!;
    },
    pb: (b, g) => b.neg(g),
  },
  square: { f0: (x) => x * x, series: S.sSquare, pb: (b, g, _y, x) => b.mul(g, b.scale(x, 2)) },
  sqrt: { f0: Math.sqrt, series: S.sSqrt, pb: (b, g, y) => b.div(g, b.scale(y, 2)) },
  exp: { f0: Math.exp, series: S.sExp, pb: (b, g, y) => b.mul(g, y) },
  log: { f0: Math.log, series: S.sLog, pb: (b, g, _y, x) => b.div(g, x) },
  log1p: { f0: Math.log1p, series: S.sLog1p, pb: (b, g, _y, x) => b.div(g, b.add(x, b.scalar(1))) },
  expm1: { f0: Math.expm1, series: S.sExpm1, pb: (b, g, y) => b.mul(g, b.add(y, b.scalar(1))) },
  sin: { f0: Math.sin, series: sinS, pb: (b, g, _y, x) => b.mul(g, b.unary('cos', x)) },
  cos: { f0: Math.cos, series: cosS, pb: (b, g, _y, x) => b.neg(b.mul(g, b.unary('sin', x))) },
  tan: {
    f0: Math.tan,
    series: S.sTan,
    pb: (b, g, y) => b.mul(g, b.add(b.scalar(1), b.square(y))),
  },
  sinh: { f0: Math.sinh, series: sinhS, pb: (b, g, _y, x) => b.mul(g, b.unary('cosh', x)) },
  cosh: { f0: Math.cosh, series: coshS, pb: (b, g, _y, x) => b.mul(g, b.unary('sinh', x)) },
  // tanh′ = sech², not 1 − y²: that cancels for large |x| (relative error ~ε·cosh²x)
  tanh: { f0: Math.tanh, series: S.sTanh, pb: (b, g, _y, x) => b.mul(g, b.unary('sech2', x)) },
  /** sech²(x) = tanh′(x): an internal primitive, tanh's pullback; sech²′ = −2·tanh·sech². */
  sech2: {
    f0: S.sechSq0,
    series: S.sSechSq,
    pb: (b, g, y, x) => b.mul(g, b.mul(b.scale(b.unary('tanh', x), -2), y)),
  },
  asin: {
    f0: Math.asin,
    series: S.sAsin,
    pb: (b, g, _y, x) => b.div(g, b.unary('sqrt', b.sub(b.scalar(1), b.square(x)))),
  },
  acos: {
    f0: Math.acos,
    series: S.sAcos,
    pb: (b, g, _y, x) => b.neg(b.div(g, b.unary('sqrt', b.sub(b.scalar(1), b.square(x))))),
  },
  atan: {
    f0: Math.atan,
    series: S.sAtan,
    pb: (b, g, _y, x) => b.div(g, b.add(b.scalar(1), b.square(x))),
  },
  abs: {
    f0: Math.abs,
    series: (x, y, D) => {
      const s = x[0]! >= 0 ? 1 : -1;
      for (let d = 0; d < D; d++) y[d] = s * x[d]!;
    },
    pb: (b, g, _y, x) => b.where(b.compare('ge', x, b.scalar(0)), g, b.neg(g)),
  },
  // σ′ = σ(x)·σ(−x), not y − y²: that cancels for large x
  sigmoid: {
    f0: S.sigmoid0,
    series: S.sSigmoid,
    pb: (b, g, y, x) => b.mul(g, b.mul(y, b.unary('sigmoid', b.neg(x)))),
  },
  softplus: { f0: S.softplus0, series: S.sSoftplus, pb: (b, g, _y, x) => b.mul(g, b.unary('sigmoid', x)) },
  erf: {
    f0: S.erf0,
    series: S.sErf,
    pb: (b, g, _y, x) => b.mul(g, b.scale(b.unary('exp', b.neg(b.square(x))), SQRT_PI_2)),
  },
};

// ---------------------------------------------------------------- binary

type Series2 = (a: Float64Array, b: Float64Array, y: Float64Array, D: number) => void;

function broadcastShape(name: string, a: readonly number[], b: readonly number[]): number[] {
  const s = broadcastShapes(a, b);
  if (!s) throw new TayoptError(`${name}: shapes ${fmtShape(a)} and ${fmtShape(b)} do not broadcast`);
  return s;
}

/** Runs `body(i, ia, ib)` over output elements with the broadcast input indices. */
function indexMaps(out: UTPM, a: UTPM, b: UTPM): [Int32Array | null, Int32Array | null] {
  return [
    sameShape(a.shape, out.shape) ? null : broadcastIndex(a.shape, out.shape),
    sameShape(b.shape, out.shape) ? null : broadcastIndex(b.shape, out.shape),
  ];
}

function binary(
  name: string,
  f0: (a: number, b: number) => number,
  series: Series2,
  pb: <V extends Value>(b: Ops<V>, g: V, y: V, x: V, z: V, needs: readonly boolean[]) => Contribution<V>[],
): Primitive {
  return {
    name,
    arity: 2,
    shape: (s) => broadcastShape(name, s[0]!, s[1]!),
    forward(out, ins) {
      const a = ins[0]!;
      const c = ins[1]!;
      const [ia, ib] = indexMaps(out, a, c);
      const N = out.size;
      const D = out.D;
      if (D === 1) {
        const od = out.data;
        const ad = a.data;
        const cd = c.data;
        for (let i = 0; i < N; i++) od[i] = f0(ad[ia ? ia[i]! : i]!, cd[ib ? ib[i]! : i]!);
        return;
      }
      ensure(D);
      for (let p = 0; p < out.P; p++) {
        for (let i = 0; i < N; i++) {
          gather(a, ia ? ia[i]! : i, p, D, ga);
          gather(c, ib ? ib[i]! : i, p, D, gb);
          series(ga, gb, gy, D);
          scatter(out, i, p, gy);
        }
      }
    },
    pullback(b, ybar, y, xs, _params, needs) {
      return pb(b, ybar, y, xs[0]!, xs[1]!, needs);
    },
  };
}

const addS: Series2 = (a, b, y, D) => {
  for (let d = 0; d < D; d++) y[d] = a[d]! + b[d]!;
};
const subS: Series2 = (a, b, y, D) => {
  for (let d = 0; d < D; d++) y[d] = a[d]! - b[d]!;
};
/** Select a whole series: the first argument when a_0 ≥ b_0 (max) — ties follow a. */
const maxS: Series2 = (a, b, y, D) => {
  const src = a[0]! >= b[0]! ? a : b;
  for (let d = 0; d < D; d++) y[d] = src[d]!;
};
const minS: Series2 = (a, b, y, D) => {
  const src = a[0]! <= b[0]! ? a : b;
  for (let d = 0; d < D; d++) y[d] = src[d]!;
};

/** a^b: constant exponent (b has no higher coefficients) uses the x^r recurrence. */
let powConstExponent = false;
const powS: Series2 = (a, b, y, D) => {
  if (powConstExponent) S.sPowConst(a, b[0]!, y, D);
  else S.sPow(a, b, y, D);
};

const BINARY: Primitive[] = [
  binary('add', (a, b) => a + b, addS, (b, g, _y, x, z, n) => [
    n[0] ? b.unbroadcast(g, x.shape) : null,
    n[1] ? b.unbroadcast(g, z.shape) : null,
  ]),
  binary('sub', (a, b) => a - b, subS, (b, g, _y, x, z, n) => [
    n[0] ? b.unbroadcast(g, x.shape) : null,
    n[1] ? b.unbroadcast(b.neg(g), z.shape) : null,
  ]),
  binary('mul', (a, b) => a * b, S.sMul, (b, g, _y, x, z, n) => [
    n[0] ? b.unbroadcast(b.mul(g, z), x.shape) : null,
    n[1] ? b.unbroadcast(b.mul(g, x), z.shape) : null,
  ]),
  binary('div', (a, b) => a / b, S.sDiv, (b, g, y, x, z, n) => [
    n[0] ? b.unbroadcast(b.div(g, z), x.shape) : null,
    n[1] ? b.unbroadcast(b.neg(b.div(b.mul(g, y), z)), z.shape) : null,
  ]),
  binary('atan2', Math.atan2, S.sAtan2, (b, g, _y, x, z, n) => {
    const w = b.add(b.square(x), b.square(z));
    return [
      n[0] ? b.unbroadcast(b.div(b.mul(g, z), w), x.shape) : null,
      n[1] ? b.unbroadcast(b.neg(b.div(b.mul(g, x), w)), z.shape) : null,
    ];
  }),
  binary('maximum', (a, b) => (a >= b ? a : b), maxS, (b, g, _y, x, z, n) => {
    const m = b.compare('ge', x, z);
    const zero = b.scalar(0);
    return [
      n[0] ? b.unbroadcast(b.where(m, g, zero), x.shape) : null,
      n[1] ? b.unbroadcast(b.where(m, zero, g), z.shape) : null,
    ];
  }),
  binary('minimum', (a, b) => (a <= b ? a : b), minS, (b, g, _y, x, z, n) => {
    const m = b.compare('le', x, z);
    const zero = b.scalar(0);
    return [
      n[0] ? b.unbroadcast(b.where(m, g, zero), x.shape) : null,
      n[1] ? b.unbroadcast(b.where(m, zero, g), z.shape) : null,
    ];
  }),
];

/**
 * pow(a, b) = a^b elementwise. With a constant exponent any real a works where a^b is real
 * (integer exponents are exact at a = 0); with a variable exponent it is exp(b·log a) and
 * needs a > 0.
 */
const powPrim: Primitive = (() => {
  // ∂/∂x = z·x^(z−1). For an exponent that is constant (no derivative sought) the power of x
  // moves from −1 to 0 where z = 0: the derivative of x⁰ is 0 also at x = 0, where x^(z−1)
  // is infinite. A traced exponent keeps z·x^(z−1), whose own z-derivative this would break
  // (and it needs x > 0 anyway).
  const base = binary('pow', Math.pow, powS, (b, g, y, x, z, n) => [
    n[0]
      ? b.unbroadcast(b.mul(g, b.mul(z, b.pow(x, n[1] ? b.sub(z, b.scalar(1)) : b.add(b.sub(z, b.scalar(1)), b.compare('eq', z, b.scalar(0)))))), x.shape)
      : null,
    n[1] ? b.unbroadcast(b.mul(g, b.mul(y, b.unary('log', x))), z.shape) : null,
  ]);
  return {
    ...base,
    forward(out, ins) {
      powConstExponent = ins[1]!.D === 1;
      base.forward(out, ins, undefined);
    },
  };
})();

// ---------------------------------------------------------------- comparisons, sign, where

function comparison(name: string, f: (a: number, b: number) => boolean): Primitive {
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

const COMPARISONS: Primitive[] = [
  comparison('gt', (a, b) => a > b),
  comparison('ge', (a, b) => a >= b),
  comparison('lt', (a, b) => a < b),
  comparison('le', (a, b) => a <= b),
  comparison('eq', (a, b) => a === b),
  comparison('ne', (a, b) => a !== b),
];

const signPrim: Primitive = {
  name: 'sign',
  arity: 1,
  nondiff: true,
  shape: (s) => [...s[0]!],
  forward(out, ins) {
    const xd = ins[0]!.data;
    for (let i = 0; i < out.size; i++) out.data[i] = Math.sign(xd[i]!);
  },
};

/** where(c, a, b): a where c ≠ 0, else b; c carries no derivative. Broadcasts all three. */
const wherePrim: Primitive = {
  name: 'where',
  arity: 3,
  shape(s) {
    const ab = broadcastShapes(s[1]!, s[2]!);
    const all = ab && broadcastShapes(s[0]!, ab);
    if (!all) {
      throw new TayoptError(
        `where: shapes ${fmtShape(s[0]!)}, ${fmtShape(s[1]!)} and ${fmtShape(s[2]!)} do not broadcast`,
      );
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
    return [
      null,
      n[1] ? b.unbroadcast(b.where(c, g, zero), xs[1]!.shape) : null,
      n[2] ? b.unbroadcast(b.where(c, zero, g), xs[2]!.shape) : null,
    ];
  },
};

/** All elementwise primitives. */
export const ELEMENTWISE: Primitive[] = [
  ...Object.entries(UNARY).map(([k, v]) => unary(k, v)),
  ...BINARY,
  powPrim,
  ...COMPARISONS,
  signPrim,
  wherePrim,
];

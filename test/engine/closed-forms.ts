/**
 * One closed-form test entry per (non-linear-algebra) differentiable primitive: how to make
 * random inputs in its domain at degree D with P directions, and the largest error of its
 * Taylor coefficients against a truth computed without the engine — closed-form derivatives
 * composed by Faà di Bruno's formula (unary functions), plain polynomial arithmetic written
 * here (products, quotients, powers, atan2), plain-JS reference maps applied block by block
 * (shape operations, sums, slicing, the matrix product). primitives.test.ts runs them; the
 * coverage test requires one for every differentiable primitive and reuses their inputs for
 * compiled-vs-interpreter checks. (Linear algebra: test/linalg/cases.ts.)
 */
import { primitive } from '../../src/utpm/table.js';
import { UTPM, sizeOf, stridesOf } from '../../src/utpm/utpm.js';
import { Workspace } from '../../src/utpm/workspace.js';
import { relErr, uniform } from '../helpers.js';

export function randomUTPM(shape: number[], D: number, P: number, r: () => number, lo = -1, hi = 1): UTPM {
  const u = new UTPM(shape, D, P);
  u.data.set(uniform(r, u.size, lo, hi));
  u.data.set(uniform(r, u.data.length - u.size, -1, 1), u.size);
  return u;
}

/** The primitive's Taylor rule on `ins` at (D, P) (D = 1 for a constant result). */
export function fwd(op: string, ins: UTPM[], params: unknown, D: number, P: number): UTPM {
  const prim = primitive(op);
  const shape = prim.shape(
    ins.map((u) => u.shape),
    params,
  );
  const constant = prim.nondiff || ins.every((u) => u.D === 1);
  const out = new UTPM(shape, constant ? 1 : D, P);
  prim.forward(out, ins, params, new Workspace());
  return out;
}

/** Coefficients 0..D-1 of element i in direction p. */
export function series(u: UTPM, i: number, p: number, D: number): number[] {
  const c = [u.data[i]!];
  for (let d = 1; d < D; d++) c.push(d < u.D ? u.data[u.off(d, p) + i]! : 0);
  return c;
}

/** y = f(x(s)) to degree 3 by Faà di Bruno, from f and its first three derivatives at x0. */
export function faa(fd: [number, number, number, number], x: number[], D: number): number[] {
  const [f0, f1, f2, f3] = fd;
  const [, x1 = 0, x2 = 0, x3 = 0] = x;
  return [f0, f1 * x1, f1 * x2 + 0.5 * f2 * x1 * x1, f1 * x3 + f2 * x1 * x2 + (f3 / 6) * x1 ** 3].slice(0, D);
}

/** Plain polynomial product truncated to D terms. */
export function conv(a: number[], b: number[], D: number): number[] {
  const c = new Array<number>(D).fill(0);
  for (let d = 0; d < D; d++) for (let k = 0; k <= d; k++) c[d] += (a[k] ?? 0) * (b[d - k] ?? 0);
  return c;
}

/** Plain polynomial quotient a/b truncated to D terms (b₀ ≠ 0). */
function quotient(a: number[], b: number[], D: number): number[] {
  const q: number[] = [];
  for (let d = 0; d < D; d++) {
    let s = a[d] ?? 0;
    for (let k = 0; k < d; k++) s -= q[k]! * (b[d - k] ?? 0);
    q.push(s / b[0]!);
  }
  return q;
}

/** The series of ∫u′·w ds with constant term c: (y′ = w·u′). */
function integrate(c: number, u: number[], w: number[], D: number): number[] {
  const du = u.slice(1).map((v, k) => (k + 1) * v);
  const g = conv(du, w, D);
  return [c, ...g.slice(0, D - 1).map((v, k) => v / (k + 1))];
}

/** exp(u) as a series: y′ = y·u′, solved degree by degree. */
function expSeries(u: number[], D: number): number[] {
  const y = [Math.exp(u[0]!)];
  for (let d = 1; d < D; d++) {
    let s = 0;
    for (let k = 1; k <= d; k++) s += k * u[k]! * y[d - k]!;
    y.push(s / d);
  }
  return y;
}

type Derivs = (x: number) => [number, number, number, number];
const sig = (x: number) => 1 / (1 + Math.exp(-x));
const G = (x: number) => (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x);

/** erf by Simpson's rule on (2/√π)∫e^{−t²} with many panels: independent of the engine's erf. */
function erfRef(x: number): number {
  const n = 2000;
  const h = x / n;
  let s = 0;
  for (let i = 0; i <= n; i++) {
    const w = i === 0 || i === n ? 1 : i % 2 ? 4 : 2;
    s += w * Math.exp(-((i * h) ** 2));
  }
  return ((2 / Math.sqrt(Math.PI)) * s * h) / 3;
}

/** Closed-form f, f', f'', f''' and a safe domain for each unary primitive. */
export const UNARY_CLOSED_FORMS: Record<string, { d: Derivs; lo: number; hi: number }> = {
  neg: { d: (x) => [-x, -1, 0, 0], lo: -2, hi: 2 },
  square: { d: (x) => [x * x, 2 * x, 2, 0], lo: -2, hi: 2 },
  sqrt: { d: (x) => [Math.sqrt(x), 0.5 / Math.sqrt(x), -0.25 * x ** -1.5, 0.375 * x ** -2.5], lo: 0.5, hi: 2 },
  exp: { d: (x) => [Math.exp(x), Math.exp(x), Math.exp(x), Math.exp(x)], lo: -1.5, hi: 1.5 },
  log: { d: (x) => [Math.log(x), 1 / x, -1 / x ** 2, 2 / x ** 3], lo: 0.5, hi: 2 },
  log1p: { d: (x) => [Math.log1p(x), 1 / (1 + x), -1 / (1 + x) ** 2, 2 / (1 + x) ** 3], lo: -0.4, hi: 1 },
  expm1: { d: (x) => [Math.expm1(x), Math.exp(x), Math.exp(x), Math.exp(x)], lo: -1.5, hi: 1.5 },
  sin: { d: (x) => [Math.sin(x), Math.cos(x), -Math.sin(x), -Math.cos(x)], lo: -2, hi: 2 },
  cos: { d: (x) => [Math.cos(x), -Math.sin(x), -Math.cos(x), Math.sin(x)], lo: -2, hi: 2 },
  tan: {
    d: (x) => {
      const t = Math.tan(x);
      return [t, 1 + t * t, 2 * t * (1 + t * t), 2 * (1 + t * t) * (1 + 3 * t * t)];
    },
    lo: -1,
    hi: 1,
  },
  sinh: { d: (x) => [Math.sinh(x), Math.cosh(x), Math.sinh(x), Math.cosh(x)], lo: -1.5, hi: 1.5 },
  cosh: { d: (x) => [Math.cosh(x), Math.sinh(x), Math.cosh(x), Math.sinh(x)], lo: -1.5, hi: 1.5 },
  tanh: {
    d: (x) => {
      const t = Math.tanh(x);
      return [t, 1 - t * t, -2 * t * (1 - t * t), (1 - t * t) * (6 * t * t - 2)];
    },
    lo: -1.5,
    hi: 1.5,
  },
  asin: {
    d: (x) => {
      const w = 1 - x * x;
      return [Math.asin(x), w ** -0.5, x * w ** -1.5, (1 + 2 * x * x) * w ** -2.5];
    },
    lo: -0.6,
    hi: 0.6,
  },
  acos: {
    d: (x) => {
      const w = 1 - x * x;
      return [Math.acos(x), -(w ** -0.5), -x * w ** -1.5, -(1 + 2 * x * x) * w ** -2.5];
    },
    lo: -0.6,
    hi: 0.6,
  },
  atan: {
    d: (x) => {
      const w = 1 + x * x;
      return [Math.atan(x), 1 / w, (-2 * x) / w ** 2, (6 * x * x - 2) / w ** 3];
    },
    lo: -2,
    hi: 2,
  },
  abs: { d: (x) => [Math.abs(x), Math.sign(x), 0, 0], lo: 0.2, hi: 2 },
  sigmoid: {
    d: (x) => {
      const s = sig(x);
      const q = s * (1 - s);
      return [s, q, q * (1 - 2 * s), q * (1 - 6 * s + 6 * s * s)];
    },
    lo: -3,
    hi: 3,
  },
  softplus: {
    d: (x) => {
      const s = sig(x);
      return [Math.log1p(Math.exp(x)), s, s * (1 - s), s * (1 - s) * (1 - 2 * s)];
    },
    lo: -3,
    hi: 3,
  },
  erf: { d: (x) => [erfRef(x), G(x), -2 * x * G(x), (4 * x * x - 2) * G(x)], lo: -2, hi: 2 },
};

export interface Sample {
  ins: UTPM[];
  params: unknown;
}

export interface PrimitiveCase {
  /** Random inputs in the primitive's domain (some of them constants where that matters), D ≤ 4. */
  sample(D: number, P: number, r: () => number): Sample;
  /** Largest error (relative to max(1, |truth|)) of the output's Taylor coefficients against the truth. */
  error(s: Sample, out: UTPM, D: number, P: number): number;
  /** The error allowed. */
  tol: number;
}

/** max over elements and directions of relErr(series of out, want(i, p)). */
function elementwiseError(out: UTPM, D: number, P: number, want: (i: number, p: number) => number[]): number {
  let e = 0;
  for (let p = 0; p < P; p++) for (let i = 0; i < out.size; i++) e = Math.max(e, relErr(series(out, i, p, D), want(i, p), 1));
  return e;
}

function unaryCase(op: string): PrimitiveCase {
  const spec = UNARY_CLOSED_FORMS[op]!;
  return {
    sample(D, P, r) {
      const x = randomUTPM([2, 3], D, P, r, spec.lo, spec.hi);
      if (op === 'abs') for (let i = 0; i < 3; i++) x.data[i] = -x.data[i]!; // the negative side too
      return { ins: [x], params: undefined };
    },
    error: ({ ins: [x] }, out, D, P) =>
      elementwiseError(out, D, P, (i, p) => {
        const xs = series(x!, i, p, D);
        return faa(spec.d(xs[0]!), xs, D);
      }),
    tol: 1e-10,
  };
}

/** A binary case on [4]-shaped operands a ∈ [lo_a, hi_a], b ∈ [lo_b, hi_b], truth from the two series. */
function binaryCase(ra: [number, number], rb: [number, number], want: (a: number[], b: number[], D: number) => number[], tol = 1e-13): PrimitiveCase {
  return {
    sample: (D, P, r) => ({ ins: [randomUTPM([4], D, P, r, ...ra), randomUTPM([4], D, P, r, ...rb)], params: undefined }),
    error: ({ ins: [a, b] }, out, D, P) => elementwiseError(out, D, P, (i, p) => want(series(a!, i, p, D), series(b!, i, p, D), D)),
    tol,
  };
}

/**
 * A derivative primitive with a hint argument (sech2(x, tanh x), sigmoid_d(x, σ(x))): x a
 * curve in [lo, hi], the hint f(x) at degree 0 with random higher coefficients, which the rule
 * must ignore; the truth is Faà di Bruno with the closed-form derivatives `d`.
 */
function hintCase(f: (x: number) => number, d: Derivs, lo: number, hi: number): PrimitiveCase {
  return {
    sample(D, P, r) {
      const x = randomUTPM([2, 3], D, P, r, lo, hi);
      const hint = randomUTPM([2, 3], D, P, r);
      for (let i = 0; i < 6; i++) hint.data[i] = f(x.data[i]!);
      return { ins: [x, hint], params: undefined };
    },
    error: ({ ins: [x] }, out, D, P) =>
      elementwiseError(out, D, P, (i, p) => {
        const xs = series(x!, i, p, D);
        return faa(d(xs[0]!), xs, D);
      }),
    tol: 1e-10,
  };
}

/** For a linear primitive, every coefficient block maps like the primal: a plain-JS reference map of the blocks. */
function linearCase(sample: (D: number, P: number, r: () => number) => Sample, ref: (blocks: Float64Array[], params: unknown) => Float64Array): PrimitiveCase {
  return {
    sample,
    error({ ins, params }, y, D, P) {
      let e = 0;
      for (let d = 0; d < D; d++) {
        for (let p = 0; p < (d === 0 ? 1 : P); p++) {
          const blocks = ins.map((u) => (d < u.D ? u.data.slice(u.off(d, p), u.off(d, p) + u.size) : new Float64Array(u.size)));
          const got = d < y.D ? y.data.slice(y.off(d, p), y.off(d, p) + y.size) : new Float64Array(y.size);
          e = Math.max(e, relErr(got, ref(blocks, params), 1));
        }
      }
      return e;
    },
    tol: 1e-15,
  };
}

/** Value at multi-index idx of a row-major array of `shape`. */
function getAt(v: Float64Array, shape: number[], idx: number[]): number {
  const st = stridesOf(shape);
  return v[idx.reduce((o, i, k) => o + i * st[k]!, 0)]!;
}

export function forEachIndex(shape: number[], fn: (idx: number[], k: number) => void): void {
  const n = sizeOf(shape);
  for (let k = 0; k < n; k++) {
    const idx: number[] = [];
    let rem = k;
    for (let ax = shape.length - 1; ax >= 0; ax--) {
      idx.unshift(rem % shape[ax]!);
      rem = Math.floor(rem / shape[ax]!);
    }
    fn(idx, k);
  }
}

/** Rows 4, 2, 0 (step −2), columns 1..3 of a [5, 4] array. */
const REGION = { start: [4, 1], step: [-2, 1], count: [3, 3] };
const x234 = (D: number, P: number, r: () => number): Sample => ({ ins: [randomUTPM([2, 3, 4], D, P, r)], params: undefined });

/** Closed-form test entries of every non-linear-algebra differentiable primitive. */
export const PRIMITIVE_CASES: Record<string, PrimitiveCase> = {
  ...Object.fromEntries(Object.keys(UNARY_CLOSED_FORMS).map((op) => [op, unaryCase(op)])),
  add: binaryCase([-2, 2], [0.5, 2], (a, b) => a.map((v, k) => v + b[k]!), 1e-15),
  sub: binaryCase([-2, 2], [0.5, 2], (a, b) => a.map((v, k) => v - b[k]!), 1e-15),
  mul: binaryCase([-2, 2], [0.5, 2], conv, 1e-14),
  div: binaryCase([-2, 2], [0.5, 2], quotient),
  maximum: binaryCase([-2, 2], [-2, 2], (a, b) => (a[0]! >= b[0]! ? a : b), 0),
  minimum: binaryCase([-2, 2], [-2, 2], (a, b) => (a[0]! <= b[0]! ? a : b), 0),
  // a^b = exp(b·log a), log a = ∫a′/a
  pow: binaryCase([0.5, 2], [-1.5, 2], (a, b, D) => expSeries(conv(b, integrate(Math.log(a[0]!), a, quotient([1], a, D), D), D), D)),
  // atan2(a, b)′ = (b·a′ − a·b′)/(a² + b²)
  atan2: binaryCase([-2, 2], [0.5, 2], (a, b, D) => {
    const da = a.slice(1).map((v, k) => (k + 1) * v);
    const db = b.slice(1).map((v, k) => (k + 1) * v);
    const num = conv(b, da, D).map((v, k) => v - conv(a, db, D)[k]!);
    const q = quotient(num, conv(a, a, D).map((v, k) => v + conv(b, b, D)[k]!), D);
    return [Math.atan2(a[0]!, b[0]!), ...q.slice(0, D - 1).map((v, k) => v / (k + 1))];
  }),
  // s = sech² = 1 − t² with t′ = s: s′ = −2ts, s″ = s(6t² − 2), s‴ = 8ts(2 − 3t²)
  sech2: hintCase(Math.tanh, (x) => {
    const t = Math.tanh(x);
    const s = 1 - t * t;
    return [s, -2 * t * s, s * (6 * t * t - 2), 8 * t * s * (2 - 3 * t * t)];
  }, -3, 3),
  // q = σ′ = σ(1 − σ): q′ = q(1 − 2σ), q″ = q(1 − 6σ + 6σ²), q‴ = q(1 − 2σ)(1 − 12σ + 12σ²)
  sigmoid_d: hintCase(sig, (x) => {
    const s = sig(x);
    const q = s * (1 - s);
    return [q, q * (1 - 2 * s), q * (1 - 6 * s + 6 * s * s), q * (1 - 2 * s) * (1 - 12 * s + 12 * s * s)];
  }, -3, 3),
  where: {
    sample: (D, P, r) => {
      const c = UTPM.constant([6], Float64Array.from({ length: 6 }, (_, i) => (r() < 0.5 ? 0 : i + 1)));
      return { ins: [c, randomUTPM([6], D, P, r), randomUTPM([1], D, P, r)], params: undefined };
    },
    error: ({ ins: [c, a, b] }, out, D, P) => elementwiseError(out, D, P, (i, p) => (c!.data[i] ? series(a!, i, p, D) : series(b!, 0, p, D))),
    tol: 0,
  },
  reshape: linearCase((D, P, r) => ({ ins: x234(D, P, r).ins, params: { shape: [6, 4] } }), ([b]) => b!.slice()),
  transpose: linearCase(
    (D, P, r) => ({ ins: x234(D, P, r).ins, params: { perm: [2, 0, 1] } }),
    ([b]) => {
      const out = new Float64Array(24);
      forEachIndex([4, 2, 3], (idx, k) => (out[k] = getAt(b!, [2, 3, 4], [idx[1]!, idx[2]!, idx[0]!])));
      return out;
    },
  ),
  broadcast_to: linearCase(
    (D, P, r) => ({ ins: [randomUTPM([3, 1], D, P, r)], params: { shape: [2, 3, 4] } }),
    ([b]) => {
      const out = new Float64Array(24);
      forEachIndex([2, 3, 4], (idx, k) => (out[k] = b![idx[1]!]!));
      return out;
    },
  ),
  sum_to: linearCase(
    (D, P, r) => ({ ins: x234(D, P, r).ins, params: { shape: [3, 1] } }),
    ([b]) => {
      const out = new Float64Array(3);
      forEachIndex([2, 3, 4], (idx, k) => (out[idx[1]!] += b![k]!));
      return out;
    },
  ),
  sum: linearCase(
    (D, P, r) => ({ ins: x234(D, P, r).ins, params: r() < 0.5 ? { axes: [0, 2], keepdims: false } : { axes: null, keepdims: false } }),
    ([b], params) => {
      if ((params as { axes: number[] | null }).axes === null) return Float64Array.of(b!.reduce((s, q) => s + q, 0));
      const out = new Float64Array(3);
      forEachIndex([2, 3, 4], (idx, k) => (out[idx[1]!] += b![k]!));
      return out;
    },
  ),
  slice: linearCase(
    (D, P, r) => ({ ins: [randomUTPM([5, 4], D, P, r)], params: REGION }),
    ([b]) => {
      const out = new Float64Array(9);
      forEachIndex([3, 3], ([i, j], k) => (out[k] = getAt(b!, [5, 4], [4 - 2 * i!, 1 + j!])));
      return out;
    },
  ),
  slice_update: linearCase(
    (D, P, r) => ({ ins: [randomUTPM([5, 4], D, P, r), randomUTPM([3, 3], D, P, r)], params: REGION }),
    ([bx, bv]) => {
      const out = bx!.slice();
      forEachIndex([3, 3], ([i, j], k) => (out[(4 - 2 * i!) * 4 + 1 + j!] = bv![k]!));
      return out;
    },
  ),
  scatter_add: linearCase(
    (D, P, r) => ({
      ins: [randomUTPM([3, 3], D, P, r), randomUTPM([5, 4], D, P, r), UTPM.constant([3, 3], uniform(r, 9))],
      params: { shape: [5, 4], regions: [REGION, null, REGION] },
    }),
    ([bv, bx, bc]) => {
      const out = bx!.slice();
      forEachIndex([3, 3], ([i, j], k) => (out[(4 - 2 * i!) * 4 + 1 + j!] += bv![k]! + bc![k]!));
      return out;
    },
  ),
  concatenate: linearCase(
    (D, P, r) => {
      const y = randomUTPM([5, 2], D, P, r);
      return { ins: [randomUTPM([5, 4], D, P, r), y, y], params: { axis: 1 } };
    },
    ([bx, by, bz]) => {
      const out = new Float64Array(5 * 8);
      forEachIndex([5, 8], ([i, j], k) => {
        out[k] = j! < 4 ? bx![i! * 4 + j!]! : j! < 6 ? by![i! * 2 + j! - 4]! : bz![i! * 2 + j! - 6]!;
      });
      return out;
    },
  ),
  matmul: {
    // a random transpose flag on each side; half the time a constant left factor
    sample(D, P, r) {
      const ta = r() < 0.5;
      const tb = r() < 0.5;
      const A = randomUTPM(ta ? [4, 3] : [3, 4], D, P, r);
      const B = randomUTPM(tb ? [2, 4] : [4, 2], D, P, r);
      const a = r() < 0.5 ? UTPM.constant(A.shape, A.data.slice(0, A.size)) : A;
      return { ins: [a, B], params: { ta, tb } };
    },
    error({ ins: [a, b], params }, y, D, P) {
      const { ta, tb } = params as { ta: boolean; tb: boolean };
      const opA = (blk: Float64Array, i: number, l: number) => (ta ? blk[l * 3 + i]! : blk[i * 4 + l]!);
      const opB = (blk: Float64Array, l: number, j: number) => (tb ? blk[j * 4 + l]! : blk[l * 2 + j]!);
      let e = 0;
      for (let d = 0; d < D; d++) {
        for (let p = 0; p < (d === 0 ? 1 : P); p++) {
          // Leibniz: Y_d = Σ_q op(A)_q·op(B)_{d−q}
          const want = new Float64Array(6);
          for (let q = 0; q <= d; q++) {
            if (q >= a!.D || d - q >= b!.D) continue;
            const ab = a!.data.subarray(a!.off(q, p), a!.off(q, p) + 12);
            const bb = b!.data.subarray(b!.off(d - q, p), b!.off(d - q, p) + 8);
            for (let i = 0; i < 3; i++) for (let j = 0; j < 2; j++) for (let l = 0; l < 4; l++) want[i * 2 + j] += opA(ab, i, l) * opB(bb, l, j);
          }
          e = Math.max(e, relErr(y.data.slice(y.off(d, p), y.off(d, p) + 6), want, 1));
        }
      }
      return e;
    },
    tol: 1e-14,
  },
  prod: {
    sample(D, P, r) {
      const x = randomUTPM([2, 4], D, P, r);
      x.data[5] = 0; // a zero primal value
      return { ins: [x], params: r() < 0.5 ? { axes: null, keepdims: false } : { axes: [1], keepdims: false } };
    },
    error: ({ ins: [x], params }, out, D, P) =>
      elementwiseError(out, D, P, (i, p) => {
        let acc = [1];
        const all = (params as { axes: number[] | null }).axes === null;
        for (let k = 0; k < (all ? 8 : 4); k++) acc = conv(acc, series(x!, (all ? 0 : i * 4) + k, p, D), D);
        return acc;
      }),
    tol: 1e-14,
  },
  prod_others: {
    sample(D, P, r) {
      const x = randomUTPM([2, 4], D, P, r);
      x.data[5] = 0;
      return { ins: [x], params: { axes: [1], keepdims: true } };
    },
    error: ({ ins: [x] }, out, D, P) =>
      elementwiseError(out, D, P, (i, p) => {
        const row = Math.floor(i / 4);
        let o = [1];
        for (let k = 0; k < 4; k++) if (row * 4 + k !== i) o = conv(o, series(x!, row * 4 + k, p, D), D);
        return o;
      }),
    tol: 1e-14,
  },
};

/**
 * Every primitive's Taylor rule at D ∈ {1, 2, 4} and P ∈ {1, 3}, against truths computed
 * independently of the engine: closed-form derivatives composed by Faà di Bruno's formula
 * (elementwise functions), plain polynomial arithmetic (products, quotients), plain-JS
 * reference implementations of each linear map applied block by block (shape operations,
 * sums, matrix product), and identities between primitives (pow = exp∘(b·log), atan2 = atan
 * of the quotient).
 */
import { describe, expect, test } from 'vitest';
import { primitive } from '../../src/utpm/table.js';
import { UTPM, sizeOf, stridesOf } from '../../src/utpm/utpm.js';
import { relErr, rng, uniform } from '../helpers.js';

const DS = [1, 2, 4];
const PS = [1, 3];

function randomUTPM(shape: number[], D: number, P: number, r: () => number, lo = -1, hi = 1): UTPM {
  const u = new UTPM(shape, D, P);
  u.data.set(uniform(r, u.size, lo, hi));
  u.data.set(uniform(r, u.data.length - u.size, -1, 1), u.size);
  return u;
}

function fwd(op: string, ins: UTPM[], params: unknown, D: number, P: number): UTPM {
  const prim = primitive(op);
  const shape = prim.shape(
    ins.map((u) => u.shape),
    params,
  );
  const constant = prim.nondiff || ins.every((u) => u.D === 1);
  const out = new UTPM(shape, constant ? 1 : D, P);
  prim.forward(out, ins, params);
  return out;
}

/** Coefficients 0..D-1 of element i in direction p. */
function series(u: UTPM, i: number, p: number, D: number): number[] {
  const c = [u.data[i]!];
  for (let d = 1; d < D; d++) c.push(d < u.D ? u.data[u.off(d, p) + i]! : 0);
  return c;
}

/** y = f(x(s)) to degree 3 by Faà di Bruno, from f and its first three derivatives at x0. */
function faa(fd: [number, number, number, number], x: number[], D: number): number[] {
  const [f0, f1, f2, f3] = fd;
  const [, x1 = 0, x2 = 0, x3 = 0] = x;
  return [f0, f1 * x1, f1 * x2 + 0.5 * f2 * x1 * x1, f1 * x3 + f2 * x1 * x2 + (f3 / 6) * x1 ** 3].slice(0, D);
}

type Derivs = (x: number) => [number, number, number, number];
const sig = (x: number) => 1 / (1 + Math.exp(-x));
const G = (x: number) => (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x);

/** Closed-form f, f', f'', f''' and a safe domain for each unary primitive. */
const UNARY: Record<string, { d: Derivs; lo: number; hi: number }> = {
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

describe('elementwise unary primitives vs closed-form derivatives (Faà di Bruno)', () => {
  for (const [op, spec] of Object.entries(UNARY)) {
    for (const D of DS) {
      for (const P of PS) {
        test(`${op} D=${D} P=${P}`, () => {
          const r = rng(op.length * 1000 + D * 10 + P);
          // negative side for abs as well
          const x = randomUTPM([2, 3], D, P, r, spec.lo, spec.hi);
          if (op === 'abs') for (let i = 0; i < 3; i++) x.data[i] = -x.data[i]!;
          const y = fwd(op, [x], undefined, D, P);
          for (let p = 0; p < P; p++) {
            for (let i = 0; i < x.size; i++) {
              const xs = series(x, i, p, D);
              const want = faa(spec.d(xs[0]!), xs, D);
              const got = series(y, i, p, D);
              expect(relErr(got, want, 1)).toBeLessThan(1e-10);
            }
          }
        });
      }
    }
  }
});

/** Plain polynomial product truncated to D terms. */
function conv(a: number[], b: number[], D: number): number[] {
  const c = new Array<number>(D).fill(0);
  for (let d = 0; d < D; d++) for (let k = 0; k <= d; k++) c[d] += (a[k] ?? 0) * (b[d - k] ?? 0);
  return c;
}

describe('elementwise binary primitives', () => {
  for (const D of DS) {
    for (const P of PS) {
      test(`add, sub, mul, div, maximum, minimum D=${D} P=${P}`, () => {
        const r = rng(17 + D * 7 + P);
        const a = randomUTPM([4], D, P, r, -2, 2);
        const b = randomUTPM([4], D, P, r, 0.5, 2);
        const add = fwd('add', [a, b], undefined, D, P);
        const sub = fwd('sub', [a, b], undefined, D, P);
        const mul = fwd('mul', [a, b], undefined, D, P);
        const div = fwd('div', [a, b], undefined, D, P);
        const mx = fwd('maximum', [a, b], undefined, D, P);
        const mn = fwd('minimum', [a, b], undefined, D, P);
        for (let p = 0; p < P; p++) {
          for (let i = 0; i < 4; i++) {
            const as = series(a, i, p, D);
            const bs = series(b, i, p, D);
            expect(relErr(series(add, i, p, D), as.map((v, k) => v + bs[k]!), 1)).toBeLessThan(1e-15);
            expect(relErr(series(sub, i, p, D), as.map((v, k) => v - bs[k]!), 1)).toBeLessThan(1e-15);
            expect(relErr(series(mul, i, p, D), conv(as, bs, D), 1)).toBeLessThan(1e-14);
            // quotient: y·b = a order by order
            expect(relErr(conv(series(div, i, p, D), bs, D), as, 1)).toBeLessThan(1e-13);
            const big = as[0]! >= bs[0]! ? as : bs;
            const small = as[0]! <= bs[0]! ? as : bs;
            expect(series(mx, i, p, D)).toEqual(big);
            expect(series(mn, i, p, D)).toEqual(small);
          }
        }
      });

      test(`pow with constant exponent D=${D} P=${P}`, () => {
        const r = rng(5 + D + 10 * P);
        const a = randomUTPM([3], D, P, r, 0.5, 2);
        for (const e of [2.5, -1.3, 0.5, 3]) {
          const y = fwd('pow', [a, UTPM.constant([], Float64Array.of(e))], undefined, D, P);
          for (let p = 0; p < P; p++) {
            for (let i = 0; i < 3; i++) {
              const xs = series(a, i, p, D);
              const x0 = xs[0]!;
              const want = faa([x0 ** e, e * x0 ** (e - 1), e * (e - 1) * x0 ** (e - 2), e * (e - 1) * (e - 2) * x0 ** (e - 3)], xs, D);
              expect(relErr(series(y, i, p, D), want, 1)).toBeLessThan(1e-12);
            }
          }
        }
        // integer exponent at x0 = 0 is exact: (s·x1 + …)^3 has only s^3·x1^3 up to degree 3
        const z = randomUTPM([1], D, P, r);
        z.data[0] = 0;
        const y = fwd('pow', [z, UTPM.constant([], Float64Array.of(3))], undefined, D, P);
        for (let p = 0; p < P; p++) {
          const xs = series(z, 0, p, D);
          expect(relErr(series(y, 0, p, D), faa([0, 0, 0, 6], xs, D), 1)).toBeLessThan(1e-14);
        }
      });

      test(`pow with variable exponent = exp(b·log a), atan2 = atan(a/b) D=${D} P=${P}`, () => {
        const r = rng(99 + D + P);
        const a = randomUTPM([5], D, P, r, 0.5, 2);
        const b = randomUTPM([5], D, P, r, 0.5, 2);
        const pw = fwd('pow', [a, b], undefined, D, P);
        const viaExp = fwd('exp', [fwd('mul', [b, fwd('log', [a], undefined, D, P)], undefined, D, P)], undefined, D, P);
        expect(relErr(pw.data, viaExp.data)).toBeLessThan(1e-13);
        const at2 = fwd('atan2', [a, b], undefined, D, P);
        const viaAtan = fwd('atan', [fwd('div', [a, b], undefined, D, P)], undefined, D, P);
        expect(relErr(at2.data, viaAtan.data)).toBeLessThan(1e-13);
      });
    }
  }

  test('broadcasting [3,1] with [1,4] and a constant scalar, D=2 P=3', () => {
    const r = rng(3);
    const a = randomUTPM([3, 1], 2, 3, r);
    const b = randomUTPM([1, 4], 2, 3, r);
    const c = UTPM.constant([], Float64Array.of(2.5));
    const y = fwd('mul', [a, b], undefined, 2, 3);
    const z = fwd('mul', [c, a], undefined, 2, 3);
    expect(y.shape).toEqual([3, 4]);
    for (let p = 0; p < 3; p++) {
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 4; j++) {
          const want = conv(series(a, i, p, 2), series(b, j, p, 2), 2);
          expect(relErr(series(y, i * 4 + j, p, 2), want, 1)).toBeLessThan(1e-15);
        }
        expect(series(z, i, p, 2)).toEqual(series(a, i, p, 2).map((v) => 2.5 * v));
      }
    }
  });

  test('comparisons and where', () => {
    const r = rng(8);
    const a = randomUTPM([6], 2, 3, r);
    const b = randomUTPM([6], 2, 3, r);
    for (const [op, f] of [
      ['gt', (x: number, y: number) => x > y],
      ['ge', (x: number, y: number) => x >= y],
      ['lt', (x: number, y: number) => x < y],
      ['le', (x: number, y: number) => x <= y],
      ['eq', (x: number, y: number) => x === y],
      ['ne', (x: number, y: number) => x !== y],
    ] as const) {
      const c = fwd(op, [a, b], undefined, 2, 3);
      expect(c.D).toBe(1);
      for (let i = 0; i < 6; i++) expect(c.data[i]).toBe(f(a.data[i]!, b.data[i]!) ? 1 : 0);
    }
    const c = fwd('gt', [a, b], undefined, 2, 3);
    const w = fwd('where', [c, a, b], undefined, 2, 3);
    for (let p = 0; p < 3; p++) for (let i = 0; i < 6; i++) expect(series(w, i, p, 2)).toEqual(series(c.data[i] ? a : b, i, p, 2));
  });
});

// ------------------------------------------------------------------ linear primitives

/** For a linear primitive, every coefficient block maps like the primal: check with a plain-JS reference map. */
function checkLinear(
  op: string,
  ins: UTPM[],
  params: unknown,
  ref: (blocks: (Float64Array | null)[]) => Float64Array,
  D: number,
  P: number,
): void {
  const y = fwd(op, ins, params, D, P);
  for (let d = 0; d < D; d++) {
    for (let p = 0; p < (d === 0 ? 1 : P); p++) {
      const blocks = ins.map((u) => (d < u.D ? u.data.slice(u.off(d, p), u.off(d, p) + u.size) : null));
      const want = ref(blocks.map((b, k) => b ?? new Float64Array(ins[k]!.size)));
      const got = y.data.slice(y.off(d, p), y.off(d, p) + y.size);
      expect(relErr(got, want, 1)).toBeLessThan(1e-15);
    }
  }
}

/** Value at multi-index idx of a row-major array of `shape`. */
function getAt(v: Float64Array, shape: number[], idx: number[]): number {
  const st = stridesOf(shape);
  return v[idx.reduce((o, i, k) => o + i * st[k]!, 0)]!;
}

function forEachIndex(shape: number[], fn: (idx: number[], k: number) => void): void {
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

describe('linear primitives, block by block against plain-JS references', () => {
  for (const D of DS) {
    for (const P of PS) {
      test(`reshape, transpose, broadcast_to, sum_to, sum D=${D} P=${P}`, () => {
        const r = rng(D * 31 + P);
        const x = randomUTPM([2, 3, 4], D, P, r);
        checkLinear('reshape', [x], { shape: [6, 4] }, ([b]) => b!.slice(), D, P);
        checkLinear('transpose', [x], { perm: [2, 0, 1] }, ([b]) => {
          const out = new Float64Array(24);
          forEachIndex([4, 2, 3], (idx, k) => (out[k] = getAt(b!, [2, 3, 4], [idx[1]!, idx[2]!, idx[0]!])));
          return out;
        }, D, P);
        const v = randomUTPM([3, 1], D, P, r);
        checkLinear('broadcast_to', [v], { shape: [2, 3, 4] }, ([b]) => {
          const out = new Float64Array(24);
          forEachIndex([2, 3, 4], (idx, k) => (out[k] = b![idx[1]!]!));
          return out;
        }, D, P);
        checkLinear('sum_to', [x], { shape: [3, 1] }, ([b]) => {
          const out = new Float64Array(3);
          forEachIndex([2, 3, 4], (idx, k) => (out[idx[1]!] += b![k]!));
          return out;
        }, D, P);
        checkLinear('sum', [x], { axes: [0, 2], keepdims: false }, ([b]) => {
          const out = new Float64Array(3);
          forEachIndex([2, 3, 4], (idx, k) => (out[idx[1]!] += b![k]!));
          return out;
        }, D, P);
        checkLinear('sum', [x], { axes: null, keepdims: false }, ([b]) => Float64Array.of(b!.reduce((s, q) => s + q, 0)), D, P);
      });

      test(`slice, slice_update, scatter_add, concatenate D=${D} P=${P}`, () => {
        const r = rng(D * 13 + P * 5);
        const x = randomUTPM([5, 4], D, P, r);
        // rows 4, 2, 0 (step −2), columns 1..3
        const reg = { start: [4, 1], step: [-2, 1], count: [3, 3] };
        checkLinear('slice', [x], reg, ([b]) => {
          const out = new Float64Array(9);
          forEachIndex([3, 3], ([i, j], k) => (out[k] = getAt(b!, [5, 4], [4 - 2 * i!, 1 + j!])));
          return out;
        }, D, P);
        const v = randomUTPM([3, 3], D, P, r);
        checkLinear('slice_update', [x, v], reg, ([bx, bv]) => {
          const out = bx!.slice();
          forEachIndex([3, 3], ([i, j], k) => (out[(4 - 2 * i!) * 4 + 1 + j!] = bv![k]!));
          return out;
        }, D, P);
        const c = UTPM.constant([3, 3], uniform(r, 9));
        checkLinear('scatter_add', [v, x, c], { shape: [5, 4], regions: [reg, null, reg] }, ([bv, bx, bc]) => {
          const out = bx!.slice();
          forEachIndex([3, 3], ([i, j], k) => (out[(4 - 2 * i!) * 4 + 1 + j!] += bv![k]! + bc![k]!));
          return out;
        }, D, P);
        const y = randomUTPM([5, 2], D, P, r);
        checkLinear('concatenate', [x, y, y], { axis: 1 }, ([bx, by, bz]) => {
          const out = new Float64Array(5 * 8);
          forEachIndex([5, 8], ([i, j], k) => {
            out[k] = j! < 4 ? bx![i! * 4 + j!]! : j! < 6 ? by![i! * 2 + j! - 4]! : bz![i! * 2 + j! - 6]!;
          });
          return out;
        }, D, P);
      });

      test(`matmul (all transpose flags, constant factor) D=${D} P=${P}`, () => {
        const r = rng(D * 101 + P);
        for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
          const A = randomUTPM(ta ? [4, 3] : [3, 4], D, P, r);
          const B = randomUTPM(tb ? [2, 4] : [4, 2], D, P, r);
          const Ac = UTPM.constant(A.shape, A.data.slice(0, A.size));
          for (const [a, b] of [[A, B], [Ac, B]] as const) {
            const y = fwd('matmul', [a, b], { ta, tb }, D, P);
            const opA = (blk: Float64Array, i: number, l: number) => (ta ? blk[l * 3 + i]! : blk[i * 4 + l]!);
            const opB = (blk: Float64Array, l: number, j: number) => (tb ? blk[j * 4 + l]! : blk[l * 2 + j]!);
            for (let d = 0; d < D; d++) {
              for (let p = 0; p < (d === 0 ? 1 : P); p++) {
                const want = new Float64Array(6);
                for (let q = 0; q <= d; q++) {
                  if (q >= a.D) continue;
                  const ab = a.data.subarray(a.off(q, p), a.off(q, p) + 12);
                  const bb = b.data.subarray(b.off(d - q, p), b.off(d - q, p) + 8);
                  for (let i = 0; i < 3; i++) for (let j = 0; j < 2; j++) for (let l = 0; l < 4; l++) want[i * 2 + j] += opA(ab, i, l) * opB(bb, l, j);
                }
                expect(relErr(y.data.slice(y.off(d, p), y.off(d, p) + 6), want, 1)).toBeLessThan(1e-14);
              }
            }
          }
        }
      });

      test(`prod and prod_others (with a zero element) D=${D} P=${P}`, () => {
        const r = rng(D * 7 + P * 3);
        const x = randomUTPM([2, 4], D, P, r);
        x.data[5] = 0; // a zero primal value
        const pAll = fwd('prod', [x], { axes: null, keepdims: false }, D, P);
        const pAx = fwd('prod', [x], { axes: [1], keepdims: false }, D, P);
        const others = fwd('prod_others', [x], { axes: [1], keepdims: true }, D, P);
        for (let p = 0; p < P; p++) {
          let all = [1];
          for (let i = 0; i < 8; i++) all = conv(all, series(x, i, p, D), D);
          expect(relErr(series(pAll, 0, p, D), all, 1)).toBeLessThan(1e-14);
          for (let row = 0; row < 2; row++) {
            let acc = [1];
            for (let j = 0; j < 4; j++) acc = conv(acc, series(x, row * 4 + j, p, D), D);
            expect(relErr(series(pAx, row, p, D), acc, 1)).toBeLessThan(1e-14);
            for (let j = 0; j < 4; j++) {
              let o = [1];
              for (let k = 0; k < 4; k++) if (k !== j) o = conv(o, series(x, row * 4 + k, p, D), D);
              expect(relErr(series(others, row * 4 + j, p, D), o, 1)).toBeLessThan(1e-14);
            }
          }
        }
      });
    }
  }
});

describe('degree-1 and degree-2 coefficients match central differences of the primal', () => {
  // the Taylor coefficients of s ↦ f(x + s·v) are f'(x)v and ½f''(x)[v,v]: a second, coarser
  // truth that uses nothing but the degree-0 rule of each primitive
  const ops = Object.keys(UNARY);
  test.each(ops)('%s', (op) => {
    const spec = UNARY[op]!;
    const r = rng(op.charCodeAt(0) * 7 + op.length);
    const x0 = uniform(r, 4, spec.lo, spec.hi);
    const v = uniform(r, 4);
    const x = new UTPM([4], 3, 1);
    x.data.set(x0);
    x.data.set(v, 4);
    const y = fwd(op, [x], undefined, 3, 1);
    const f = (s: number) => fwd(op, [UTPM.constant([4], x0.map((xi, i) => xi + s * v[i]!))], undefined, 1, 1).data;
    const h = 1e-4;
    const fp = f(h);
    const fm = f(-h);
    const f0 = f(0);
    const c1 = fp.map((a, i) => (a - fm[i]!) / (2 * h));
    const c2 = fp.map((a, i) => (a - 2 * f0[i]! + fm[i]!) / (2 * h * h));
    expect(relErr(y.data.slice(4, 8), c1, 1)).toBeLessThan(1e-7);
    expect(relErr(y.data.slice(8, 12), c2, 1)).toBeLessThan(1e-5);
  });
});

describe('composite operations (mean, dot, outer, stack, at, set) at D ∈ {1,2,4}, P ∈ {1,3}', () => {
  // traced on a tape and evaluated by the interpreter; the truth is polynomial arithmetic on
  // the input's own coefficient series
  for (const D of DS) {
    for (const P of PS) {
      test(`D=${D} P=${P}`, async () => {
        const t = await import('../../src/index.js');
        const { Tape } = await import('../../src/trace/tensor.js');
        const { interpret } = await import('../../src/trace/interpret.js');
        const r = rng(1000 + 10 * D + P);
        const x = randomUTPM([9], D, P, r);
        const tape = new Tape();
        const xt = tape.input([9], x.data.slice(0, 9));
        const u = t.slice(xt, [0, 3]);
        const v = t.slice(xt, [3, 6]);
        const M = t.reshape(t.slice(xt, [0, 6]), [2, 3]);
        const outs = {
          mean: t.mean(M, 1),
          dotvv: t.dot(u, v),
          dotmv: t.dot(M, t.slice(xt, [6, 9])),
          outer: t.outer(u, v),
          stack: t.stack([u, v], 1),
          at: t.at(M, 1, 2),
          set: t.set(xt, [4], t.mul(t.at(xt, 0), 2)),
        };
        const names = Object.keys(outs) as (keyof typeof outs)[];
        const vals = interpret(tape.nodes, names.map((k) => outs[k]._id), new Map([[xt._id, x]]), D, P);
        const got = Object.fromEntries(names.map((k, i) => [k, vals[i]!]));
        for (let p = 0; p < P; p++) {
          const s = (i: number) => series(x, i, p, D);
          const add = (a: number[], b: number[]) => a.map((c, k) => c + b[k]!);
          const near = (u_: UTPM, i: number, want: number[]) => expect(relErr(series(u_, i, p, D), want, 1)).toBeLessThan(1e-14);
          for (let i = 0; i < 2; i++) near(got.mean!, i, add(add(s(3 * i), s(3 * i + 1)), s(3 * i + 2)).map((c) => c / 3));
          near(got.dotvv!, 0, [0, 1, 2].map((k) => conv(s(k), s(3 + k), D)).reduce(add));
          for (let i = 0; i < 2; i++) near(got.dotmv!, i, [0, 1, 2].map((k) => conv(s(3 * i + k), s(6 + k), D)).reduce(add));
          for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) near(got.outer!, 3 * i + j, conv(s(i), s(3 + j), D));
          for (let i = 0; i < 3; i++) {
            near(got.stack!, 2 * i, s(i));
            near(got.stack!, 2 * i + 1, s(3 + i));
          }
          near(got.at!, 0, s(5));
          for (let i = 0; i < 9; i++) near(got.set!, i, i === 4 ? s(0).map((c) => 2 * c) : s(i));
        }
      });
    }
  }
});

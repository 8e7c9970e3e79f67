/**
 * Every primitive's Taylor rule at D ∈ {1, 2, 4} and P ∈ {1, 3}, against truths computed
 * independently of the engine: closed-form derivatives composed by Faà di Bruno's formula
 * (elementwise functions), plain polynomial arithmetic (products, quotients), plain-JS
 * reference implementations of each linear map applied block by block (shape operations,
 * sums, matrix product), and identities between primitives (pow = exp∘(b·log), atan2 = atan
 * of the quotient).
 */
import { describe, expect, test } from 'vitest';
import { UTPM } from '../../src/utpm/utpm.js';
import { relErr, rng, uniform } from '../helpers.js';
import { PRIMITIVE_CASES, UNARY_CLOSED_FORMS as UNARY, conv, faa, fwd, randomUTPM, series } from './closed-forms.js';

const DS = [1, 2, 4];
const PS = [1, 3];

describe('every primitive against its closed-form test entry (closed-forms.ts)', () => {
  for (const [op, c] of Object.entries(PRIMITIVE_CASES)) {
    for (const D of DS) {
      for (const P of PS) {
        test(`${op} D=${D} P=${P}`, () => {
          for (let trial = 0; trial < 2; trial++) {
            const s = c.sample(D, P, rng(op.length * 1000 + D * 10 + P + 7 * trial));
            expect(c.error(s, fwd(op, s.ins, s.params, D, P), D, P)).toBeLessThanOrEqual(c.tol);
          }
        });
      }
    }
  }
});

describe('elementwise binary primitives', () => {
  for (const D of DS) {
    for (const P of PS) {
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

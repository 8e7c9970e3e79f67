/**
 * The engine battery: reverse mode against forward mode (two different sweeps through the
 * primitive table), Hessian-vector products against full Hessians, and forward-over-reverse
 * Hessians against Hessians by forward Taylor interpolation (no reverse mode at all).
 */
import { describe, expect, test } from 'vitest';
import * as t from '../../src/index.js';
import { BATTERY } from '../../bench/problems/battery.js';
import { fdGradient, flat, relErr, rng, uniform } from '../helpers.js';

function flatten(v: unknown): Float64Array {
  if (typeof v === 'number') return Float64Array.of(v);
  if (v instanceof Float64Array) return v;
  return Float64Array.from((v as number[][]).flat(4) as number[]);
}

describe('battery', () => {
  test('has at least 15 functions', () => {
    expect(BATTERY.length).toBeGreaterThanOrEqual(15);
  });

  for (const fn of BATTERY) {
    describe(fn.name, () => {
      test('reverse gradient = forward gradient (1e-12) and ≈ central differences', () => {
        const gr = flatten(t.grad(fn.f)(fn.x0));
        const gf = flatten(t.grad(fn.f, { mode: 'forward' })(fn.x0));
        expect(gr.length).toBe(gf.length);
        expect(relErr(gr, gf)).toBeLessThan(1e-12);
        const x = flatten(fn.x0);
        const shapeOf = (v: Float64Array) =>
          Array.isArray(fn.x0) && Array.isArray(fn.x0[0]) ? t.reshape(v, [fn.x0.length, (fn.x0[0] as number[]).length]) : v;
        const value = (v: Float64Array) => fn.f(t.tensor(shapeOf(v)) as t.Tensor).item();
        expect(relErr(gr, fdGradient(value, x, 1e-6))).toBeLessThan(1e-6);
      });

      test('hvp = H·v, H symmetric, H = forward-mode Hessian (1e-10)', () => {
        const H = t.hessian(fn.f)(fn.x0);
        const n = H.length;
        const Hf = flat(H);
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < i; j++) {
            expect(Math.abs(H[i]![j]! - H[j]![i]!)).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(H[i]![j]!)));
          }
        }
        const v = uniform(rng(n), n);
        const shaped = Array.isArray(fn.x0) && Array.isArray(fn.x0[0])
          ? Array.from({ length: fn.x0.length }, (_, i) => Array.from(v.subarray(i * (fn.x0 as number[][])[0]!.length, (i + 1) * (fn.x0 as number[][])[0]!.length)))
          : typeof fn.x0 === 'number' ? v[0]! : v;
        const hv = flatten(t.hvp(fn.f)(fn.x0, shaped));
        const Hv = new Float64Array(n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Hv[i] += H[i]![j]! * v[j]!;
        expect(relErr(hv, Hv)).toBeLessThan(1e-10);
        const Hfwd = flat(t.hessian(fn.f, { mode: 'forward' })(fn.x0));
        expect(relErr(Hf, Hfwd)).toBeLessThan(1e-10);
      });
    });
  }
});

/**
 * Constraint oracles (src/ad/lagrangian.ts): the constraint Jacobian against central
 * differences in both modes, and the Lagrangian Hessian — one forward-over-reverse program
 * with (σ, λ) as inputs — against finite differences of the Lagrangian gradient and against
 * the sum of separately computed Hessians.
 */
import { describe, expect, test } from 'vitest';
import * as t from '../../src/index.js';
import { constraintOracles } from '../../src/ad/lagrangian.js';
import { fdGradient, relErr, rng, uniform } from '../helpers.js';

const f = (x: t.Tensor) => t.add(t.sum(t.mul(t.exp(t.mul(0.3, x)), t.sin(x))), t.square(t.dot(x, x)));
/** Three constraint functions: a number, a vector (4 values), a matrix-shaped 2×2 array. */
const c1 = (x: t.Tensor) => t.prod(t.add(x, 2));
const c2 = (x: t.Tensor) => t.mul(t.slice(x, [0, 4]), t.cos(t.slice(x, [1, 5])));
const c3 = (x: t.Tensor) => t.reshape(t.log1p(t.square(t.slice(x, [1, 5]))), [2, 2]);

/** The constraint values of c1, c2, c3 at x (plain, for finite differences). */
function cValues(x: Float64Array): Float64Array {
  const xt = t.tensor(x);
  return Float64Array.from([...c1(xt).toFloat64Array(), ...c2(xt).toFloat64Array(), ...c3(xt).toFloat64Array()]);
}

function point(n: number, seed: number): Float64Array {
  return uniform(rng(seed), n, -1, 1);
}

describe('constraint values and Jacobian', () => {
  for (const n of [5, 12]) {
    // m = 9: forward mode (n directions) for n = 5, reverse (m directions on the cotangent) for n = 12
    test(`n = ${n}: one replay gives c(x) and J(x), J matching central differences`, () => {
      const x = point(n, n);
      const o = constraintOracles(f, [c1, c2, c3], x);
      expect(o.m).toBe(9);
      expect(o.sizes).toEqual([1, 4, 4]);
      const c = new Float64Array(9);
      const J = new Float64Array(9 * n);
      o.jacobian(x, c, J);
      expect(relErr(c, cValues(x))).toBeLessThan(1e-15);
      const vals = new Float64Array(9);
      o.values(x, vals);
      expect(relErr(vals, c)).toBe(0);
      for (let i = 0; i < 9; i++) {
        const row = fdGradient((z) => cValues(z)[i]!, x, 1e-5);
        expect(relErr(J.subarray(i * n, (i + 1) * n), row)).toBeLessThan(1e-8);
      }
    });
  }

  test('both modes agree with the jacobian driver, at a second point (a replay, not the trace)', () => {
    const x0 = point(6, 1);
    const o = constraintOracles(null, [c2], x0);
    const x = point(6, 2);
    const c = new Float64Array(4);
    const J = new Float64Array(24);
    o.jacobian(x, c, J);
    expect(relErr(J, Float64Array.from(t.jacobian(c2)(x).flat()))).toBeLessThan(1e-14);
  });
});

describe('the Hessian of the Lagrangian', () => {
  const n = 6;
  const x = point(n, 7);
  const lam = Float64Array.from([0.7, -1.3, 0.4, 2, -0.5, 1.1, 0.3, -0.8, 1.5]);
  const sigma = 0.9;
  const o = constraintOracles(f, [c1, c2, c3], x);
  const H = new Float64Array(n * n);
  o.lagrangianHessian(x, sigma, lam, H);

  /** ∇ₓL = σ∇f + Jᵀλ from the gradient and Jacobian drivers. */
  const gradL = (z: Float64Array): Float64Array => {
    const g = t.grad(f)(z) as Float64Array;
    const rows = [t.jacobian(c1)(z), t.jacobian(c2)(z), t.jacobian(c3)(z)].flat();
    return Float64Array.from(g, (gj, j) => sigma * gj + rows.reduce((s, row, i) => s + lam[i]! * row[j]!, 0));
  };

  test('matches central differences of the Lagrangian gradient', () => {
    for (let j = 0; j < n; j++) {
      const col = new Float64Array(n);
      const h = 1e-5;
      const xp = x.slice();
      xp[j]! += h;
      const gp = gradL(xp);
      xp[j]! -= 2 * h;
      const gm = gradL(xp);
      for (let i = 0; i < n; i++) col[i] = (gp[i]! - gm[i]!) / (2 * h);
      expect(relErr(H.subarray(j * n, (j + 1) * n), col)).toBeLessThan(1e-8);
    }
  });

  test('equals σ∇²f + Σλᵢ∇²cᵢ from separate Hessians', () => {
    const sum = new Float64Array(n * n);
    const add = (rows: number[][], w: number) => rows.forEach((r, i) => r.forEach((v, j) => (sum[i * n + j]! += w * v)));
    add(t.hessian(f)(x), sigma);
    add(t.hessian(c1)(x), lam[0]!);
    for (let k = 0; k < 4; k++) add(t.hessian((z: t.Tensor) => t.at(c2(z), k))(x), lam[1 + k]!);
    for (let k = 0; k < 4; k++) add(t.hessian((z: t.Tensor) => t.at(c3(z), k >> 1, k & 1))(x), lam[5 + k]!);
    expect(relErr(H, sum)).toBeLessThan(1e-13);
  });

  test('σ and λ are inputs of one program: other values, other points, no retrace', () => {
    const x2 = point(n, 8);
    const lam2 = lam.map((v) => -2 * v);
    const H2 = new Float64Array(n * n);
    o.lagrangianHessian(x2, 0, lam2, H2);
    const ref = new Float64Array(n * n);
    const add = (rows: number[][], w: number) => rows.forEach((r, i) => r.forEach((v, j) => (ref[i * n + j]! += w * v)));
    add(t.hessian(c1)(x2), lam2[0]!);
    for (let k = 0; k < 4; k++) add(t.hessian((z: t.Tensor) => t.at(c2(z), k))(x2), lam2[1 + k]!);
    for (let k = 0; k < 4; k++) add(t.hessian((z: t.Tensor) => t.at(c3(z), k >> 1, k & 1))(x2), lam2[5 + k]!);
    expect(relErr(H2, ref)).toBeLessThan(1e-13);
  });

  test('a constraint that branches on a value is traced again at each point', () => {
    // |x₀|·x₁ written with a branch on the traced value
    const branchy = (z: t.Tensor) => (t.at(z, 0).item() > 0 ? t.mul(t.at(z, 0), t.at(z, 1)) : t.mul(t.neg(t.at(z, 0)), t.at(z, 1)));
    const ob = constraintOracles(null, [branchy], [1, 2]);
    const J = new Float64Array(2);
    const c = new Float64Array(1);
    ob.jacobian(Float64Array.of(-3, 2), c, J);
    expect(Array.from(c)).toEqual([6]);
    expect(Array.from(J)).toEqual([-2, 3]);
  });
});

describe('more directions than one replay takes (they run in chunks)', () => {
  test('n = 150: the Hessian of the Lagrangian and a reverse-mode Jacobian of 130 rows', () => {
    const n = 150;
    const x = point(n, 3);
    const g = (z: t.Tensor) => t.sum(t.mul(t.sin(z), t.slice(z, [null, null, -1])));
    const cv = (z: t.Tensor) => t.mul(t.exp(t.mul(0.1, t.slice(z, [0, 130]))), t.slice(z, [20, 150]));
    const o = constraintOracles(g, [cv], x);
    const lam = uniform(rng(4), 130);
    const H = new Float64Array(n * n);
    o.lagrangianHessian(x, 1, lam, H);
    const L = (z: t.Tensor) => t.add(g(z), t.dot(lam, cv(z)));
    expect(relErr(H, Float64Array.from(t.hessian(L)(x).flat()))).toBeLessThan(1e-13);
    const J = new Float64Array(130 * n);
    o.jacobian(x, new Float64Array(130), J);
    expect(relErr(J, Float64Array.from(t.jacobian(cv)(x).flat()))).toBeLessThan(1e-14);
    // forward mode: 70 unknowns, 130 rows
    const w = Float64Array.from({ length: 130 }, (_, k) => k / 10);
    const cf = (z: t.Tensor) => t.mul(t.sum(t.square(z)), w);
    const x70 = x.subarray(0, 70);
    const J70 = new Float64Array(130 * 70);
    constraintOracles(null, [cf], x70).jacobian(x70, new Float64Array(130), J70);
    expect(relErr(J70, Float64Array.from(t.jacobian(cf)(x70).flat()))).toBeLessThan(1e-14);
  });
});

describe('misuse names the constraint', () => {
  test('a function that does not return a tayopt array, or returns an empty one', () => {
    expect(() => constraintOracles(null, [() => 3 as unknown as t.Tensor], [1, 2], ['ring'])).toThrow(/ring: the function returned the plain number 3/);
    expect(() => constraintOracles(null, [(x) => t.slice(x, [0, 0])], [1, 2])).toThrow(/constraints\[0\]: the function returned an empty array/);
  });
});

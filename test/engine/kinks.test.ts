/**
 * The points with one-sided or undefined derivatives (README, "Kinks"), pinned: which side
 * each mode takes, and where the derivatives are not finite. Reverse (grad), forward (grad
 * with mode 'forward'), Taylor coefficients, and forward-over-reverse Hessians must agree on
 * every convention.
 */
import { describe, expect, test } from 'vitest';
import * as t from '../../src/index.js';

type F = (x: t.Tensor) => t.Tensor;

/** f′ at x0 by reverse and forward mode, and c₁ of the Taylor series along +1. */
function firstDerivatives(f: F, x0: number): number[] {
  return [t.grad(f)(x0) as number, t.grad(f, { mode: 'forward' })(x0) as number, (t.taylor(f, x0, 1, 1) as number[])[1]!];
}

/** f″ at x0 by forward-over-reverse, by forward Taylor interpolation, and 2·c₂. */
function secondDerivatives(f: F, x0: number): number[] {
  const g = (x: t.Tensor) => t.sum(f(x));
  return [t.hessian(g)([x0])[0]![0]!, t.hessian(g, { mode: 'forward' })([x0])[0]![0]!, 2 * (t.taylor(f, x0, 1, 2) as number[])[2]!];
}

const plus0 = (xs: number[]) => xs.map((x) => x + 0);

describe('one-sided conventions, the same in every mode', () => {
  test('abs at 0: derivative +1 (the right derivative), second derivative 0', () => {
    expect(firstDerivatives(t.abs, 0)).toEqual([1, 1, 1]);
    expect(plus0(secondDerivatives(t.abs, 0))).toEqual([0, 0, 0]);
  });
  test('maximum and minimum on ties follow their first argument', () => {
    expect(firstDerivatives((x) => t.maximum(x, 0), 0)).toEqual([1, 1, 1]);
    expect(firstDerivatives((x) => t.maximum(0, x), 0)).toEqual([0, 0, 0]);
    expect(firstDerivatives((x) => t.minimum(x, 0), 0)).toEqual([1, 1, 1]);
    expect(firstDerivatives((x) => t.minimum(0, x), 0)).toEqual([0, 0, 0]);
  });
  test('where at the switch point: the branch the condition selects', () => {
    // gt(0, 0) is false: the second branch, 3x
    const f = (x: t.Tensor) => t.where(t.gt(x, 0), t.square(x), t.mul(x, 3));
    expect(firstDerivatives(f, 0)).toEqual([3, 3, 3]);
    const g = (x: t.Tensor) => t.where(t.ge(x, 0), t.square(x), t.mul(x, 3));
    expect(plus0(firstDerivatives(g, 0))).toEqual([0, 0, 0]);
    expect(secondDerivatives(g, 0)).toEqual([2, 2, 2]);
  });
  test('comparisons and sign carry no derivative, also at their jump', () => {
    for (const f of [(x: t.Tensor) => t.sign(x), (x: t.Tensor) => t.gt(x, 0), (x: t.Tensor) => t.eq(x, 0)]) {
      expect(plus0(firstDerivatives(f, 0))).toEqual([0, 0, 0]);
    }
  });
  test('norm at 0: the zero subgradient, and zero second derivatives', () => {
    const f = (x: t.Tensor) => t.norm(t.stack([x, t.mul(x, 2)]));
    expect(plus0(firstDerivatives(f, 0))).toEqual([0, 0, 0]);
    expect(plus0(secondDerivatives(f, 0))).toEqual([0, 0, 0]);
  });
});

describe('infinite or undefined derivatives are not finite in any mode', () => {
  const notFinite = (xs: number[]) => xs.forEach((x) => expect(Number.isFinite(x)).toBe(false));
  test('sqrt, log and pow(x, c < 1) at 0; asin and acos at ±1; atan2 at the origin', () => {
    notFinite(firstDerivatives(t.sqrt, 0));
    notFinite(firstDerivatives(t.log, 0));
    notFinite(firstDerivatives((x) => t.pow(x, 0.5), 0));
    notFinite(firstDerivatives((x) => t.pow(x, -1), 0));
    notFinite(firstDerivatives(t.asin, 1));
    notFinite(firstDerivatives(t.acos, -1));
    notFinite(firstDerivatives((x) => t.atan2(x, x), 0));
  });
  test('pow(x, c) at 0 for non-integer c: derivatives of order below c are 0, above c not finite', () => {
    const f = (x: t.Tensor) => t.pow(x, 2.5);
    expect(plus0(firstDerivatives(f, 0))).toEqual([0, 0, 0]);
    expect(plus0(secondDerivatives(f, 0))).toEqual([0, 0, 0]);
    notFinite([(t.taylor(f, 0, 1, 3) as number[])[3]!]);
    const g = (x: t.Tensor) => t.pow(x, 1.5);
    expect(plus0(firstDerivatives(g, 0))).toEqual([0, 0, 0]);
    notFinite(secondDerivatives(g, 0));
  });
  test('pow with a traced exponent needs a positive base: at base 0 the exponent’s derivative is not finite', () => {
    notFinite([t.grad((x) => t.pow(0, x))(1) as number]);
  });
  test('det at a singular matrix: the gradient (through A⁻¹) is not finite; Taylor coefficients of a singular diagonal are', () => {
    const f = (x: t.Tensor) => t.det(t.diag(t.concatenate([x, t.reshape(2, [1])])));
    expect(t.taylor(f, [0], [1], 2)).toEqual([0, 2, 0]);
    expect(Number.isFinite((t.grad(f)([0]) as Float64Array)[0]!)).toBe(false);
  });
});

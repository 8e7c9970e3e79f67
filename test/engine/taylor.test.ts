/** Higher-order Taylor coefficients against an independent power-series composition. */
import { expect, test } from 'vitest';
import * as t from '../../src/index.js';
import { relErr } from '../helpers.js';

/** Truncated polynomial product. */
function mulPoly(a: number[], b: number[], n: number): number[] {
  const c = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; i + j < n; j++) c[i + j] += a[i]! * b[j]!;
  return c;
}

test('taylor(exp∘sin, 0.3, 1, 10) matches naive power-series composition to 1e-12', () => {
  const N = 11;
  // sin(0.3 + s) = Σ sin(0.3 + kπ/2)/k! s^k
  let fact = 1;
  const a: number[] = [];
  for (let k = 0; k < N; k++) {
    if (k > 0) fact *= k;
    a.push(Math.sin(0.3 + (k * Math.PI) / 2) / fact);
  }
  // exp(a0 + u) = e^{a0} Σ_m u^m / m!, u = a − a0 (no constant term, so m ≤ 10 suffices)
  const u = [0, ...a.slice(1)];
  let term = [1, ...new Array<number>(N - 1).fill(0)];
  const sum = [...term];
  for (let m = 1; m < N; m++) {
    term = mulPoly(term, u, N).map((c) => c / m);
    for (let i = 0; i < N; i++) sum[i] += term[i]!;
  }
  const want = sum.map((c) => c * Math.exp(a[0]!));
  const got = t.taylor((x) => t.exp(t.sin(x)), 0.3, 1, 10) as number[];
  expect(got).toHaveLength(11);
  for (let k = 0; k < N; k++) expect(Math.abs(got[k]! - want[k]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(want[k]!)));
  expect(relErr(got, want)).toBeLessThan(1e-12);
});

test('taylor of a vector function along a direction: c_k of exp(x0 + s v) = e^{x0} v^k / k!', () => {
  const x0 = [0.1, -0.4];
  const v = [2, 0.5];
  const cs = t.taylor((x) => t.exp(x), x0, v, 4) as Float64Array[];
  let fact = 1;
  for (let k = 0; k <= 4; k++) {
    if (k > 0) fact *= k;
    for (let i = 0; i < 2; i++) expect(cs[k]![i]!).toBeCloseTo((Math.exp(x0[i]!) * v[i]! ** k) / fact, 13);
  }
});

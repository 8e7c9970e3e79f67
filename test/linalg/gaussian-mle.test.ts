/**
 * Acceptance 4: the example examples/gaussian-mle.ts fits a multivariate Gaussian by Newton's
 * method with the engine's gradients and Hessians; the fit must reproduce the closed-form
 * maximum-likelihood estimates (sample mean, sample covariance with 1/N) computed here in
 * plain arithmetic, and the optimal value ½·log det Σ̂ + d/2 + (d/2)·log 2π.
 */
import { describe, expect, test } from 'vitest';
import * as t from '../../src/index.js';
import { fitGaussian, negLogLikelihood, parameterCount, sampleGaussian, unpack } from '../../examples/gaussian-mle.js';
import { flat, relErr, rng, uniform } from './util.js';

function closedForm(Y: number[][]): { mean: Float64Array; cov: Float64Array } {
  const N = Y.length;
  const d = Y[0]!.length;
  const mean = new Float64Array(d);
  for (const y of Y) for (let i = 0; i < d; i++) mean[i] += y[i]! / N;
  const cov = new Float64Array(d * d);
  for (const y of Y) {
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) cov[i * d + j] += ((y[i]! - mean[i]!) * (y[j]! - mean[j]!)) / N;
  }
  return { mean, cov };
}

/** det of a small matrix by cofactor expansion (independent of the engine). */
function detRef(A: Float64Array, n: number): number {
  if (n === 1) return A[0]!;
  let s = 0;
  for (let j = 0; j < n; j++) {
    const minor = new Float64Array((n - 1) * (n - 1));
    let k = 0;
    for (let r = 1; r < n; r++) for (let c = 0; c < n; c++) if (c !== j) minor[k++] = A[r * n + c]!;
    s += (j % 2 ? -1 : 1) * A[j]! * detRef(minor, n - 1);
  }
  return s;
}

describe('examples/gaussian-mle.ts', () => {
  const cases = [
    { d: 3, N: 500, mean: [1, -2, 0.5], L: [[2, 0, 0], [0.6, 1, 0], [-0.4, 0.3, 0.5]], seed: 2024 },
    { d: 2, N: 40, mean: [0, 3], L: [[0.5, 0], [-0.8, 0.2]], seed: 7 },
    { d: 4, N: 80, mean: [0.1, 0.2, 0.3, 0.4], L: [[1, 0, 0, 0], [0.5, 1, 0, 0], [0, 0.5, 1, 0], [0.2, 0, 0.5, 1]], seed: 99 },
  ];
  for (const c of cases) {
    test(`d = ${c.d}, N = ${c.N}: the Newton fit equals the closed-form MLE`, () => {
      const Y = sampleGaussian(c.N, c.mean, c.L, c.seed);
      const fit = fitGaussian(Y);
      const truth = closedForm(Y);
      expect(fit.converged).toBe(true);
      expect(fit.iterations).toBeLessThan(30);
      expect(relErr(fit.mean, truth.mean)).toBeLessThan(1e-10);
      expect(relErr(flat(fit.cov), truth.cov)).toBeLessThan(1e-9);
      // L is a Cholesky factor: lower triangular, positive diagonal
      fit.L.forEach((row, i) => row.forEach((v, j) => (j > i ? expect(v).toBe(0) : j === i ? expect(v).toBeGreaterThan(0) : null)));
      const fStar = 0.5 * Math.log(detRef(truth.cov, c.d)) + c.d / 2 + (c.d / 2) * Math.log(2 * Math.PI);
      expect(Math.abs(fit.f - fStar)).toBeLessThan(1e-12 * Math.abs(fStar) + 1e-13);
      // the last steps converge quadratically: full steps, ‖g‖ roughly squared each time
      const tail = fit.history.slice(-3);
      expect(tail.every((h) => h.alpha === 1 && h.damping === 0)).toBe(true);
      expect(tail[2]!.gradInf).toBeLessThan(1e-3 * tail[1]!.gradInf);
    });
  }

  test('the engine gradient with respect to μ matches the closed form −Σ⁻¹(ȳ − μ)', () => {
    const Y = sampleGaussian(30, [0, 0, 0], [[1, 0, 0], [0.3, 1, 0], [0.1, 0.2, 1]], 5);
    const d = 3;
    const theta = uniform(rng(4), parameterCount(d), -0.5, 0.5);
    const g = t.grad(negLogLikelihood(Y))(theta) as Float64Array;
    const { mu, L } = unpack(t.tensor(theta), d);
    const S = t.dot(L, t.transpose(L));
    const { mean } = closedForm(Y);
    const want = t.neg(t.solve(S, t.sub(t.tensor(mean), mu))).toFloat64Array();
    expect(relErr(g.subarray(0, d), want)).toBeLessThan(1e-12);
  });
});

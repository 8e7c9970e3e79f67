/**
 * Maximum-likelihood fit of a multivariate Gaussian N(μ, Σ) to data, with the covariance
 * parameterized by its Cholesky factor, Σ = L·Lᵀ, and exact gradients and Hessians of the
 * negative log-likelihood from tayopt's Taylor engine (through slogdet and solve).
 *
 * Parameters θ (length 2d + d(d−1)/2):
 *     θ = [ μ (d) | log L_ii (d) | L_ij for i > j (row by row) ]
 * The log-diagonal keeps L a valid Cholesky factor (positive diagonal) for every θ, so the
 * problem is unconstrained and its minimizer is unique.
 *
 * Objective (per sample, so its scale does not grow with N):
 *     f(θ) = ½·log det Σ + (1/2N)·Σ_k (y_k − μ)ᵀ Σ⁻¹ (y_k − μ) + (d/2)·log 2π.
 * Its minimizer is the closed form μ̂ = sample mean, Σ̂ = (1/N)·Σ_k (y_k − μ̂)(y_k − μ̂)ᵀ,
 * which the test (test/linalg/gaussian-mle.test.ts) checks the fit against.
 *
 * The optimizer is a small damped Newton iteration written here, so that the example
 * depends only on the engine: each step solves (H + λI)·p = −g with the smallest λ ≥ 0 (from
 * 0, then growing tenfold from 1e-8·max|H_ii|) that makes H + λI positive definite, then
 * backtracks on f until the Armijo condition holds (unless the predicted decrease is below
 * f's rounding level, where the full step is taken). Far from the optimum the Hessian of this
 * parameterization can be indefinite; near it Newton converges quadratically, which is the
 * point of having exact Hessians.
 *
 * Run: npx tsx examples/gaussian-mle.ts
 */
import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { pathToFileURL } from 'node:url';
import * as t from 'tayopt';
import type { Tensor } from 'tayopt';

/** One Newton iteration in the fit's history. */
export interface NewtonStep {
  iteration: number;
  f: number;
  gradInf: number;
  /** Damping λ added to the Hessian's diagonal (0 when H was positive definite). */
  damping: number;
  /** Accepted step length along the Newton direction. */
  alpha: number;
}

export interface GaussianFit {
  mean: Float64Array;
  /** Σ = L·Lᵀ, d×d rows. */
  cov: number[][];
  /** The Cholesky factor, d×d rows (lower, positive diagonal). */
  L: number[][];
  /** Final objective (mean negative log-likelihood). */
  f: number;
  /** ‖∇f‖∞ at the end. */
  gradInf: number;
  iterations: number;
  converged: boolean;
  history: NewtonStep[];
}

export interface FitOptions {
  /** Stop when ‖∇f‖∞ ≤ gtol (default 1e-10). */
  gtol?: number;
  /** Default 100. */
  maxIter?: number;
}

/** Number of parameters for dimension d. */
export function parameterCount(d: number): number {
  return 2 * d + (d * (d - 1)) / 2;
}

/**
 * The parameter map θ ↦ (μ, L), written with tayopt operations so the engine differentiates
 * through it. The strict lower triangle is placed by a constant 0/1 matrix (d² × d(d−1)/2).
 */
export function unpack(theta: Tensor, d: number): { mu: Tensor; L: Tensor } {
  const m = (d * (d - 1)) / 2;
  const mu = t.slice(theta, [0, d]);
  const diagonal = t.diag(t.exp(t.slice(theta, [d, 2 * d])));
  if (m === 0) return { mu, L: diagonal };
  const place = new Float64Array(d * d * m);
  let k = 0;
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) place[(i * d + j) * m + k++] = 1;
  const lower = t.reshape(t.dot(t.reshape(t.tensor(place), [d * d, m]), t.slice(theta, [2 * d, 2 * d + m])), [d, d]);
  return { mu, L: t.add(diagonal, lower) };
}

/** The objective f(θ) for data Y (N samples × d), as a tayopt function. */
export function negLogLikelihood(Y: readonly (readonly number[])[]): (theta: Tensor) => Tensor {
  const N = Y.length;
  const d = Y[0]!.length;
  const data = t.tensor(Y as number[][]);
  const constant = 0.5 * d * Math.log(2 * Math.PI);
  return (theta) => {
    const { mu, L } = unpack(theta, d);
    const S = t.dot(L, t.transpose(L));
    const Rt = t.transpose(t.sub(data, mu)); // d × N residuals
    const quad = t.sum(t.mul(Rt, t.solve(S, Rt)));
    return t.add(t.mul(0.5, t.slogdet(S).logabsdet), t.add(t.mul(0.5 / N, quad), constant));
  };
}

/** Solves (H + λI)·p = −g for the smallest λ in {0, 1e-8·s, 1e-7·s, …} giving a positive definite matrix. */
function dampedNewtonStep(H: number[][], g: Float64Array): { p: Float64Array; damping: number } {
  const s = Math.max(1e-12, ...H.map((row, i) => Math.abs(row[i]!)));
  for (let lambda = 0; ; lambda = lambda === 0 ? 1e-8 * s : 10 * lambda) {
    // symmetrize: forward-over-reverse Hessians are symmetric only to rounding
    const M = new Matrix(H.map((row, i) => row.map((v, j) => 0.5 * (v + H[j]![i]!) + (i === j ? lambda : 0))));
    const chol = new CholeskyDecomposition(M);
    if (!chol.isPositiveDefinite()) continue;
    const p = chol.solve(Matrix.columnVector(Array.from(g, (v) => -v))).to1DArray();
    return { p: Float64Array.from(p), damping: lambda };
  }
}

/**
 * Fits N(μ, Σ) to the rows of Y (N × d, N > d) by damped Newton on the mean negative
 * log-likelihood, starting from μ = 0, L = I.
 */
export function fitGaussian(Y: readonly (readonly number[])[], options: FitOptions = {}): GaussianFit {
  const d = Y[0]!.length;
  const gtol = options.gtol ?? 1e-10;
  const maxIter = options.maxIter ?? 100;
  const f = negLogLikelihood(Y);
  // the drivers trace f once and replay the recorded graph at every later point
  const valueAndGrad = t.valueAndGrad(f);
  const hessian = t.hessian(f);
  let theta = new Float64Array(parameterCount(d));
  const history: NewtonStep[] = [];
  let { value, grad } = valueAndGrad(theta) as { value: number; grad: Float64Array };
  let iterations = 0;
  const inf = (v: Float64Array) => Math.max(...Array.from(v, Math.abs));
  while (inf(grad) > gtol && iterations < maxIter) {
    const { p, damping } = dampedNewtonStep(hessian(theta), grad);
    const slope = p.reduce((acc, pi, i) => acc + pi * grad[i]!, 0);
    let alpha = 1;
    let next = Float64Array.from(theta, (v, i) => v + p[i]!);
    // Below f's rounding level (predicted decrease −slope ≲ ε·|f|) f cannot tell steps apart:
    // take the full Newton step, which is then in its quadratic convergence region.
    if (-slope > 1e-13 * Math.max(1, Math.abs(value))) {
      let fNext = value;
      for (let k = 0; k < 60; k++, alpha /= 2) {
        next = Float64Array.from(theta, (v, i) => v + alpha * p[i]!);
        fNext = (valueAndGrad(next) as { value: number }).value;
        if (Number.isFinite(fNext) && fNext <= value + 1e-4 * alpha * slope) break;
      }
      if (!(fNext <= value)) break; // no decrease found: stop
    }
    theta = next;
    ({ value, grad } = valueAndGrad(theta) as { value: number; grad: Float64Array });
    iterations++;
    history.push({ iteration: iterations, f: value, gradInf: inf(grad), damping, alpha });
  }
  const { mu, L } = unpack(t.tensor(theta), d);
  const Lrows = L.toArray() as number[][];
  return {
    mean: mu.toFloat64Array(),
    cov: t.dot(L, t.transpose(L)).toArray() as number[][],
    L: Lrows,
    f: value,
    gradInf: inf(grad),
    iterations,
    converged: inf(grad) <= gtol,
    history,
  };
}

/** Deterministic sample of N points from N(mean, L·Lᵀ) (Mulberry32 + Box–Muller). */
export function sampleGaussian(N: number, mean: readonly number[], L: readonly (readonly number[])[], seed = 1): number[][] {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let z = a;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(Math.max(uniform(), 1e-300))) * Math.cos(2 * Math.PI * uniform());
  const d = mean.length;
  return Array.from({ length: N }, () => {
    const z = Array.from({ length: d }, normal);
    return mean.map((m, i) => m + L[i]!.reduce((s, lij, j) => s + lij * z[j]!, 0));
  });
}

function main(): void {
  const Y = sampleGaussian(500, [1, -2, 0.5], [[2, 0, 0], [0.6, 1, 0], [-0.4, 0.3, 0.5]], 2024);
  const fit = fitGaussian(Y);
  const fmt = (v: number) => v.toFixed(6).padStart(11);
  console.log('iter  f(θ)                ‖∇f‖∞      damping   step');
  for (const h of fit.history) {
    console.log(
      `${String(h.iteration).padStart(4)}  ${h.f.toPrecision(16).padEnd(18)}  ${h.gradInf.toExponential(2)}  ${h.damping.toExponential(1).padStart(8)}  ${h.alpha}`,
    );
  }
  console.log(`\n${fit.converged ? 'converged' : 'NOT converged'} in ${fit.iterations} Newton steps`);
  console.log('mean       ', Array.from(fit.mean, fmt).join(''));
  console.log('covariance ');
  for (const row of fit.cov) console.log('           ', row.map(fmt).join(''));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();

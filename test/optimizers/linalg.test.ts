/**
 * Dense linear algebra of the solvers, checked against ml-matrix (an independent
 * implementation) and against the defining identities.
 */
import { describe, expect, it } from 'vitest';
import { CholeskyDecomposition, EigenvalueDecomposition, Matrix, solve } from 'ml-matrix';
import {
  cholesky,
  modifiedCholesky,
  smallestSingularVector,
  solveCholesky,
} from '../../optimizers/linalg.js';
import { luFactor, luNonsingular, luSolve } from '../../src/utpm/linalg/kernels.js';
import { normals, rng } from '../../bench/problems/rng.js';

const randn = normals(rng(7));

function randomSymmetric(n: number, shift = 0): Float64Array {
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      const v = randn();
      A[i * n + j] = v;
      A[j * n + i] = v;
    }
  for (let i = 0; i < n; i++) A[i * n + i]! += shift;
  return A;
}

function randomSpd(n: number): Float64Array {
  // BᵀB + I is symmetric positive definite.
  const B = Array.from({ length: n }, () => Array.from({ length: n }, () => randn()));
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = i === j ? 1 : 0;
      for (let k = 0; k < n; k++) s += B[k]![i]! * B[k]![j]!;
      A[i * n + j] = s;
    }
  return A;
}

const toMatrix = (A: Float64Array, n: number): Matrix => new Matrix(Array.from({ length: n }, (_, i) => Array.from(A.subarray(i * n, (i + 1) * n))));

describe('cholesky', () => {
  it('solves SPD systems like ml-matrix', () => {
    for (const n of [1, 3, 12, 40]) {
      const A = randomSpd(n);
      const b = Float64Array.from({ length: n }, () => randn());
      const L = new Float64Array(n * n);
      expect(cholesky(A, n, 0, L)).toBe(-1);
      const x = new Float64Array(n);
      solveCholesky(L, n, b, x);
      const ref = solve(toMatrix(A, n), Matrix.columnVector(Array.from(b))).to1DArray();
      for (let i = 0; i < n; i++) expect(x[i]).toBeCloseTo(ref[i]!, 9);
      // The factor itself matches ml-matrix's lower-triangular factor.
      const Lref = new CholeskyDecomposition(toMatrix(A, n)).lowerTriangularMatrix;
      for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) expect(L[i * n + j]).toBeCloseTo(Lref.get(i, j), 10);
    }
  });

  it('reports the failing pivot and its value for an indefinite matrix', () => {
    // diag(4, 1, −2): the third pivot is −2 (+ shift).
    const A = Float64Array.of(4, 0, 0, 0, 1, 0, 0, 0, -2);
    const info = { pivot: 0 };
    expect(cholesky(A, 3, 0.5, new Float64Array(9), 0, info)).toBe(2);
    expect(info.pivot).toBeCloseTo(-1.5, 14);
  });
});

describe('modifiedCholesky', () => {
  it('keeps a safely positive definite matrix unmodified (exact Newton step)', () => {
    const n = 8;
    const A = randomSpd(n);
    const L = new Float64Array(n * n);
    expect(modifiedCholesky(A, n, L, new Float64Array(n))).toBe(0);
  });

  it('turns an indefinite matrix into a positive definite one, so −(A+τD)⁻¹g descends', () => {
    for (let trial = 0; trial < 20; trial++) {
      const n = 6;
      const A = randomSymmetric(n, -1);
      const L = new Float64Array(n * n);
      const tau = modifiedCholesky(A, n, L, new Float64Array(n));
      expect(tau).toBeGreaterThan(0);
      // L·Lᵀ − A is diagonal and non-negative: A + τ·diag(|a_jj|).
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let k = 0; k <= Math.min(i, j); k++) s += L[i * n + k]! * L[j * n + k]!;
          const diff = s - A[i * n + j]!;
          if (i === j) expect(diff).toBeCloseTo(tau * Math.abs(A[i * n + i]!), 9);
          else expect(Math.abs(diff)).toBeLessThan(1e-10);
        }
      const g = Float64Array.from({ length: n }, () => randn());
      const d = Float64Array.from(g, (v) => -v);
      solveCholesky(L, n, d, d);
      let slope = 0;
      for (let i = 0; i < n; i++) slope += g[i]! * d[i]!;
      expect(slope).toBeLessThan(0);
    }
  });

  it('is invariant under diagonal rescaling of the variables', () => {
    const n = 5;
    const A = randomSymmetric(n, -0.5);
    const s = Float64Array.of(1e-3, 1, 1e3, 10, 1e-2);
    const As = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) As[i * n + j] = s[i]! * A[i * n + j]! * s[j]!;
    const tau = modifiedCholesky(A, n, new Float64Array(n * n), new Float64Array(n));
    const tauS = modifiedCholesky(As, n, new Float64Array(n * n), new Float64Array(n));
    expect(tauS).toBe(tau);
  });

  it('returns NaN for a matrix with non-finite entries', () => {
    expect(modifiedCholesky(Float64Array.of(1, NaN, NaN, 1), 2, new Float64Array(4), new Float64Array(2))).toBeNaN();
  });
});

describe('smallestSingularVector', () => {
  it('finds a direction of small curvature (within a factor of the smallest eigenvalue)', () => {
    for (let trial = 0; trial < 10; trial++) {
      const n = 10;
      const A = randomSpd(n);
      const L = new Float64Array(n * n);
      cholesky(A, n, 0, L);
      const z = new Float64Array(n);
      const sigma = smallestSingularVector(L, n, z, new Float64Array(n));
      const lmin = Math.min(...new EigenvalueDecomposition(toMatrix(A, n), { assumeSymmetric: true }).realEigenvalues);
      let zAz = 0;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) zAz += z[i]! * A[i * n + j]! * z[j]!;
      expect(zAz).toBeCloseTo(sigma * sigma, 8); // the returned estimate is zᵀAz
      expect(zAz).toBeGreaterThanOrEqual(lmin * (1 - 1e-12)); // Rayleigh quotient bound
      expect(zAz).toBeLessThan(10 * lmin); // and a useful estimate
    }
  });

  it('chooses the signs with look-ahead (Cline–Moler–Stewart–Wilkinson), not greedily', () => {
    // A 5×5 integer factor on which choosing each e_k = ±1 only to make |w_k| large yields
    // zᵀAz ≈ 19·λ_min; the look-ahead choice is within 1% of λ_min (λ_min from ml-matrix).
    const n = 5;
    const L = Float64Array.from([2, 0, 0, 0, 0, 0, 1, 0, 0, 0, -2, 1, 2, 0, 0, -2, 3, -3, 2, 0, -2, 3, 2, 3, 2]);
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) A[i * n + j]! += L[i * n + k]! * L[j * n + k]!;
    const z = new Float64Array(n);
    const sigma = smallestSingularVector(L, n, z, new Float64Array(n));
    const lmin = Math.min(...new EigenvalueDecomposition(toMatrix(A, n), { assumeSymmetric: true }).realEigenvalues);
    let zAz = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) zAz += z[i]! * A[i * n + j]! * z[j]!;
    expect(zAz).toBeCloseTo(sigma * sigma, 10);
    expect(zAz).toBeGreaterThanOrEqual(lmin * (1 - 1e-12));
    expect(zAz).toBeLessThan(1.01 * lmin);
  });
});

describe('lu (the engine kernel L-BFGS-B uses)', () => {
  it('solves nonsymmetric systems like ml-matrix', () => {
    const m = 7;
    const A = Float64Array.from({ length: m * m }, () => randn());
    const b = Float64Array.from({ length: m }, () => randn());
    const ref = solve(toMatrix(A, m), Matrix.columnVector(Array.from(b))).to1DArray();
    const f = luFactor(A, 0, m);
    expect(luNonsingular(f)).toBe(true);
    luSolve(f, b, 0, 1, false, new Float64Array(m));
    for (let i = 0; i < m; i++) expect(b[i]).toBeCloseTo(ref[i]!, 10);
  });

  it('reports a singular matrix', () => {
    expect(luNonsingular(luFactor(Float64Array.of(1, 2, 2, 4), 0, 2))).toBe(false);
  });
});

/**
 * The interior-point method's linear algebra (optimizers/kkt/): Bunch–Kaufman LDLᵀ and the
 * profile LDLᵀ report the inertia an eigendecomposition finds and solve to the residual
 * a backward-stable method gives; reverse Cuthill–McKee recovers a narrow band from a
 * shuffled one; the KKT solver picks the profile factorization for large sparse systems and
 * agrees with the dense one.
 */
import { describe, expect, test } from 'vitest';
import { DenseLdl } from '../../optimizers/kkt/bunch-kaufman.js';
import { KktSolver } from '../../optimizers/kkt/kkt.js';
import { ProfileLdl } from '../../optimizers/kkt/profile-ldl.js';
import { Triplets } from '../../optimizers/kkt/triplets.js';
import { symEig } from '../../src/utpm/linalg/kernels.js';
import { rng } from '../helpers.js';

/** Eigenvalue signs of a dense symmetric matrix, zero within tol·max|λ|. */
function eigInertia(A: Float64Array, n: number, tol = 1e-10): { pos: number; neg: number; zero: number } {
  const w = new Float64Array(n);
  symEig(A.slice(), 0, n, w, 0, new Float64Array(n * n), 0);
  const big = Math.max(...w.map(Math.abs));
  let pos = 0;
  let neg = 0;
  let zero = 0;
  for (const v of w) {
    if (Math.abs(v) <= tol * big) zero++;
    else if (v > 0) pos++;
    else neg++;
  }
  return { pos, neg, zero };
}

function residual(A: Float64Array, n: number, x: Float64Array, b: Float64Array): number {
  let r = 0;
  let scale = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += A[i * n + j]! * x[j]!;
    r = Math.max(r, Math.abs(s - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  let amax = 0;
  let xmax = 0;
  for (let i = 0; i < n * n; i++) amax = Math.max(amax, Math.abs(A[i]!));
  for (let i = 0; i < n; i++) xmax = Math.max(xmax, Math.abs(x[i]!));
  return r / (amax * xmax + scale);
}

/** A random symmetric saddle-point matrix [H Aᵀ; A −δ] (dense) and its lower triangle as triplets. */
function saddle(np: number, m: number, seed: number, band = Infinity, delta = 0): { D: Float64Array; H: Triplets; A: Triplets; sigma: Float64Array } {
  const r = rng(seed);
  const N = np + m;
  const D = new Float64Array(N * N);
  const H = new Triplets();
  const A = new Triplets();
  for (let i = 0; i < np; i++)
    for (let j = Math.max(0, i - band); j <= i; j++) {
      const v = r() - 0.5;
      H.push(i, j, v);
      D[i * N + j]! += v;
      if (i !== j) D[j * N + i]! += v;
    }
  for (let k = 0; k < m; k++) {
    const c0 = Math.min(np - 1, Math.floor((k * np) / m));
    for (let c = Math.max(0, c0 - band); c <= Math.min(np - 1, c0 + band); c++) {
      const v = r() - 0.5;
      A.push(k, c, v);
      D[(np + k) * N + c] = v;
      D[c * N + np + k] = v;
    }
    D[(np + k) * N + np + k] = -delta;
  }
  return { D, H, A, sigma: new Float64Array(np) };
}

describe('dense Bunch–Kaufman LDLᵀ', () => {
  test('inertia and solution of random symmetric indefinite matrices, saddle-point ones included', () => {
    for (const [np, m, seed] of [[1, 0, 1], [5, 0, 2], [8, 3, 3], [30, 12, 4], [60, 59, 5]] as const) {
      const { D } = saddle(np, m, seed);
      const N = np + m;
      const ldl = new DenseLdl(N);
      ldl.a.set(D);
      const inertia = ldl.factor();
      expect(inertia, `${np}+${m}`).toEqual(eigInertia(D, N));
      const b = Float64Array.from({ length: N }, (_, i) => Math.sin(i + 1));
      ldl.a.set(D);
      ldl.factor();
      const x = b.slice();
      ldl.solve(x);
      expect(residual(D, N, x, b)).toBeLessThan(1e-13);
    }
  });

  test('a zero diagonal needs 2×2 pivots: [[0, 1], [1, 0]] has inertia (1, 1, 0)', () => {
    const ldl = new DenseLdl(2);
    ldl.a.set([0, 1, 1, 0]);
    expect(ldl.factor()).toEqual({ pos: 1, neg: 1, zero: 0 });
    const x = Float64Array.of(3, 5);
    ldl.solve(x);
    expect(Array.from(x)).toEqual([5, 3]);
  });

  test('singular matrices report their zero eigenvalues, whatever the scale of other rows', () => {
    // a rank-deficient constraint block (two equal rows of A) next to a diagonal spanning 1e-8 … 1e10
    const np = 4;
    const N = 6;
    const D = new Float64Array(N * N);
    [1e-8, 1, 1e5, 1e10].forEach((v, i) => (D[i * N + i] = v));
    for (const row of [4, 5])
      [1, 2, 0, 0].forEach((v, c) => {
        D[row * N + c] = v;
        D[c * N + row] = v;
      });
    expect(eigInertia(D, N, 1e-14)).toEqual({ pos: np, neg: 1, zero: 1 });
    const ldl = new DenseLdl(N);
    ldl.a.set(D);
    expect(ldl.factor()).toEqual({ pos: np, neg: 1, zero: 1 });
    // a regularization −1e-12 on the constraint block makes it nonsingular with the right inertia
    D[4 * N + 4] = D[5 * N + 5] = -1e-12;
    ldl.a.set(D);
    expect(ldl.factor()).toEqual({ pos: np, neg: 2, zero: 0 });
  });
});

describe('profile LDLᵀ', () => {
  test('reverse Cuthill–McKee recovers a narrow band from a shuffled one', () => {
    const n = 200;
    const r = rng(11);
    const perm = Array.from({ length: n }, (_, i) => i).sort(() => r() - 0.5);
    const t = new Triplets();
    for (let i = 0; i < n; i++) {
      t.push(perm[i]!, perm[i]!, 4);
      for (let d = 1; d <= 2; d++) if (i - d >= 0) t.push(Math.max(perm[i]!, perm[i - d]!), Math.min(perm[i]!, perm[i - d]!), -1);
    }
    const p = new ProfileLdl(n, () => false);
    const size = p.analyze(t);
    expect(size).toBeLessThanOrEqual(3 * n); // bandwidth 2: at most 3 entries per row
    const inertia = p.factor(t, new Float64Array(n));
    expect(inertia).toEqual({ pos: n, neg: 0, zero: 0 });
    expect(p.perturbed).toBe(0);
  });

  test('banded saddle-point systems: the inertia and solution of the dense reference', () => {
    for (const [np, m, seed] of [[60, 25, 21], [150, 70, 22]] as const) {
      const { D, H, A } = saddle(np, m, seed, 3, 1e-9);
      const N = np + m;
      const t = new Triplets();
      t.append(H);
      t.append(A, np, 0);
      const diag = new Float64Array(N);
      for (let k = 0; k < m; k++) diag[np + k] = -1e-9;
      const p = new ProfileLdl(N, (i) => i >= np);
      p.analyze(t);
      expect(p.factor(t, diag)).toEqual(eigInertia(D, N));
      const b = Float64Array.from({ length: N }, (_, i) => Math.cos(i));
      const x = new Float64Array(N);
      p.solve(b, x);
      if (p.perturbed === 0) expect(residual(D, N, x, b)).toBeLessThan(1e-10);
    }
  });
});

describe('the KKT solver', () => {
  test('large and banded: the profile factorization, the same solution as a dense solve (refined)', () => {
    const np = 250;
    const m = 80;
    const { D, H, A } = saddle(np, m, 31, 2);
    const N = np + m;
    const sigma = Float64Array.from({ length: np }, (_, i) => 1 + (i % 7));
    for (let i = 0; i < np; i++) D[i * N + i]! += sigma[i]! + 0.5;
    for (let k = 0; k < m; k++) D[(np + k) * N + np + k] = -1e-8;
    const k = new KktSolver(np, m);
    k.setMatrix(H, sigma, A);
    expect(k.mode).toBe('profile');
    const inertia = k.factor(0.5, 1e-8);
    expect(inertia).toEqual(eigInertia(D, N));
    const b = Float64Array.from({ length: N }, (_, i) => Math.sin(0.1 * i));
    const x = new Float64Array(N);
    expect(k.solve(b, x)).toBe(true);
    expect(residual(D, N, x, b)).toBeLessThan(1e-12);
  });

  test('small: dense Bunch–Kaufman; a singular system is reported, not solved with garbage', () => {
    // [I Aᵀ; A 0] with A = [1 1; 2 2] (rank 1)
    const H = new Triplets();
    const A = new Triplets();
    A.push(0, 0, 1);
    A.push(0, 1, 1);
    A.push(1, 0, 2);
    A.push(1, 1, 2);
    const k = new KktSolver(2, 2);
    k.setMatrix(H, Float64Array.of(1, 1), A);
    expect(k.mode).toBe('dense');
    expect(k.factor(0, 0).zero).toBe(1);
    expect(k.factor(0, 1e-8)).toEqual({ pos: 2, neg: 2, zero: 0 });
  });
});

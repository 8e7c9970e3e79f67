/**
 * Trust-region subproblem solvers on their own. The reference solution of
 * min gᵀp + ½pᵀHp, ‖p‖ ≤ Δ comes from a full eigendecomposition (ml-matrix) and bisection on
 * the secular equation ‖p(λ)‖ = Δ — an independent algorithm — including the hard case, where
 * g is orthogonal to the eigenvector of the smallest eigenvalue.
 */
import { describe, expect, it } from 'vitest';
import { EigenvalueDecomposition, Matrix, solve } from 'ml-matrix';
import { DenseSystem, moreSorensen, moreSorensenSubproblem, MoreSorensenWork, TridiagonalSystem } from '../../optimizers/subproblem/more-sorensen.js';
import { steihaug } from '../../optimizers/subproblem/steihaug.js';
import { cgWork, truncatedCg } from '../../optimizers/subproblem/truncated-cg.js';
import { dogleg } from '../../optimizers/subproblem/dogleg.js';
import { gltr } from '../../optimizers/subproblem/gltr.js';
import type { QuadraticModel } from '../../optimizers/subproblem/types.js';
import { normals, rng } from '../../bench/problems/rng.js';

const randn = normals(rng(11));

/** Symmetric matrix with prescribed eigenvalues in a random orthonormal basis; returns H and the basis. */
function withEigenvalues(eigs: number[]): { H: Float64Array; Q: number[][] } {
  const n = eigs.length;
  // Gram–Schmidt on random vectors.
  const Q: number[][] = [];
  while (Q.length < n) {
    const v = Array.from({ length: n }, () => randn());
    for (const q of Q) {
      const c = q.reduce((s, qi, i) => s + qi * v[i]!, 0);
      for (let i = 0; i < n; i++) v[i]! -= c * q[i]!;
    }
    const nv = Math.hypot(...v);
    Q.push(v.map((x) => x / nv));
  }
  const H = new Float64Array(n * n);
  for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) H[i * n + j]! += eigs[k]! * Q[k]![i]! * Q[k]![j]!;
  return { H, Q };
}

/** The model; `accurate` makes the inexact solvers' forcing term tiny (η ≈ 1e-8). */
function model(H: Float64Array, g: Float64Array, accurate = false): QuadraticModel {
  const n = g.length;
  return {
    n,
    g,
    H,
    gnorm0: Math.hypot(...g) * (accurate ? 1e16 : 1),
    hvp(v, out) {
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += H[i * n + j]! * v[j]!;
        out[i] = s;
      }
    },
  };
}

const mval = (H: Float64Array, g: Float64Array, p: Float64Array): number => {
  const n = g.length;
  let s = 0;
  for (let i = 0; i < n; i++) {
    s += g[i]! * p[i]!;
    for (let j = 0; j < n; j++) s += 0.5 * p[i]! * H[i * n + j]! * p[j]!;
  }
  return s;
};
const norm = (p: Float64Array): number => Math.hypot(...p);

/** Global minimizer of the model in the ball by eigendecomposition + bisection on λ. */
function reference(H: Float64Array, g: Float64Array, radius: number): { p: Float64Array; m: number } {
  const n = g.length;
  const evd = new EigenvalueDecomposition(new Matrix(Array.from({ length: n }, (_, i) => Array.from(H.subarray(i * n, (i + 1) * n)))), {
    assumeSymmetric: true,
  });
  const lam = evd.realEigenvalues;
  const V = evd.eigenvectorMatrix;
  const gh = lam.map((_, k) => g.reduce((s, gi, i) => s + V.get(i, k) * gi, 0));
  const pOf = (l: number): Float64Array => {
    const p = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const c = Math.abs(lam[k]! + l) < 1e-14 ? 0 : -gh[k]! / (lam[k]! + l);
      for (let i = 0; i < n; i++) p[i]! += c * V.get(i, k);
    }
    return p;
  };
  const lmin = Math.min(...lam);
  if (lmin > 0 && norm(pOf(0)) <= radius) {
    const p = pOf(0);
    return { p, m: mval(H, g, p) };
  }
  let lo = Math.max(0, -lmin);
  let hi = lo + Math.hypot(...g) / radius + 10 * Math.max(...lam.map(Math.abs)) + 1;
  const pLo = pOf(lo + 1e-13 * hi);
  if (norm(pLo) < radius) {
    // Hard case: p(−λ₁) plus a multiple of the eigenvector of λ₁ to reach the boundary.
    const k = lam.indexOf(lmin);
    const z = Float64Array.from({ length: n }, (_, i) => V.get(i, k));
    const pz = pLo.reduce((s, v, i) => s + v * z[i]!, 0);
    const tau = -pz + Math.sqrt(pz * pz + radius * radius - norm(pLo) ** 2);
    const p = pLo.map((v, i) => v + tau * z[i]!);
    return { p, m: mval(H, g, p) };
  }
  for (let it = 0; it < 200; it++) {
    const mid = 0.5 * (lo + hi);
    if (norm(pOf(mid)) > radius) lo = mid;
    else hi = mid;
  }
  const p = pOf(hi);
  return { p, m: mval(H, g, p) };
}

const cases = (): { name: string; H: Float64Array; g: Float64Array; radius: number }[] => {
  const out: { name: string; H: Float64Array; g: Float64Array; radius: number }[] = [];
  const n = 8;
  const spd = withEigenvalues([0.5, 1, 2, 3, 5, 8, 13, 21]);
  const g = Float64Array.from({ length: n }, () => randn());
  out.push({ name: 'convex, interior', H: spd.H, g, radius: 100 });
  out.push({ name: 'convex, boundary', H: spd.H, g, radius: 0.3 });
  const ind = withEigenvalues([-3, -1, 0.5, 1, 2, 4, 6, 9]);
  out.push({ name: 'indefinite', H: ind.H, g, radius: 1.5 });
  // Hard case: g ⟂ eigenvector of the smallest eigenvalue, and a radius beyond ‖p(−λ₁)‖.
  const hard = withEigenvalues([-2, 1, 2, 3, 4, 5, 6, 7]);
  const gh = Float64Array.from({ length: n }, () => randn());
  const q = hard.Q[0]!;
  const c = q.reduce((s, qi, i) => s + qi * gh[i]!, 0);
  for (let i = 0; i < n; i++) gh[i]! -= c * q[i]!;
  out.push({ name: 'hard case', H: hard.H, g: gh, radius: 5 });
  return out;
};

describe('Moré–Sorensen (trust-exact)', () => {
  for (const c of cases()) {
    it(`${c.name}: model value within 1% of the exact minimum, step inside (1 + κ)Δ`, () => {
      const n = c.g.length;
      const ref = reference(c.H, c.g, c.radius);
      const p = new Float64Array(n);
      const r = moreSorensenSubproblem()(n).solve(model(c.H, c.g), c.radius, p);
      const m = mval(c.H, c.g, p);
      expect(norm(p)).toBeLessThanOrEqual(1.1 * c.radius + 1e-12);
      // With κ_easy = 0.1 the value is near-optimal (Moré–Sorensen Thm 3.4: m ≤ (1−κ)²·m*-ish).
      expect(m).toBeLessThanOrEqual(0.8 * ref.m);
      expect(r.predicted).toBeCloseTo(-m, 10);
      if (c.name === 'convex, interior') {
        for (let i = 0; i < n; i++) expect(p[i]).toBeCloseTo(ref.p[i]!, 8);
        expect(r.onBoundary).toBe(false);
      } else expect(r.onBoundary).toBe(true);
    });
  }

  it('solves to high accuracy when asked (κ_easy = 1e-10) and matches the eigen-solution', () => {
    for (const c of cases()) {
      const n = c.g.length;
      const ref = reference(c.H, c.g, c.radius);
      const p = new Float64Array(n);
      const sys = new DenseSystem(n);
      sys.set(c.H);
      moreSorensen(sys, c.g, c.radius, p, new MoreSorensenWork(n), { kEasy: 1e-10, kHard: 1e-10, maxIter: 200 });
      expect(mval(c.H, c.g, p)).toBeCloseTo(ref.m, 6);
    }
  });

  it('tridiagonal and dense systems agree', () => {
    const n = 7;
    const a = Array.from({ length: n }, () => randn());
    const e = Array.from({ length: n - 1 }, () => randn());
    const H = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      H[i * n + i] = a[i]!;
      if (i < n - 1) H[i * n + i + 1] = H[(i + 1) * n + i] = e[i]!;
    }
    const tri = new TridiagonalSystem(n);
    tri.a.set(a);
    tri.e.set(e);
    tri.resize(n);
    const dense = new DenseSystem(n);
    dense.set(H);
    const g = Float64Array.from({ length: n }, () => randn());
    const p1 = new Float64Array(n);
    const p2 = new Float64Array(n);
    const opts = { kEasy: 1e-12, kHard: 1e-12, maxIter: 200 };
    moreSorensen(tri, g, 0.7, p1, new MoreSorensenWork(n), opts);
    moreSorensen(dense, g, 0.7, p2, new MoreSorensenWork(n), opts);
    for (let i = 0; i < n; i++) expect(p1[i]).toBeCloseTo(p2[i]!, 8);
  });
});

describe('GLTR (trust-krylov)', () => {
  for (const c of cases().filter((q) => q.name !== 'hard case')) {
    it(`${c.name}: matches the exact subproblem solution when solved accurately`, () => {
      const n = c.g.length;
      const ref = reference(c.H, c.g, c.radius);
      const p = new Float64Array(n);
      gltr()(n).solve(model(c.H, c.g, true), c.radius, p);
      // ‖p‖ may exceed Δ by the inner solve's tolerance (1e-4 relative), hence the allowance.
      expect(Math.abs(mval(c.H, c.g, p) - ref.m)).toBeLessThan(1e-3 * Math.abs(ref.m));
      expect(norm(p)).toBeLessThanOrEqual(c.radius * (1 + 1e-3));
    });
  }

  it('reuses its Krylov space for a smaller radius without new products', () => {
    const [c] = cases().filter((q) => q.name === 'indefinite');
    const n = c!.g.length;
    let products = 0;
    const mdl = model(c!.H, c!.g);
    const counted: QuadraticModel = { ...mdl, hvp: (v, out) => (products++, mdl.hvp(v, out)) };
    const solver = gltr()(n);
    const p = new Float64Array(n);
    solver.solve(counted, 1.5, p);
    const first = products;
    solver.solve(counted, 0.3, p, true);
    // (The default forcing term stops early; the value is still close to the exact one.)
    expect(products - first).toBeLessThanOrEqual(1);
    expect(mval(c!.H, c!.g, p)).toBeLessThanOrEqual(0.9 * reference(c!.H, c!.g, 0.3).m);
  });
});

describe('Steihaug–Toint CG and dogleg', () => {
  for (const [name, factory] of [
    ['steihaug', steihaug],
    ['dogleg', dogleg],
  ] as const) {
    for (const c of cases()) {
      it(`${name}, ${c.name}: stays in the region and decreases the model at least as much as the Cauchy point`, () => {
        const n = c.g.length;
        const p = new Float64Array(n);
        const r = factory(n).solve(model(c.H, c.g, true), c.radius, p);
        expect(norm(p)).toBeLessThanOrEqual(c.radius * (1 + 1e-12));
        // Cauchy point: minimizer of the model along −g within the region (closed form).
        const gg = c.g.reduce((s, v) => s + v * v, 0);
        const Hg = new Float64Array(n);
        model(c.H, c.g).hvp(c.g, Hg);
        const gHg = c.g.reduce((s, v, i) => s + v * Hg[i]!, 0);
        const tMax = c.radius / Math.sqrt(gg);
        const t = gHg > 0 ? Math.min(gg / gHg, tMax) : tMax;
        const cauchy = c.g.map((v) => -t * v);
        expect(mval(c.H, c.g, p)).toBeLessThanOrEqual(mval(c.H, c.g, cauchy) + 1e-12);
        expect(r.predicted).toBeCloseTo(-mval(c.H, c.g, p), 9);
        if (c.name === 'convex, interior') {
          // Both return the Newton step.
          const ref = reference(c.H, c.g, c.radius);
          for (let i = 0; i < n; i++) expect(p[i]).toBeCloseTo(ref.p[i]!, 7);
          expect(r.onBoundary).toBe(false);
        } else if (c.name === 'convex, boundary' || (name === 'steihaug' && c.name === 'indefinite')) {
          expect(norm(p)).toBeCloseTo(c.radius, 9);
          expect(r.onBoundary).toBe(true);
        }
        // In the hard case g has no component along the negative-curvature eigenvector, so the
        // Krylov space of CG never sees it and Steihaug ends inside; dogleg follows the modified
        // (positive definite) model. Both still earn the Cauchy decrease checked above.
      });
    }
  }
});

describe('truncated CG (the core of Newton-CG and Steihaug)', () => {
  const solveDense = (H: Float64Array, g: Float64Array): number[] => {
    const n = g.length;
    const rows = Array.from({ length: n }, (_, i) => Array.from(H.subarray(i * n, (i + 1) * n)));
    return solve(new Matrix(rows), Matrix.columnVector(Array.from(g, (v) => -v))).getColumn(0);
  };

  it('solves a positive definite system B·p = −g (against ml-matrix) and tracks the model value', () => {
    const { H } = withEigenvalues([0.5, 1, 2, 4, 8, 16]);
    const g = Float64Array.from({ length: 6 }, () => randn());
    const m = model(H, g, true);
    const p = new Float64Array(6);
    const r = truncatedCg(m.hvp, g, m.gnorm0, 100, Infinity, p, cgWork(6));
    expect(r.stop).toBe('converged');
    expect(r.iterations).toBeLessThanOrEqual(7); // n steps in exact arithmetic, one spare for rounding
    const ref = solveDense(H, g);
    for (let i = 0; i < 6; i++) expect(p[i]).toBeCloseTo(ref[i]!, 8);
    expect(r.model).toBeCloseTo(mval(H, g, p), 10);
  });

  it('stops at the first direction of non-positive curvature, reporting its slope and curvature', () => {
    // B = diag(1, −1), g = (0, 1): the first direction d = −g = (0, −1) has dᵀBd = −1, rᵀd = −1.
    const H = Float64Array.of(1, 0, 0, -1);
    const g = Float64Array.of(0, 1);
    const m = model(H, g, true);
    const p = new Float64Array(2);
    const work = cgWork(2);
    const r = truncatedCg(m.hvp, g, m.gnorm0, 10, Infinity, p, work);
    expect(r).toMatchObject({ stop: 'negativeCurvature', iterations: 0, slope: -1, curvature: -1, model: 0, rr: 1 });
    expect(Array.from(p)).toEqual([0, 0]);
    expect(Array.from(work.d)).toEqual([-0, -1]);
  });

  it('stops before a step that would leave the ball, and at the iteration limit', () => {
    // B = I, g = (3, 4): the first CG step is p = −g, of length 5 > Δ = 1.
    const H = Float64Array.of(1, 0, 0, 1);
    const g = Float64Array.of(3, 4);
    const m = model(H, g, true);
    const p = new Float64Array(2);
    expect(truncatedCg(m.hvp, g, m.gnorm0, 10, 1, p, cgWork(2))).toMatchObject({ stop: 'boundary', iterations: 0, slope: -25, curvature: 25 });
    expect(truncatedCg(m.hvp, g, m.gnorm0, 10, 6, p, cgWork(2))).toMatchObject({ stop: 'converged', iterations: 1 });
    expect(Array.from(p)).toEqual([-3, -4]);
    const { H: H6 } = withEigenvalues([1, 2, 3, 4, 5, 6]);
    const g6 = Float64Array.from({ length: 6 }, () => randn());
    const m6 = model(H6, g6, true);
    expect(truncatedCg(m6.hvp, g6, m6.gnorm0, 2, Infinity, new Float64Array(6), cgWork(6))).toMatchObject({ stop: 'maxIter', iterations: 2 });
  });

  it('reports a non-finite product', () => {
    const g = Float64Array.of(1, 1);
    const r = truncatedCg((_v, out) => out.fill(NaN), g, 1, 10, Infinity, new Float64Array(2), cgWork(2));
    expect(r).toMatchObject({ stop: 'nonFinite', iterations: 0 });
  });
});

/** Helpers for the linear-algebra tests: random UTPM curves, primal evaluation, series algebra. */
import { primitive } from '../../src/utpm/table.js';
import { UTPM } from '../../src/utpm/utpm.js';
import { Workspace } from '../../src/utpm/workspace.js';

export { relErr, rng, uniform, normal, fdGradient, flat } from '../helpers.js';

/** Runs a primitive's Taylor rule (out at D, P unless every input is a constant). */
export function fwd(op: string, ins: UTPM[], params: unknown, D: number, P: number): UTPM {
  const prim = primitive(op);
  const shape = prim.shape(
    ins.map((u) => u.shape),
    params,
  );
  const constant = prim.nondiff === true || ins.every((u) => u.D === 1);
  const out = new UTPM(shape, constant ? 1 : D, P);
  // poison the buffer: a Taylor rule must write every number of its output
  out.data.fill(NaN);
  prim.forward(out, ins, params, new Workspace());
  return out;
}

/** The primal: the primitive at D = 1 on plain values. */
export function primal(op: string, ins: Float64Array[], shapes: number[][], params: unknown): Float64Array {
  return fwd(
    op,
    ins.map((v, k) => UTPM.constant(shapes[k]!, v)),
    params,
    1,
    1,
  ).data;
}

/** A UTPM with value x0 and random coefficient blocks in [−scale, scale]; symmetric blocks if asked. */
export function curve(shape: number[], x0: Float64Array, D: number, P: number, r: () => number, scale = 0.3, symmetric = false): UTPM {
  const u = new UTPM(shape, D, P);
  u.data.set(x0);
  for (let i = u.size; i < u.data.length; i++) u.data[i] = scale * (2 * r() - 1);
  if (symmetric) {
    const n = shape[0]!;
    for (let b = 1; b < u.blocks; b++) {
      const o = b * u.size;
      for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) u.data[o + j * n + i] = u.data[o + i * n + j]!;
    }
  }
  return u;
}

/** Coefficient d of direction p as a copy (zeros past u.D). */
export function coef(u: UTPM, d: number, p: number): Float64Array {
  if (d >= u.D) return new Float64Array(u.size);
  return u.data.slice(u.off(d, p), u.off(d, p) + u.size);
}

/** The point on direction p's curve at s: Σ_d x_d s^d. */
export function pointAt(u: UTPM, p: number, s: number): Float64Array {
  const x = coef(u, 0, p);
  let sk = 1;
  for (let d = 1; d < u.D; d++) {
    sk *= s;
    const c = coef(u, d, p);
    for (let i = 0; i < x.length; i++) x[i] += sk * c[i]!;
  }
  return x;
}

/**
 * First and second Taylor coefficients of s ↦ g(s) at 0 by 5-point central differences
 * (errors O(h⁴)): y₁ = g′(0), y₂ = g″(0)/2.
 */
export function fd12(g: (s: number) => Float64Array, h: number): [Float64Array, Float64Array] {
  const m2 = g(-2 * h);
  const m1 = g(-h);
  const z = g(0);
  const p1 = g(h);
  const p2 = g(2 * h);
  const y1 = new Float64Array(z.length);
  const y2 = new Float64Array(z.length);
  for (let i = 0; i < z.length; i++) {
    y1[i] = (m2[i]! - 8 * m1[i]! + 8 * p1[i]! - p2[i]!) / (12 * h);
    y2[i] = (-m2[i]! + 16 * m1[i]! - 30 * z[i]! + 16 * p1[i]! - p2[i]!) / (12 * h * h) / 2;
  }
  return [y1, y2];
}

/** m×n matrix product of row-major buffers, with optional transposes (op(A) m×k, op(B) k×n). */
export function mm(A: Float64Array, B: Float64Array, m: number, k: number, n: number, ta = false, tb = false): Float64Array {
  const C = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let l = 0; l < k; l++) s += (ta ? A[l * m + i]! : A[i * k + l]!) * (tb ? B[j * k + l]! : B[l * n + j]!);
      C[i * n + j] = s;
    }
  }
  return C;
}

/** Coefficients of the product of two matrix series, truncated to D terms. */
export function seriesMatmul(
  A: Float64Array[], B: Float64Array[], m: number, k: number, n: number, ta = false, tb = false,
): Float64Array[] {
  const D = A.length;
  const out: Float64Array[] = [];
  for (let d = 0; d < D; d++) {
    const c = new Float64Array(m * n);
    for (let q = 0; q <= d; q++) {
      const t = mm(A[q]!, B[d - q]!, m, k, n, ta, tb);
      for (let i = 0; i < c.length; i++) c[i] += t[i]!;
    }
    out.push(c);
  }
  return out;
}

/** All D coefficients of direction p. */
export function series(u: UTPM, p: number, D: number): Float64Array[] {
  return Array.from({ length: D }, (_, d) => coef(u, d, p));
}

export function identity(n: number): Float64Array {
  const I = new Float64Array(n * n);
  for (let i = 0; i < n; i++) I[i * n + i] = 1;
  return I;
}

/** A well-conditioned random n×n matrix: uniform entries plus shift·I. */
export function randomMatrix(r: () => number, m: number, n: number, shift = 0): Float64Array {
  const a = new Float64Array(m * n);
  for (let i = 0; i < a.length; i++) a[i] = 2 * r() - 1;
  for (let i = 0; i < Math.min(m, n); i++) a[i * n + i] += shift;
  return a;
}

/** A random symmetric positive definite n×n matrix: B·Bᵀ + n·I/2. */
export function randomSPD(r: () => number, n: number): Float64Array {
  const B = randomMatrix(r, n, n);
  const S = mm(B, B, n, n, n, false, true);
  for (let i = 0; i < n; i++) S[i * n + i] += n / 2;
  return S;
}

/** A random symmetric matrix with well-separated eigenvalues (Q·diag(spread)·Qᵀ, plus noise). */
export function randomSymmetric(r: () => number, n: number): Float64Array {
  const B = randomMatrix(r, n, n);
  const S = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = B[i * n + j]! + B[j * n + i]!;
      S[i * n + j] = v;
      S[j * n + i] = v;
    }
    S[i * n + i] += 2 * i; // spreads the spectrum
  }
  return S;
}

/** Matrix rows as nested arrays. */
export function toRows(v: Float64Array, m: number, n: number): number[][] {
  return Array.from({ length: m }, (_, i) => Array.from(v.subarray(i * n, (i + 1) * n)));
}

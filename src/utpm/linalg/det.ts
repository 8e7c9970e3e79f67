/**
 * Determinants: `det`, `logabsdet` (log|det A|, which does not overflow for large matrices)
 * and `det_sign` (sign of det A; no derivative). slogdet at the API is the pair
 * (det_sign, logabsdet) — two single-output nodes instead of one packed node, because the
 * sign carries no derivative and so needs no adjoint bookkeeping.
 *
 * Taylor rule: Gaussian elimination of A(s) in truncated-series arithmetic, with the row
 * order partial pivoting chose for A_0. Its pivots u_k(s) are the diagonal of U(s) in
 * P·A(s) = L(s)·U(s), so det A(s) = sign(P)·Π_k u_k(s) and log|det A(s)| = Σ_k log|u_k(s)|.
 * Every step is a series product or a division by a pivot of A_0, as in the LU of A_0
 * itself: no A⁻¹, so no cancellation for badly scaled matrices (the route through
 * tr(A⁻¹·A′) sums terms of size cond(A) into coefficients of size 1). At an exactly singular
 * A_0 the value is right (det 0, logabsdet −∞); the higher coefficients are too when only the
 * last pivot vanishes (a singular diagonal or triangular matrix), and NaN otherwise.
 * The 0×0 matrix has determinant 1.
 *
 * Pullbacks: Ā = ȳ·det(A)·A⁻ᵀ and Ā = ȳ·A⁻ᵀ (written with inv, so twice differentiable;
 * not finite at a singular A).
 */
import type { Primitive } from '../primitive.js';
import { sLog, sMul } from '../series.js';
import type { UTPM } from '../utpm.js';
import { type LUFactors, luDet, luFactor, luLogAbsDet } from './kernels.js';
import { la, squareShape } from './util.js';

/**
 * The pivots' Taylor coefficients along direction p: pivot k's coefficients d = 0 … D−1 at
 * piv[k·D + d]. `w` is scratch of n²·D numbers, `l` of D.
 */
function pivotSeries(a: UTPM, f: LUFactors, D: number, p: number, piv: Float64Array, w: Float64Array, l: Float64Array): void {
  const n = f.n;
  const ad = a.data;
  // w[(i·n + j)·D + d]: coefficient d of row perm[i], column j of A
  for (let i = 0; i < n; i++) {
    const r = f.perm[i]! * n;
    for (let j = 0; j < n; j++) {
      const o = (i * n + j) * D;
      w[o] = ad[r + j]!;
      for (let d = 1; d < D; d++) w[o + d] = d < a.D ? ad[a.off(d, p) + r + j]! : 0;
    }
  }
  for (let k = 0; k < n; k++) {
    const kk = (k * n + k) * D;
    for (let i = k + 1; i < n; i++) {
      const ik = (i * n + k) * D;
      let zero = true;
      for (let d = 0; d < D; d++) if (w[ik + d] !== 0) zero = false;
      if (zero) continue; // nothing to eliminate (also where the pivot vanishes)
      // l = w_ik / w_kk as series
      for (let d = 0; d < D; d++) {
        let s = w[ik + d]!;
        for (let q = 0; q < d; q++) s -= l[q]! * w[kk + d - q]!;
        l[d] = s / w[kk]!;
      }
      for (let j = k + 1; j < n; j++) {
        const ij = (i * n + j) * D;
        const kj = (k * n + j) * D;
        for (let d = D - 1; d >= 0; d--) {
          let s = 0;
          for (let q = 0; q <= d; q++) s += l[q]! * w[kj + d - q]!;
          w[ij + d] = w[ij + d]! - s;
        }
      }
    }
    for (let d = 0; d < D; d++) piv[k * D + d] = w[kk + d]!;
  }
}

/** Runs `fn(p, piv)` with the pivot series of each direction (only when out.D > 1). */
function eachPivotSeries(out: UTPM, a: UTPM, f: LUFactors, fn: (p: number, piv: Float64Array) => void): void {
  if (out.D === 1) return;
  const n = f.n;
  const D = out.D;
  const piv = new Float64Array(n * D);
  const w = new Float64Array(n * n * D);
  const l = new Float64Array(D);
  for (let p = 0; p < out.P; p++) {
    pivotSeries(a, f, D, p, piv, w, l);
    fn(p, piv);
  }
}

const scalarOfSquare = (op: string) => (s: readonly (readonly number[])[]): number[] => {
  squareShape(op, s[0]!, 'argument', true);
  return [];
};

export const det: Primitive = {
  name: 'det',
  arity: 1,
  shape: scalarOfSquare('det'),
  forward(out, [A]) {
    const a = A!;
    const f = luFactor(a.data, 0, a.shape[0]!);
    const od = out.data;
    od[0] = luDet(f);
    const D = out.D;
    const acc = new Float64Array(D);
    const tmp = new Float64Array(D);
    eachPivotSeries(out, a, f, (p, piv) => {
      acc.fill(0);
      acc[0] = f.sign;
      for (let k = 0; k < f.n; k++) {
        sMul(acc, piv.subarray(k * D, (k + 1) * D), tmp, D);
        acc.set(tmp);
      }
      for (let d = 1; d < D; d++) od[out.off(d, p)] = acc[d]!;
    });
  },
  pullback(b, g, y, [A]) {
    if (A!.shape[0] === 0) return [b.zeros(A!.shape)];
    return [b.mul(b.mul(g, y), la.T(b, la.inv(b, A!)))];
  },
};

export const logabsdet: Primitive = {
  name: 'logabsdet',
  arity: 1,
  shape: scalarOfSquare('logabsdet'),
  forward(out, [A]) {
    const a = A!;
    const f = luFactor(a.data, 0, a.shape[0]!);
    const od = out.data;
    od[0] = luLogAbsDet(f).logabsdet;
    const D = out.D;
    const lg = new Float64Array(D);
    eachPivotSeries(out, a, f, (p, piv) => {
      for (let d = 1; d < D; d++) od[out.off(d, p)] = 0;
      // d log|u| = du/u: the log series' coefficients d ≥ 1 (its degree 0 is not used)
      for (let k = 0; k < f.n; k++) {
        sLog(piv.subarray(k * D, (k + 1) * D), lg, D);
        for (let d = 1; d < D; d++) od[out.off(d, p)] += lg[d]!;
      }
    });
  },
  pullback(b, g, _y, [A]) {
    if (A!.shape[0] === 0) return [b.zeros(A!.shape)];
    return [b.mul(g, la.T(b, la.inv(b, A!)))];
  },
};

export const detSign: Primitive = {
  name: 'det_sign',
  arity: 1,
  nondiff: true,
  shape: scalarOfSquare('det_sign'),
  forward(out, [A]) {
    const a = A!;
    out.data[0] = luLogAbsDet(luFactor(a.data, 0, a.shape[0]!)).sign;
  },
};

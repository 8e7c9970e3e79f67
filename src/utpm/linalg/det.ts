/**
 * Determinants: `det`, `logabsdet` (log|det A|, which does not overflow for large matrices)
 * and `det_sign` (sign of det A; no derivative). slogdet at the API is the pair
 * (det_sign, logabsdet) — two single-output nodes instead of one packed node, because the
 * sign carries no derivative and so needs no adjoint bookkeeping.
 *
 * Taylor rule. Jacobi's formula d/ds log det A(s) = tr(A⁻¹·A′) gives the series
 *     g(s) = tr(A(s)⁻¹·A′(s)),  g_j = Σ_{k=1..j+1} k·tr(Y_{j+1−k}·A_k),
 * where Y = A⁻¹ is propagated as in inv (Y_i = −Y_0·Σ_{k=1..i} A_k·Y_{i−k}). Then
 *     logabsdet_d = g_{d−1}/d   and   det_d = (1/d)·Σ_{j=0..d−1} g_j·det_{d−1−j}   (det′ = det·g).
 * Both need A_0 invertible: at an exactly singular A_0 the value is right (det 0,
 * logabsdet −∞) but the higher coefficients and the gradients are NaN.
 *
 * Pullbacks: Ā = ȳ·det(A)·A⁻ᵀ and Ā = ȳ·A⁻ᵀ (written with inv, so twice differentiable).
 */
import { gemmAcc } from '../matmul.js';
import type { Primitive } from '../primitive.js';
import type { UTPM } from '../utpm.js';
import { type LUFactors, luDet, luFactor, luLogAbsDet, luSolve, setIdentity } from './kernels.js';
import { la, squareShape } from './util.js';

/**
 * Coefficients g_0 … g_{D−2} of tr(A⁻¹·A′) along direction p into g, given the LU factors
 * of A_0 and its inverse Y_0 (n×n). `ys` holds (D−1)·n² numbers of scratch.
 */
function logDerivative(a: UTPM, Y0: Float64Array, D: number, p: number, g: Float64Array, ys: Float64Array): void {
  const n = a.shape[0]!;
  const nn = n * n;
  ys.set(Y0);
  const acc = new Float64Array(nn);
  for (let i = 1; i <= D - 2; i++) {
    acc.fill(0);
    for (let k = 1; k <= i && k < a.D; k++) gemmAcc(a.data, a.off(k, p), false, ys, (i - k) * nn, false, acc, 0, n, n, n);
    const o = i * nn;
    ys.fill(0, o, o + nn);
    gemmAcc(ys, 0, false, acc, 0, false, ys, o, n, n, n);
    for (let q = 0; q < nn; q++) ys[o + q] = -ys[o + q]!;
  }
  for (let j = 0; j <= D - 2; j++) {
    let s = 0;
    for (let k = 1; k <= j + 1 && k < a.D; k++) {
      const yo = (j + 1 - k) * nn;
      const ao = a.off(k, p);
      let tr = 0;
      for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) tr += ys[yo + r * n + c]! * a.data[ao + c * n + r]!;
      s += k * tr;
    }
    g[j] = s;
  }
}

function inverseOf(f: LUFactors): Float64Array {
  const n = f.n;
  const Y = new Float64Array(n * n);
  setIdentity(Y, 0, n);
  luSolve(f, Y, 0, n, false, new Float64Array(n * n));
  return Y;
}

/** Runs `fn(p, g)` with the series g of tr(A⁻¹A′) for each direction (only when out.D > 1). */
function eachLogDerivative(out: UTPM, a: UTPM, f: LUFactors, fn: (p: number, g: Float64Array) => void): void {
  if (out.D === 1) return;
  const n = a.shape[0]!;
  const Y0 = inverseOf(f);
  const g = new Float64Array(out.D - 1);
  const ys = new Float64Array((out.D - 1) * n * n);
  for (let p = 0; p < out.P; p++) {
    if (a.D === 1) g.fill(0);
    else logDerivative(a, Y0, out.D, p, g, ys);
    fn(p, g);
  }
}

const scalarOfSquare = (op: string) => (s: readonly (readonly number[])[]): number[] => {
  squareShape(op, s[0]!);
  return [];
};

export const det: Primitive = {
  name: 'det',
  arity: 1,
  shape: scalarOfSquare('det'),
  forward(out, [A]) {
    const a = A!;
    const f = luFactor(a.data, 0, a.shape[0]!);
    const y0 = luDet(f);
    const od = out.data;
    od[0] = y0;
    const ys = new Float64Array(out.D);
    ys[0] = y0;
    eachLogDerivative(out, a, f, (p, g) => {
      for (let d = 1; d < out.D; d++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += g[j]! * ys[d - 1 - j]!;
        ys[d] = s / d;
        od[out.off(d, p)] = ys[d]!;
      }
    });
  },
  pullback(b, g, y, [A]) {
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
    eachLogDerivative(out, a, f, (p, g) => {
      for (let d = 1; d < out.D; d++) od[out.off(d, p)] = g[d - 1]! / d;
    });
  },
  pullback(b, g, _y, [A]) {
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

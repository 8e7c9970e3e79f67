/**
 * Structural matrix primitives: `trace`, `diag` (vector → matrix), `diag_part`
 * (matrix → vector), `tril`/`triu`, and `norm` (2-norm of all elements: the Euclidean norm
 * of a vector, the Frobenius norm of a matrix).
 *
 * All but norm are linear, so their Taylor rule applies one index map or mask to every
 * coefficient block and their pullbacks are each other (diag ↔ diag_part, trace ↔ ȳ·I,
 * tril/triu ↔ themselves).
 *
 * norm: y_0 = c·√(Σ (x_i/c)²) with c = max|x_0| (no overflow or underflow); higher
 * coefficients from y² = Σ x² with the unit vector x_0/y_0, so tiny y_0 does not overflow a
 * first-order coefficient. Pullback (x/y)·ȳ. At x_0 = 0 the norm is not differentiable;
 * tayopt returns the zero subgradient there, consistently in both modes (Taylor
 * coefficients of degree ≥ 1 are 0, the adjoint is 0).
 */
import { TayoptError } from '../../errors.js';
import { forEachBlock, gatherBlocks, scatterAddBlocks } from '../linear.js';
import type { Primitive } from '../primitive.js';
import { fmtShape } from '../utpm.js';
import { blk, la, matrixShape } from './util.js';

export interface DiagParams {
  /** Diagonal offset: 0 main, > 0 above, < 0 below. */
  k: number;
}

export interface DiagEmbedParams extends DiagParams {
  rows: number;
  cols: number;
}

/** Length of the k-th diagonal of an m×n matrix. */
export function diagLength(m: number, n: number, k: number): number {
  return Math.max(0, Math.min(m - Math.max(0, -k), n - Math.max(0, k)));
}

/** Flat indices of the k-th diagonal of an m×n matrix. */
function diagIndex(m: number, n: number, k: number): Int32Array {
  const len = diagLength(m, n, k);
  const r0 = Math.max(0, -k);
  const c0 = Math.max(0, k);
  const idx = new Int32Array(len);
  for (let i = 0; i < len; i++) idx[i] = (r0 + i) * n + c0 + i;
  return idx;
}

function checkK(op: string, k: unknown): number {
  if (typeof k !== 'number' || !Number.isInteger(k)) throw new TayoptError(`${op}: diagonal offset k must be an integer, got ${String(k)}`);
  return k;
}

export const trace: Primitive = {
  name: 'trace',
  arity: 1,
  shape(s) {
    matrixShape('trace', s[0]!);
    return [];
  },
  forward(out, [X]) {
    const x = X!;
    const [m, n] = x.shape as [number, number];
    const idx = diagIndex(m, n, 0);
    forEachBlock(out, [x], (o, [a]) => {
      let s = 0;
      if (a! >= 0) for (let i = 0; i < idx.length; i++) s += x.data[a! + idx[i]!]!;
      out.data[o] = s;
    });
  },
  pullback(b, g, _y, [X]) {
    const [m, n] = X!.shape as [number, number];
    return [b.mul(g, la.eye(b, m, n))];
  },
};

/** diag(v): the [rows, cols] matrix with v on its k-th diagonal. */
export const diag: Primitive = {
  name: 'diag',
  arity: 1,
  shape(s, p: DiagEmbedParams) {
    const v = s[0]!;
    const k = checkK('diag', p.k);
    if (v.length !== 1) throw new TayoptError(`diag: needs a vector, got shape ${fmtShape(v)}`);
    if (diagLength(p.rows, p.cols, k) !== v[0]) {
      throw new TayoptError(`diag: a vector of length ${v[0]} does not fill diagonal ${k} of a ${p.rows}×${p.cols} matrix`);
    }
    return [p.rows, p.cols];
  },
  forward(out, [x], p: DiagEmbedParams) {
    out.data.fill(0);
    scatterAddBlocks(out, x!, diagIndex(p.rows, p.cols, p.k));
  },
  pullback: (b, g, _y, _xs, p: DiagEmbedParams) => [b.b.apply('diag_part', [g], { k: p.k })],
};

/** diag_part(A): the k-th diagonal of a matrix, as a vector. */
export const diagPart: Primitive = {
  name: 'diag_part',
  arity: 1,
  shape(s, p: DiagParams) {
    const [m, n] = matrixShape('diag', s[0]!);
    return [diagLength(m, n, checkK('diag', p.k))];
  },
  forward(out, [x], p: DiagParams) {
    const [m, n] = x!.shape as [number, number];
    gatherBlocks(out, x!, diagIndex(m, n, p.k));
  },
  pullback(b, g, _y, [X], p: DiagParams) {
    const [m, n] = X!.shape as [number, number];
    return [b.b.apply('diag', [g], { k: p.k, rows: m, cols: n })];
  },
};

function band(name: 'tril' | 'triu'): Primitive {
  const keep = name === 'tril' ? (i: number, j: number, k: number) => j - i <= k : (i: number, j: number, k: number) => j - i >= k;
  return {
    name,
    arity: 1,
    shape(s, p: DiagParams) {
      matrixShape(name, s[0]!);
      checkK(name, p.k);
      return [...s[0]!];
    },
    forward(out, [x], p: DiagParams) {
      const [m, n] = x!.shape as [number, number];
      const xd = x!.data;
      const od = out.data;
      forEachBlock(out, [x!], (o, [a]) => {
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) od[o + i * n + j] = keep(i, j, p.k) ? xd[a! + i * n + j]! : 0;
        }
      });
    },
    pullback: (b, g, _y, _xs, p: DiagParams) => [b.b.apply(name, [g], { k: p.k })],
  };
}

export const tril = band('tril');
export const triu = band('triu');

export const norm: Primitive = {
  name: 'norm',
  arity: 1,
  shape: () => [],
  forward(out, [X]) {
    const x = X!;
    const N = x.size;
    const xd = x.data;
    const od = out.data;
    // y_0 = c·√(Σ (x_i/c)²), c = max|x_i|: no overflow or underflow in the squares
    let c = 0;
    for (let i = 0; i < N; i++) c = Math.max(c, Math.abs(xd[i]!));
    let y0 = c;
    if (c > 0 && Number.isFinite(c)) {
      let s = 0;
      for (let i = 0; i < N; i++) s += (xd[i]! / c) ** 2;
      y0 = c * Math.sqrt(s);
    } else if (!(c === 0)) {
      y0 = c; // Infinity or NaN
    }
    od[0] = y0;
    if (out.D === 1) return;
    if (y0 === 0 || !Number.isFinite(y0)) {
      // zero subgradient at 0 (the convention of the pullback); non-finite stays non-finite
      for (let d = 1; d < out.D; d++) for (let p = 0; p < out.P; p++) od[out.off(d, p)] = y0 === 0 ? 0 : NaN;
      return;
    }
    // y² = Σ x²  ⇒  y_d = Σ u_i·x_{i,d} + (Σ_{k=1..d−1} [Σ_i x_{i,k}·x_{i,d−k} − y_k·y_{d−k}]) / (2·y_0)
    // with the unit vector u = x_0/y_0, so no intermediate is larger than the result.
    const ys = new Float64Array(out.D);
    ys[0] = y0;
    for (let p = 0; p < out.P; p++) {
      for (let d = 1; d < out.D; d++) {
        let lin = 0;
        const xo = blk(x, d, p);
        if (xo >= 0) for (let i = 0; i < N; i++) lin += (xd[i]! / y0) * xd[xo + i]!;
        let rest = 0;
        for (let k = 1; k < d; k++) {
          const ak = blk(x, k, p);
          const bk = blk(x, d - k, p);
          let dot = 0;
          if (ak >= 0 && bk >= 0) for (let i = 0; i < N; i++) dot += xd[ak + i]! * xd[bk + i]!;
          rest += dot - ys[k]! * ys[d - k]!;
        }
        ys[d] = lin + rest / (2 * y0);
        od[out.off(d, p)] = ys[d]!;
      }
    }
  },
  pullback(b, g, y, [x]) {
    // (x/y)·ȳ: |x_i/y| ≤ 1, so nothing overflows even for subnormal y. Where y = 0 (x = 0)
    // the adjoint is the constant 0 — the zero subgradient, whose own derivative (second
    // derivatives there) is 0 as in the Taylor rule; the divisor 1 only keeps the other
    // branch finite
    const zero = b.compare('eq', y, b.scalar(0));
    const safe = b.where(zero, b.scalar(1), y);
    return [b.where(zero, b.scalar(0), b.mul(b.div(x!, safe), g))];
  },
};

/**
 * Matrix product of 2-D arrays with optional transposition of either factor:
 * Y = op(A)·op(B), op(X) = Xᵀ when the flag is set. Taylor rule (Leibniz):
 * Y_d = Σ_{k=0..d} op(A)_k · op(B)_{d−k}, skipping the blocks a constant factor does not have.
 */
import { TayoptError } from '../errors.js';
import type { Primitive } from './primitive.js';
import { fmtShape } from './utpm.js';

export interface MatmulParams {
  ta: boolean;
  tb: boolean;
}

/**
 * C[co + i·n + j] += Σ_l A[ao + i·ai + l·al] · B[bo + l·bl + j·bj] for an m×n result and
 * inner dimension k: a matrix product on strided views (transposes and slices included).
 */
export function gemmStrided(
  A: Float64Array, ao: number, ai: number, al: number,
  B: Float64Array, bo: number, bl: number, bj: number,
  C: Float64Array, co: number, m: number, n: number, k: number,
): void {
  if (bj === 1) {
    for (let i = 0; i < m; i++) {
      const ci = co + i * n;
      const a0 = ao + i * ai;
      for (let l = 0; l < k; l++) {
        const a = A[a0 + l * al]!;
        const b0 = bo + l * bl;
        for (let j = 0; j < n; j++) C[ci + j] += a * B[b0 + j]!;
      }
    }
    return;
  }
  for (let i = 0; i < m; i++) {
    const a0 = ao + i * ai;
    for (let j = 0; j < n; j++) {
      const b0 = bo + j * bj;
      let s = 0;
      for (let l = 0; l < k; l++) s += A[a0 + l * al]! * B[b0 + l * bl]!;
      C[co + i * n + j] += s;
    }
  }
}

/**
 * C[m×n] += op(A)·op(B) on flat row-major buffers at the given offsets, where A is stored
 * m×k (k×m when ta) and B is k×n (n×k when tb).
 */
export function gemmAcc(
  A: Float64Array, ao: number, ta: boolean,
  B: Float64Array, bo: number, tb: boolean,
  C: Float64Array, co: number,
  m: number, n: number, k: number,
): void {
  gemmStrided(A, ao, ta ? 1 : k, ta ? m : 1, B, bo, tb ? 1 : n, tb ? k : 1, C, co, m, n, k);
}

// ---------------------------------------------------------------- direction-interleaved layout (compiled D = 2 replays)

/**
 * Ct[ctb + (i·n + j)·P + p] += Σ_l A[ao + i·ai + l·al] · Bt[btb + (bo + l·bl + j·bj)·P + p]:
 * a product whose right factor carries P interleaved directions.
 */
export function gemmDirB(
  A: Float64Array, ao: number, ai: number, al: number,
  Bt: Float64Array, btb: number, bo: number, bl: number, bj: number,
  Ct: Float64Array, ctb: number, m: number, n: number, k: number, P: number,
): void {
  if (bj === 1) {
    // rows of B are contiguous, so (j, p) is one run of n·P numbers
    const w = n * P;
    for (let i = 0; i < m; i++) {
      const c0 = ctb + i * w;
      for (let l = 0; l < k; l++) {
        const a = A[ao + i * ai + l * al]!;
        const b0 = btb + (bo + l * bl) * P;
        for (let q = 0; q < w; q++) Ct[c0 + q] += a * Bt[b0 + q]!;
      }
    }
    return;
  }
  for (let i = 0; i < m; i++) {
    for (let l = 0; l < k; l++) {
      const a = A[ao + i * ai + l * al]!;
      for (let j = 0; j < n; j++) {
        const b0 = btb + (bo + l * bl + j * bj) * P;
        const c0 = ctb + (i * n + j) * P;
        for (let p = 0; p < P; p++) Ct[c0 + p] += a * Bt[b0 + p]!;
      }
    }
  }
}

/**
 * Ct[ctb + (i·n + j)·P + p] += Σ_l At[atb + (ao + i·ai + l·al)·P + p] · B[bo + l·bl + j·bj]:
 * a product whose left factor carries P interleaved directions.
 */
export function gemmDirA(
  At: Float64Array, atb: number, ao: number, ai: number, al: number,
  B: Float64Array, bo: number, bl: number, bj: number,
  Ct: Float64Array, ctb: number, m: number, n: number, k: number, P: number,
): void {
  for (let i = 0; i < m; i++) {
    for (let l = 0; l < k; l++) {
      const a0 = atb + (ao + i * ai + l * al) * P;
      for (let j = 0; j < n; j++) {
        const b = B[bo + l * bl + j * bj]!;
        const c0 = ctb + (i * n + j) * P;
        for (let p = 0; p < P; p++) Ct[c0 + p] += b * At[a0 + p]!;
      }
    }
  }
}

/** Block layout (degree-1 block p at (1+p)·n) → interleaved (at n + e·P + p); D = 2. */
export function toInterleaved(src: Float64Array, dst: Float64Array, n: number, P: number): void {
  for (let e = 0; e < n; e++) dst[e] = src[e]!;
  for (let p = 0; p < P; p++) {
    const s0 = (1 + p) * n;
    for (let e = 0; e < n; e++) dst[n + e * P + p] = src[s0 + e]!;
  }
}

/** Interleaved → block layout; D = 2. */
export function toBlocks(src: Float64Array, dst: Float64Array, n: number, P: number): void {
  for (let e = 0; e < n; e++) dst[e] = src[e]!;
  for (let p = 0; p < P; p++) {
    const d0 = (1 + p) * n;
    for (let e = 0; e < n; e++) dst[d0 + e] = src[n + e * P + p]!;
  }
}

export const matmul: Primitive = {
  name: 'matmul',
  arity: 2,
  shape(s, p: MatmulParams) {
    const [a, b] = s as [readonly number[], readonly number[]];
    if (a.length !== 2 || b.length !== 2) {
      throw new TayoptError(`matmul: needs 2-D arrays, got shapes ${fmtShape(a)} and ${fmtShape(b)}`);
    }
    const [m, ka] = p.ta ? [a[1]!, a[0]!] : [a[0]!, a[1]!];
    const [kb, n] = p.tb ? [b[1]!, b[0]!] : [b[0]!, b[1]!];
    if (ka !== kb) {
      throw new TayoptError(`matmul: shapes ${fmtShape(a)}${p.ta ? 'ᵀ' : ''} and ${fmtShape(b)}${p.tb ? 'ᵀ' : ''} do not align`);
    }
    return [m, n];
  },
  forward(out, [A, B], p: MatmulParams) {
    const a = A!;
    const b = B!;
    const m = out.shape[0]!;
    const n = out.shape[1]!;
    const k = p.ta ? a.shape[0]! : a.shape[1]!;
    // op(A)[i,l] = A[i·ai + l·al], op(B)[l,j] = B[l·bl + j·bj]
    const [ai, al] = p.ta ? [1, m] : [k, 1];
    const [bl, bj] = p.tb ? [1, k] : [n, 1];
    out.data.fill(0);
    for (let d = 0; d < out.D; d++) {
      const np = d === 0 ? 1 : out.P;
      for (let pp = 0; pp < np; pp++) {
        const co = out.off(d, pp);
        for (let q = 0; q <= d; q++) {
          if (q >= a.D || d - q >= b.D) continue;
          gemmStrided(a.data, a.off(q, pp), ai, al, b.data, b.off(d - q, pp), bl, bj, out.data, co, m, n, k);
        }
      }
    }
  },
  pullback(b, g, _y, xs, p: MatmulParams, needs) {
    const [A, B] = xs as [typeof g, typeof g];
    return [
      needs[0] ? (p.ta ? b.matmul(B, g, p.tb, true) : b.matmul(g, B, false, !p.tb)) : null,
      needs[1] ? (p.tb ? b.matmul(g, A, true, p.ta) : b.matmul(A, g, !p.ta, false)) : null,
    ];
  },
};

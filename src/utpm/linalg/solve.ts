/**
 * Linear systems: `solve` (general, by LU with partial pivoting), `trisolve` (triangular)
 * and `inv`.
 *
 * Taylor rule (all three): with X(s) = op(A(s))⁻¹·B(s), matching powers of s in A·X = B gives
 *     X_d = op(A_0)⁻¹ · (B_d − Σ_{q=1..d} op(A_q)·X_{d−q}),
 * so one factorization of A_0 serves every degree and direction. inv is the case B = I:
 * Y_d = −Y_0 · Σ_{q=1..d} A_q·Y_{d−q}.
 *
 * Pullbacks (Giles, "Collected matrix derivative results", 2008): for op(A)·X = B,
 * B̄ = op(A)⁻ᵀ·X̄ and Ā = −B̄·Xᵀ (or −X·B̄ᵀ when op is the transpose); for Y = A⁻¹,
 * Ā = −Yᵀ·Ȳ·Yᵀ. They are written with solve/trisolve/matmul themselves, so they can be
 * differentiated again.
 */
import { TayoptError } from '../../errors.js';
import { gemmAcc } from '../matmul.js';
import type { Primitive } from '../primitive.js';
import { type UTPM, fmtShape } from '../utpm.js';
import { luFactor, luSolve, setIdentity, triMatmulAcc, triSolve } from './kernels.js';
import { blk, la, matrixShape, squareShape } from './util.js';

export interface SolveParams {
  /** Solve Aᵀ·X = B instead of A·X = B. */
  trans?: boolean;
}

export interface TrisolveParams {
  /** Read the lower triangle of T (else the upper). */
  lower: boolean;
  /** Solve Tᵀ·X = B. */
  trans?: boolean;
}

function systemShape(op: string, s: readonly (readonly number[])[]): number[] {
  const n = squareShape(op, s[0]!, 'matrix');
  const [rows] = matrixShape(op, s[1]!, 'right-hand side');
  if (rows !== n) {
    throw new TayoptError(`${op}: matrix of shape ${fmtShape(s[0]!)} and right-hand side of shape ${fmtShape(s[1]!)} do not match`);
  }
  return [...s[1]!];
}

/**
 * The shared Taylor recurrence of op(A)·X = B: for every block (d, p),
 * X_d = op(A_0)⁻¹·(B_d − Σ_{q=1..d} op(A_q)·X_{d−q}); `applyAcc(q, p, from, acc)` adds
 * op(A_q)·X[from] into acc, `solve0(o)` overwrites X[o] with op(A_0)⁻¹·X[o].
 */
function systemTaylor(
  out: UTPM,
  A: UTPM,
  B: UTPM,
  nk: number,
  applyAcc: (q: number, pp: number, from: number, acc: Float64Array) => void,
  solve0: (o: number) => void,
): void {
  const acc = new Float64Array(nk);
  const od = out.data;
  for (let d = 0; d < out.D; d++) {
    const np = d === 0 ? 1 : out.P;
    for (let pp = 0; pp < np; pp++) {
      const o = out.off(d, pp);
      const bo = blk(B, d, pp);
      if (bo < 0) od.fill(0, o, o + nk);
      else od.set(B.data.subarray(bo, bo + nk), o);
      if (d > 0 && A.D > 1) {
        acc.fill(0);
        for (let q = 1; q <= d && q < A.D; q++) applyAcc(q, pp, out.off(d - q, pp), acc);
        for (let i = 0; i < nk; i++) od[o + i] -= acc[i]!;
      }
      solve0(o);
    }
  }
}

/** solve(A, B) = op(A)⁻¹·B for A n×n and B n×k. */
export const solve: Primitive = {
  name: 'solve',
  arity: 2,
  shape: (s) => systemShape('solve', s),
  forward(out, [A, B], p: SolveParams | null) {
    const a = A!;
    const b = B!;
    const trans = p?.trans === true;
    const n = a.shape[0]!;
    const k = b.shape[1]!;
    const nk = n * k;
    const f = luFactor(a.data, 0, n);
    const work = new Float64Array(nk);
    const od = out.data;
    systemTaylor(
      out, a, b, nk,
      (q, pp, from, acc) => gemmAcc(a.data, a.off(q, pp), trans, od, from, false, acc, 0, n, k, n),
      (o) => luSolve(f, od, o, k, trans, work),
    );
  },
  pullback(b, g, y, [A], p: SolveParams | null, needs) {
    const trans = p?.trans === true;
    const Bbar = la.solve(b, A!, g, !trans);
    const Abar = needs[0] ? b.neg(trans ? b.matmul(y, Bbar, false, true) : b.matmul(Bbar, y, false, true)) : null;
    return [Abar, needs[1] ? Bbar : null];
  },
};

/** trisolve(T, B) = op(tri(T))⁻¹·B, reading only the lower (or upper) triangle of T. */
export const trisolve: Primitive = {
  name: 'trisolve',
  arity: 2,
  shape: (s) => systemShape('trisolve', s),
  forward(out, [T, B], p: TrisolveParams) {
    const t = T!;
    const b = B!;
    const trans = p.trans === true;
    const n = t.shape[0]!;
    const k = b.shape[1]!;
    const nk = n * k;
    const od = out.data;
    systemTaylor(
      out, t, b, nk,
      (q, pp, from, acc) => triMatmulAcc(t.data, t.off(q, pp), n, p.lower, trans, od, from, k, acc, 0),
      (o) => triSolve(t.data, 0, n, p.lower, trans, od, o, k),
    );
  },
  pullback(b, g, y, [T], p: TrisolveParams, needs) {
    const trans = p.trans === true;
    const Bbar = la.trisolve(b, T!, g, p.lower, !trans);
    let Tbar: typeof g | null = null;
    if (needs[0]) {
      const full = trans ? b.matmul(y, Bbar, false, true) : b.matmul(Bbar, y, false, true);
      Tbar = b.neg(p.lower ? la.tril(b, full) : la.triu(b, full));
    }
    return [Tbar, needs[1] ? Bbar : null];
  },
};

/** inv(A) = A⁻¹ for A n×n. */
export const inv: Primitive = {
  name: 'inv',
  arity: 1,
  shape(s) {
    const n = squareShape('inv', s[0]!);
    return [n, n];
  },
  forward(out, [A]) {
    const a = A!;
    const n = a.shape[0]!;
    const nn = n * n;
    const od = out.data;
    const f = luFactor(a.data, 0, n);
    setIdentity(od, 0, n);
    luSolve(f, od, 0, n, false, new Float64Array(nn));
    if (out.D === 1) return;
    const acc = new Float64Array(nn);
    for (let d = 1; d < out.D; d++) {
      for (let pp = 0; pp < out.P; pp++) {
        acc.fill(0);
        for (let q = 1; q <= d && q < a.D; q++) gemmAcc(a.data, a.off(q, pp), false, od, out.off(d - q, pp), false, acc, 0, n, n, n);
        const o = out.off(d, pp);
        od.fill(0, o, o + nn);
        gemmAcc(od, 0, false, acc, 0, false, od, o, n, n, n);
        for (let i = 0; i < nn; i++) od[o + i] = -od[o + i]!;
      }
    }
  },
  pullback(b, g, y) {
    return [b.neg(b.matmul(b.matmul(y, g, true, false), y, false, true))];
  },
};

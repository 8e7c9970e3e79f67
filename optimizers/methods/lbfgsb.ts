/**
 * L-BFGS-B (R. H. Byrd, P. Lu, J. Nocedal and C. Zhu, "A limited memory algorithm for bound
 * constrained optimization", SIAM J. Sci. Comput. 16(5), 1995), written from the paper:
 *
 * 1. The limited-memory matrix in compact form B = θI − W·M·Wᵀ with W = [Y, θS] (n × 2k) and
 *    M = [[−D, Lᵀ], [L, θ·SᵀS]]⁻¹, where D = diag(sᵢᵀyᵢ) and L is the strictly lower part of
 *    SᵀY (Byrd, Nocedal & Schnabel 1994).
 * 2. The generalized Cauchy point: the first local minimizer of the quadratic model along the
 *    projected steepest-descent path x(t) = P(x − t·g), visiting the breakpoints in order and
 *    updating the model's slope f' and curvature f'' in O(k²) per breakpoint.
 * 3. Subspace minimization over the variables still free at the Cauchy point (the direct primal
 *    method, with the reduced inverse by Sherman–Morrison–Woodbury), the result projected
 *    onto the box and kept if it is a descent direction, otherwise cut back to the box
 *    (Morales & Nocedal 2011).
 * 4. A Moré–Thuente search along d = x̄ − x with the step capped where the ray leaves the box.
 *
 * Convergence is measured by the projected gradient ‖P(x − g) − x‖∞.
 */
import type { Method, StepReport } from '../loop.js';
import type { LineSearch } from '../linesearch/types.js';
import { moreThuente } from '../linesearch/morethuente.js';
import { luFactor, luNonsingular, luSolve, setIdentity } from '../../src/utpm/linalg/kernels.js';
import { dot, norm2 } from '../vec.js';
import { projectedGradientNorm } from '../bounds.js';
import { type DescentState, initDescentState, lineSearchStep } from './descent.js';
import { LbfgsMemory } from './lbfgs-memory.js';

export interface LbfgsbOptions {
  /** Number of stored pairs (default 10). */
  memory?: number;
  /** Line search (default Moré–Thuente, c1 = 1e-4, c2 = 0.9). */
  lineSearch?: LineSearch;
}

interface LbfgsbState extends DescentState {
  lower: Float64Array;
  upper: Float64Array;
  mem: LbfgsMemory;
  /** B₀ = θI. */
  theta: number;
  xcp: Float64Array;
  dir: Float64Array;
  brk: Float64Array;
  order: Int32Array;
  free: Int32Array;
  r: Float64Array;
  // 2m-sized work: p = Wᵀd, c = Wᵀ(xcp − x), row w_b of W, and products with M.
  p2: Float64Array;
  c2: Float64Array;
  wb: Float64Array;
  t1: Float64Array;
  t2: Float64Array;
  // (2m)²-sized: M, the middle matrix K being inverted, and N of the subspace step.
  M: Float64Array;
  K: Float64Array;
  N: Float64Array;
}

export function lbfgsb(lower: Float64Array, upper: Float64Array, options: LbfgsbOptions = {}): Method<LbfgsbState> {
  const m = options.memory ?? 10;
  const ls = options.lineSearch ?? moreThuente();

  /** Row b of W = [Y, θS] into out (2k entries). */
  function wRow(st: LbfgsbState, b: number, k: number, out: Float64Array): void {
    const { mem, theta } = st;
    const n = mem.n;
    for (let j = 0; j < k; j++) {
      const o = mem.slot(j) * n + b;
      out[j] = mem.Y[o]!;
      out[k + j] = theta * mem.S[o]!;
    }
  }

  /** out ← M·v for the 2k×2k matrix M. */
  function mulM(st: LbfgsbState, k2: number, v: Float64Array, out: Float64Array): void {
    const M = st.M;
    for (let i = 0; i < k2; i++) {
      let s = 0;
      for (let j = 0; j < k2; j++) s += M[i * k2 + j]! * v[j]!;
      out[i] = s;
    }
  }

  function dot2(a: Float64Array, b: Float64Array, k2: number): number {
    let s = 0;
    for (let i = 0; i < k2; i++) s += a[i]! * b[i]!;
    return s;
  }

  /** Forms M = K⁻¹; returns false if K is singular (then the memory is dropped). */
  function buildM(st: LbfgsbState, k: number): boolean {
    const { mem, theta, K, M } = st;
    const n = mem.n;
    const k2 = 2 * k;
    K.fill(0, 0, k2 * k2);
    for (let i = 0; i < k; i++) {
      const si = mem.slot(i) * n;
      for (let j = 0; j < k; j++) {
        const sj = mem.slot(j) * n;
        let sy = 0;
        let ss = 0;
        for (let t = 0; t < n; t++) {
          sy += mem.S[si + t]! * mem.Y[sj + t]!;
          ss += mem.S[si + t]! * mem.S[sj + t]!;
        }
        if (i === j) K[i * k2 + i] = -sy;
        else if (i > j) {
          K[(k + i) * k2 + j] = sy; // L
          K[j * k2 + (k + i)] = sy; // Lᵀ
        }
        K[(k + i) * k2 + (k + j)] = theta * ss;
      }
    }
    const f = luFactor(K, 0, k2);
    if (!luNonsingular(f)) return false;
    setIdentity(M, 0, k2);
    luSolve(f, M, 0, k2, false, new Float64Array(k2 * k2));
    for (let i = 0; i < k2 * k2; i++) if (!Number.isFinite(M[i]!)) return false;
    return true;
  }

  /** Computes the generalized Cauchy point into xcp and c = Wᵀ(xcp − x). */
  function cauchyPoint(st: LbfgsbState, k: number): void {
    const { x, g, lower, upper, xcp, dir, brk, order, theta, p2, c2, wb, t1, t2 } = st;
    const n = x.length;
    const k2 = 2 * k;
    xcp.set(x);
    p2.fill(0, 0, k2);
    c2.fill(0, 0, k2);
    let nb = 0;
    let fp = 0;
    for (let i = 0; i < n; i++) {
      const gi = g[i]!;
      let t = Infinity;
      if (gi < 0 && upper[i]! < Infinity) t = (x[i]! - upper[i]!) / gi;
      else if (gi > 0 && lower[i]! > -Infinity) t = (x[i]! - lower[i]!) / gi;
      brk[i] = t;
      dir[i] = t > 0 ? -gi : 0;
      if (dir[i] !== 0) {
        fp -= gi * gi;
        if (k > 0) {
          wRow(st, i, k, wb);
          for (let j = 0; j < k2; j++) p2[j]! += wb[j]! * dir[i]!;
        }
        if (t < Infinity) order[nb++] = i;
      }
    }
    if (fp === 0) return; // projected gradient is zero: x is the Cauchy point
    let fpp = -theta * fp;
    if (k > 0) {
      mulM(st, k2, p2, t1);
      fpp -= dot2(p2, t1, k2);
    }
    const fpp0 = fpp;
    let dtMin = -fp / fpp;
    let tOld = 0;
    const sorted = order.subarray(0, nb).sort((a, b) => brk[a]! - brk[b]!);
    let q = 0;
    for (; q < nb; q++) {
      const b = sorted[q]!;
      const tb = brk[b]!;
      const dt = tb - tOld;
      if (dtMin < dt) break;
      // Move to breakpoint b; variable b becomes fixed at its bound.
      const db = dir[b]!;
      xcp[b] = db > 0 ? upper[b]! : lower[b]!;
      const zb = xcp[b]! - x[b]!;
      const gb = g[b]!;
      for (let j = 0; j < k2; j++) c2[j]! += dt * p2[j]!;
      let wMc = 0;
      let wMp = 0;
      let wMw = 0;
      if (k > 0) {
        wRow(st, b, k, wb);
        mulM(st, k2, wb, t2);
        wMc = dot2(t2, c2, k2);
        wMp = dot2(t2, p2, k2);
        wMw = dot2(t2, wb, k2);
      }
      fp += dt * fpp + gb * gb + theta * gb * zb - gb * wMc;
      fpp += -theta * gb * gb - 2 * gb * wMp - gb * gb * wMw;
      fpp = Math.max(Number.EPSILON * fpp0, fpp);
      if (k > 0) for (let j = 0; j < k2; j++) p2[j]! += gb * wb[j]!;
      dir[b] = 0;
      dtMin = -fp / fpp;
      tOld = tb;
    }
    dtMin = Math.max(dtMin, 0);
    tOld += dtMin;
    for (let i = 0; i < n; i++) if (dir[i] !== 0) xcp[i] = x[i]! + tOld * dir[i]!;
    for (let j = 0; j < k2; j++) c2[j]! += dtMin * p2[j]!;
  }

  /**
   * Subspace minimization from the Cauchy point over the free variables; leaves the
   * search direction d = x̄ − x in st.d.
   */
  function subspaceStep(st: LbfgsbState, k: number): void {
    const { x, g, lower, upper, xcp, free, r, theta, c2, wb, t1, t2, N, M, d } = st;
    const n = x.length;
    const k2 = 2 * k;
    let nf = 0;
    for (let i = 0; i < n; i++) if (xcp[i]! > lower[i]! && xcp[i]! < upper[i]!) free[nf++] = i;
    // x̄ starts at the Cauchy point; the free part moves by the reduced Newton step.
    for (let i = 0; i < n; i++) d[i] = xcp[i]! - x[i]!;
    if (nf === 0) return;
    // Reduced gradient r = Zᵀ(g + θ(xcp − x) − W·M·c).
    if (k > 0) mulM(st, k2, c2, t1);
    for (let q = 0; q < nf; q++) {
      const i = free[q]!;
      let v = g[i]! + theta * (xcp[i]! - x[i]!);
      if (k > 0) {
        wRow(st, i, k, wb);
        v -= dot2(wb, t1, k2);
      }
      r[i] = v;
    }
    // d̂ = −(1/θ)r − (1/θ²)·ZᵀW·(I − (1/θ)·M·WᵀZZᵀW)⁻¹·M·WᵀZ·r.
    if (k > 0) {
      t1.fill(0, 0, k2);
      N.fill(0, 0, k2 * k2);
      for (let q = 0; q < nf; q++) {
        const i = free[q]!;
        wRow(st, i, k, wb);
        const ri = r[i]!;
        for (let a = 0; a < k2; a++) {
          t1[a]! += wb[a]! * ri;
          const wa = wb[a]!;
          for (let b = 0; b < k2; b++) N[a * k2 + b]! += wa * wb[b]!; // WᵀZZᵀW, overwritten below
        }
      }
      // t2 = M·(WᵀZr); N ← I − (1/θ)·M·(WᵀZZᵀW).
      mulM(st, k2, t1, t2);
      const A = st.K; // reuse K (already consumed by buildM) for the product
      for (let a = 0; a < k2; a++)
        for (let b = 0; b < k2; b++) {
          let s = 0;
          for (let c = 0; c < k2; c++) s += M[a * k2 + c]! * N[c * k2 + b]!;
          A[a * k2 + b] = (a === b ? 1 : 0) - s / theta;
        }
      const f = luFactor(A, 0, k2);
      if (luNonsingular(f)) {
        luSolve(f, t2, 0, 1, false, new Float64Array(k2));
        for (let q = 0; q < nf; q++) {
          const i = free[q]!;
          wRow(st, i, k, wb);
          d[i]! += -r[i]! / theta - dot2(wb, t2, k2) / (theta * theta);
        }
      } else {
        for (let q = 0; q < nf; q++) d[free[q]!]! -= r[free[q]!]! / theta;
      }
    } else {
      for (let q = 0; q < nf; q++) d[free[q]!]! -= r[free[q]!]! / theta;
    }
    // Project x̄ onto the box; keep it if it still descends, else cut the step back to the box.
    let gd = 0;
    for (let i = 0; i < n; i++) {
      let xi = x[i]! + d[i]!;
      if (xi < lower[i]!) xi = lower[i]!;
      else if (xi > upper[i]!) xi = upper[i]!;
      st.y[i] = xi - x[i]!; // scratch (y is rewritten after the line search)
      gd += g[i]! * st.y[i]!;
    }
    if (gd < 0) {
      d.set(st.y);
      return;
    }
    let alpha = 1;
    for (let q = 0; q < nf; q++) {
      const i = free[q]!;
      const step = d[i]! - (xcp[i]! - x[i]!);
      if (step > 0 && xcp[i]! + step > upper[i]!) alpha = Math.min(alpha, (upper[i]! - xcp[i]!) / step);
      else if (step < 0 && xcp[i]! + step < lower[i]!) alpha = Math.min(alpha, (lower[i]! - xcp[i]!) / step);
    }
    for (let q = 0; q < nf; q++) {
      const i = free[q]!;
      const cp = xcp[i]! - x[i]!;
      d[i] = cp + alpha * (d[i]! - cp);
    }
  }

  /** Largest α with lower ≤ x + α·d ≤ upper. */
  function maxFeasibleStep(x: Float64Array, d: Float64Array, lower: Float64Array, upper: Float64Array): number {
    let a = Infinity;
    for (let i = 0; i < x.length; i++) {
      const di = d[i]!;
      if (di > 0 && upper[i]! < Infinity) a = Math.min(a, (upper[i]! - x[i]!) / di);
      else if (di < 0 && lower[i]! > -Infinity) a = Math.min(a, (lower[i]! - x[i]!) / di);
    }
    return Math.max(a, 0);
  }

  function attempt(st: LbfgsbState): StepReport {
    let k = st.mem.count;
    if (k > 0 && !buildM(st, k)) {
      st.mem.clear();
      st.theta = 1;
      k = 0;
    }
    cauchyPoint(st, k);
    subspaceStep(st, k);
    const dn = norm2(st.d);
    if (!(dn > 0)) return { status: 'lineSearchFailed', step: 0, detail: 'zero search direction' };
    const amax = maxFeasibleStep(st.x, st.d, st.lower, st.upper);
    const a0 = Math.min(k === 0 ? Math.min(1, 1 / dn) : 1, amax);
    return lineSearchStep(st, ls, a0, amax, (x, g) => projectedGradientNorm(x, g, st.lower, st.upper));
  }

  return {
    name: 'lbfgsb',
    init(obj, x0, warm) {
      const n = obj.n;
      const base = initDescentState(obj, x0);
      base.ray.setBounds(lower, upper);
      const m2 = 2 * m;
      const st: LbfgsbState = {
        ...base,
        lower,
        upper,
        mem: new LbfgsMemory(m, n),
        theta: 1,
        xcp: new Float64Array(n),
        dir: new Float64Array(n),
        brk: new Float64Array(n),
        order: new Int32Array(n),
        free: new Int32Array(n),
        r: new Float64Array(n),
        p2: new Float64Array(m2),
        c2: new Float64Array(m2),
        wb: new Float64Array(m2),
        t1: new Float64Array(m2),
        t2: new Float64Array(m2),
        M: new Float64Array(m2 * m2),
        K: new Float64Array(m2 * m2),
        N: new Float64Array(m2 * m2),
      };
      st.gnorm = projectedGradientNorm(st.x, st.g, lower, upper);
      if (warm) {
        st.mem.restore(warm as ReturnType<LbfgsMemory['snapshot']>);
        if (st.mem.count > 0) {
          const k = st.mem.slot(st.mem.count - 1);
          st.theta = st.mem.yy[k]! / st.mem.sy[k]!;
        }
      }
      return st;
    },
    step(st): StepReport {
      let rep = attempt(st);
      if (rep.status === 'lineSearchFailed' && st.mem.count > 0) {
        st.mem.clear();
        st.theta = 1;
        rep = attempt(st);
      }
      if (rep.status !== 'accepted') return rep;
      if (st.mem.push(st.s, st.y)) st.theta = dot(st.y, st.y) / dot(st.s, st.y);
      return rep;
    },
    save: (st) => st.mem.snapshot(),
  };
}

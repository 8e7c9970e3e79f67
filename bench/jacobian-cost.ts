/**
 * Table 5 of `npm run bench`: the cost of a residual Jacobian (r and J from one compiled
 * replay, src/ad/residual.ts) as a multiple of one residual evaluation, side by side in one
 * process (timing.ts): the plain-JS residual loop is the baseline; beside it the engine's
 * value-only replay, its Jacobian, a hand-written Jacobian, and forward differences
 * (n + 1 plain evaluations, what ml-levenberg-marquardt does).
 *  - Misra1a (NIST StRD): r = y − b₁(1 − e^(−b₂x)), m = 14, n = 2;
 *  - a 1000-point, 10-parameter model: r = y − Σ_{k<5} a_k·e^(−c_k·x).
 */
import * as t from '../src/index.js';
import { residualFunctions } from '../src/ad/residual.js';
import { consume, fmt, pair, table } from './timing.js';

interface Case {
  name: string;
  m: number;
  n: number;
  p: Float64Array;
  f: (b: t.Tensor) => t.Tensor;
  /** Plain JS: r into out. */
  value: (p: Float64Array, out: Float64Array) => void;
  /** Plain JS, hand-written: r and J (row-major) into out, J. */
  jacobian: (p: Float64Array, out: Float64Array, J: Float64Array) => void;
}

function misra1a(): Case {
  const x = Float64Array.of(77.6, 114.9, 141.1, 190.8, 239.9, 289.0, 332.8, 378.4, 434.8, 477.3, 536.8, 593.1, 689.1, 760.0);
  const y = Float64Array.of(10.07, 14.73, 17.94, 23.93, 29.61, 35.18, 40.02, 44.82, 50.76, 55.05, 61.01, 66.4, 75.47, 81.78);
  const m = x.length;
  return {
    name: 'Misra1a (m = 14, n = 2)',
    m,
    n: 2,
    p: Float64Array.of(240, 5.5e-4),
    f: (b) => t.sub(y, t.mul(b.at(0), t.sub(1, t.exp(t.mul(t.neg(b.at(1)), x))))),
    value: (p, out) => {
      for (let i = 0; i < m; i++) out[i] = y[i]! - p[0]! * (1 - Math.exp(-p[1]! * x[i]!));
    },
    jacobian: (p, out, J) => {
      for (let i = 0; i < m; i++) {
        const e = Math.exp(-p[1]! * x[i]!);
        out[i] = y[i]! - p[0]! * (1 - e);
        J[2 * i] = -(1 - e);
        J[2 * i + 1] = -p[0]! * x[i]! * e;
      }
    },
  };
}

function exponentials(): Case {
  const m = 1000;
  const K = 5;
  const x = Float64Array.from({ length: m }, (_, i) => (4 * i) / m);
  const y = x.map((v) => 3 * Math.exp(-0.5 * v) + Math.exp(-2 * v) + 0.01 * Math.sin(9 * v));
  const p = Float64Array.from({ length: 2 * K }, (_, k) => (k < K ? 1 / (k + 1) : 0.3 * (k - K + 1)));
  return {
    name: 'Σ₅ a·e^(−c·x) (m = 1000, n = 10)',
    m,
    n: 2 * K,
    p,
    // one vector term per exponential (an m×K matrix of them through outer/matmul costs 3–4
    // times more at D = 2 today: those kernels do not fuse the directions as elementwise loops do)
    f: (b) => {
      let s: t.Tensor = t.mul(b.at(0), t.exp(t.mul(t.neg(b.at(K)), x)));
      for (let k = 1; k < K; k++) s = t.add(s, t.mul(b.at(k), t.exp(t.mul(t.neg(b.at(K + k)), x))));
      return t.sub(y, s);
    },
    value: (q, out) => {
      for (let i = 0; i < m; i++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += q[k]! * Math.exp(-q[K + k]! * x[i]!);
        out[i] = y[i]! - s;
      }
    },
    jacobian: (q, out, J) => {
      const n = 2 * K;
      for (let i = 0; i < m; i++) {
        let s = 0;
        for (let k = 0; k < K; k++) {
          const e = Math.exp(-q[K + k]! * x[i]!);
          s += q[k]! * e;
          J[i * n + k] = -e;
          J[i * n + K + k] = q[k]! * x[i]! * e;
        }
        out[i] = y[i]! - s;
      }
    },
  };
}

/** Prints table 5; `blocks`, `blockMs` as the rest of the engine benchmark. */
export function jacobianCostTable(blocks: number, blockMs: number): void {
  const rows: (string | number)[][] = [];
  for (const c of [misra1a(), exponentials()]) {
    const r = new Float64Array(c.m);
    const J = new Float64Array(c.m * c.n);
    const R = residualFunctions('bench', c.f, c.p);
    const base = () => {
      c.value(c.p, r);
      consume(r);
    };
    const replay = pair(base, () => {
      R.residuals(c.p, r);
      consume(r);
    }, blocks, blockMs);
    const jac = pair(base, () => {
      R.jacobian(c.p, r, J);
      consume(J);
    }, blocks, blockMs);
    const hand = pair(base, () => {
      c.jacobian(c.p, r, J);
      consume(J);
    }, blocks, blockMs);
    const q = Float64Array.from(c.p);
    const fd = pair(base, () => {
      c.value(c.p, r);
      for (let j = 0; j < c.n; j++) {
        const h = 1e-7 * Math.max(1, Math.abs(c.p[j]!));
        q[j] = c.p[j]! + h;
        c.value(q, J.subarray(j * c.m, (j + 1) * c.m));
        q[j] = c.p[j]!;
      }
      consume(J);
    }, blocks, blockMs);
    rows.push([
      c.name,
      fmt(replay.baseUs, 3),
      `${fmt(replay.candUs, 3)} (${fmt(replay.ratio)}x)`,
      `${fmt(jac.candUs, 3)} (${fmt(jac.ratio)}x)`,
      `${fmt(hand.candUs, 3)} (${fmt(hand.ratio)}x)`,
      `${fmt(fd.candUs, 3)} (${fmt(fd.ratio)}x)`,
    ]);
  }
  console.log('5. Residual Jacobians for least squares: µs per call (multiple of one plain-JS residual evaluation); target: tayopt r + J ≤ 4x');
  console.log(table(['residual', 'plain r µs', 'tayopt r (replay)', 'tayopt r + J', 'hand-written r + J', 'forward differences'], rows));
}

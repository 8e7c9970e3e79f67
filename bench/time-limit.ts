/**
 * The time limit inside long iterations (issue 15): how far past `timeLimit` a dense method
 * stops, and what the checks cost a kernel that is not interrupted.
 *
 * 7a. trust-exact, dogleg and newton (and the bounded forms of the first and last) on the
 *     fuzzer's dense case f = Σ(x − 2)² + Σx⁴ from x = 1 at n = 1500 and 2000 with a 2 s limit
 *     (and two runs with 5 s, which stop later in an iteration), and ipm on a coupled variant
 *     with one constraint (its KKT matrix dense, factored by Bunch–Kaufman LDLᵀ): the wall
 *     time of the whole minimize() call (trace, compile, iterations) over the limit.
 *     An iteration there costs a Hessian (≈ 0.1–0.6 s) and one or more Cholesky
 *     factorizations (≈ 1–4 s each), which check the deadline between blocks of work.
 * 7b. The Cholesky kernel with a deadline check that never fires (a clock reading per block
 *     of columns, as a run with a time limit does) against the same kernel without one.
 */
import * as t from '../src/index.js';
import { choleskyInto } from '../src/utpm/linalg/kernels.js';
import { type MethodName, minimize } from '../optimizers/index.js';
import { normals, rng } from './problems/rng.js';
import { consume, cpuClock, fmt, pair, table } from './timing.js';

interface Run {
  method: MethodName;
  n: number;
  limitMs: number;
  bounded?: boolean;
  /** ipm: a coupling term (Σwᵢxᵢ)²/n makes ∇²f, and so the KKT matrix, dense; one constraint Σx = n/2. */
  constrained?: boolean;
}

/** Table 7a: the runs at sizes `sizes` with limit `limitMs`, and the two shortest runs again with `longMs`. */
export function stopTable(sizes: readonly number[], limitMs: number, longMs: number): void {
  const runs: Run[] = [];
  for (const n of sizes) for (const method of ['trust-exact', 'dogleg', 'newton'] as const) runs.push({ method, n, limitMs });
  const n0 = sizes[0]!;
  runs.push({ method: 'trust-exact', n: n0, limitMs, bounded: true }, { method: 'newton', n: n0, limitMs, bounded: true });
  runs.push({ method: 'ipm', n: n0, limitMs, constrained: true });
  runs.push({ method: 'trust-exact', n: n0, limitMs: longMs }, { method: 'newton', n: n0, limitMs: longMs });
  const rows: (string | number)[][] = [];
  for (const { method, n, limitMs: limit, bounded, constrained } of runs) {
    // a new function each run: its trace and compiled replays are not reused from an earlier run
    const w = t.tensor(Float64Array.from({ length: n }, (_, i) => 1 + (i % 7)));
    const f = constrained
      ? (x: t.Tensor) => t.add(t.add(t.sum(t.square(t.sub(x, 2))), t.sum(t.pow(x, 4))), t.div(t.square(t.sum(t.mul(w, x))), n))
      : (x: t.Tensor) => t.add(t.sum(t.square(t.sub(x, 2))), t.sum(t.pow(x, 4)));
    const x0 = new Float64Array(n).fill(1);
    const bounds = bounded ? { lower: new Float64Array(n).fill(-10), upper: new Float64Array(n).fill(1.5) } : undefined;
    const constraints = constrained ? [{ fun: (x: t.Tensor) => t.sum(x), lower: n / 2, upper: n / 2 }] : undefined;
    const t0 = performance.now();
    const r = minimize(f, x0, { method, timeLimit: limit, maxBytes: 2 ** 30, ...(bounds ? { bounds } : {}), ...(constraints ? { constraints } : {}) });
    const wall = performance.now() - t0;
    const label = `${method}${bounded ? ' (bounds)' : constrained ? ' (coupled, Σx = n/2)' : ''}`;
    rows.push([label, n, fmt(limit / 1000, 1), r.status, r.nit, r.nhev, fmt(wall / 1000), fmt(wall / limit, 3)]);
  }
  console.log('7a. Stopping at the time limit: wall time of minimize() (trace, compile, iterations) on f = Σ(x−2)² + Σx⁴ from x = 1, over the limit (target ≤ 1.10)');
  console.log(table(['method', 'n', 'limit s', 'status', 'iterations', 'Hessians', 'wall s', 'wall / limit'], rows));
}

/** Table 7b: CPU µs per Cholesky factorization with a never-firing deadline check against none. */
export function checkCostTable(blocks: number, blockMs: number): void {
  const rows: (string | number)[][] = [];
  const randn = normals(rng(5));
  const farDeadline = performance.now() + 1e12;
  // what a run with a time limit hands the kernels: a clock reading per block of columns
  const check = (): void => {
    if (performance.now() > farDeadline) throw new Error('unreachable');
  };
  for (const n of [50, 200, 500, 1000]) {
    const B = Float64Array.from({ length: n * n }, () => randn());
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = i === j ? n : 0;
        for (let k = 0; k < n; k++) s += B[k * n + i]! * B[k * n + j]!;
        A[i * n + j] = s;
      }
    const L = new Float64Array(n * n);
    const r = pair(
      () => consume(choleskyInto(A, 0, n, 0, L, 0)),
      () => consume(choleskyInto(A, 0, n, 0, L, 0, 0, undefined, check)),
      blocks,
      blockMs,
      cpuClock,
    );
    rows.push([n, fmt(r.baseUs, 2), fmt(r.candUs, 2), `${fmt(r.ratio, 3)}x`]);
  }
  console.log('7b. Cholesky with a deadline check per block of columns (never firing) against none: CPU µs per factorization');
  console.log(table(['n', 'no check', 'with check', 'ratio'], rows));
}

/** Tables 7a and 7b. */
export function timeLimitTable(sizes: readonly number[], blocks: number, blockMs: number): void {
  stopTable(sizes, 2000, 5000);
  console.log('');
  checkCostTable(blocks, blockMs);
}

// run alone: npx tsx bench/time-limit.ts [--quick]
if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes('--quick');
  timeLimitTable(quick ? [1500] : [1500, 2000], quick ? 3 : 15, quick ? 5 : 20);
}

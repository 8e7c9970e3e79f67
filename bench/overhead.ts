/**
 * Per-call overhead of the public drivers (issue 12): `t.grad(f)(x)` with a Float64Array, a
 * nested-array and an ndarray point, and the in-place `t.objective(f, x0).valueAndGrad`, each
 * as a multiple of one plain-JS evaluation of the seed function, measured side by side in
 * CPU time of this process (these calls last about a microsecond: wall time on a shared
 * machine mostly measures the neighbours).
 */
import ndarray from 'ndarray';
import * as t from '../src/index.js';
import { seedProblem } from './problems/engine.js';
import { consume, cpuClock, fmt, pair, table } from './timing.js';

/** Prints the table for seed sizes `sizes` (s×s parameters). */
export function overheadTable(sizes: readonly number[], blocks: number, blockMs: number): void {
  const rows: (string | number)[][] = [];
  for (const s of sizes) {
    const p = seedProblem(s);
    const w = p.W0.slice();
    // the same function of the s×s matrix W, for the nested-array and ndarray points
    const fm = (W: t.Tensor) => p.f(t.reshape(W, [s * s]));
    const nested = Array.from({ length: s }, (_, i) => Array.from(w.subarray(i * s, (i + 1) * s)));
    const nd = ndarray(w.slice(), [s, s]);
    const eval_ = () => consume(p.value(w));
    const obj = t.objective(p.f, w);
    const g = new Float64Array(p.n);
    const gv = t.grad(p.f);
    const gm = t.grad(fm);
    const cell = (r: { candUs: number; ratio: number }) => `${fmt(r.candUs, 3)} (${fmt(r.ratio)}x)`;
    // warm every path up to optimized code first (pair() itself warms up with 3 calls only)
    const paths = [eval_, () => consume(obj.valueAndGrad(w, g)), () => consume(gv(w)), () => consume(gm(nested)), () => consume(gm(nd).data)];
    for (let i = 0; i < 20_000; i++) for (const fn of paths) fn();
    const into = pair(eval_, () => consume(obj.valueAndGrad(w, g)), blocks, blockMs, cpuClock);
    const a = pair(eval_, () => consume(gv(w)), blocks, blockMs, cpuClock);
    const b = pair(eval_, () => consume(gm(nested)), blocks, blockMs, cpuClock);
    const c = pair(eval_, () => consume(gm(nd).data), blocks, blockMs, cpuClock);
    rows.push([`${s}×${s} (n=${p.n})`, fmt(a.baseUs, 3), cell(into), cell(a), cell(b), cell(c)]);
  }
  console.log('6. Per-call overhead of the public drivers on the seed f(W) = Σ exp(X·W): CPU µs per call (multiple of the plain-JS evaluation)');
  console.log(table(['size', 'eval µs', 'objective, in place', 't.grad Float64Array', 't.grad number[][]', 't.grad ndarray'], rows));
}

// run alone: npx tsx bench/overhead.ts
if (import.meta.url === `file://${process.argv[1]}`) overheadTable([5, 9, 17], 15, 20);

/**
 * Per-call overhead of the public drivers (issue 12): `t.grad(f)(x)` with a Float64Array, a
 * nested-array and an ndarray point, and the in-place `t.objective(f, x0).valueAndGrad`, each
 * as a multiple of one plain-JS evaluation of the seed function, measured side by side in
 * CPU time of the process (these calls last about a microsecond: wall time on a shared
 * machine mostly measures the neighbours). Two reference columns: the one allocation every
 * Float64Array or ndarray result must make (a fresh `Float64Array(n)` of its own), and the
 * hand-written gradient returning a new array — plain JS doing what `t.grad(f)(w)` does.
 *
 * Each size runs in a Node process of its own. In one process the plain-JS baseline shares
 * its compiled code with the other sizes (closures of one source share V8's feedback): after
 * 5×5 and 9×9 had run, one 17×17 evaluation took 14.7 µs instead of 8.9 µs, which made the
 * larger sizes' ratios look better than they are.
 */
import ndarray from 'ndarray';
import * as t from '../src/index.js';
import { seedProblem } from './problems/engine.js';
import { consume, cpuClock, fmt, inOwnProcess, median, pair, table } from './timing.js';

const HEAD = ['size', 'eval µs', 'objective, in place', 't.grad Float64Array', 't.grad number[][]', 't.grad ndarray', 'new Float64Array(n)', 'hand grad, new array'];

/**
 * Prints the table for seed sizes `sizes` (s×s parameters), each row measured in a fresh Node
 * process (same flags and loader as this one) by {@link overheadRow}.
 */
export function overheadTable(sizes: readonly number[], blocks: number, blockMs: number, rounds = 3): void {
  const rows = sizes.map((s) => inOwnProcess<string[]>(import.meta.url, ['--row', String(s), String(blocks), String(blockMs), String(rounds)]));
  console.log(
    `6. Per-call overhead of the public drivers on the seed f(W) = Σ exp(X·W): CPU µs per call (multiple of the plain-JS evaluation), median of ${rounds} rounds, one process per size`,
  );
  console.log(table(HEAD, rows));
}

/**
 * One row of the table at size s×s, in this process: each column is timed in `rounds` rounds
 * taken in turn (so a burst of load on the machine hits every column alike), each round
 * `blocks` alternating blocks of about `blockMs`; the cells are the medians over rounds.
 */
export function overheadRow(s: number, blocks: number, blockMs: number, rounds: number): string[] {
  const p = seedProblem(s);
  const n = p.n;
  const w = p.W0.slice();
  // one function for every column: the seed's f of the s·s parameters, given flat, as an
  // s×s nested array or as an s×s ndarray (the reshape compiles to nothing either way)
  const f = (W: t.Tensor) => p.f(t.reshape(W, [n]));
  const nested = Array.from({ length: s }, (_, i) => Array.from(w.subarray(i * s, (i + 1) * s)));
  const nd = ndarray(w.slice(), [s, s]);
  const obj = t.objective(f, w);
  const g = new Float64Array(n);
  // one driver closure per point kind, as a program using one kind would hold it
  const gVec = t.grad(f);
  const gNested = t.grad(f);
  const gNd = t.grad(f);
  const eval_ = () => consume(p.value(w));
  const columns = [
    () => consume(obj.valueAndGrad(w, g)),
    () => consume(gVec(w)),
    () => consume(gNested(nested)),
    () => consume(gNd(nd).data),
    () => consume(new Float64Array(n)),
    () => {
      const a = new Float64Array(n);
      p.gradient(w, a);
      consume(a);
    },
  ];
  // warm every path up to optimized code first (pair() itself warms up with 3 calls only)
  for (let i = 0; i < 20_000; i++) {
    eval_();
    for (const fn of columns) fn();
  }
  const runs = columns.map(() => [] as { baseUs: number; candUs: number; ratio: number }[]);
  for (let r = 0; r < rounds; r++) columns.forEach((fn, c) => runs[c]!.push(pair(eval_, fn, blocks, blockMs, cpuClock)));
  const cell = (c: number) => `${fmt(median(runs[c]!.map((q) => q.candUs)), 3)} (${fmt(median(runs[c]!.map((q) => q.ratio)))}x)`;
  const evalUs = median(runs.flat().map((q) => q.baseUs));
  return [`${s}×${s} (n=${n})`, fmt(evalUs, 3), ...columns.map((_, c) => cell(c))];
}

// run alone: npx tsx bench/overhead.ts; with --row s blocks blockMs rounds: one row as JSON (for overheadTable)
if (import.meta.url === `file://${process.argv[1]}`) {
  const k = process.argv.indexOf('--row');
  if (k < 0) overheadTable([5, 9, 17], 7, 20);
  else {
    const [s, blocks, blockMs, rounds] = process.argv.slice(k + 1, k + 5).map(Number) as [number, number, number, number];
    console.log(JSON.stringify(overheadRow(s, blocks, blockMs, rounds)));
  }
}

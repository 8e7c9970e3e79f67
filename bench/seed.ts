/**
 * Table 1 of the engine bench: the seed thread's f(W) = Σ exp(X·W), W s×s, its gradient by
 * hand (into a buffer) and by tayopt (reverse: into a buffer through t.objective(f, x0).
 * valueAndGrad, and as a new array through t.grad(f)), tayopt's Hessian-vector product and
 * (s ≤ 9) full Hessian, and TensorFlow.js's tf.grad when it is installed — each as a
 * multiple of one plain-JS evaluation measured side by side (timing.ts).
 *
 * Each size runs in a Node process of its own (timing.ts, inOwnProcess): in one process the
 * sizes share the plain-JS evaluation's compiled code, and after the smaller sizes had run,
 * one 17×17 evaluation took 17.9 µs instead of 10.0 µs alone (29×29: 78.7 instead of 51.7), so
 * the larger sizes' ratios looked better than they are. Every function is run for a while
 * before it is timed, so the first pair of a process does not time the compiler.
 */
import * as t from '../src/index.js';
import { seedProblem } from './problems/engine.js';
import { loadTfjs } from './tfjs.js';
import { consume, fmt, inOwnProcess, pair, table } from './timing.js';

const HEAD = ['size', 'eval µs', 'hand grad', 'tayopt grad, in place', 'tayopt grad', 'tayopt hvp', 'tayopt hessian', 'tf.grad'];

/** Prints table 1 for the sizes `sizes` (s×s parameters), each row from a process of its own. */
export function seedTable(sizes: readonly number[], blocks: number, blockMs: number): void {
  const rows = sizes.map((s) => inOwnProcess<string[]>(import.meta.url, ['--row', String(s), String(blocks), String(blockMs)]));
  console.log('1. Seed benchmark f(W) = Σ exp(X·W): µs per call (multiple of the plain-JS evaluation), one process per size');
  console.log(table(HEAD, rows));
}

/** Calls fn for about `ms` milliseconds (so that it runs optimized code when it is timed). */
function warm(fn: () => void, ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) for (let i = 0; i < 16; i++) fn();
}

/** One row of table 1 at size s×s, measured in this process. */
export async function seedRow(s: number, blocks: number, blockMs: number): Promise<string[]> {
  const x = (ratio: number): string => `${fmt(ratio)}x`;
  const tf = await loadTfjs();
  const p = seedProblem(s);
  const w = p.W0.slice();
  const g = new Float64Array(p.n);
  const v = w.map((_, i) => Math.cos(i));
  const eval_ = () => consume(p.value(w));
  const handGrad = () => consume(p.gradient(w, g));
  const obj = t.objective(p.f, w);
  const g2 = new Float64Array(p.n);
  const tayInPlace = () => consume(obj.valueAndGrad(w, g2));
  const grad = t.grad(p.f);
  const tayGrad = () => consume(grad(w));
  const hvp = t.hvp(p.f);
  const tayHvp = () => consume(hvp(w, v));
  const hessian = t.hessian(p.f);
  const tayHes = () => consume(hessian(w));
  const tg = tf?.seedGradient(p.X, s, w);
  const tfGrad = tg ? () => consume(tg.run()) : null;
  for (const fn of [eval_, handGrad, tayInPlace, tayGrad, tayHvp, ...(s <= 9 ? [tayHes] : []), ...(tfGrad ? [tfGrad] : [])]) warm(fn, 100);
  const hand = pair(eval_, handGrad, blocks, blockMs);
  const ip = pair(eval_, tayInPlace, blocks, blockMs);
  const gr = pair(eval_, tayGrad, blocks, blockMs);
  const hv = pair(eval_, tayHvp, blocks, blockMs);
  const hes = s <= 9 ? pair(eval_, tayHes, blocks, blockMs) : null;
  const tfg = tfGrad ? pair(eval_, tfGrad, blocks, blockMs) : null;
  tg?.dispose();
  return [
    `${s}×${s} (n=${p.n})`,
    fmt(hand.baseUs, 3),
    `${fmt(hand.candUs, 3)} (${x(hand.ratio)})`,
    `${fmt(ip.candUs, 3)} (${x(ip.ratio)})`,
    `${fmt(gr.candUs, 3)} (${x(gr.ratio)})`,
    `${fmt(hv.candUs, 3)} (${x(hv.ratio)})`,
    hes ? `${fmt(hes.candUs, 1)} (${x(hes.ratio)})` : '—',
    tfg ? `${fmt(tfg.candUs, 1)} (${x(tfg.ratio)})` : '—',
  ];
}

// with --row s blocks blockMs: one row, printed as JSON on the last line (for seedTable)
if (import.meta.url === `file://${process.argv[1]}`) {
  const k = process.argv.indexOf('--row');
  if (k < 0) seedTable([5, 9, 17, 29], 9, 20);
  else {
    const [s, blocks, blockMs] = process.argv.slice(k + 1, k + 4).map(Number) as [number, number, number];
    console.log(JSON.stringify(await seedRow(s, blocks, blockMs)));
  }
}

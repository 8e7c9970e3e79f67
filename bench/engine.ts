/**
 * Engine benchmark (`npm run bench`): derivative cost as a multiple of one plain-JS
 * evaluation of the same function, measured side by side in one process (see timing.ts).
 *
 * 1. The seed thread's f(W) = Σ exp(X·W), W s×s, s = 5, 7, …, 29 (25–841 parameters), one
 *    process per size (seed.ts).
 * 2. The 181-parameter tanh network's mean squared error (50 samples × 10 features, 15 hidden).
 * 3. Extended Rosenbrock written with slices, n = 100, 10⁴, 10⁶, with memory.
 * 4. First call (trace + compile) in multiples of one plain evaluation.
 * 5. Residual Jacobians (jacobian-cost.ts). 6. Per-call overhead of t.grad(f)(x) for
 *    Float64Array, nested-array and ndarray points (overhead.ts).
 * 7. The time limit inside long iterations: wall time over the limit of dense methods at
 *    n = 1500–2000, and the cost of the deadline checks (time-limit.ts).
 * TensorFlow.js (CPU backend, float32) `tf.grad` is timed on the same functions when it is
 * installed (`npm install --no-save @tensorflow/tfjs`; see tfjs.ts).
 */
import os from 'node:os';
import * as t from '../src/index.js';
import { traceProgram } from '../src/ad/program.js';
import { readPoint } from '../src/ad/convert.js';
import {
  extendedRosenbrock,
  extendedRosenbrockGradient,
  extendedRosenbrockValue,
  rosenbrockStart,
  seedProblem,
  tanhNetwork,
} from './problems/engine.js';
import { loadTfjs } from './tfjs.js';
import { consume, fmt, pair, table, timeOnce } from './timing.js';
import { jacobianCostTable } from './jacobian-cost.js';
import { overheadTable } from './overhead.js';
import { seedTable } from './seed.js';
import { timeLimitTable } from './time-limit.js';

const quick = process.argv.includes('--quick');
const blocks = quick ? 3 : 9;
const blockMs = quick ? 5 : 20;

function x(ratio: number): string {
  return `${fmt(ratio)}x`;
}

async function main(): Promise<void> {
  const tf = await loadTfjs();
  console.log(`tayopt engine benchmark — ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}`);
  console.log(`ratios: median over ${blocks} alternating blocks of (candidate time / plain-JS evaluation time)\n`);

  // ------------------------------------------------------------------ 1. the seed (seed.ts)
  seedTable(quick ? [5, 9, 17, 29] : [5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29], blocks, blockMs);
  console.log('');

  // ------------------------------------------------------------------ 2. the tanh network
  {
    const net = tanhNetwork();
    const p = net.p0.slice();
    const g = new Float64Array(net.n);
    const v = p.map((_, i) => Math.sin(i));
    const eval_ = () => consume(net.value(p));
    const hand = pair(eval_, () => consume(net.gradient(p, g)), blocks, blockMs);
    const grad = t.grad(net.f);
    const gr = pair(eval_, () => consume(grad(p)), blocks, blockMs);
    const hvp = t.hvp(net.f);
    const hv = pair(eval_, () => consume(hvp(p, v)), blocks, blockMs);
    const obj = t.objective(net.f, p);
    const H = new Float64Array(net.n * net.n);
    const hes = pair(eval_, () => {
      obj.hessian(p, H);
      consume(H[0]);
    }, Math.min(blocks, 5), blockMs * 5);
    const tg = tf?.networkGradient(net.X, net.y, p);
    const tfg = tg ? pair(eval_, () => consume(tg.run()), blocks, blockMs) : null;
    tg?.dispose();
    console.log(`2. Tanh network MSE (n = ${net.n} parameters; 50 samples × 10 features, 15 hidden units)`);
    console.log(
      table(
        ['', 'eval µs', 'hand grad', 'tayopt grad', 'tayopt hvp', 'tayopt hessian', 'hessian / (n·eval)', 'tf.grad'],
        [[
          `n=${net.n}`,
          fmt(hand.baseUs, 2),
          `${fmt(hand.candUs, 2)} (${x(hand.ratio)})`,
          `${fmt(gr.candUs, 2)} (${x(gr.ratio)})`,
          `${fmt(hv.candUs, 2)} (${x(hv.ratio)})`,
          `${fmt(hes.candUs, 0)} (${x(hes.ratio)})`,
          fmt(hes.ratio / net.n),
          tfg ? `${fmt(tfg.candUs, 1)} (${x(tfg.ratio)})` : '—',
        ]],
      ),
    );
    console.log('');
  }

  // ------------------------------------------------------------------ 3. extended Rosenbrock
  {
    const rows: (string | number)[][] = [];
    for (const n of quick ? [100, 10_000] : [100, 10_000, 1_000_000]) {
      const x0 = rosenbrockStart(n);
      const g = new Float64Array(n);
      const v = x0.map((_, i) => Math.cos(i));
      const eval_ = () => consume(extendedRosenbrockValue(x0));
      const big = n >= 1e6;
      const bl = big ? Math.min(blocks, 5) : blocks;
      const hand = pair(eval_, () => consume(extendedRosenbrockGradient(x0, g)), bl, blockMs);
      // a gradient returned in a new array pays for fresh memory (page faults on 8 MB at
      // n = 10⁶); the hand-written gradient is timed that way too, for comparison
      const handNew = pair(eval_, () => consume(extendedRosenbrockGradient(x0, new Float64Array(n))), bl, blockMs);
      const grad = t.grad(extendedRosenbrock);
      const gr = pair(eval_, () => consume(grad(x0)), bl, blockMs);
      const obj = t.objective(extendedRosenbrock, x0);
      const into = pair(eval_, () => consume(obj.valueAndGrad(x0, g)), bl, blockMs);
      const hvp = t.hvp(extendedRosenbrock);
      const hv = pair(eval_, () => consume(hvp(x0, v)), bl, blockMs);
      // memory: the tape's recorded values and the compiled replays' buffers
      const pt = readPoint(x0, 'x0');
      const prog = traceProgram('bench', 'grad', extendedRosenbrock, pt.shape, pt.values);
      const tapeBytes = prog.tape.nodes.reduce((s, nd) => s + 8 * nd.value.length, 0);
      const r1 = prog.replay([prog.y, prog.adjoint!], 1, 1).bytes;
      const r2 = prog.replay([prog.adjoint!], 2, 1).bytes;
      const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
      rows.push([
        `n=${n}`,
        fmt(hand.baseUs, 1),
        `${fmt(hand.candUs, 1)} (${x(hand.ratio)})`,
        `${fmt(into.candUs, 1)} (${x(into.ratio)})`,
        `${fmt(handNew.candUs, 1)} (${x(handNew.ratio)})`,
        `${fmt(gr.candUs, 1)} (${x(gr.ratio)})`,
        `${fmt(hv.candUs, 1)} (${x(hv.ratio)})`,
        `${prog.tape.nodes.length}`,
        mb(tapeBytes),
        `${mb(r1)} / ${mb(r2)}`,
      ]);
    }
    console.log('3. Extended Rosenbrock with slices: µs per call (multiple of the plain-JS evaluation)');
    console.log('   "tayopt grad" writes into a caller\'s buffer (t.objective(f, x0).valueAndGrad(x, g)), like "hand grad";');
    console.log('   the "new array" columns return a freshly allocated gradient (t.grad(f)(x)), hand-written and tayopt alike');
    console.log(
      table(
        ['size', 'eval µs', 'hand grad', 'tayopt grad', 'hand grad, new array', 't.grad, new array', 'tayopt hvp', 'tape nodes', 'tape values', 'replay buffers grad / hvp'],
        rows,
      ),
    );
    console.log(`(process peak RSS so far: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB)\n`);
  }

  // ------------------------------------------------------------------ 4. first call
  {
    const rows: (string | number)[][] = [];
    const cases: { name: string; f: (x: t.Tensor) => t.Tensor; x: Float64Array; value: (x: Float64Array) => number }[] = [];
    for (const s of [5, 15, 29]) {
      const p = seedProblem(s);
      cases.push({ name: `seed ${s}×${s}`, f: p.f, x: p.W0, value: p.value });
    }
    const net = tanhNetwork();
    cases.push({ name: `tanh network (n=${net.n})`, f: net.f, x: net.p0, value: net.value });
    cases.push({ name: 'ext. Rosenbrock n=10⁴', f: extendedRosenbrock, x: rosenbrockStart(10_000), value: extendedRosenbrockValue });
    for (const c of cases) {
      const evalUs = pair(() => consume(c.value(c.x)), () => consume(c.value(c.x)), 3, 5).baseUs;
      const gMs = timeOnce(() => t.clearCache(c.f), () => consume(t.grad(c.f)(c.x)), quick ? 3 : 7);
      const hMs = timeOnce(() => t.clearCache(c.f), () => consume(t.hvp(c.f)(c.x, c.x)), quick ? 3 : 7);
      rows.push([c.name, fmt(evalUs, 2), `${fmt(gMs * 1000, 0)} (${fmt((gMs * 1000) / evalUs, 0)}x)`, `${fmt(hMs * 1000, 0)} (${fmt((hMs * 1000) / evalUs, 0)}x)`]);
    }
    console.log('4. First call: trace + reverse sweep + compile, µs (multiple of one plain-JS evaluation)');
    console.log(table(['function', 'eval µs', 'first grad', 'first hvp'], rows));
  }
  jacobianCostTable(blocks, blockMs); // 5. residual Jacobians (jacobian-cost.ts)
  console.log('');
  overheadTable(quick ? [5] : [5, 9, 17], Math.max(blocks, 7), blockMs); // 6. per-call overhead (overhead.ts)
  console.log('');
  timeLimitTable(quick ? [1500] : [1500, 2000], Math.max(blocks, 15), blockMs); // 7. the time limit (time-limit.ts)
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

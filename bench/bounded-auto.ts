/**
 * The measurement behind `auto`'s choice under bounds: every method on bound-constrained
 * problems of about 100 and about 1000 unknowns (bench/problems/bounded-scaling.ts), with the
 * same projected-gradient test. Prints per problem × method: solved (the test met and f within
 * 1e-8·(1 + |f|) of the best f of all runs), iterations, evaluations and wall time, then per
 * size the methods ranked by total time over the problems they all solved. Times come from
 * one process, after a warm-up run of each method (runs repeated until 100 ms have passed, the
 * least of --repeat such averages, since the machine is shared); compare them as ratios.
 *
 * With --mgh: instead, the MGH problems (n ≤ 100) with bounds cutting off their unconstrained
 * minimizers (bounded-scaling.ts), one untimed run each — the robustness count.
 *
 * Usage: node dist/bench/bounded-auto.js [--gtol=1e-6] [--methods=a,b] [--problems=substr] [--repeat=3] [--mgh]
 */
import * as t from '../src/index.js';
import { SCALAR_METHOD_NAMES, type MinimizeResult, type ScalarMethodName, DENSE_MAX_N, isDense, minimize } from '../optimizers/index.js';
import { mghBoxed, scalingProblems } from './problems/bounded-scaling.js';

/** One run: the result's counts, and what this measurement adds. */
interface Run extends Pick<MinimizeResult, 'status' | 'fun' | 'nit' | 'nfev' | 'ngev' | 'nhvp' | 'nhev'> {
  problem: string;
  n: number;
  method: ScalarMethodName;
  gnorm: number;
  ms: number;
  solved?: boolean;
}

function main(): void {
  const args = new Map(
    process.argv.slice(2).map((a) => {
      const [k, v] = a.replace(/^--/, '').split('=');
      return [k!, v ?? 'true'] as const;
    }),
  );
  const gtol = Number(args.get('gtol') ?? 1e-6);
  const methods = (args.get('methods')?.split(',') ?? SCALAR_METHOD_NAMES) as ScalarMethodName[];
  const filter = args.get('problems');
  const repeat = Number(args.get('repeat') ?? 3);
  // --mgh: the MGH problems with bounds cutting off their minimizers, one run each (no timing).
  const mgh = args.has('mgh');
  const all = mgh
    ? mghBoxed(100, (f, x0) => {
        const r = minimize(f, x0, { method: 'trust-exact', gtol: 1e-8 });
        return r.success ? r.x : null;
      })
    : scalingProblems();
  const list = all.filter((p) => !filter || p.name.includes(filter));
  console.log(`bounded problems by size — stop at projected gradient ‖·‖∞ ≤ ${gtol}, maxIter 5000; dense-Hessian methods up to n = ${DENSE_MAX_N}\n`);
  const runs: Run[] = [];
  for (const p of list) {
    const fns = t.objective(p.objective, p.x0);
    const bounds = { lower: p.lower, upper: p.upper };
    for (const m of methods) {
      if (isDense(m) && p.n > DENSE_MAX_N) continue;
      // Time per run: runs repeated until 100 ms have passed, the least of `repeat` such averages.
      let ms = Infinity;
      let r = minimize(fns, p.x0, { method: m, bounds, gtol, maxIter: 5000 });
      if (mgh) ms = NaN;
      for (let k = 0; k < (mgh ? 0 : repeat); k++) {
        let runs = 0;
        const t0 = performance.now();
        do {
          r = minimize(fns, p.x0, { method: m, bounds, gtol, maxIter: 5000 });
          runs++;
        } while (performance.now() - t0 < 100);
        ms = Math.min(ms, (performance.now() - t0) / runs);
      }
      const gnorm = r.history[r.history.length - 1]!.gnorm;
      runs.push({ problem: p.name, n: p.n, method: m, status: r.status, fun: r.fun, gnorm, nit: r.nit, nfev: r.nfev, ngev: r.ngev, nhvp: r.nhvp, nhev: r.nhev, ms });
    }
  }
  for (const p of list) {
    const mine = runs.filter((r) => r.problem === p.name);
    const best = Math.min(...mine.filter((r) => r.gnorm <= gtol).map((r) => r.fun));
    for (const r of mine) r.solved = r.gnorm <= gtol && r.fun <= best + 1e-8 * (1 + Math.abs(best));
  }
  const head = `${'problem'.padEnd(34)} ${'method'.padEnd(13)} ok  ${'nit'.padStart(5)} ${'nfev'.padStart(6)} ${'ngev'.padStart(6)} ${'nhvp'.padStart(7)} ${'nhev'.padStart(5)} ${'ms'.padStart(8)}  f`;
  console.log(head);
  console.log('─'.repeat(head.length + 14));
  let last = '';
  for (const r of runs) {
    const name = r.problem === last ? '' : `${r.problem} (n=${r.n})`;
    last = r.problem;
    console.log(
      `${name.padEnd(34)} ${r.method.padEnd(13)} ${r.solved ? 'yes' : 'NO '} ${String(r.nit).padStart(5)} ${String(r.nfev).padStart(6)} ${String(r.ngev).padStart(6)} ${String(r.nhvp).padStart(7)} ${String(r.nhev).padStart(5)} ${r.ms.toFixed(1).padStart(8)}  ${r.fun.toPrecision(12)}${r.solved ? '' : ` (${r.status})`}`,
    );
  }
  if (mgh) {
    console.log(`\nper method: reached the best f of all runs / met the projected-gradient test, of ${list.length} problems`);
    for (const m of methods) {
      const mine = runs.filter((r) => r.method === m);
      console.log(`  ${m.padEnd(13)} ${mine.filter((r) => r.solved).length} / ${mine.filter((r) => r.gnorm <= gtol).length}`);
    }
    return;
  }
  for (const small of [true, false]) {
    const sized = runs.filter((r) => (r.n <= DENSE_MAX_N) === small);
    if (sized.length === 0) continue;
    const problems = [...new Set(sized.map((r) => r.problem))];
    const ms = [...new Set(sized.map((r) => r.method))];
    // Problems every method of this size solved: total time over those, as a ratio to the fastest.
    const common = problems.filter((p) => ms.every((m) => sized.find((r) => r.problem === p && r.method === m)?.solved));
    const total = new Map(ms.map((m) => [m, common.reduce((s, p) => s + sized.find((r) => r.problem === p && r.method === m)!.ms, 0)]));
    const fastest = Math.min(...total.values());
    console.log(`\n${small ? `n ≤ ${DENSE_MAX_N}` : `n > ${DENSE_MAX_N}`}: solved, and total time over the ${common.length} problems all solved (ratio to the fastest)`);
    for (const m of [...ms].sort((a, b) => total.get(a)! - total.get(b)!)) {
      const solved = sized.filter((r) => r.method === m && r.solved).length;
      console.log(`  ${m.padEnd(13)} ${solved}/${problems.length}  ${total.get(m)!.toFixed(0).padStart(7)} ms  ×${(total.get(m)! / fastest).toFixed(2)}`);
    }
  }
}

main();

/**
 * Default stopping against tight stopping, for `bench:solvers`: every method on the MGH
 * problems and on the 54 NIST StRD runs (27 problems × 2 starts, minimized as f = Σr²), once
 * with default options and once with gtol = 0 — a run then ends only at the limit of double
 * precision (status 'precision'), or fails; everything else (maxIter 1000) as by default. A run is right when it
 * reaches a published MGH minimum, or every NIST parameter has 4 correct digits (LRE ≥ 4).
 * The defaults mean "accurate" when they are right wherever the tight runs are, and no run
 * reports success with a wrong answer where the tight run gets it right.
 */
import * as t from '../src/index.js';
import { type ConcreteMethodName, DENSE_MAX_N, isDense, minimize } from '../optimizers/index.js';
import { MGH_PROBLEMS, reaches } from './problems/mgh.js';
import { minLre, nistMinimizationRuns } from './problems/nist.js';
import { median } from './timing.js';

interface Case {
  name: string;
  set: 'MGH' | 'NIST';
  n: number;
  x0: number[];
  objective: (x: t.Tensor) => t.Tensor;
  right: (x: Float64Array, f: number) => boolean;
}

interface Outcome {
  right: boolean;
  success: boolean;
  status: string;
  ngev: number;
  nit: number;
}

function cases(maxN: number, filter?: string): Case[] {
  const list: Case[] = [];
  for (const p of MGH_PROBLEMS)
    if (p.n <= maxN) list.push({ name: p.name, set: 'MGH', n: p.n, x0: p.x0, objective: p.objective, right: (_x, f) => p.fStar.some((v) => reaches(f, v)) });
  for (const p of nistMinimizationRuns()) list.push({ name: p.name, set: 'NIST', n: p.n, x0: Array.from(p.x0), objective: p.objective, right: (x) => minLre(x, p.xStar) >= 4 });
  return filter ? list.filter((c) => c.name.includes(filter)) : list;
}

function run(c: Case, m: ConcreteMethodName, tight: boolean): Outcome {
  const r = minimize(t.objective(c.objective, c.x0), c.x0, { method: m, ...(tight ? { gtol: 0 } : {}) });
  return { right: c.right(r.x, r.fun), success: r.success, status: r.status, ngev: r.ngev, nit: r.nit };
}

const pad = (s: string | number, w: number): string => String(s).padStart(w);

/**
 * Runs the comparison and prints one row per method and problem set. Returns the number of
 * runs that report success with a wrong answer where the tight run is right (0 is the goal).
 */
export function printDefaultVsTight(methods: readonly ConcreteMethodName[], maxN: number, filter?: string): number {
  console.log('\nDefault stopping vs tight (gtol = 0: stop only at the limit of double precision; other options default)');
  console.log('MGH: reaching a published minimum; NIST StRD (27 problems × 2 starts, f = Σr²): every parameter to 4 digits (LRE ≥ 4).');
  const head = `${'method'.padEnd(12)} ${'set'.padEnd(5)} ${pad('runs', 5)} ${pad('right', 6)} ${pad('tight', 6)} ${pad('success', 8)} ${pad('wrong✓', 7)} ${pad('tight wrong✓', 13)} ${pad('wrong✓ tight right', 19)} ${pad('med ngev', 9)} ${pad('tight', 6)}  tight statuses`;
  console.log(head);
  console.log('─'.repeat(head.length + 20));
  const all = cases(maxN, filter);
  let bad = 0;
  const notes: string[] = [];
  for (const m of methods) {
    for (const set of ['MGH', 'NIST'] as const) {
      const list = all.filter((c) => c.set === set && (!isDense(m) || c.n <= DENSE_MAX_N));
      if (list.length === 0) continue;
      const d = list.map((c) => run(c, m, false));
      const tt = list.map((c) => run(c, m, true));
      const wrongSuccess = d.filter((o) => o.success && !o.right).length;
      const worse = list.filter((_, i) => d[i]!.success && !d[i]!.right && tt[i]!.right);
      bad += worse.length;
      for (const c of worse) notes.push(`${m} ${c.name}: default reports success with a wrong answer; the tight run is right`);
      list.forEach((c, i) => {
        if (d[i]!.right !== tt[i]!.right) notes.push(`${m} ${c.name}: default ${d[i]!.status} (${d[i]!.right ? 'right' : 'wrong'}), tight ${tt[i]!.status} (${tt[i]!.right ? 'right' : 'wrong'})`);
      });
      const both = list.map((_, i) => i).filter((i) => d[i]!.right && tt[i]!.right);
      const statuses = new Map<string, number>();
      for (const o of tt) statuses.set(o.status, (statuses.get(o.status) ?? 0) + 1);
      console.log(
        `${m.padEnd(12)} ${set.padEnd(5)} ${pad(list.length, 5)} ${pad(d.filter((o) => o.right).length, 6)} ${pad(tt.filter((o) => o.right).length, 6)} ${pad(d.filter((o) => o.success).length, 8)} ${pad(wrongSuccess, 7)} ${pad(tt.filter((o) => o.success && !o.right).length, 13)} ${pad(worse.length, 19)} ${pad(median(both.map((i) => d[i]!.ngev)), 9)} ${pad(median(both.map((i) => tt[i]!.ngev)), 6)}  ${[...statuses].map(([k, v]) => `${k} ${v}`).join(', ')}`,
      );
    }
  }
  console.log('right: default options; tight: gtol = 0; wrong✓: success with a wrong answer (a local minimizer, or a point where double precision runs out); med ngev over runs right in both.');
  for (const n of notes) console.log(`  ${n}`);
  console.log(bad === 0 ? 'No default run reports success with a wrong answer where the tight run is right.' : `${bad} default runs report success with a wrong answer where the tight run is right.`);
  return bad;
}

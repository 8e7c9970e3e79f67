/**
 * Differential fuzzing of the engine (`npm run fuzz -- --count 10000 --seed 1`): random
 * programs over every operation, through every driver and point structure, each traced at
 * one point and replayed at another, checked against the plain-JS oracle, extrapolated
 * finite differences and each other (bench/fuzz/run.ts). Prints the counts and every
 * mismatch, shrunk, as runnable code; exits 1 when there is one.
 *
 * Flags: --count N (cases, default 10000), --seed S (first case seed, default 1),
 * --quiet (no progress line).
 */
import { OPS, topo } from './fuzz/expr.js';
import { generateCase } from './fuzz/generate.js';
import { type Mismatch, repro, runCase, shrink } from './fuzz/run.js';

function flag(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 0) {
    console.error(`fuzz: --${name} needs a non-negative integer, got ${process.argv[i + 1]}`);
    process.exit(2);
  }
  return v;
}

const count = flag('count', 10_000);
const seed0 = flag('seed', 1);
const quiet = process.argv.includes('--quiet');

let checks = 0;
let inconclusive = 0;
let worstFresh = 0;
const byDriver = new Map<string, number>();
const byOp = new Map<string, number>(Object.keys(OPS).map((op) => [op, 0]));
const byStructure = new Map<string, number>();
let aliasing = 0;
const failures: { seed: number; m: Mismatch }[] = [];
const t0 = Date.now();
for (let k = 0; k < count; k++) {
  const seed = seed0 + k;
  const c = generateCase(seed);
  const r = runCase(c);
  const nodes = new Set([...topo(c.vec), ...topo(c.scal)]);
  for (const e of nodes) if (byOp.has(e.op)) byOp.set(e.op, byOp.get(e.op)! + 1);
  byStructure.set(c.structure, (byStructure.get(c.structure) ?? 0) + 1);
  if ([c.vec, c.scal].some((e) => topo(e).every((n) => n.op === 'x' || n.op === 'const' || ['reshape', 'flatten', 'slice', 'at', 'transpose', 'broadcastTo'].includes(n.op)))) aliasing++;
  checks += r.checks;
  inconclusive += r.inconclusive;
  worstFresh = Math.max(worstFresh, r.replayVsFresh);
  for (const d of r.drivers) byDriver.set(d, (byDriver.get(d) ?? 0) + 1);
  for (const m of r.mismatches) {
    failures.push({ seed, m });
    const small = shrink(c, m);
    console.log(`\nmismatch in case ${seed}: ${m.driver} (${m.check})\n${repro(small, m)}`);
  }
  if (!quiet && (k + 1) % 250 === 0) process.stderr.write(`\r${k + 1}/${count} cases, ${failures.length} mismatches, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}
if (!quiet) process.stderr.write('\n');
console.log(
  `\nfuzz: ${count} cases (seeds ${seed0}…${seed0 + count - 1}), ${checks} checks, ${inconclusive} finite-difference checks inconclusive, ` +
    `${failures.length} mismatches; largest replay-vs-fresh-trace difference ${worstFresh.toExponential(2)}; ${((Date.now() - t0) / 1000).toFixed(1)} s`,
);
console.log(`driver runs: ${[...byDriver].map(([d, n]) => `${d} ${n}`).join(', ')}`);
console.log(`point structures: ${[...byStructure].map(([d, n]) => `${d} ${n}`).join(', ')}; programs that are the input or a view of it: ${aliasing}`);
console.log(`operations (cases using each): ${[...byOp].map(([d, n]) => `${d} ${n}`).join(', ')}`);
process.exit(failures.length > 0 ? 1 : 0);

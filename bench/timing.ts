/**
 * Side-by-side timing: a baseline and a candidate run in alternating blocks in one process;
 * each block yields a time ratio, and the median over blocks is reported. Ratios survive a
 * noisy shared machine far better than absolute times.
 */
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

/** Keeps results observable so the JIT cannot drop the work. */
export let sink = 0;
export function consume(v: unknown): void {
  if (typeof v === 'number') sink += v;
  else if (v instanceof Float64Array || v instanceof Float32Array) sink += v[0] ?? 0;
  else if (Array.isArray(v)) sink += v.length;
}

/** The median (NaN for no values). */
export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** A clock in milliseconds. */
export type Clock = () => number;

/**
 * This process's CPU time (user + system) in milliseconds: unlike wall time it does not count
 * the time other processes on a shared machine hold the cores, so per-call ratios of short
 * calls hold up under load. It sums every thread of the process, so garbage collection and
 * the freeing of array buffers on V8's helper threads count against the call that caused them.
 */
export const cpuClock: Clock = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Calls per block so that one block of `fn` lasts about `targetMs`. */
function calibrate(fn: () => void, targetMs: number, clock: Clock): number {
  let reps = 1;
  for (;;) {
    const t0 = clock();
    for (let i = 0; i < reps; i++) fn();
    const dt = clock() - t0;
    if (dt >= targetMs / 4 || reps >= 1 << 24) return Math.max(1, Math.round((reps * targetMs) / Math.max(dt, 1e-3)));
    reps *= 4;
  }
}

export interface PairTiming {
  /** Median µs per call of the baseline and the candidate. */
  baseUs: number;
  candUs: number;
  /** Median over blocks of candidate time / baseline time. */
  ratio: number;
}

/** Times `cand` against `base`, alternating `blocks` blocks of about `blockMs` each (by `clock`, default wall time). */
export function pair(base: () => void, cand: () => void, blocks = 9, blockMs = 20, clock: Clock = () => performance.now()): PairTiming {
  for (let i = 0; i < 3; i++) {
    base();
    cand();
  }
  const rb = calibrate(base, blockMs, clock);
  const rc = calibrate(cand, blockMs, clock);
  const tb: number[] = [];
  const tc: number[] = [];
  const ratios: number[] = [];
  for (let k = 0; k < blocks; k++) {
    let t0 = clock();
    for (let i = 0; i < rb; i++) base();
    const b = (clock() - t0) / rb;
    t0 = clock();
    for (let i = 0; i < rc; i++) cand();
    const c = (clock() - t0) / rc;
    tb.push(b);
    tc.push(c);
    ratios.push(c / b);
  }
  return { baseUs: 1000 * median(tb), candUs: 1000 * median(tc), ratio: median(ratios) };
}

/** Median ms of `once()` over `reps` runs, each preceded by `setup()`. */
export function timeOnce(setup: () => void, once: () => void, reps = 5): number {
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    setup();
    const t0 = performance.now();
    once();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

/** Formats a table with right-aligned columns (first column left-aligned). */
export function table(head: string[], rows: (string | number)[][]): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const w = head.map((_, j) => Math.max(...cells.map((r) => (r[j] ?? '').length)));
  const line = (r: string[]) => r.map((c, j) => (j === 0 ? c.padEnd(w[j]!) : c.padStart(w[j]!))).join('  ');
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...cells.slice(1).map(line)].join('\n');
}

export function fmt(x: number, digits = 2): string {
  if (!Number.isFinite(x)) return String(x);
  if (x >= 1000) return x.toFixed(0);
  if (x >= 100) return x.toFixed(1);
  return x.toFixed(digits);
}

/**
 * Runs the bench module at `moduleUrl` (its import.meta.url) in a Node process of its own, with
 * this process's flags and loader and the arguments `args`, and returns the JSON value printed
 * on the last line of its output. Functions whose source is shared (the plain-JS baselines of
 * several sizes, the driver closures) share V8's feedback within one process, so a size
 * measured after others can look faster or slower than it is when run alone: each size of a
 * table gets a process.
 */
export function inOwnProcess<T>(moduleUrl: string, args: readonly string[]): T {
  // node's flags and loader, without a script given on the command line (-e/-p: the child would run it again)
  const evalFlag = /^(-e|--eval|-p|--print)$/;
  const flags = process.execArgv.filter((a, i, all) => !evalFlag.test(a) && !evalFlag.test(all[i - 1] ?? '') && !/^--(eval|print|input-type)=/.test(a));
  const out = execFileSync(process.execPath, [...flags, fileURLToPath(moduleUrl), ...args], { encoding: 'utf8' });
  const lines = out.trimEnd().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as T;
}

/**
 * The iteration log's rate limit (issue 12 point 6), on a simulated clock: every row for the
 * first 20, then at most one row per 200 ms (≈ 5 lines a second) plus the last; --verbose
 * prints every row; on a terminal a progress line appears after one second and is cleared
 * before anything else is written.
 */
import { describe, expect, it } from 'vitest';
import { FIRST_ROWS, IterationLog, MIN_INTERVAL_MS } from '../../bin/cli/log.js';
import type { HistoryEntry } from '../../optimizers/index.js';

const entry = (iter: number): HistoryEntry => ({ iter, f: 1 / (iter + 1), gnorm: 2 / (iter + 1), step: 0.1, radius: NaN, nfev: iter + 1, ngev: iter + 1, nhvp: 0, nhev: 0 }) as HistoryEntry;

/** Runs `count` rows `dtMs` apart; returns what was written and the iterations printed. */
function simulate(count: number, dtMs: number, options: { verbose?: boolean; tty?: boolean } = {}) {
  let clock = 0;
  let out = '';
  const log = new IterationLog((s) => (out += s), { ...options, now: () => clock });
  for (let i = 0; i < count; i++) {
    log.row(entry(i));
    clock += dtMs;
  }
  log.finish();
  const printed = out
    .split(/[\n\r]/)
    .map((l) => /^\s*(\d+)\s+\d/.exec(l.replace(/\x1b\[K/g, ''))?.[1])
    .filter((v): v is string => v !== undefined)
    .map(Number);
  return { out, printed };
}

describe('IterationLog', () => {
  it('a fast long run: the first 20, then one per 200 ms, then the last', () => {
    // 2000 rows 1 ms apart: 2 s of run time
    const { printed } = simulate(2000, 1);
    expect(printed.slice(0, FIRST_ROWS)).toEqual(Array.from({ length: FIRST_ROWS }, (_, i) => i));
    const later = printed.slice(FIRST_ROWS);
    expect(later[later.length - 1]).toBe(1999); // the last row
    // row 19 printed at t = 19 ms; then rows at t = 219, 419, …, 1819 (9 of them), then 1999
    expect(later).toEqual([219, 419, 619, 819, 1019, 1219, 1419, 1619, 1819, 1999]);
    for (let k = 1; k < later.length - 1; k++) expect(later[k]! - later[k - 1]!).toBeGreaterThanOrEqual(MIN_INTERVAL_MS);
  });

  it('a slow run prints every row; --verbose prints every row of a fast one', () => {
    expect(simulate(50, 250).printed).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(simulate(500, 1, { verbose: true }).printed).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });

  it('the last row is printed once, also when it was printed on time', () => {
    const { printed } = simulate(221, 1); // row 219 printed at 219 ms, rows 220 held, then finish
    expect(printed.filter((i) => i === 220)).toEqual([220]);
    const short = simulate(5, 1).printed;
    expect(short).toEqual([0, 1, 2, 3, 4]);
  });

  it('on a terminal: a progress line after one second, cleared before rows and at the end', () => {
    const { out } = simulate(3000, 1, { tty: true });
    const progress = out.match(/\r\x1b\[K {2}… iteration \d+ {3}f \S+ {3}‖∇f‖ \S+ {3}[\d.]+ s/g) ?? [];
    expect(progress.length).toBeGreaterThan(5);
    // the first appears only after 1 s of running
    expect(Number(/iteration (\d+)/.exec(progress[0]!)![1])).toBeGreaterThanOrEqual(1000);
    // every progress line is wiped (\r ESC[K) before the next row, and the log ends with a row
    const after = out.split(/ {3}[\d.]+ s/).slice(1);
    for (const piece of after) expect(piece.startsWith('\r\x1b[K')).toBe(true);
    expect(out.endsWith(' \n') || out.endsWith('0\n')).toBe(true);
    // without a terminal there is none
    expect(simulate(3000, 1).out).not.toMatch(/…|\r/);
  });
});

/**
 * The iteration log `tayopt solve` writes to stderr while it runs, in the manner of IPOPT's:
 * a banner, a column header (repeated every 25 rows), then the iterations. A long run would
 * print thousands of rows (1,875 in 1.7 s for 1000 unknowns), so after the first
 * {@link FIRST_ROWS} rows at most one row per {@link MIN_INTERVAL_MS} is printed, plus the
 * last (`--verbose` prints every row). On a terminal, a run longer than a second also
 * shows a live progress line (iteration, f, ‖∇f‖, elapsed) under the rows.
 */
import type { HistoryEntry } from '../../optimizers/index.js';
import { sci } from './common.js';

const HEADER = 'iter       objective      ‖g‖∞       step     radius     nfev   ngev   nhvp   nhev';
/** Interior-point rows (Ipopt's columns): primal infeasibility (max constraint violation), dual infeasibility ‖∇ₓL‖∞, μ, step sizes. */
const IPM_HEADER = 'iter       objective    inf_pr    inf_du     mu    alpha_du  alpha_pr   ‖Δx‖₂     nfev   ngev   nhev';

/** Rows always printed at the start of a run. */
export const FIRST_ROWS = 20;
/** After those, at most one row per this many milliseconds (about 5 lines a second). */
export const MIN_INTERVAL_MS = 200;
/** The progress line appears once a run has lasted this long, and is redrawn at most every PROGRESS_MS. */
const PROGRESS_AFTER_MS = 1000;
const PROGRESS_MS = 100;

export interface IterationLogOptions {
  /** Print every row. */
  verbose?: boolean;
  /** The stream is a terminal: draw the progress line (with carriage returns). */
  tty?: boolean;
  /** Milliseconds clock (injectable for tests). */
  now?: () => number;
}

/** Writes log lines to a stream; rows come from solver history entries. */
export class IterationLog {
  private rows = 0;
  private readonly start: number;
  private lastPrinted = -Infinity;
  private lastProgress = -Infinity;
  private progressShown = false;
  /** The latest row not printed (printed by finish() when it is the last). */
  private pending: HistoryEntry | null = null;
  private readonly verbose: boolean;
  private readonly tty: boolean;
  private readonly now: () => number;

  constructor(
    private readonly write: (line: string) => void,
    options: IterationLogOptions = {},
  ) {
    this.verbose = options.verbose ?? false;
    this.tty = options.tty ?? false;
    this.now = options.now ?? (() => performance.now());
    this.start = this.now();
  }

  /** Free text (the banner, notes). */
  line(text: string): void {
    this.clearProgress();
    this.write(`${text}\n`);
  }

  /** One iteration: printed, or held back (and shown on the progress line) when rows come fast. */
  row(e: HistoryEntry): void {
    const t = this.now();
    if (this.verbose || this.rows < FIRST_ROWS || t - this.lastPrinted >= MIN_INTERVAL_MS) {
      this.print(e, t);
      return;
    }
    this.pending = e;
    if (this.tty && t - this.start >= PROGRESS_AFTER_MS && t - this.lastProgress >= PROGRESS_MS) {
      this.lastProgress = t;
      this.progressShown = true;
      const elapsed = ((t - this.start) / 1000).toFixed(1);
      this.write(`\r\x1b[K  … iteration ${e.iter}   f ${sci(e.f, 7)}   ‖∇f‖ ${sci(e.gnorm)}   ${elapsed} s`);
    }
  }

  /** Ends the rows: prints the last row if it was held back, and clears the progress line. */
  finish(): void {
    if (this.pending) this.print(this.pending, this.now());
    this.clearProgress();
  }

  private clearProgress(): void {
    if (!this.progressShown) return;
    this.write('\r\x1b[K');
    this.progressShown = false;
  }

  private print(e: HistoryEntry, t: number): void {
    this.clearProgress();
    this.pending = null;
    this.lastPrinted = t;
    const ipm = e.mu !== undefined;
    if (this.rows % 25 === 0) this.write(`${this.rows === 0 ? '' : '\n'}${ipm ? IPM_HEADER : HEADER}\n`);
    this.rows++;
    const step = e.iter === 0 ? '-' : sci(e.step);
    if (ipm) {
      const cells = [
        String(e.iter).padStart(4),
        sci(e.f, 7).padStart(15),
        sci(e.constraintViolation).padStart(9),
        sci(e.gnorm).padStart(9),
        sci(e.mu, 1).padStart(7),
        (e.iter === 0 ? '-' : sci(e.alphaDual)).padStart(9),
        (e.iter === 0 ? '-' : sci(e.alphaPrimal)).padStart(9),
        step.padStart(9),
        String(e.nfev).padStart(8),
        String(e.ngev).padStart(6),
        String(e.nhev).padStart(6),
      ];
      this.write(`${cells.join(' ')}\n`);
      return;
    }
    const cells = [
      String(e.iter).padStart(4),
      sci(e.f, 7).padStart(15),
      sci(e.gnorm).padStart(9),
      step.padStart(10),
      sci(e.radius).padStart(10),
      String(e.nfev).padStart(8),
      String(e.ngev).padStart(6),
      String(e.nhvp).padStart(6),
      String(e.nhev).padStart(6),
    ];
    this.write(`${cells.join(' ')}\n`);
  }
}

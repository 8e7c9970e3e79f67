/**
 * The iteration log `tayopt solve` writes to stderr while it runs, in the manner of IPOPT's:
 * a banner, a column header (repeated every 25 rows), then one row per iteration.
 */
import type { HistoryEntry } from '../../optimizers/index.js';
import { sci } from './common.js';

const HEADER = 'iter       objective      ‖g‖∞       step     radius     nfev   ngev   nhvp   nhev';
/** Interior-point rows (Ipopt's columns): primal infeasibility (max constraint violation), dual infeasibility ‖∇ₓL‖∞, μ, step sizes. */
const IPM_HEADER = 'iter       objective    inf_pr    inf_du     mu    alpha_du  alpha_pr   ‖Δx‖₂     nfev   ngev   nhev';

/** Writes log lines to a stream; rows come from solver history entries. */
export class IterationLog {
  private rows = 0;

  constructor(private readonly write: (line: string) => void) {}

  /** Free text (the banner, notes). */
  line(text: string): void {
    this.write(`${text}\n`);
  }

  /** One iteration; the header goes before the first row and again every 25 rows. */
  row(e: HistoryEntry): void {
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

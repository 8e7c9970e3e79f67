/**
 * Input types of the convergence report. A report draws one or several solver runs of the
 * same problem; each run is the history a solver recorded (see `optimizers/types.ts`).
 */
import type { HistoryEntry } from '../../optimizers/types.js';

export type { HistoryEntry };

/** One solver run to draw: a named series in every panel and one row of the summary table. */
export interface ReportRun {
  /** Series name shown in legends and the table, e.g. `'lbfgs'`. */
  label: string;
  /** The solver's history, one row per iteration (row 0 = the start point). */
  history: HistoryEntry[];
  /** Solver status code, e.g. `'converged'` (shown in the table only). */
  status?: string;
  /** Whether the solver reported success (shown in the table only). */
  success?: boolean;
  /** Solver message (shown in the table only). */
  message?: string;
}

/** What a report draws: the problem name, the runs, and the known optimum when there is one. */
export interface ReportInput {
  /** Problem name; the overall title of the report. */
  title: string;
  /** One or more runs; an empty list is an error. */
  runs: ReportRun[];
  /** Known optimal value f*. When absent, the f panels use the best f over all runs instead. */
  fStar?: number;
}

/** Size of the PNG report in pixels. */
export interface PngOptions {
  /** Image width in px, integer in [800, 8000]. Default 1400. */
  width?: number;
  /** Image height in px, integer in [500, 8000]. Default 900. */
  height?: number;
}

/**
 * The report's data model: validated input turned into four (or five) panels of plottable (x, y)
 * series. Both renderers (PNG in Node, HTML in the browser) draw exactly this model, so the
 * choices below are made once:
 *
 * - Non-finite x or y (NaN, ±Infinity) is skipped: the point is not drawn.
 * - Every y axis is logarithmic. A finite y ≤ 0 (f − f* at or below zero, a zero gradient,
 *   a zero step) is drawn at the panel's *floor*: one decade below the smallest positive y
 *   in that panel (1e-16 if the panel has none). The panel subtitle says so when it
 *   happens, so the floor is never mistaken for a measured value.
 * - f* unknown: panels 1–2 plot f − f̂ with f̂ = the smallest finite f over all runs, so
 *   the runs share one reference. The row(s) attaining f̂ give 0 and are drawn at the floor.
 * - Panel 2's x axis is cumulative ngev + nhvp: gradient evaluations plus Hessian-vector
 *   products, each counted as one unit of gradient work (a forward-over-reverse HVP costs a
 *   small constant times a gradient). Full Hessian evaluations (nhev) are not counted; the
 *   summary table shows them.
 * - Panel 4 omits the step at iteration 0 (0 by definition, not a measurement).
 * - A fifth panel, feasibility, appears when a run carries constraint violations (a
 *   constrained method): the largest constraint violation against iterations. Its gradient
 *   panel shows ‖∇ₓL‖∞, the stationarity of the Lagrangian.
 */
import type { HistoryEntry, ReportInput } from './types.js';
import { formatNumber } from './format.js';

/** One named line in a panel. `points` are [x, y] pairs with finite x and finite y > 0. */
export interface SeriesData {
  label: string;
  /** CSS hex colour `#rrggbb`; a run has the same colour in every panel. */
  color: string;
  /** Drawn dashed (trust radius) rather than solid (everything else). */
  dashed: boolean;
  points: Array<[number, number]>;
}

/** One chart of the report (the PNG lays them out in a grid). The y axis is always logarithmic, the x axis linear. */
export interface PanelData {
  id: 'f-iter' | 'f-work' | 'gnorm' | 'step' | 'feasibility';
  title: string;
  /** Lines under the title: the f reference, what x counts, the floor (possibly none). */
  subtitle: string[];
  xTitle: string;
  yTitle: string;
  /** The value non-positive y were drawn at, or null if the panel had none. */
  floor: number | null;
  /** Log-axis limits (whole decades enclosing the data) and the decades that get a tick. */
  yMin: number;
  yMax: number;
  yTicks: number[];
  series: SeriesData[];
}

/** Floor used when a panel has no positive y at all (e.g. every f equal and f* unknown). */
export const FALLBACK_FLOOR = 1e-16;

// Tableau-10 without its grey, which would be confused with grid lines and text.
const PALETTE = [
  '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd',
  '#8c564b', '#e377c2', '#bcbd22', '#17becf',
];

/**
 * Colour of run `index` (0-based) as `#rrggbb`: a fixed palette of 9 distinct colours, then
 * hues spaced by the golden angle. Throws RangeError for a negative or fractional index.
 */
export function seriesColor(index: number): string {
  if (!Number.isInteger(index) || index < 0) {
    throw new RangeError(`seriesColor: index must be a non-negative integer, got ${index}`);
  }
  if (index < PALETTE.length) return PALETTE[index]!;
  const hue = ((index - PALETTE.length) * 137.508 + 15) % 360;
  return hslToHex(hue, 0.65, 0.42);
}

function hslToHex(h: number, s: number, l: number): string {
  const c = (1 - Math.abs(2 * l - 1)) * s;
  const hp = h / 60;
  const x = c * (1 - Math.abs((hp % 2) - 1));
  const [r, g, b] =
    hp < 1 ? [c, x, 0] : hp < 2 ? [x, c, 0] : hp < 3 ? [0, c, x] :
    hp < 4 ? [0, x, c] : hp < 5 ? [x, 0, c] : [c, 0, x];
  const m = l - c / 2;
  const hex = (v: number) => Math.round((v + m) * 255).toString(16).padStart(2, '0');
  return `#${hex(r)}${hex(g)}${hex(b)}`;
}

const HISTORY_FIELDS = ['iter', 'f', 'gnorm', 'step', 'nfev', 'ngev', 'nhvp', 'nhev', 'timeMs'] as const;

/**
 * Checks the shape of a report input at the API edge. Throws TypeError naming the offending
 * field (title not a string, runs not an array, a run without a string label or a history
 * array, a history row with a non-number field) and Error for an empty runs list. Values
 * themselves (NaN, Infinity, zeros) are allowed: the renderers handle them.
 */
export function validateInput(input: unknown): asserts input is ReportInput {
  if (typeof input !== 'object' || input === null) {
    throw new TypeError('report input must be an object { title, runs, fStar? }');
  }
  const { title, runs, fStar } = input as Record<string, unknown>;
  if (typeof title !== 'string') throw new TypeError('report input: title must be a string');
  if (!Array.isArray(runs)) throw new TypeError('report input: runs must be an array');
  if (runs.length === 0) throw new Error('report input: runs is empty; a report needs at least one run');
  if (fStar !== undefined && typeof fStar !== 'number') {
    throw new TypeError('report input: fStar must be a number when given');
  }
  runs.forEach((run: unknown, i) => {
    if (typeof run !== 'object' || run === null) throw new TypeError(`report input: runs[${i}] must be an object`);
    const r = run as Record<string, unknown>;
    if (typeof r.label !== 'string') throw new TypeError(`report input: runs[${i}].label must be a string`);
    if (!Array.isArray(r.history)) throw new TypeError(`report input: runs[${i}].history must be an array`);
    for (const key of ['status', 'message'] as const) {
      if (r[key] !== undefined && typeof r[key] !== 'string') {
        throw new TypeError(`report input: runs[${i}].${key} must be a string when given`);
      }
    }
    if (r.success !== undefined && typeof r.success !== 'boolean') {
      throw new TypeError(`report input: runs[${i}].success must be a boolean when given`);
    }
    r.history.forEach((row: unknown, k) => {
      if (typeof row !== 'object' || row === null) {
        throw new TypeError(`report input: runs[${i}].history[${k}] must be an object`);
      }
      const h = row as Record<string, unknown>;
      for (const field of HISTORY_FIELDS) {
        if (typeof h[field] !== 'number') {
          throw new TypeError(`report input: runs[${i}].history[${k}].${field} must be a number, got ${typeof h[field]}`);
        }
      }
      if (h.radius !== null && typeof h.radius !== 'number') {
        throw new TypeError(`report input: runs[${i}].history[${k}].radius must be a number or null`);
      }
      if (h.constraintViolation !== undefined && typeof h.constraintViolation !== 'number') {
        throw new TypeError(`report input: runs[${i}].history[${k}].constraintViolation must be a number when given`);
      }
    });
  });
}

interface RawSeries {
  label: string;
  color: string;
  dashed: boolean;
  points: Array<[number, number]>; // finite, y may be <= 0
}

function collect(
  history: HistoryEntry[],
  x: (h: HistoryEntry) => number,
  y: (h: HistoryEntry) => number | null,
): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const h of history) {
    const xv = x(h);
    const yv = y(h);
    if (yv === null || !Number.isFinite(xv) || !Number.isFinite(yv)) continue;
    out.push([xv, yv]);
  }
  return out;
}

/** Replaces y ≤ 0 with one decade below the smallest positive y; returns the floor used. */
function applyFloor(raw: RawSeries[]): { series: SeriesData[]; floor: number | null } {
  let minPositive = Infinity;
  let anyNonPositive = false;
  for (const s of raw) {
    for (const [, y] of s.points) {
      if (y > 0) minPositive = Math.min(minPositive, y);
      else anyNonPositive = true;
    }
  }
  if (!anyNonPositive) return { series: raw, floor: null };
  let floor = FALLBACK_FLOOR;
  if (minPositive < Infinity) {
    floor = Number(`1e${Math.floor(Math.log10(minPositive)) - 1}`);
    // A decade below the smallest subnormal underflows to 0: draw at the minimum instead.
    if (!(floor > 0)) floor = minPositive;
  }
  const series = raw.map((s) => ({
    ...s,
    points: s.points.map(([x, y]): [number, number] => [x, y > 0 ? y : floor]),
  }));
  return { series, floor };
}

/** Short label of a positive number for titles and ticks: `1e-14` for decades, else 3 digits. */
export function shortNumber(v: number): string {
  if (v > 0 && Number.isFinite(v)) {
    const e = Math.round(Math.log10(v));
    if (Number(`1e${e}`) === v) return `1e${e}`;
  }
  return formatNumber(Number(v.toPrecision(3)));
}

function floorNote(floor: number | null): string[] {
  return floor === null ? [] : [`values ≤ 0 drawn at ${shortNumber(floor)}`];
}

const TARGET_TICKS = 10;
const DECADE_STRIDES = [1, 2, 5, 10, 20, 50, 100];

/**
 * The y axis of a panel: whole decades enclosing every point, and decade ticks spaced so
 * that there are at most about 10 (every 1st, 2nd, 5th, 10th … decade). chart.js's own
 * logarithmic tick generator breaks down over ranges of 20+ decades, hence computed here.
 */
function logAxis(series: SeriesData[]): { yMin: number; yMax: number; yTicks: number[] } {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) {
    for (const [, y] of s.points) {
      lo = Math.min(lo, y);
      hi = Math.max(hi, y);
    }
  }
  if (lo === Infinity) {
    lo = 1;
    hi = 10;
  }
  // Clamp exponents to what a double can hold: below 1e-323 only subnormals remain, above
  // 1e308 only up to Number.MAX_VALUE.
  const eLo = Math.floor(Math.log10(lo));
  const eHi = Math.ceil(Math.log10(hi));
  const eMin = Math.max(eLo, -323);
  const eMax = Math.max(Math.min(eHi, 308), eMin + 1);
  const stride = DECADE_STRIDES.find((k) => (eMax - eMin) / k <= TARGET_TICKS) ?? Math.ceil((eMax - eMin) / TARGET_TICKS);
  const yTicks: number[] = [];
  for (let e = Math.ceil(eMin / stride) * stride; e <= eMax; e += stride) yTicks.push(Number(`1e${e}`));
  const yMin = eLo < -323 ? Number.MIN_VALUE : Number(`1e${eMin}`);
  const yMax = eHi > 308 ? Number.MAX_VALUE : Number(`1e${eMax}`);
  return { yMin, yMax, yTicks };
}

/** Columns of the panel grid, PNG and HTML alike: ⌈√count⌉ (4 panels: 2×2; 5 or 6: 3×2). */
export function panelColumns(count: number): number {
  return Math.ceil(Math.sqrt(count));
}

/**
 * Builds the panels of a report (four, and feasibility for constrained runs) from a validated input (see the module comment for
 * the rules on f*, floors, skipped points and panel 2's x axis). A non-finite fStar counts
 * as unknown. Throws what {@link validateInput} throws.
 */
export function buildPanels(input: ReportInput): PanelData[] {
  validateInput(input);
  const runs = input.runs;
  const colors = runs.map((_, i) => seriesColor(i));

  const fStarKnown = input.fStar !== undefined && Number.isFinite(input.fStar);
  let fRef: number;
  if (fStarKnown) {
    fRef = input.fStar as number;
  } else {
    fRef = Infinity;
    for (const run of runs) for (const h of run.history) if (Number.isFinite(h.f)) fRef = Math.min(fRef, h.f);
    // No finite f anywhere: nothing is drawn in the f panels; any finite reference will do.
    if (fRef === Infinity) fRef = 0;
  }
  const gap = (h: HistoryEntry) => h.f - fRef;
  const gapName = fStarKnown ? 'f − f*' : 'f − min f';
  const refLine = fStarKnown
    ? `f* = ${formatNumber(fRef)} (known optimum)`
    : `f* unknown: reference = min f over all runs = ${formatNumber(fRef)}`;

  const make = (x: (h: HistoryEntry) => number, y: (h: HistoryEntry) => number | null) =>
    runs.map((run, i): RawSeries => ({ label: run.label, color: colors[i]!, dashed: false, points: collect(run.history, x, y) }));

  const hasRadius = runs.some((r) => r.history.some((h) => h.radius !== null));
  const stepRaw: RawSeries[] = [];
  runs.forEach((run, i) => {
    stepRaw.push({
      label: hasRadius ? `${run.label} step` : run.label,
      color: colors[i]!,
      dashed: false,
      points: collect(run.history, (h) => h.iter, (h) => (h.iter === 0 ? null : h.step)),
    });
    if (run.history.some((h) => h.radius !== null)) {
      stepRaw.push({
        label: `${run.label} radius`,
        color: colors[i]!,
        dashed: true,
        points: collect(run.history, (h) => h.iter, (h) => h.radius),
      });
    }
  });

  const panel = (
    id: PanelData['id'],
    raw: RawSeries[],
    text: { title: string; subtitle: string[]; xTitle: string; yTitle: string },
  ): PanelData => {
    const { series, floor } = applyFloor(raw);
    return { id, ...text, subtitle: [...text.subtitle, ...floorNote(floor)], floor, ...logAxis(series), series };
  };

  const constrained = runs.some((r) => r.history.some((h) => h.constraintViolation !== undefined));
  const panels = [
    panel('f-iter', make((h) => h.iter, gap), {
      title: `${gapName} vs iterations`,
      subtitle: [refLine],
      xTitle: 'iteration (count)',
      yTitle: `${gapName} (units of f)`,
    }),
    panel('f-work', make((h) => h.ngev + h.nhvp, gap), {
      title: `${gapName} vs gradient work`,
      subtitle: [refLine, 'x = gradient evaluations + Hessian-vector products (nhev not counted)'],
      xTitle: 'ngev + nhvp (cumulative count)',
      yTitle: `${gapName} (units of f)`,
    }),
    panel('gnorm', make((h) => h.iter, (h) => h.gnorm), {
      title: constrained ? 'gradient norm ‖∇f‖∞ (‖∇ₓL‖∞ for constrained runs) vs iterations' : 'gradient norm ‖∇f‖∞ vs iterations',
      subtitle: [],
      xTitle: 'iteration (count)',
      yTitle: '‖∇f‖∞ (units of f per unit of x)',
    }),
    panel('step', stepRaw, {
      title: hasRadius ? 'step length and trust radius vs iterations' : 'step length vs iterations',
      subtitle: hasRadius ? ['solid: accepted step ‖Δx‖₂; dashed: trust-region radius'] : [],
      xTitle: 'iteration (count)',
      yTitle: hasRadius ? '‖Δx‖₂, radius (units of x)' : '‖Δx‖₂ (units of x)',
    }),
  ];
  if (constrained) {
    panels.push(
      panel('feasibility', make((h) => h.iter, (h) => h.constraintViolation ?? null), {
        title: 'feasibility: max constraint violation vs iterations',
        subtitle: ['max over constraints of the distance to their bounds (0 = feasible)'],
        xTitle: 'iteration (count)',
        yTitle: 'max violation (units of c)',
      }),
    );
  }
  return panels;
}

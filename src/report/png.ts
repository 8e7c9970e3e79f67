/**
 * PNG report: each panel drawn by chart.js on its own headless `@napi-rs/canvas` canvas
 * (the configuration of chart.ts, shared with the HTML report), then composited under an
 * overall title in a grid that follows the panel list. Rendering is synchronous: with
 * animation off chart.js draws in its constructor.
 */
import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import {
  BasicPlatform,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  SubTitle,
  Title,
} from 'chart.js';
import { chartSpec, completeChart } from './chart.js';
import { buildPanels, panelColumns, type PanelData } from './panels.js';
import type { PngOptions, ReportInput } from './types.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Legend, Title, SubTitle);

/** Default PNG size in px. */
export const DEFAULT_WIDTH = 1400;
export const DEFAULT_HEIGHT = 900;
const MIN_WIDTH = 800;
const MIN_HEIGHT = 500;
const MAX_SIDE = 8000;
const TITLE_HEIGHT = 48;

/** A panel's place in the image, in px. */
export interface PanelRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Where each of `count` panels goes in a width × height image under the title band: a grid
 * of ⌈√count⌉ columns and as many rows as needed (4 panels: 2×2; 5 or 6: 3×2), filled row
 * by row. Every rectangle lies inside the image. Throws RangeError for count < 1.
 */
export function panelLayout(count: number, width: number, height: number): PanelRect[] {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`panelLayout: count must be a positive integer, got ${count}`);
  const cols = panelColumns(count);
  const rows = Math.ceil(count / cols);
  const pw = Math.floor(width / cols);
  const ph = Math.floor((height - TITLE_HEIGHT) / rows);
  return Array.from({ length: count }, (_, i) => ({ x: (i % cols) * pw, y: TITLE_HEIGHT + Math.floor(i / cols) * ph, width: pw, height: ph }));
}

function checkSide(name: string, v: number | undefined, dflt: number, min: number): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < min || v > MAX_SIDE) {
    throw new RangeError(`renderPng: ${name} must be an integer in [${min}, ${MAX_SIDE}] px, got ${v}`);
  }
  return v;
}

function fitText(ctx: SKRSContext2D, text: string, maxWidth: number): string {
  if (ctx.measureText(text).width <= maxWidth) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (ctx.measureText(text.slice(0, mid) + '…').width <= maxWidth) lo = mid;
    else hi = mid - 1;
  }
  return text.slice(0, lo) + '…';
}

/**
 * Renders a convergence report as one PNG image (default 1400×900 px): an overall title and
 * the log-scale panels of `buildPanels` in a 2×2 grid — f − f* vs iterations, f − f* vs
 * gradient work (ngev + nhvp), ‖∇f‖∞ vs iterations, step length and trust radius vs
 * iterations — with one coloured series per run (see `panels.ts` for how f* unknown, zeros and NaNs are drawn).
 * Synchronous; returns the encoded PNG bytes.
 * Throws RangeError for a width outside [800, 8000] or height outside [500, 8000] (integers),
 * Error for an empty runs list, TypeError for a malformed input.
 */
export function renderPng(input: ReportInput, options: PngOptions = {}): Buffer {
  const width = checkSide('width', options.width, DEFAULT_WIDTH, MIN_WIDTH);
  const height = checkSide('height', options.height, DEFAULT_HEIGHT, MIN_HEIGHT);
  return renderPanelsPng(input.title, buildPanels(input), width, height);
}

/**
 * Draws `panels` (any number, at least one) under `title` into a width × height PNG laid out
 * by {@link panelLayout}. Sizes are not checked here ({@link renderPng} checks them).
 */
export function renderPanelsPng(title: string, panels: readonly PanelData[], width: number, height: number): Buffer {
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#111111';
  ctx.font = 'bold 22px sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(fitText(ctx, title, width - 40), width / 2, TITLE_HEIGHT / 2);

  const rects = panelLayout(panels.length, width, height);
  panels.forEach((panel, i) => {
    const { x, y, width: pw, height: ph } = rects[i]!;
    const sub = createCanvas(pw, ph);
    const config = { ...completeChart(chartSpec(panel, 'png'), panel), platform: BasicPlatform };
    const chart = new Chart(sub.getContext('2d') as unknown as CanvasRenderingContext2D, config);
    try {
      ctx.drawImage(sub, x, y);
    } finally {
      chart.destroy();
    }
  });
  return canvas.toBuffer('image/png');
}

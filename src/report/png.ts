/**
 * PNG report: the four panels drawn by chart.js on headless `@napi-rs/canvas` canvases (one
 * per panel, then composited into a 2×2 grid under an overall title). Rendering is
 * synchronous: with animation off chart.js draws in its constructor.
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
  type ChartConfiguration,
  type Scale,
} from 'chart.js';
import { buildPanels, shortNumber, type PanelData } from './panels.js';
import type { PngOptions, ReportInput } from './types.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Legend, Title, SubTitle);

/** Default PNG size in px. */
export const DEFAULT_WIDTH = 1400;
export const DEFAULT_HEIGHT = 900;
const MIN_WIDTH = 800;
const MIN_HEIGHT = 500;
const MAX_SIDE = 8000;
const TITLE_HEIGHT = 48;

type XY = { x: number; y: number };

/** Pixel radius of point markers: visible for short series, none for long ones. */
function pointRadius(n: number): number {
  return n <= 1 ? 4 : n <= 40 ? 2.5 : 0;
}

function chartConfig(panel: PanelData): ChartConfiguration<'line', XY[]> {
  return {
    type: 'line',
    platform: BasicPlatform,
    data: {
      datasets: panel.series.map((s) => ({
        label: s.label,
        data: s.points.map(([x, y]) => ({ x, y })),
        borderColor: s.color,
        backgroundColor: s.color,
        borderWidth: 2,
        borderDash: s.dashed ? [8, 5] : [],
        pointRadius: pointRadius(s.points.length),
        tension: 0,
        fill: false,
      })),
    },
    options: {
      animation: false,
      responsive: false,
      devicePixelRatio: 1,
      parsing: false,
      events: [],
      layout: { padding: 8 },
      plugins: {
        title: { display: true, text: panel.title, font: { size: 14, weight: 'bold' }, color: '#222', padding: { top: 4, bottom: 2 } },
        subtitle: { display: panel.subtitle.length > 0, text: panel.subtitle, font: { size: 11 }, color: '#555', padding: { bottom: 4 } },
        legend: { display: true, position: 'top', labels: { boxWidth: 30, boxHeight: 0, color: '#222' } },
      },
      scales: {
        x: {
          type: 'linear',
          title: { display: true, text: panel.xTitle, color: '#333' },
          ticks: { color: '#444', precision: 0 },
        },
        y: {
          type: 'logarithmic',
          min: panel.yMin,
          max: panel.yMax,
          bounds: 'data',
          title: { display: true, text: panel.yTitle, color: '#333' },
          // Our decade ticks replace chart.js's, which go wrong over ranges of 20+ decades.
          afterBuildTicks: (scale: Scale) => {
            scale.ticks = panel.yTicks.map((value) => ({ value }));
          },
          ticks: { color: '#444', autoSkip: false, callback: (value) => shortNumber(Number(value)) },
        },
      },
    },
  };
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
 * a 2×2 grid of log-scale panels — f − f* vs iterations, f − f* vs gradient work
 * (ngev + nhvp), ‖∇f‖∞ vs iterations, step length and trust radius vs iterations — with one
 * coloured series per run (see `panels.ts` for how f* unknown, zeros and NaNs are drawn).
 * Synchronous; returns the encoded PNG bytes.
 * Throws RangeError for a width outside [800, 8000] or height outside [500, 8000] (integers),
 * Error for an empty runs list, TypeError for a malformed input.
 */
export function renderPng(input: ReportInput, options: PngOptions = {}): Buffer {
  const width = checkSide('width', options.width, DEFAULT_WIDTH, MIN_WIDTH);
  const height = checkSide('height', options.height, DEFAULT_HEIGHT, MIN_HEIGHT);
  const panels = buildPanels(input);

  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#111111';
  ctx.font = 'bold 22px sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(fitText(ctx, input.title, width - 40), width / 2, TITLE_HEIGHT / 2);

  const pw = Math.floor(width / 2);
  const ph = Math.floor((height - TITLE_HEIGHT) / 2);
  panels.forEach((panel, i) => {
    const sub = createCanvas(pw, ph);
    const chart = new Chart(sub.getContext('2d') as unknown as CanvasRenderingContext2D, chartConfig(panel));
    try {
      ctx.drawImage(sub, (i % 2) * pw, TITLE_HEIGHT + Math.floor(i / 2) * ph);
    } finally {
      chart.destroy();
    }
  });
  return canvas.toBuffer('image/png');
}

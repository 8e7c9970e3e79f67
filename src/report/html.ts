/**
 * HTML report: one self-contained file that works offline. chart.js (its UMD build, read
 * from the installed package) is inlined; the panels (see `panels.ts`) and their chart.js
 * configurations (`chart.ts`, the same the PNG renderer uses) are embedded as JSON in a
 * `<script type="application/json">` block and drawn in the browser by a small inline script
 * around chart.ts's `completeChart`; a summary table per run is rendered here, escaped.
 */
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { escapeHtml, formatNumber } from './format.js';
import { buildPanels, panelColumns, type PanelData } from './panels.js';
import { COMPLETE_CHART_SOURCE, chartSpec, type LineChartConfig } from './chart.js';
import type { ReportInput, ReportRun } from './types.js';

/** `id` of the embedded JSON block; its content is {@link EmbeddedReportData}. */
export const DATA_ELEMENT_ID = 'tayopt-report-data';

/** The JSON embedded in the HTML report. Panel points are finite [x, y] pairs, y > 0. */
export interface EmbeddedReportData {
  format: 'tayopt-report';
  version: 1;
  title: string;
  /** The known optimum, or null when unknown (or not finite). */
  fStar: number | null;
  panels: PanelData[];
  /** chart.js configuration of each panel, without its points and tick hooks (chart.ts's `chartSpec(panel, 'html')`). */
  charts: LineChartConfig[];
}

let chartJsSource: string | undefined;

/**
 * Reads chart.js's UMD build from the installed package (cached). The package's `exports`
 * map does not expose `dist/chart.umd*.js`, so locate the package through its main entry and
 * read the file next to it. Throws Error naming the paths tried if none exists.
 */
function loadChartJs(): string {
  if (chartJsSource !== undefined) return chartJsSource;
  const require = createRequire(import.meta.url);
  let distDir: string;
  try {
    distDir = dirname(require.resolve('chart.js'));
  } catch (err) {
    throw new Error(`renderHtml: cannot resolve the chart.js package (is it installed?): ${(err as Error).message}`);
  }
  const candidates = ['chart.umd.min.js', 'chart.umd.js'].map((f) => join(distDir, f));
  const found = candidates.find((p) => existsSync(p));
  if (found === undefined) {
    throw new Error(`renderHtml: chart.js UMD build not found; tried ${candidates.join(', ')}`);
  }
  // A literal `</script` would end the inline script early; `<\/` means the same in JS.
  chartJsSource = readFileSync(found, 'utf8').replace(/<\/(script)/gi, '<\\/$1');
  return chartJsSource;
}

/** JSON safe inside a `<script>` element: no `<` (so no `</script>` or `<!--`). */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

// Runs in the browser; plain ES5-level JS so it needs no build step. The configuration comes
// from chart.ts: the embedded JSON part, completed by the same completeChart the PNG uses.
const CLIENT_SCRIPT = `
(function () {
  'use strict';
  var completeChart = ${COMPLETE_CHART_SOURCE};
  var data = JSON.parse(document.getElementById('${DATA_ELEMENT_ID}').textContent);
  var grid = document.getElementById('charts');
  data.panels.forEach(function (panel, i) {
    var box = document.createElement('div');
    box.className = 'panel';
    var canvas = document.createElement('canvas');
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', panel.title);
    box.appendChild(canvas);
    grid.appendChild(box);
    new Chart(canvas, completeChart(data.charts[i], panel));
  });
})();
`;

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #111; background: #fff; }
h1 { font-size: 1.5rem; margin: 0 0 1rem; }
#charts { display: grid; grid-template-columns: repeat(var(--columns, 2), minmax(0, 1fr)); gap: 1rem; }
@media (max-width: 900px) { #charts { grid-template-columns: 1fr; } }
.panel { position: relative; height: 420px; }
table { border-collapse: collapse; margin-top: 1.5rem; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; }
th { background: #f3f3f3; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.swatch { display: inline-block; width: 0.8em; height: 0.8em; margin-right: 0.4em; vertical-align: -0.05em; }
.notes { color: #444; font-size: 0.85rem; max-width: 70rem; }
`;

/** Column headers of the summary table, in order. */
export const SUMMARY_COLUMNS = [
  'run', 'status', 'success', 'iterations', 'final f', 'final ‖∇f‖∞',
  'nfev', 'ngev', 'nhvp', 'nhev', 'time (ms)', 'message',
] as const;

function summaryRow(run: ReportRun, color: string): string {
  const last = run.history[run.history.length - 1];
  const num = (text: string) => `<td class="num">${escapeHtml(text)}</td>`;
  const txt = (text: string) => `<td>${escapeHtml(text)}</td>`;
  const none = '—';
  const cells = [
    `<td><span class="swatch" style="background:${color}"></span>${escapeHtml(run.label)}</td>`,
    txt(run.status ?? none),
    txt(run.success === undefined ? none : run.success ? 'yes' : 'no'),
    num(last ? String(last.iter) : none),
    num(last ? formatNumber(last.f) : none),
    num(last ? formatNumber(last.gnorm) : none),
    num(last ? String(last.nfev) : none),
    num(last ? String(last.ngev) : none),
    num(last ? String(last.nhvp) : none),
    num(last ? String(last.nhev) : none),
    num(last ? formatNumber(last.timeMs) : none),
    txt(run.message ?? ''),
  ];
  return `<tr>${cells.join('')}</tr>`;
}

/**
 * Renders a convergence report as one self-contained HTML document (UTF-8 string): the
 * title, the same panels as {@link renderPng} drawn in the browser by inlined chart.js
 * from embedded JSON (element id {@link DATA_ELEMENT_ID}, shape {@link EmbeddedReportData}),
 * and a summary table with one row per run (values of the last history row; counts are
 * cumulative, time in ms). Needs no network. All input text is HTML-escaped.
 * Throws Error for an empty runs list, TypeError for a malformed input, Error if the
 * chart.js package or its UMD build cannot be found.
 */
export function renderHtml(input: ReportInput): string {
  const panels = buildPanels(input);
  const colors = panels[0]!.series.map((s) => s.color);
  const data: EmbeddedReportData = {
    format: 'tayopt-report',
    version: 1,
    title: input.title,
    fStar: input.fStar !== undefined && Number.isFinite(input.fStar) ? input.fStar : null,
    panels,
    charts: panels.map((p) => chartSpec(p, 'html')),
  };
  const title = escapeHtml(input.title);
  const rows = input.runs.map((run, i) => summaryRow(run, colors[i]!)).join('\n');
  const header = SUMMARY_COLUMNS.map((c) => `<th scope="col">${escapeHtml(c)}</th>`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — convergence report</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${title}</h1>
<div id="charts" style="--columns: ${panelColumns(panels.length)}"></div>
<table>
<caption>Summary (last history row of each run; evaluation counts are cumulative)</caption>
<thead><tr>${header}</tr></thead>
<tbody>
${rows}
</tbody>
</table>
<p class="notes">All y axes are logarithmic. Non-finite values are not drawn; values ≤ 0 are drawn at the
floor named in the panel title (one decade below the smallest positive value). When f* is unknown the
f panels show f − min f, the minimum taken over all runs. The x axis of the second panel counts gradient
evaluations plus Hessian-vector products; full Hessian evaluations (nhev) are not counted there.</p>
<script type="application/json" id="${DATA_ELEMENT_ID}">${jsonForScript(data)}</script>
<script>${loadChartJs()}</script>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`;
}

/**
 * The chart.js configuration of a panel: one definition for both renderers.
 *
 * - {@link chartSpec} builds everything that is data (line styles, titles, axes, limits) as
 *   plain JSON. The PNG renderer uses it in Node; the HTML report embeds it as is.
 * - {@link COMPLETE_CHART_SOURCE} is what JSON cannot carry — the points, our decade ticks
 *   and their labels, the tooltip text — written once as plain ES5 source. The PNG renderer
 *   evaluates it here ({@link completeChart}); the HTML page inlines the same text, so the
 *   browser runs the very code tested in Node.
 *
 * The two targets differ only in what interaction needs: the page's charts resize and show
 * tooltips, the PNG's are fixed-size and ignore events.
 */
import type { ChartConfiguration } from 'chart.js';
import type { PanelData } from './panels.js';

/** A point as chart.js reads it with `parsing: false`. */
export type XY = { x: number; y: number };

/** A line chart configuration. */
export type LineChartConfig = ChartConfiguration<'line', XY[]>;

/** Where a chart is drawn: a fixed-size PNG in Node, or a resizable chart in the browser. */
export type ChartTarget = 'png' | 'html';

/** Pixel radius of point markers: visible for short series, none for long ones. */
function pointRadius(n: number): number {
  return n <= 1 ? 4 : n <= 40 ? 2.5 : 0;
}

/**
 * The JSON part of a panel's chart.js configuration. Datasets come without points (`data`
 * is empty) and the y axis without its tick hooks: {@link completeChart} adds them.
 */
export function chartSpec(panel: PanelData, target: ChartTarget): LineChartConfig {
  const interactive = target === 'html';
  return {
    type: 'line',
    data: {
      datasets: panel.series.map((s) => ({
        label: s.label,
        data: [],
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
      parsing: false,
      layout: { padding: 8 },
      ...(interactive
        ? { responsive: true, maintainAspectRatio: false, interaction: { mode: 'nearest', intersect: false } }
        : { responsive: false, devicePixelRatio: 1, events: [] }),
      plugins: {
        title: { display: true, text: panel.title, font: { size: 14, weight: 'bold' }, color: '#222', padding: { top: 4, bottom: 2 } },
        subtitle: { display: panel.subtitle.length > 0, text: panel.subtitle, font: { size: 11 }, color: '#555', padding: { bottom: 4 } },
        legend: { display: true, position: 'top', labels: { boxWidth: 30, boxHeight: 0, color: '#222' } },
        tooltip: { enabled: interactive },
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
          ticks: { color: '#444', autoSkip: false },
        },
      },
    },
  };
}

/**
 * `completeChart(config, panel)`: puts the panel's points into the datasets, installs the
 * panel's decade ticks (chart.js's own logarithmic ticks go wrong over ranges of 20+
 * decades) with labels `1e-14`, and the tooltip text; returns the config. Plain ES5, no
 * closures over this module: it runs in the browser as written.
 */
export const COMPLETE_CHART_SOURCE = `function completeChart(config, panel) {
  config.data.datasets.forEach(function (d, k) {
    d.data = panel.series[k].points.map(function (p) { return { x: p[0], y: p[1] }; });
  });
  var y = config.options.scales.y;
  y.afterBuildTicks = function (scale) {
    scale.ticks = panel.yTicks.map(function (v) { return { value: v }; });
  };
  y.ticks.callback = function (v) {
    v = Number(v);
    if (v > 0 && isFinite(v)) { var e = Math.round(Math.log10(v)); if (Number('1e' + e) === v) return '1e' + e; }
    return String(Number(v.toPrecision(3)));
  };
  config.options.plugins.tooltip.callbacks = {
    label: function (c) { return c.dataset.label + ': ' + c.parsed.y.toPrecision(6) + ' at x = ' + c.parsed.x; }
  };
  return config;
}`;

/** {@link COMPLETE_CHART_SOURCE}, evaluated once for use in Node (the PNG renderer and tests). */
export const completeChart = new Function(`return (${COMPLETE_CHART_SOURCE});`)() as (config: LineChartConfig, panel: PanelData) => LineChartConfig;

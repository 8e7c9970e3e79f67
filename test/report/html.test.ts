import vm from 'node:vm';
import { createCanvas, type Canvas } from '@napi-rs/canvas';
import { describe, expect, it } from 'vitest';
import {
  DATA_ELEMENT_ID,
  renderHtml,
  seriesColor,
  type EmbeddedReportData,
  type ReportInput,
  type ReportRun,
} from '../../src/report/index.js';
import { countColor, hexToRgb, syntheticHistory } from './fixtures.js';
import { chartSpec } from '../../src/report/chart.js';

const RUNS: ReportRun[] = [
  {
    label: 'lbfgs',
    history: syntheticHistory({ n: 20, fStar: 1, gap0: 10, rate: 0.3 }),
    status: 'converged',
    success: true,
    message: 'gtol reached',
  },
  {
    label: 'trust-ncg',
    history: syntheticHistory({ n: 7, fStar: 1, gap0: 4, rate: 0.02, trust: true }),
    status: 'maxiter',
    success: false,
  },
];
const INPUT: ReportInput = { title: 'Rosenbrock (n = 2)', fStar: 1, runs: RUNS };

interface Script {
  attrs: string;
  body: string;
}

function scripts(html: string): Script[] {
  return [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)].map((m) => ({ attrs: m[1]!, body: m[2]! }));
}

/** The document with every script body emptied: what remains is markup only. */
function markupOnly(html: string): string {
  return html.replace(/(<script[^>]*>)[\s\S]*?(<\/script>)/g, '$1$2');
}

function embedded(html: string): EmbeddedReportData {
  const block = scripts(html).find((s) => s.attrs.includes('type="application/json"') && s.attrs.includes(`id="${DATA_ELEMENT_ID}"`));
  if (!block) throw new Error('no embedded JSON block');
  return JSON.parse(block.body) as EmbeddedReportData;
}

function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

function textOf(fragment: string): string {
  return decodeEntities(fragment.replace(/<[^>]*>/g, '')).trim();
}

/** Summary table body rows as decoded cell texts. */
function tableRows(html: string): string[][] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(markupOnly(html))?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) => [...r[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => textOf(c[1]!)));
}

function tableHeader(html: string): string[] {
  const head = /<thead>([\s\S]*?)<\/thead>/.exec(html)?.[1] ?? '';
  return [...head.matchAll(/<th[^>]*>([\s\S]*?)<\/th>/g)].map((c) => textOf(c[1]!));
}

/**
 * Runs the document's inline scripts (inlined chart.js, then the page script) in a fresh VM
 * context with the smallest DOM they need; canvases are @napi-rs/canvas canvases, so what
 * the page would draw in a browser is drawn here.
 */
function runInFakeBrowser(html: string): { charts: any[]; canvases: Canvas[] } {
  const all = scripts(html);
  const json = all.find((s) => s.attrs.includes('application/json'))!;
  const code = all.filter((s) => !s.attrs.includes('type='));
  const canvases: Canvas[] = [];
  const grid = { children: [] as unknown[], appendChild(c: unknown) { this.children.push(c); } };
  const document = {
    getElementById: (id: string) => (id === DATA_ELEMENT_ID ? { textContent: json.body } : id === 'charts' ? grid : null),
    createElement: (tag: string) => {
      if (tag === 'canvas') {
        const c = createCanvas(700, 420) as Canvas & { setAttribute?: () => void };
        c.setAttribute = () => {};
        canvases.push(c);
        return c;
      }
      return { tag, className: '', appendChild() {}, setAttribute() {} };
    },
  };
  const context = vm.createContext({ document, console });
  for (const s of code) vm.runInContext(s.body, context);
  const Chart = (context as { Chart?: { instances: Record<string, unknown> } }).Chart;
  if (!Chart) throw new Error('inlined chart.js did not define Chart');
  return { charts: Object.values(Chart.instances), canvases };
}

describe('renderHtml', () => {
  const html = renderHtml(INPUT);

  it('is a complete HTML document: doctype, charset, title and heading', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toMatch(/<meta charset="utf-8">/);
    expect(textOf(/<title>([\s\S]*?)<\/title>/.exec(html)![1]!)).toBe('Rosenbrock (n = 2) — convergence report');
    expect(textOf(/<h1>([\s\S]*?)<\/h1>/.exec(html)![1]!)).toBe('Rosenbrock (n = 2)');
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
  });

  it('embeds the chart data as JSON whose numbers match the input histories', () => {
    const data = embedded(html);
    expect(data.title).toBe(INPUT.title);
    expect(data.fStar).toBe(1);
    expect(data.panels.map((p) => p.id)).toEqual(['f-iter', 'f-work', 'gnorm', 'step']);
    const [fIter, fWork, gnorm, step] = data.panels;
    RUNS.forEach((run, i) => {
      expect(fIter!.series[i]!.label).toBe(run.label);
      expect(fIter!.series[i]!.color).toBe(seriesColor(i));
      expect(fIter!.series[i]!.points).toEqual(run.history.map((h) => [h.iter, h.f - 1]));
      expect(fWork!.series[i]!.points).toEqual(run.history.map((h) => [h.ngev + h.nhvp, h.f - 1]));
      expect(gnorm!.series[i]!.points).toEqual(run.history.map((h) => [h.iter, h.gnorm]));
    });
    expect(step!.series.map((s) => s.label)).toEqual(['lbfgs step', 'trust-ncg step', 'trust-ncg radius']);
    expect(step!.series[2]!.points).toEqual(RUNS[1]!.history.map((h) => [h.iter, h.radius]));
  });

  it('inlines chart.js (license banner kept) and references nothing external', () => {
    const code = scripts(html).filter((s) => !s.attrs.includes('type='));
    expect(code.length).toBe(2);
    expect(code[0]!.body).toMatch(/Chart\.js v4\.\d+\.\d+/);
    expect(code[0]!.body.length).toBeGreaterThan(100_000);
    for (const s of scripts(html)) expect(s.attrs).not.toMatch(/\bsrc\s*=/i);
    expect(html).not.toMatch(/src\s*=\s*["']?\s*(https?:)?\/\//i);
    const markup = markupOnly(html);
    expect(markup).not.toMatch(/<link\b/i);
    expect(markup).not.toMatch(/\b(src|href)\s*=/i);
    expect(markup).not.toMatch(/url\(|@import/i);
    // The only URLs are inside chart.js's /*! … */ license banners, which load nothing.
    const withoutBanners = html.replace(/\/\*![\s\S]*?\*\//g, '');
    expect(withoutBanners).not.toMatch(/https?:\/\//i);
  });

  it('draws the four charts from the embedded data when its scripts run', () => {
    const { charts, canvases } = runInFakeBrowser(html);
    const data = embedded(html);
    expect(charts).toHaveLength(4);
    charts.forEach((chart, p) => {
      const datasets = chart.data.datasets as Array<{ label: string; data: Array<{ x: number; y: number }> }>;
      expect(datasets.map((d) => d.label)).toEqual(data.panels[p]!.series.map((s) => s.label));
      datasets.forEach((d, k) => expect(d.data.map((q) => [q.x, q.y])).toEqual(data.panels[p]!.series[k]!.points));
      expect(chart.scales.y.type).toBe('logarithmic');
    });
    // Pixels: each run's colour is on each canvas.
    for (const canvas of canvases) {
      const { data: pixels } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      const img = { width: canvas.width, height: canvas.height, data: pixels };
      for (let i = 0; i < RUNS.length; i++) expect(countColor(img, hexToRgb(seriesColor(i)))).toBeGreaterThan(200);
    }
  });

  it('draws with the one chart configuration the PNG uses: only the interactive options differ', () => {
    const data = embedded(html);
    const { charts } = runInFakeBrowser(html);
    expect(data.charts).toHaveLength(data.panels.length);
    data.panels.forEach((panel, p) => {
      expect(data.charts[p]).toEqual(JSON.parse(JSON.stringify(chartSpec(panel, 'html'))));
      const interactive = ['responsive', 'maintainAspectRatio', 'interaction', 'devicePixelRatio', 'events'];
      const fixed = (target: 'png' | 'html') => {
        const c = chartSpec(panel, target);
        const options = Object.fromEntries(Object.entries(c.options!).filter(([k]) => !interactive.includes(k)));
        return { ...c, options: { ...options, plugins: { ...c.options!.plugins, tooltip: null } } };
      };
      expect(fixed('png')).toEqual(fixed('html'));
      // The page's y ticks are the model's decades, labelled 1eK.
      const ticks = charts[p].scales.y.ticks as Array<{ value: number; label: string }>;
      expect(ticks.map((t) => t.value)).toEqual(panel.yTicks);
      expect(ticks.map((t) => t.label)).toEqual(panel.yTicks.map((v) => `1e${Math.round(Math.log10(v))}`));
    });
  });

  it('shows a summary table row per run with the final values of its history', () => {
    expect(tableHeader(html)).toEqual([
      'run', 'status', 'success', 'iterations', 'final f', 'final ‖∇f‖∞',
      'nfev', 'ngev', 'nhvp', 'nhev', 'time (ms)', 'message',
    ]);
    const rows = tableRows(html);
    expect(rows).toHaveLength(RUNS.length);
    RUNS.forEach((run, i) => {
      const last = run.history[run.history.length - 1]!;
      const [label, status, success, iters, f, g, nfev, ngev, nhvp, nhev, time, message] = rows[i]!;
      expect(label).toBe(run.label);
      expect(status).toBe(run.status);
      expect(success).toBe(run.success ? 'yes' : 'no');
      expect(Number(iters)).toBe(last.iter);
      expect(Math.abs(Number(f) - last.f) / Math.abs(last.f)).toBeLessThan(1e-5);
      expect(Math.abs(Number(g) - last.gnorm) / last.gnorm).toBeLessThan(1e-5);
      expect([nfev, ngev, nhvp, nhev].map(Number)).toEqual([last.nfev, last.ngev, last.nhvp, last.nhev]);
      expect(Number(time)).toBeCloseTo(last.timeMs, 6);
      expect(message).toBe(run.message ?? '');
    });
  });

  it('escapes a hostile title and labels everywhere and keeps them intact in the data', () => {
    const title = `</script><script>alert("t")</script><img src=x onerror=alert(1)> & 'q' <!--`;
    const label = `a</td><b onclick="x()">&amp;`;
    const hostile = renderHtml({ title, runs: [{ label, history: syntheticHistory({ n: 3 }), status: '<i>', message: '</table>' }] });
    expect(hostile).not.toContain('<script>alert');
    expect(hostile).not.toContain('<img');
    expect(hostile).not.toContain('<b onclick');
    expect(hostile).not.toContain('<!--');
    expect(textOf(/<h1>([\s\S]*?)<\/h1>/.exec(hostile)![1]!)).toBe(title);
    // Only the page's own tags remain in the markup.
    const allowed = new Set(['html', 'head', 'meta', 'title', 'style', 'body', 'h1', 'div', 'table', 'caption', 'thead', 'tbody', 'tr', 'th', 'td', 'span', 'p', 'script']);
    for (const m of markupOnly(hostile).matchAll(/<\/?([a-zA-Z][a-zA-Z0-9]*)/g)) expect(allowed).toContain(m[1]!.toLowerCase());
    expect(scripts(hostile)).toHaveLength(3);
    const data = embedded(hostile);
    expect(data.title).toBe(title);
    expect(data.panels[0]!.series[0]!.label).toBe(label);
    const [row] = tableRows(hostile);
    expect(row![0]).toBe(label);
    expect(row![1]).toBe('<i>');
    expect(row![11]).toBe('</table>');
  });

  it('handles NaN rows, empty histories and unknown f* (fStar null in the data) without throwing', () => {
    const h = syntheticHistory({ n: 4 });
    h[2] = { ...h[2]!, f: NaN, gnorm: Infinity };
    const out = renderHtml({ title: 'edge', runs: [{ label: 'nan', history: h }, { label: 'empty', history: [] }] });
    const data = embedded(out);
    expect(data.fStar).toBeNull();
    expect(data.panels[0]!.series[0]!.points.map(([x]) => x)).toEqual([0, 1, 3]);
    expect(data.panels[0]!.series[1]!.points).toEqual([]);
    const rows = tableRows(out);
    expect(rows[1]!.slice(3, 11)).toEqual(Array(8).fill('—'));
    expect(() => runInFakeBrowser(out)).not.toThrow();
  });

  it('rejects an empty runs list with a clear error', () => {
    expect(() => renderHtml({ title: 't', runs: [] })).toThrow(/at least one run/);
  });
});

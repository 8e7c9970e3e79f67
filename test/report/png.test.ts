import { describe, expect, it } from 'vitest';
import { buildPanels, renderPng, seriesColor, type PanelData, type ReportInput, type ReportRun } from '../../src/report/index.js';
import { panelLayout, renderPanelsPng } from '../../src/report/png.js';
import { countColor, decodePng, hexToRgb, syntheticHistory, type Rgba } from './fixtures.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const RUNS: ReportRun[] = [
  { label: 'lbfgs', history: syntheticHistory({ n: 25, gap0: 10, rate: 0.3 }) },
  { label: 'trust-ncg', history: syntheticHistory({ n: 10, gap0: 5, rate: 0.05, trust: true }) },
  { label: 'newton', history: syntheticHistory({ n: 15, gap0: 0.5, rate: 0.2 }) },
];

/** The same run with every plotted value NaN: only its legend entry can show its colour. */
function legendOnly(run: ReportRun): ReportRun {
  return {
    ...run,
    history: run.history.map((h) => ({ ...h, f: NaN, gnorm: NaN, step: NaN, radius: h.radius === null ? null : NaN })),
  };
}

/** Rough panel rectangles: halves of the image below the title band. */
function quadrants(img: Rgba) {
  const w = img.width;
  const h = img.height;
  const xs = [[0, Math.floor(w / 2)], [Math.ceil(w / 2), w]] as const;
  const ys = [[Math.floor(0.08 * h), Math.floor(0.5 * h)], [Math.ceil(0.55 * h), h]] as const;
  return ys.flatMap(([y0, y1]) => xs.map(([x0, x1]) => ({ x0, y0, x1, y1 })));
}

describe('renderPng', () => {
  it('returns a PNG (signature bytes) that decodes to the default size, at least 1200×800', async () => {
    const png = renderPng({ title: 'Rosenbrock', fStar: 0, runs: RUNS });
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    const img = await decodePng(png);
    expect(img.width).toBeGreaterThanOrEqual(1200);
    expect(img.height).toBeGreaterThanOrEqual(800);
    expect([img.width, img.height]).toEqual([1400, 900]);
  });

  it('honours a requested size, down to 800×500, and rejects smaller or fractional sizes', async () => {
    for (const [width, height] of [[1000, 640], [800, 500]] as const) {
      const img = await decodePng(renderPng({ title: 't', runs: RUNS }, { width, height }));
      expect([img.width, img.height]).toEqual([width, height]);
    }
    expect(() => renderPng({ title: 't', runs: RUNS }, { width: 799 })).toThrow(RangeError);
    expect(() => renderPng({ title: 't', runs: RUNS }, { height: 499 })).toThrow(/height must be an integer in \[500/);
    expect(() => renderPng({ title: 't', runs: RUNS }, { width: 1000.5 })).toThrow(RangeError);
  });

  it('is not blank: a white background with a substantial amount of drawing on it', async () => {
    const img = await decodePng(renderPng({ title: 't', fStar: 0, runs: RUNS }));
    let white = 0;
    for (let i = 0; i < img.data.length; i += 4) {
      if (img.data[i]! > 245 && img.data[i + 1]! > 245 && img.data[i + 2]! > 245) white++;
    }
    const total = img.width * img.height;
    expect(white / total).toBeGreaterThan(0.5); // background is white, not transparent or black
    expect((total - white) / total).toBeGreaterThan(0.02);
  });

  it('draws every run in every panel in its own colour (beyond its legend entry)', async () => {
    const input: ReportInput = { title: 't', fStar: 0, runs: RUNS };
    const full = await decodePng(renderPng(input));
    const rects = quadrants(full);
    for (let i = 0; i < RUNS.length; i++) {
      const rgb = hexToRgb(seriesColor(i));
      const runs = RUNS.map((r, j) => (j === i ? legendOnly(r) : r));
      const baseline = await decodePng(renderPng({ ...input, runs }));
      rects.forEach((rect, p) => {
        const drawn = countColor(full, rgb, 10, rect);
        const legend = countColor(baseline, rgb, 10, rect);
        // Legend samples are a few dozen pixels; a drawn series is several hundred.
        expect(legend, `run ${i} panel ${p} legend`).toBeGreaterThan(0);
        expect(drawn - legend, `run ${i} panel ${p}`).toBeGreaterThan(300);
      });
    }
  });

  it('removing a run removes its colour and keeps the others', async () => {
    const all = await decodePng(renderPng({ title: 't', fStar: 0, runs: RUNS }));
    const two = await decodePng(renderPng({ title: 't', fStar: 0, runs: RUNS.slice(0, 2) }));
    const third = hexToRgb(seriesColor(2));
    expect(countColor(all, third)).toBeGreaterThan(500);
    expect(countColor(two, third)).toBeLessThan(5);
    for (const i of [0, 1]) expect(countColor(two, hexToRgb(seriesColor(i)))).toBeGreaterThan(500);
  });

  it('draws a single-row run (as a point marker)', async () => {
    const lone: ReportRun = { label: 'lone', history: syntheticHistory({ n: 1, gap0: 1e-3 }) };
    const input: ReportInput = { title: 't', fStar: 0, runs: [RUNS[0]!, lone] };
    const withPoint = countColor(await decodePng(renderPng(input)), hexToRgb(seriesColor(1)));
    const legend = countColor(await decodePng(renderPng({ ...input, runs: [RUNS[0]!, legendOnly(lone)] })), hexToRgb(seriesColor(1)));
    expect(withPoint - legend).toBeGreaterThan(40); // two markers of radius 4 (f panels) at least
  });

  it('handles NaN/Infinity rows, zero gradients, all-equal f, empty histories and hostile titles without throwing', async () => {
    const h = syntheticHistory({ n: 8 });
    h[3] = { ...h[3]!, f: NaN, gnorm: Infinity, step: -Infinity };
    h[5] = { ...h[5]!, gnorm: 0, step: 0 };
    const flat = syntheticHistory({ n: 6, rate: 1 });
    const inputs: ReportInput[] = [
      { title: 'nan <&> "quotes"', fStar: 0, runs: [{ label: 'x<y>', history: h }] },
      { title: 'flat', runs: [{ label: 'flat', history: flat }] },
      { title: 'empty', runs: [{ label: 'none', history: [] }, { label: 'one', history: syntheticHistory({ n: 1 }) }] },
      { title: 'all NaN', runs: [legendOnly(RUNS[1]!)] },
    ];
    for (const input of inputs) {
      const img = await decodePng(renderPng(input, { width: 900, height: 600 }));
      expect(img.width).toBe(900);
    }
  });

  it('rejects an empty runs list with a clear error', () => {
    expect(() => renderPng({ title: 't', runs: [] })).toThrow(/at least one run/);
  });

  it('renders long histories (thousands of iterations)', async () => {
    const runs: ReportRun[] = [
      { label: 'slow', history: syntheticHistory({ n: 5000, rate: 0.995 }) },
      { label: 'tr', history: syntheticHistory({ n: 3000, rate: 0.99, trust: true }) },
    ];
    const img = await decodePng(renderPng({ title: 'long', runs }));
    expect([img.width, img.height]).toEqual([1400, 900]);
    for (const k of [0, 1]) expect(countColor(img, hexToRgb(seriesColor(k)))).toBeGreaterThan(1000);
  });
});

describe('panel layout', () => {
  /** Bounding box of the pixels within `tol` of `rgb`, or null if there are none. */
  function box(img: Rgba, rgb: [number, number, number], tol = 10): { x0: number; y0: number; x1: number; y1: number } | null {
    let b: { x0: number; y0: number; x1: number; y1: number } | null = null;
    for (let y = 0; y < img.height; y++)
      for (let x = 0; x < img.width; x++) {
        const i = 4 * (y * img.width + x);
        if (img.data[i + 3]! > 250 && [0, 1, 2].every((c) => Math.abs(img.data[i + c]! - rgb[c]!) <= tol)) {
          b = b ? { x0: Math.min(b.x0, x), y0: Math.min(b.y0, y), x1: Math.max(b.x1, x + 1), y1: Math.max(b.y1, y + 1) } : { x0: x, y0: y, x1: x + 1, y1: y + 1 };
        }
      }
    return b;
  }

  /** `count` panels, panel i drawn in colour i alone (one run; the panels of buildPanels, repeated). */
  function panels(count: number): PanelData[] {
    const four = buildPanels({ title: 't', fStar: 0, runs: [{ label: 'run', history: syntheticHistory({ n: 25 }) }] });
    return Array.from({ length: count }, (_, i) => {
      const p = four[i % 4]!;
      return { ...p, series: p.series.map((s) => ({ ...s, color: seriesColor(i) })) };
    });
  }

  for (const count of [1, 4, 5]) {
    it(`lays out ${count} panel${count > 1 ? 's' : ''}: every panel drawn, each in its own part of the image`, async () => {
      const img = await decodePng(renderPanelsPng('layout', panels(count), 1400, 900));
      const boxes = Array.from({ length: count }, (_, i) => {
        const rgb = hexToRgb(seriesColor(i));
        expect(countColor(img, rgb), `panel ${i} drawn`).toBeGreaterThan(300);
        return box(img, rgb)!;
      });
      for (let i = 0; i < count; i++)
        for (let j = 0; j < i; j++) {
          const [a, b] = [boxes[i]!, boxes[j]!];
          const overlap = a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
          expect(overlap, `panels ${j} and ${i} overlap`).toBe(false);
        }
      if (count === 1) expect(boxes[0]!.x1 - boxes[0]!.x0).toBeGreaterThan(700); // one panel spans the width
    });
  }

  it('gives every panel a rectangle inside the image, in a grid of ⌈√n⌉ columns', () => {
    for (const count of [1, 2, 3, 4, 5, 6, 7, 9, 10]) {
      const rects = panelLayout(count, 1400, 900);
      const cols = new Set(rects.map((r) => r.x)).size;
      expect(cols).toBe(Math.ceil(Math.sqrt(count)));
      for (const r of rects) {
        expect(r.x >= 0 && r.y >= 0 && r.x + r.width <= 1400 && r.y + r.height <= 900).toBe(true);
        expect(r.width * r.height).toBeGreaterThan(0);
      }
    }
    expect(() => panelLayout(0, 1400, 900)).toThrow(RangeError);
  });
});

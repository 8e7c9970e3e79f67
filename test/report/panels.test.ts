import { describe, expect, it } from 'vitest';
import { buildPanels, seriesColor, type PanelData } from '../../src/report/index.js';
import { FALLBACK_FLOOR, validateInput } from '../../src/report/panels.js';
import type { HistoryEntry } from '../../optimizers/types.js';
import { syntheticHistory } from './fixtures.js';

function row(iter: number, f: number, extra: Partial<HistoryEntry> = {}): HistoryEntry {
  return { iter, f, gnorm: 1, step: iter === 0 ? 0 : 0.5, radius: null, nfev: iter + 1, ngev: iter + 1, nhvp: 0, nhev: 0, timeMs: iter, ...extra };
}

function panel(panels: PanelData[], id: PanelData['id']): PanelData {
  const p = panels.find((q) => q.id === id);
  if (!p) throw new Error(`no panel ${id}`);
  return p;
}

describe('buildPanels', () => {
  it('known f*: panel 1 is (iter, f − f*), panel 2 is (ngev + nhvp, f − f*), panel 3 is (iter, ‖g‖∞)', () => {
    const fStar = -2.5;
    const a = syntheticHistory({ n: 12, fStar, gap0: 4, rate: 0.2 });
    const b = syntheticHistory({ n: 6, fStar, gap0: 1, rate: 0.01, trust: true });
    const panels = buildPanels({ title: 'p', fStar, runs: [{ label: 'a', history: a }, { label: 'b', history: b }] });
    expect(panels.map((p) => p.id)).toEqual(['f-iter', 'f-work', 'gnorm', 'step']);

    // Independent truth: the closed form the fixture was built from, not the input rows.
    const fIter = panel(panels, 'f-iter');
    fIter.series[0]!.points.forEach(([x, y], k) => {
      expect(x).toBe(k);
      // f − f* cancels: exact up to the rounding of f ≈ f*, a few ulps of |f*|.
      expect(Math.abs(y - 4 * 0.2 ** k)).toBeLessThanOrEqual(4 * Number.EPSILON * Math.abs(fStar));
    });
    expect(fIter.series[0]!.points).toHaveLength(12);
    expect(fIter.floor).toBeNull();

    const fWork = panel(panels, 'f-work');
    // Trust run: ngev = k + 1, nhvp = 4k, so x = 5k + 1.
    expect(fWork.series[1]!.points.map(([x]) => x)).toEqual([1, 6, 11, 16, 21, 26]);
    expect(fWork.series[0]!.points.map(([x]) => x)).toEqual(Array.from({ length: 12 }, (_, k) => k + 1));

    const g = panel(panels, 'gnorm');
    g.series[1]!.points.forEach(([x, y], k) => {
      expect(x).toBe(k);
      expect(y / (3 * 0.01 ** k)).toBeCloseTo(1, 12);
    });
  });

  it('step panel: omits iteration 0, adds a dashed radius series only for trust-region runs', () => {
    const panels = buildPanels({
      title: 'p',
      runs: [
        { label: 'ls', history: syntheticHistory({ n: 5 }) },
        { label: 'tr', history: syntheticHistory({ n: 4, trust: true }) },
      ],
    });
    const step = panel(panels, 'step');
    expect(step.series.map((s) => [s.label, s.dashed])).toEqual([
      ['ls step', false],
      ['tr step', false],
      ['tr radius', true],
    ]);
    expect(step.series[0]!.points.map(([x]) => x)).toEqual([1, 2, 3, 4]);
    step.series[0]!.points.forEach(([k, y]) => expect(y).toBeCloseTo(Math.sqrt(0.3) ** k, 14));
    expect(step.series[2]!.points.map(([x]) => x)).toEqual([0, 1, 2, 3]);
    step.series[2]!.points.forEach(([k, y]) => expect(y).toBeCloseTo(2 * 0.7 ** k, 14));
    // A run keeps its colour across its series and panels.
    expect(step.series[1]!.color).toBe(step.series[2]!.color);
    expect(panel(panels, 'f-iter').series[1]!.color).toBe(step.series[1]!.color);
  });

  it('no trust-region run: step series are named by the run label alone', () => {
    const step = panel(buildPanels({ title: 'p', runs: [{ label: 'lbfgs', history: syntheticHistory({ n: 3 }) }] }), 'step');
    expect(step.series.map((s) => s.label)).toEqual(['lbfgs']);
    expect(step.yTitle).not.toMatch(/radius/);
  });

  it('unknown f*: reference is the smallest f over all runs; that point goes to the floor one decade below the smallest positive gap', () => {
    const a = [row(0, 3), row(1, 1.5), row(2, 1 + 2e-5)];
    const b = [row(0, 2), row(1, 1)]; // the best f of all runs
    const panels = buildPanels({ title: 'p', runs: [{ label: 'a', history: a }, { label: 'b', history: b }] });
    const f = panel(panels, 'f-iter');
    // Gaps to 1: a → 2, 0.5, 2e-5; b → 1, 0. Smallest positive 2e-5 → floor 1e-6.
    expect(f.floor).toBe(1e-6);
    expect(f.series[0]!.points[2]![1]).toBeCloseTo(2e-5, 15);
    expect(f.series[1]!.points).toEqual([[0, 1], [1, 1e-6]]);
    expect(f.subtitle.join(' ')).toMatch(/f\* unknown/);
    expect(f.subtitle.join(' ')).toMatch(/drawn at 1e-6/);
    expect(f.yTitle).toMatch(/min f/);
  });

  it('known f* slightly above f (rounding): the non-positive gap is floored, never negative', () => {
    const h = [row(0, 1), row(1, 1e-3), row(2, -1e-17)];
    const f = panel(buildPanels({ title: 'p', fStar: 0, runs: [{ label: 'x', history: h }] }), 'f-iter');
    expect(f.series[0]!.points).toEqual([[0, 1], [1, 1e-3], [2, 1e-4]]);
    for (const [, y] of f.series[0]!.points) expect(y).toBeGreaterThan(0);
  });

  it('skips NaN and ±Infinity values in every panel', () => {
    const h = [
      row(0, 10, { gnorm: 5 }),
      row(1, NaN, { gnorm: Infinity, step: NaN }),
      row(2, Infinity, { gnorm: NaN, step: Infinity }),
      row(3, 1, { gnorm: 0.5, step: 0.25, ngev: NaN }),
    ];
    const panels = buildPanels({ title: 'p', fStar: 0, runs: [{ label: 'x', history: h }] });
    expect(panel(panels, 'f-iter').series[0]!.points).toEqual([[0, 10], [3, 1]]);
    expect(panel(panels, 'f-work').series[0]!.points).toEqual([[1, 10]]); // ngev NaN at row 3
    expect(panel(panels, 'gnorm').series[0]!.points).toEqual([[0, 5], [3, 0.5]]);
    expect(panel(panels, 'step').series[0]!.points).toEqual([[3, 0.25]]);
  });

  it('zero gradient norm is drawn at the floor and the subtitle says so', () => {
    const h = [row(0, 1, { gnorm: 0.3 }), row(1, 0.5, { gnorm: 0 })];
    const g = panel(buildPanels({ title: 'p', fStar: 0, runs: [{ label: 'x', history: h }] }), 'gnorm');
    expect(g.floor).toBe(0.01); // smallest positive 0.3 → decade 1e-1 → one below
    expect(g.series[0]!.points).toEqual([[0, 0.3], [1, 0.01]]);
    expect(g.subtitle).toContain('values ≤ 0 drawn at 1e-2');
  });

  it('all-equal f with f* unknown: every gap is 0, drawn at the fallback floor', () => {
    const h = [row(0, 7), row(1, 7), row(2, 7)];
    const f = panel(buildPanels({ title: 'p', runs: [{ label: 'x', history: h }] }), 'f-iter');
    expect(f.floor).toBe(FALLBACK_FLOOR);
    expect(f.series[0]!.points.map(([, y]) => y)).toEqual([FALLBACK_FLOOR, FALLBACK_FLOOR, FALLBACK_FLOOR]);
  });

  it('y axis: whole decades enclosing the data, ticks on decades, at most about 10 of them', () => {
    const panels = buildPanels({ title: 'p', fStar: 0, runs: [{ label: 'x', history: [row(0, 30), row(1, 2e-7)] }] });
    const f = panel(panels, 'f-iter');
    expect(f.yMin).toBe(1e-7);
    expect(f.yMax).toBe(100);
    expect(f.yTicks).toEqual([1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100]);
    // 300 decades: thinned to a stride that keeps the tick count small.
    const wide = panel(buildPanels({ title: 'p', fStar: 0, runs: [{ label: 'x', history: [row(0, 1e3), row(1, 1e-300)] }] }), 'f-iter');
    expect(wide.yMin).toBe(1e-300);
    expect(wide.yMax).toBe(1e3);
    expect(wide.yTicks.length).toBeLessThanOrEqual(11);
    expect(wide.yTicks.length).toBeGreaterThanOrEqual(4);
    for (const t of wide.yTicks) expect(Number.isInteger(Math.log10(t))).toBe(true);
  });

  it('y axis survives subnormal data (no zero or NaN limits)', () => {
    const f = panel(buildPanels({ title: 'p', fStar: 0, runs: [{ label: 'x', history: [row(0, 1), row(1, 5e-324)] }] }), 'f-iter');
    expect(f.yMin).toBeGreaterThan(0);
    expect(f.yMin).toBeLessThanOrEqual(5e-324);
    expect(f.yMax).toBe(1);
    for (const t of f.yTicks) expect(t).toBeGreaterThan(0);
  });

  it('a run with a single row and a run with no rows are drawn without error', () => {
    const panels = buildPanels({
      title: 'p',
      fStar: 0,
      runs: [{ label: 'one', history: [row(0, 2)] }, { label: 'none', history: [] }],
    });
    expect(panel(panels, 'f-iter').series[0]!.points).toEqual([[0, 2]]);
    expect(panel(panels, 'f-iter').series[1]!.points).toEqual([]);
    expect(panel(panels, 'step').series[0]!.points).toEqual([]);
  });

  it('non-finite fStar counts as unknown', () => {
    const f = panel(buildPanels({ title: 'p', fStar: NaN, runs: [{ label: 'x', history: [row(0, 5), row(1, 3)] }] }), 'f-iter');
    expect(f.series[0]!.points[0]).toEqual([0, 2]);
  });
});

describe('input validation', () => {
  it('empty runs list: a clear Error', () => {
    expect(() => buildPanels({ title: 'p', runs: [] })).toThrow(/runs is empty/);
  });

  it('malformed inputs: TypeError naming the field', () => {
    expect(() => validateInput(null)).toThrow(TypeError);
    expect(() => validateInput({ title: 3, runs: [] })).toThrow(/title must be a string/);
    expect(() => validateInput({ title: 't', runs: [{ history: [] }] })).toThrow(/runs\[0\]\.label/);
    expect(() => validateInput({ title: 't', runs: [{ label: 'a' }] })).toThrow(/runs\[0\]\.history must be an array/);
    const bad = { ...row(0, 1), f: '1' };
    expect(() => validateInput({ title: 't', runs: [{ label: 'a', history: [bad] }] })).toThrow(/history\[0\]\.f must be a number/);
    expect(() => validateInput({ title: 't', runs: [{ label: 'a', history: [], success: 'yes' }] })).toThrow(/success/);
  });
});

describe('seriesColor', () => {
  it('gives distinct #rrggbb colours to the first 20 runs', () => {
    const colors = Array.from({ length: 20 }, (_, i) => seriesColor(i));
    for (const c of colors) expect(c).toMatch(/^#[0-9a-f]{6}$/);
    expect(new Set(colors).size).toBe(20);
    expect(() => seriesColor(-1)).toThrow(RangeError);
  });
});

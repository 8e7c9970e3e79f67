/**
 * The feasibility panel: a run with constraint violations (a constrained method) adds a fifth
 * panel, the largest violation against iterations; unconstrained runs keep the four panels;
 * the PNG lays five panels out in a 3×2 grid.
 */
import { describe, expect, it } from 'vitest';
import { buildPanels } from '../../src/report/panels.js';
import { panelLayout, renderPng } from '../../src/report/png.js';
import { renderHtml } from '../../src/report/html.js';
import { syntheticHistory } from './fixtures.js';

const constrained = syntheticHistory({ n: 5 }).map((h, k) => ({ ...h, constraintViolation: [2, 0.5, 0.01, 0, 1e-9][k]!, mu: 0.1, alphaPrimal: 1, alphaDual: 1 }));

describe('the feasibility panel', () => {
  it('appears for constrained runs, with the violation per iteration (0 drawn at the floor)', () => {
    const panels = buildPanels({ title: 'p', runs: [{ label: 'ipm', history: constrained }, { label: 'lbfgs', history: syntheticHistory({ n: 3 }) }] });
    expect(panels.map((p) => p.id)).toEqual(['f-iter', 'f-work', 'gnorm', 'step', 'feasibility']);
    const feas = panels[4]!;
    expect(feas.title).toMatch(/max constraint violation/);
    expect(feas.floor).toBe(1e-10);
    expect(feas.series[0]!.points).toEqual([[0, 2], [1, 0.5], [2, 0.01], [3, 1e-10], [4, 1e-9]]);
    expect(feas.series[1]!.points).toEqual([]);
    expect(panels[2]!.title).toMatch(/‖∇ₓL‖∞ for constrained runs/);
  });

  it('does not appear otherwise; a non-number violation is refused', () => {
    expect(buildPanels({ title: 'p', runs: [{ label: 'x', history: syntheticHistory({ n: 3 }) }] }).length).toBe(4);
    const bad = syntheticHistory({ n: 2 }).map((h) => ({ ...h, constraintViolation: 'big' as unknown as number }));
    expect(() => buildPanels({ title: 'p', runs: [{ label: 'x', history: bad }] })).toThrow(/history\[0\]\.constraintViolation must be a number/);
  });

  it('the HTML page lays out the panels as the PNG does: 3 columns for five, 2 for four', () => {
    // the PNG's grid, from its rectangles: the distinct x positions are its columns
    const columns = (count: number) => new Set(panelLayout(count, 1400, 900).map((r) => r.x)).size;
    const five = renderHtml({ title: 'p', runs: [{ label: 'ipm', history: constrained }] });
    const four = renderHtml({ title: 'p', runs: [{ label: 'lbfgs', history: syntheticHistory({ n: 3 }) }] });
    expect(five).toContain(`<div id="charts" style="--columns: ${columns(5)}">`);
    expect(four).toContain(`<div id="charts" style="--columns: ${columns(4)}">`);
    expect([columns(5), columns(4)]).toEqual([3, 2]);
  });

  it('the PNG has room for it', () => {
    const png = renderPng({ title: 'p', runs: [{ label: 'ipm', history: constrained }] });
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });
});

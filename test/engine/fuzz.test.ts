/**
 * The seeded fast subset of the differential fuzzer (bench/fuzz/; `npm run fuzz` runs ≥ 10,000
 * cases): random programs over every operation, every driver and point structure, traced at
 * one point and replayed at another, against the plain-JS oracle, extrapolated finite
 * differences, the reference interpreter and each other. Also: the fuzzer fails on a
 * deliberately wrong derivative rule, and its repros run.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { primitive } from '../../src/utpm/table.js';
import type { Ops, Primitive, Value } from '../../src/utpm/primitive.js';
import { topo } from '../../bench/fuzz/expr.js';
import { generateCase } from '../../bench/fuzz/generate.js';
import { TOL, compileProgram, repro, runCase, shrink } from '../../bench/fuzz/run.js';
import * as t from '../../src/index.js';

const BLOCKS = 6;
const PER_BLOCK = 50;

describe(`differential fuzzing: ${BLOCKS * PER_BLOCK} seeded cases`, () => {
  let worstFresh = 0;
  let cases = 0;
  for (let b = 0; b < BLOCKS; b++) {
    test(`cases ${b * PER_BLOCK + 1}…${(b + 1) * PER_BLOCK}: no mismatch`, () => {
      const report: string[] = [];
      for (let k = 1; k <= PER_BLOCK; k++) {
        const c = generateCase(b * PER_BLOCK + k);
        const r = runCase(c);
        cases++;
        worstFresh = Math.max(worstFresh, r.replayVsFresh);
        for (const m of r.mismatches) report.push(`${m.driver} (${m.check})\n${repro(shrink(c, m), m)}`);
      }
      expect(report.join('\n\n')).toBe('');
    });
  }
  test('a replay never differs from a fresh trace at the same point (rounding aside), across the corpus', () => {
    expect(cases).toBe(BLOCKS * PER_BLOCK);
    expect(worstFresh).toBeLessThanOrEqual(TOL.fresh);
  });
});

/** Scales the adjoint entering `op`'s pullback by `factor` (a wrong derivative rule); returns the undo. */
function breakPullback(op: string, factor: number): () => void {
  const prim = primitive(op) as { pullback?: Primitive['pullback'] };
  const right = prim.pullback!;
  prim.pullback = function <V extends Value>(b: Ops<V>, g: V, y: V, xs: readonly V[], p: unknown, n: readonly boolean[]) {
    return right(b, b.scale(g, factor), y, xs, p, n);
  };
  t.clearCache();
  return () => {
    prim.pullback = right;
    t.clearCache();
  };
}

/** The first `count` cases whose scalar program uses `op`. */
function casesUsing(op: string, count: number, minNodes = 0) {
  const out = [];
  for (let seed = 1; out.length < count && seed < 5000; seed++) {
    const c = generateCase(seed);
    const nodes = topo(c.scal);
    if (nodes.some((e) => e.op === op) && nodes.length >= minNodes) out.push(c);
  }
  return out;
}

describe('the fuzzer fails where the engine is wrong', () => {
  afterAll(() => t.clearCache());

  test('a pullback off by 0.1% is caught by the reverse-mode drivers', () => {
    const undo = breakPullback('exp', 1.001);
    const found: string[] = [];
    try {
      for (const c of casesUsing('exp', 5)) for (const m of runCase(c).mismatches) found.push(m.driver);
    } finally {
      undo();
    }
    expect(found).toContain('grad');
    expect(found).toContain('hessian');
  });

  test('a mismatch shrinks to a smaller program printed as code that runs', () => {
    const undo = breakPullback('sin', 2);
    try {
      const c = casesUsing('sin', 1, 6)[0]!;
      const m = runCase(c).mismatches.find((x) => x.driver === 'grad');
      expect(m).toBeDefined();
      const small = shrink(c, m!);
      expect(topo(small.scal).length).toBeLessThan(topo(c.scal).length);
      const text = repro(small, m!);
      expect(text).toMatch(/const f = \(x\) => \{/);
      expect(text).toContain('t.grad(f)(x1)');
      // the printed program is the one that failed: it compiles, and still fails
      const f = compileProgram(small.scal);
      const x1 = t.reshape(small.points[1]!.data, [...small.xShape]);
      expect(f(x1).size).toBe(1);
      expect(runCase(small).mismatches.some((x) => x.driver === 'grad')).toBe(true);
    } finally {
      undo();
    }
  });
});

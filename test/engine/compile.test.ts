/**
 * Compiled replays against the reference interpreter on the whole battery, at the (D, P)
 * the drivers use (gradient D=1; Hessian-vector products D=2, P=1; Hessians D=2, P>1) and at
 * higher degree, at points other than the traced one.
 */
import { describe, expect, test } from 'vitest';
import * as t from '../../src/index.js';
import { traceProgram, type Program } from '../../src/ad/program.js';
import { readPoint } from '../../src/ad/convert.js';
import { UTPM } from '../../src/utpm/utpm.js';
import { BATTERY } from '../../bench/problems/battery.js';
import { relErr, rng, uniform } from '../helpers.js';

function inputsFor(prog: Program, x: Float64Array, D: number, P: number, r: () => number, seedConstant: boolean): UTPM[] {
  const xin = new UTPM(prog.x.shape, D, P);
  xin.data.set(x);
  if (D > 1) xin.data.set(uniform(r, xin.data.length - xin.size), xin.size);
  const ins = [xin];
  if (prog.seed) {
    const s = new UTPM(prog.seed.shape, seedConstant ? 1 : D, P);
    s.data.fill(1, 0, s.size); // a gradient's seed (compiled in as the constant 1 when seedConstant)
    if (s.D > 1) s.data.set(uniform(r, s.data.length - s.size, -0.5, 0.5), s.size);
    ins.push(s);
  }
  return ins;
}

function compare(prog: Program, outs: t.Tensor[], x: Float64Array, D: number, P: number, seed: number, seedConstant = true): void {
  const traced = outs.filter((o) => prog.traced(o));
  const ins = inputsFor(prog, x, D, P, rng(seed), seedConstant);
  const want = prog.interpret(traced, ins, D, P);
  const r = prog.replay(traced, D, P, { seedConstant });
  ins.forEach((u, k) => r.inputs[k]!.data.set(u.data));
  r.run();
  traced.forEach((_, k) => {
    expect(r.outputs[k]!.D).toBe(want[k]!.D);
    expect(relErr(r.outputs[k]!.data, want[k]!.data, 1e-300)).toBeLessThan(1e-14);
  });
  // a second run on the same buffers gives the same numbers (accumulators are reset)
  r.run();
  traced.forEach((_, k) => expect(relErr(r.outputs[k]!.data, want[k]!.data, 1e-300)).toBeLessThan(1e-14));
}

describe('compiled replay = interpreter (1e-14) on the battery', () => {
  for (const fn of BATTERY) {
    test(fn.name, () => {
      const p = readPoint(fn.x0, 'x0');
      const prog = traceProgram('test', 'grad', fn.f, p.shape, p.values);
      const x1 = p.values.map((v, i) => v + 0.05 * Math.sin(3 * i + 1));
      const outs = [prog.y, prog.adjoint!];
      compare(prog, outs, x1, 1, 1, 1);
      compare(prog, outs, x1, 2, 1, 2);
      compare(prog, outs, x1, 2, 3, 3);
      compare(prog, outs, x1, 4, 2, 4);
      // the seed with Taylor directions of its own (reverse-mode Jacobians use this)
      compare(prog, outs, x1, 2, 3, 6, false);
      compare(prog, outs, x1, 3, 2, 7, false);
      const fwd = traceProgram('test', 'value', fn.f, p.shape, p.values);
      compare(fwd, [fwd.y], x1, 3, 2, 5);
    });
  }
});

describe('replays stay correct across branches', () => {
  test('where-based piecewise function: one trace, right derivative on both sides', () => {
    const f = (x: t.Tensor) => t.sum(t.where(t.gt(x, 0), t.square(x), t.mul(-3, x)));
    const g = t.grad(f);
    for (let k = 0; k < 3; k++) {
      expect(Array.from(g([2, -1]) as Float64Array)).toEqual([4, -3]);
      expect(Array.from(g([-2, 1]) as Float64Array)).toEqual([-3, 2]);
    }
    expect(Array.from(t.hvp(f)([2, -1], [1, 1]) as Float64Array)).toEqual([2, 0]);
    expect(Array.from(t.hvp(f)([-2, 1], [1, 1]) as Float64Array)).toEqual([0, 2]);
  });
  test('a branch on a read value retraces at every call (and hvp too)', () => {
    let traces = 0;
    const f = (x: t.Tensor) => {
      traces++;
      return x.at(0).item() > 0 ? t.sum(t.pow(x, 3)) : t.sum(t.mul(x, 5));
    };
    for (let k = 0; k < 3; k++) {
      expect(Array.from(t.grad(f)([1, 2]) as Float64Array)).toEqual([3, 12]);
      expect(Array.from(t.grad(f)([-1, 2]) as Float64Array)).toEqual([5, 5]);
      expect(Array.from(t.hvp(f)([1, 2], [1, 0]) as Float64Array)).toEqual([6, 0]);
      expect(Array.from(t.hvp(f)([-1, 2], [1, 0]) as Float64Array)).toEqual([0, 0]);
    }
    expect(traces).toBe(12);
  });
  test('a function without reads is traced once per shape; clearCache forces a retrace', () => {
    let traces = 0;
    let c = 2;
    const f = (x: t.Tensor) => {
      traces++;
      return t.sum(t.mul(c, t.square(x)));
    };
    const g = t.grad(f);
    expect(Array.from(g([1, 2]) as Float64Array)).toEqual([4, 8]);
    expect(Array.from(g([3, 4]) as Float64Array)).toEqual([12, 16]);
    expect(Array.from(t.grad(f)([1, 1]) as Float64Array)).toEqual([4, 4]);
    expect(traces).toBe(1);
    expect(Array.from(g([1, 2, 3]) as Float64Array)).toEqual([4, 8, 12]); // a new shape
    expect(traces).toBe(2);
    c = 10; // captured at the first trace …
    expect(Array.from(g([1, 2]) as Float64Array)).toEqual([4, 8]);
    t.clearCache(f); // … until the cache is cleared
    expect(Array.from(g([1, 2]) as Float64Array)).toEqual([20, 40]);
    expect(traces).toBe(3);
  });
});

/**
 * Reductions: sum and prod over all elements or a set of axes, and `prod_others` (each
 * element's product of the other elements of its group), which is prod's pullback factor
 * and is well defined where elements are zero.
 */
import { TayoptError } from '../errors.js';
import { reduceIndex, scatterAddBlocks } from './linear.js';
import type { Primitive } from './primitive.js';
import { sMul } from './series.js';
import { UTPM, fmtShape } from './utpm.js';

export interface ReduceParams {
  /** Sorted distinct axes to reduce, or null for all. */
  axes: number[] | null;
  keepdims: boolean;
}

export function reducedShape(op: string, shape: readonly number[], p: ReduceParams): number[] {
  if (p.axes) {
    for (const a of p.axes) {
      if (!Number.isInteger(a) || a < 0 || a >= shape.length) {
        throw new TayoptError(`${op}: axis ${a} is out of range for shape ${fmtShape(shape)}`);
      }
    }
  }
  const red = (i: number) => p.axes === null || p.axes.includes(i);
  return p.keepdims ? shape.map((s, i) => (red(i) ? 1 : s)) : shape.filter((_, i) => !red(i));
}

/** The shape of a reduction's result with the reduced axes kept as size 1. */
export function keptShape(shape: readonly number[], p: ReduceParams): number[] {
  return shape.map((s, i) => (p.axes === null || p.axes.includes(i) ? 1 : s));
}

const sum: Primitive = {
  name: 'sum',
  arity: 1,
  shape: (s, p: ReduceParams) => reducedShape('sum', s[0]!, p),
  forward(out, [x], p: ReduceParams) {
    out.data.fill(0);
    scatterAddBlocks(out, x!, reduceIndex(x!.shape, p.axes));
  },
  pullback(b, g, _y, xs, p: ReduceParams) {
    const x = xs[0]!;
    return [b.broadcastTo(b.reshape(g, keptShape(x.shape, p)), x.shape)];
  },
};

/** Groups of a reduction: for each output element, its input elements in row-major order. */
function groups(shape: readonly number[], axes: number[] | null, nOut: number): Int32Array[] {
  const map = reduceIndex(shape, axes);
  const counts = new Int32Array(nOut);
  for (let i = 0; i < map.length; i++) counts[map[i]!]!++;
  const gs = Array.from(counts, (c) => new Int32Array(c));
  counts.fill(0);
  for (let i = 0; i < map.length; i++) {
    const o = map[i]!;
    gs[o]![counts[o]!++] = i;
  }
  return gs;
}

function load(u: UTPM, i: number, p: number, D: number, buf: Float64Array): void {
  buf[0] = u.data[i]!;
  for (let d = 1; d < D; d++) buf[d] = d < u.D ? u.data[u.off(d, p) + i]! : 0;
}

function store(u: UTPM, i: number, p: number, D: number, buf: Float64Array): void {
  if (p === 0) u.data[i] = buf[0]!;
  for (let d = 1; d < D; d++) u.data[u.off(d, p) + i] = buf[d]!;
}

const prod: Primitive = {
  name: 'prod',
  arity: 1,
  shape: (s, p: ReduceParams) => reducedShape('prod', s[0]!, p),
  forward(out, [x], p: ReduceParams, ws) {
    const D = out.D;
    ws.reserve(D);
    const [acc, xs, tmp] = [ws.a, ws.b, ws.y];
    const gs = groups(x!.shape, p.axes, out.size);
    for (let pp = 0; pp < out.P; pp++) {
      gs.forEach((g, o) => {
        acc.fill(0, 0, D);
        acc[0] = 1;
        for (const i of g) {
          load(x!, i, pp, D, xs);
          sMul(acc, xs, tmp, D);
          acc.set(tmp.subarray(0, D));
        }
        store(out, o, pp, D, acc);
      });
    }
  },
  pullback(b, g, _y, xs_, p: ReduceParams) {
    const x = xs_[0]!;
    const gb = b.broadcastTo(b.reshape(g, keptShape(x.shape, p)), x.shape);
    return [b.mul(gb, b.b.apply('prod_others', [x], { axes: p.axes, keepdims: true }))];
  },
};

/** For each element, the product of the other elements of its reduction group. */
const prodOthers: Primitive = {
  name: 'prod_others',
  arity: 1,
  shape: (s) => [...s[0]!],
  forward(out, [x], p: ReduceParams, ws) {
    const D = out.D;
    ws.reserve(D);
    const [acc, xs, tmp] = [ws.a, ws.b, ws.y];
    const nOut = keptShape(x!.shape, p).reduce((a, c) => a * c, 1);
    const gs = groups(x!.shape, p.axes, nOut);
    // prefix products kept per group, then multiplied by running suffix products
    for (let pp = 0; pp < out.P; pp++) {
      for (const g of gs) {
        const pre = new Float64Array(g.length * D);
        acc.fill(0, 0, D);
        acc[0] = 1;
        g.forEach((i, k) => {
          pre.set(acc.subarray(0, D), k * D);
          load(x!, i, pp, D, xs);
          sMul(acc, xs, tmp, D);
          acc.set(tmp.subarray(0, D));
        });
        acc.fill(0, 0, D);
        acc[0] = 1;
        for (let k = g.length - 1; k >= 0; k--) {
          const i = g[k]!;
          sMul(pre.subarray(k * D, (k + 1) * D), acc, tmp, D);
          store(out, i, pp, D, tmp);
          load(x!, i, pp, D, xs);
          sMul(acc, xs, tmp, D);
          acc.set(tmp.subarray(0, D));
        }
      }
    }
  },
};

export const REDUCTIONS: Primitive[] = [sum, prod, prodOthers];

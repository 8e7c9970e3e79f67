/**
 * Structural primitives: reshape, transpose, broadcasting and its adjoint, slicing (read),
 * region update (write), the adjoint accumulator `scatter_add`, and concatenation.
 * All are linear, so the Taylor rule applies one index map to every coefficient block.
 */
import { TayoptError } from '../errors.js';
import { addBlocks, gatherBlocks, regionIndex, scatterAddBlocks, transposeIndex } from './linear.js';
import type { Primitive, Region } from './primitive.js';
import { broadcastIndex, broadcastShapes, fmtShape, sameShape, sizeOf } from './utpm.js';

export function fmtRegion(r: Region): string {
  return `[${r.start.map((s, i) => `${s}:${r.step[i]}:${r.count[i]}`).join(', ')}]`;
}

/** Checks that a region lies inside `shape`; throws naming the operation. */
export function checkRegion(op: string, shape: readonly number[], r: Region): void {
  if (r.start.length !== shape.length || r.step.length !== shape.length || r.count.length !== shape.length) {
    throw new TayoptError(`${op}: region has ${r.start.length} axes, array shape ${fmtShape(shape)} has ${shape.length}`);
  }
  for (let ax = 0; ax < shape.length; ax++) {
    const c = r.count[ax]!;
    if (c === 0) continue;
    const first = r.start[ax]!;
    const last = first + (c - 1) * r.step[ax]!;
    if (first < 0 || first >= shape[ax]! || last < 0 || last >= shape[ax]! || !Number.isInteger(first) || !Number.isInteger(r.step[ax]!)) {
      throw new TayoptError(`${op}: index out of range on axis ${ax} (size ${shape[ax]}): region ${fmtRegion(r)}`);
    }
  }
}

const reshape: Primitive = {
  name: 'reshape',
  arity: 1,
  shape(s, p: { shape: number[] }) {
    if (sizeOf(s[0]!) !== sizeOf(p.shape)) {
      throw new TayoptError(`reshape: cannot reshape ${fmtShape(s[0]!)} (${sizeOf(s[0]!)} elements) to ${fmtShape(p.shape)}`);
    }
    return [...p.shape];
  },
  forward(out, [x]) {
    out.data.set(x!.data); // same element order; a unary output has its input's D and P
  },
  pullback: (b, g, _y, xs) => [b.reshape(g, xs[0]!.shape)],
};

const transpose: Primitive = {
  name: 'transpose',
  arity: 1,
  shape(s, p: { perm: number[] }) {
    const sh = s[0]!;
    const seen = new Set(p.perm);
    if (p.perm.length !== sh.length || seen.size !== sh.length || p.perm.some((a) => a < 0 || a >= sh.length)) {
      throw new TayoptError(`transpose: axes [${p.perm.join(',')}] are not a permutation of the ${sh.length} axes of ${fmtShape(sh)}`);
    }
    return p.perm.map((a) => sh[a]!);
  },
  forward(out, [x], p: { perm: number[] }) {
    gatherBlocks(out, x!, transposeIndex(x!.shape, p.perm));
  },
  pullback(b, g, _y, _xs, p: { perm: number[] }) {
    const inv = new Array<number>(p.perm.length);
    p.perm.forEach((a, k) => (inv[a] = k));
    return [b.transpose(g, inv)];
  },
};

const broadcastTo: Primitive = {
  name: 'broadcast_to',
  arity: 1,
  shape(s, p: { shape: number[] }) {
    const r = broadcastShapes(s[0]!, p.shape);
    if (!r || !sameShape(r, p.shape)) {
      throw new TayoptError(`broadcast_to: cannot broadcast ${fmtShape(s[0]!)} to ${fmtShape(p.shape)}`);
    }
    return [...p.shape];
  },
  forward(out, [x]) {
    gatherBlocks(out, x!, broadcastIndex(x!.shape, out.shape));
  },
  pullback: (b, g, _y, xs) => [b.sumTo(g, xs[0]!.shape)],
};

/** Sum an array down to a shape that broadcasts to it (the adjoint of broadcast_to). */
const sumTo: Primitive = {
  name: 'sum_to',
  arity: 1,
  shape(s, p: { shape: number[] }) {
    const r = broadcastShapes(p.shape, s[0]!);
    if (!r || !sameShape(r, s[0]!)) {
      throw new TayoptError(`sum_to: ${fmtShape(p.shape)} does not broadcast to ${fmtShape(s[0]!)}`);
    }
    return [...p.shape];
  },
  forward(out, [x]) {
    out.data.fill(0);
    scatterAddBlocks(out, x!, broadcastIndex(out.shape, x!.shape));
  },
  pullback: (b, g, _y, xs) => [b.broadcastTo(g, xs[0]!.shape)],
};

/** Read a strided region; the output has the region's shape (axes are not dropped). */
const slice: Primitive = {
  name: 'slice',
  arity: 1,
  shape(s, r: Region) {
    checkRegion('slice', s[0]!, r);
    return [...r.count];
  },
  forward(out, [x], r: Region) {
    gatherBlocks(out, x!, regionIndex(x!.shape, r));
  },
  pullback: (_b, g, _y, _xs, r: Region) => [{ region: r, value: g }],
};

/**
 * scatter_add(v_0, …, v_k): zeros of `shape` plus each v_i added onto its region (or
 * everywhere, when its region is null). This is how adjoints accumulate: dense contributions
 * and contributions from slicing or element access meet in one node.
 */
const scatterAdd: Primitive = {
  name: 'scatter_add',
  arity: -1,
  shape(s, p: { shape: number[]; regions: (Region | null)[] }) {
    if (s.length !== p.regions.length) throw new TayoptError('scatter_add: one region (or null) per input');
    s.forEach((sh, k) => {
      const r = p.regions[k];
      if (r) {
        checkRegion('scatter_add', p.shape, r);
        if (!sameShape(sh, r.count)) throw new TayoptError(`scatter_add: input ${k} has shape ${fmtShape(sh)}, its region ${fmtShape(r.count)}`);
      } else if (!sameShape(sh, p.shape)) {
        throw new TayoptError(`scatter_add: input ${k} has shape ${fmtShape(sh)}, expected ${fmtShape(p.shape)}`);
      }
    });
    return [...p.shape];
  },
  forward(out, ins, p: { shape: number[]; regions: (Region | null)[] }) {
    out.data.fill(0);
    ins.forEach((x, k) => {
      const r = p.regions[k];
      if (r) scatterAddBlocks(out, x, regionIndex(out.shape, r));
      else addBlocks(out, x);
    });
  },
  pullback(b, g, _y, _xs, p: { regions: (Region | null)[] }, needs) {
    return p.regions.map((r, k) => (needs[k] ? (r ? b.slice(g, r) : g) : null));
  },
};

/** slice_update(x, v): a copy of x with the region replaced by v (v has the region's shape). */
const sliceUpdate: Primitive = {
  name: 'slice_update',
  arity: 2,
  shape(s, r: Region) {
    checkRegion('set', s[0]!, r);
    if (!sameShape(s[1]!, r.count)) {
      throw new TayoptError(`set: value of shape ${fmtShape(s[1]!)} does not fit region of shape ${fmtShape(r.count)}`);
    }
    return [...s[0]!];
  },
  forward(out, [x, v], r: Region) {
    const map = regionIndex(out.shape, r);
    out.data.fill(0);
    addBlocks(out, x!);
    const od = out.data;
    const vd = v!.data;
    // overwrite the region, block by block (absent blocks of v are zero)
    for (let d = 0; d < out.D; d++) {
      const np = d === 0 ? 1 : out.P;
      for (let p = 0; p < np; p++) {
        const o = out.off(d, p);
        const a = d < v!.D ? v!.off(d, p) : -1;
        for (let i = 0; i < map.length; i++) od[o + map[i]!] = a < 0 ? 0 : vd[a + i]!;
      }
    }
  },
  pullback(b, g, _y, _xs, r: Region, needs) {
    return [
      needs[0] ? b.b.apply('slice_update', [g, b.zeros(r.count)], r) : null,
      needs[1] ? b.slice(g, r) : null,
    ];
  },
};

/** concatenate(v_0, …, v_k) along `axis`. */
const concatenate: Primitive = {
  name: 'concatenate',
  arity: -1,
  shape(s, p: { axis: number }) {
    if (s.length === 0) throw new TayoptError('concatenate: needs at least one array');
    const first = s[0]!;
    const ax = p.axis;
    if (ax < 0 || ax >= first.length) {
      throw new TayoptError(`concatenate: axis ${ax} is out of range for arrays of ${first.length} dimensions`);
    }
    let total = 0;
    s.forEach((sh, k) => {
      const ok = sh.length === first.length && sh.every((d, i) => i === ax || d === first[i]);
      if (!ok) {
        throw new TayoptError(
          `concatenate: shapes ${s.map(fmtShape).join(', ')} do not match except along axis ${ax} (array ${k})`,
        );
      }
      total += sh[ax]!;
    });
    const out = [...first];
    out[ax] = total;
    return out;
  },
  forward(out, ins, p: { axis: number }) {
    out.data.fill(0);
    const regions = concatRegions(out.shape, ins.map((x) => x.shape), p.axis);
    ins.forEach((x, k) => scatterAddBlocks(out, x, regionIndex(out.shape, regions[k]!)));
  },
  pullback(b, g, _y, xs, p: { axis: number }, needs) {
    const regions = concatRegions(g.shape, xs.map((x) => x.shape), p.axis);
    return xs.map((_x, k) => (needs[k] ? b.slice(g, regions[k]!) : null));
  },
};

/** The regions of a concatenation of `pieces` along `axis` (result shape `shape`) that each piece occupies. */
export function concatRegions(shape: readonly number[], pieces: readonly (readonly number[])[], axis: number): Region[] {
  let at = 0;
  return pieces.map((s) => {
    const len = s[axis]!;
    const r: Region = {
      start: shape.map((_, i) => (i === axis ? at : 0)),
      step: shape.map(() => 1),
      count: shape.map((d, i) => (i === axis ? len : d)),
    };
    at += len;
    return r;
  });
}

export const SHAPE_OPS: Primitive[] = [reshape, transpose, broadcastTo, sumTo, slice, scatterAdd, sliceUpdate, concatenate];


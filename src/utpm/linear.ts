/**
 * Helpers for linear primitives (reshape, transpose, slicing, broadcasting, sums,
 * concatenation): they act on every Taylor coefficient block the same way, so each is one
 * index map applied block by block. Constant inputs (D = 1) contribute only to degree 0.
 */
import type { Region } from './primitive.js';
import { UTPM, stridedIndex, stridesOf } from './utpm.js';

/**
 * Calls fn(outOffset, inOffsets) for every coefficient block of `out`; an input that does not
 * store that block (a constant beyond degree 0) gets offset −1.
 */
export function forEachBlock(out: UTPM, ins: readonly UTPM[], fn: (o: number, offs: number[]) => void): void {
  const offs = new Array<number>(ins.length);
  for (let d = 0; d < out.D; d++) {
    const np = d === 0 ? 1 : out.P;
    for (let p = 0; p < np; p++) {
      for (let k = 0; k < ins.length; k++) offs[k] = d < ins[k]!.D ? ins[k]!.off(d, p) : -1;
      fn(out.off(d, p), offs);
    }
  }
}

/** out[j] = in[map[j]] for every block (map has out.size entries). */
export function gatherBlocks(out: UTPM, x: UTPM, map: Int32Array): void {
  const od = out.data;
  const xd = x.data;
  forEachBlock(out, [x], (o, [a]) => {
    if (a! < 0) return;
    for (let j = 0; j < map.length; j++) od[o + j] = xd[a! + map[j]!]!;
  });
}

/** out[map[i]] += in[i] for every block (map has in.size entries). `out` must start zeroed. */
export function scatterAddBlocks(out: UTPM, x: UTPM, map: Int32Array): void {
  const od = out.data;
  const xd = x.data;
  forEachBlock(out, [x], (o, [a]) => {
    if (a! < 0) return;
    for (let i = 0; i < map.length; i++) od[o + map[i]!] += xd[a! + i]!;
  });
}

/** out += x for every block (same shape). `out` must start zeroed where x has no block. */
export function addBlocks(out: UTPM, x: UTPM): void {
  const od = out.data;
  const xd = x.data;
  const n = out.size;
  forEachBlock(out, [x], (o, [a]) => {
    if (a! < 0) return;
    for (let i = 0; i < n; i++) od[o + i] += xd[a! + i]!;
  });
}

/** For each element of the region (row-major in the region), its flat index in `shape`. */
export function regionIndex(shape: readonly number[], r: Region): Int32Array {
  const st = stridesOf(shape);
  let base = 0;
  for (let ax = 0; ax < shape.length; ax++) base += r.start[ax]! * st[ax]!;
  const idx = stridedIndex(
    r.count,
    r.step.map((s, ax) => s * st[ax]!),
  );
  for (let k = 0; k < idx.length; k++) idx[k] += base;
  return idx;
}

/** For the transpose with out.shape[k] = shape[perm[k]], the input flat index of each output element. */
export function transposeIndex(shape: readonly number[], perm: readonly number[]): Int32Array {
  const inStr = stridesOf(shape);
  return stridedIndex(
    perm.map((p) => shape[p]!),
    perm.map((p) => inStr[p]!),
  );
}

/**
 * For a reduction of `shape` over `axes`, the flat output index of each input element
 * (output keeps reduced axes as size 1, which does not change flat indices).
 */
export function reduceIndex(shape: readonly number[], axes: readonly number[] | null): Int32Array {
  const outShape = shape.map((s, i) => (axes === null || axes.includes(i) ? 1 : s));
  const outStr = stridesOf(outShape);
  return stridedIndex(
    shape,
    shape.map((_, i) => (axes === null || axes.includes(i) ? 0 : outStr[i]!)),
  );
}

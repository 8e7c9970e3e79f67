/**
 * How each primitive becomes code: a table keyed by op. Views change an access (no code);
 * elementwise primitives join a fused loop (their templates are in src/utpm/elementwise.ts);
 * sums and adjoint accumulations add inside the loop that produces their operand; matmul is a
 * strided kernel over views. Any op without an entry — and, above degree 2, any op whose
 * entry needs fusion — runs its primitive's Taylor rule as a kernel.
 */
import { elementwiseCode } from '../../utpm/elementwise.js';
import { gemmDirA, gemmDirB, gemmStrided, type MatmulParams } from '../../utpm/matmul.js';
import type { Region } from '../../utpm/primitive.js';
import { type ReduceParams, keptShape } from '../../utpm/reduce.js';
import { concatRegions } from '../../utpm/shape.js';
import { sizeOf } from '../../utpm/utpm.js';
import {
  type Access,
  broadcastAccess,
  convertAccess,
  isContiguous,
  reshapeAccess,
  sliceAccess,
  transposeAccess,
} from './access.js';
import type { ReplayBuilder } from './builder.js';
import { type Group, fuseRead, joinGroup, reshapeInRegister } from './fusion.js';

/** Emits node `id` (or places it: a view emits nothing). */
export type Lowering = (cx: ReplayBuilder, id: number) => void;

interface Entry {
  lower: Lowering;
  /** Only at D ≤ 2, where loops fuse; above, the node runs as a kernel. */
  fused: boolean;
}

/** reshape, slice, transpose, broadcast_to: a new access to the operand's storage. */
const view: Lowering = (cx, id) => {
  const node = cx.nodes[id]!;
  const src = node.inputs[0]!;
  if (node.op === 'reshape' && reshapeInRegister(cx, id)) return;
  let a = cx.memOf(src);
  switch (node.op) {
    case 'reshape':
      if (!isContiguous(a)) a = cx.contiguousOf(src);
      cx.store(id, reshapeAccess(a, node.shape));
      return;
    case 'slice':
      cx.store(id, sliceAccess(a, node.params as Region));
      return;
    case 'transpose':
      cx.store(id, transposeAccess(a, (node.params as { perm: number[] }).perm));
      return;
    default:
      cx.store(id, broadcastAccess(a, node.shape));
  }
};

/** sum and sum_to: accumulated inside the operand's loop when it is open, else by a strided copy. */
const reduceInLoop: Lowering = (cx, id) => {
  const node = cx.nodes[id]!;
  const src = node.inputs[0]!;
  const ls = cx.loc[src]!;
  const isSum = node.op === 'sum';
  const all = isSum && (node.params as ReduceParams).axes === null;
  const b = cx.newBuf(sizeOf(node.shape), cx.hasTaylor[id] === 1);
  const outAcc = cx.fullAccess(b, node.shape);
  cx.store(id, outAcc);
  // the output viewed over the operand's shape, with zero strides on reduced axes
  const srcShape = cx.nodes[src]!.shape;
  const over = isSum ? broadcastAccess(reshapeAccess(outAcc, keptShape(srcShape, node.params as ReduceParams)), srcShape) : broadcastAccess(outAcc, srcShape);
  if (ls.kind === 'reg' && ls.group.open) {
    const g = ls.group;
    if (all) {
      g.sumsAll.push({ id, src });
      fuseRead(g, id, src, cx.nodes.length);
      cx.pendingWriters.set(b, new Set([g]));
      return;
    }
    const conv = convertAccess(over, g.shape);
    if (conv) {
      cx.zeroInit.push(b);
      g.stores.push({ src, acc: conv, mode: '+=' });
      fuseRead(g, id, src, cx.nodes.length);
      cx.pendingWriters.set(b, new Set([g]));
      return;
    }
  }
  cx.zeroInit.push(b);
  cx.emitCopy(cx.memOf(src), over, '+=');
};

/**
 * scatter_add (adjoint accumulation: `+=` into regions) and concatenate (`=` into pieces):
 * each input stored inside its producer's open loop when it can be, else copied.
 */
const storeInLoop: Lowering = (cx, id) => {
  const node = cx.nodes[id]!;
  const b = cx.newBuf(sizeOf(node.shape), cx.hasTaylor[id] === 1);
  const outAcc = cx.fullAccess(b, node.shape);
  const accumulate = node.op === 'scatter_add';
  const mode: '=' | '+=' = accumulate ? '+=' : '=';
  if (accumulate) cx.zeroInit.push(b);
  const regions: (Region | null)[] = accumulate
    ? (node.params as { regions: (Region | null)[] }).regions
    : concatRegions(node.shape, node.inputs.map((i) => cx.nodes[i]!.shape), (node.params as { axis: number }).axis);
  const writers = new Set<Group>();
  const regionOf = (k: number): Access => (regions[k] ? sliceAccess(outAcc, regions[k]!) : outAcc);
  /** The store of input k inside its producer's open loop, or null when it is read from memory. */
  const fusedStore = (k: number): Access | null => {
    const ls = cx.loc[node.inputs[k]!]!;
    return ls.kind === 'reg' && ls.group.open ? convertAccess(regionOf(k), ls.group.shape) : null;
  };
  // inputs read from memory are stored first: that may close a loop another input was to fuse into
  const fromMemory = node.inputs.map((_, k) => fusedStore(k) === null);
  node.inputs.forEach((src, k) => fromMemory[k] && cx.memOf(src));
  node.inputs.forEach((src, k) => {
    const conv = fusedStore(k);
    if (conv) {
      const g = (cx.loc[src] as { group: Group }).group;
      g.stores.push({ src, acc: conv, mode });
      fuseRead(g, id, src, cx.nodes.length);
      writers.add(g);
      return;
    }
    const region = regionOf(k);
    cx.emitCopy(broadcastAccess(cx.memOf(src), region.shape), region, mode);
  });
  cx.store(id, outAcc);
  if (writers.size) cx.pendingWriters.set(b, writers);
};

/** slice_update: x copied, then the region overwritten by v. */
const sliceUpdate: Lowering = (cx, id) => {
  const node = cx.nodes[id]!;
  const x = cx.memOf(node.inputs[0]!);
  const v = cx.memOf(node.inputs[1]!);
  const outAcc = cx.fullAccess(cx.newBuf(sizeOf(node.shape), cx.hasTaylor[id] === 1), node.shape);
  cx.emitCopy(x, outAcc, '=');
  cx.emitCopy(v, sliceAccess(outAcc, node.params as Region), '=');
  cx.store(id, outAcc);
};

/** matmul: gemmStrided on the operands' views (transposes and slices need no copy). */
const matmul: Lowering = (cx, id) => {
  const { D, P } = cx;
  const node = cx.nodes[id]!;
  const { ta, tb } = node.params as MatmulParams;
  const A = cx.memOf(node.inputs[0]!);
  const B = cx.memOf(node.inputs[1]!);
  const [m, n] = node.shape as [number, number];
  const k = ta ? A.shape[0]! : A.shape[1]!;
  // op(A)[i,l] = A[off + i·ai + l·al]
  const [ai, al] = ta ? [A.strides[1]!, A.strides[0]!] : [A.strides[0]!, A.strides[1]!];
  const [bl, bj] = tb ? [B.strides[1]!, B.strides[0]!] : [B.strides[0]!, B.strides[1]!];
  const taylor = cx.hasTaylor[id] === 1;
  const out = cx.newBuf(m * n, taylor);
  cx.store(id, cx.fullAccess(out, node.shape));
  const gemm = cx.envName(gemmStrided);
  const call = (ao: string, bo: string, co: string) =>
    `${gemm}(B${A.buf}, ${ao}, ${ai}, ${al}, B${B.buf}, ${bo}, ${bl}, ${bj}, B${out}, ${co}, ${m}, ${n}, ${k});`;
  const lines: string[] = [`B${out}.fill(0); // matmul node ${id}`, call(String(A.off), String(B.off), '0')];
  if (taylor && D === 2 && P > 1) {
    // all P directions at once, on the interleaved layout
    if (B.taylor) lines.push(`${cx.envName(gemmDirB)}(B${A.buf}, ${A.off}, ${ai}, ${al}, B${B.buf}, ${B.blockSize}, ${B.off}, ${bl}, ${bj}, B${out}, ${m * n}, ${m}, ${n}, ${k}, ${P});`);
    if (A.taylor) lines.push(`${cx.envName(gemmDirA)}(B${A.buf}, ${A.blockSize}, ${A.off}, ${ai}, ${al}, B${B.buf}, ${B.off}, ${bl}, ${bj}, B${out}, ${m * n}, ${m}, ${n}, ${k}, ${P});`);
  } else if (taylor && D === 2) {
    if (B.taylor) lines.push(call(String(A.off), String(B.blockSize + B.off), String(m * n)));
    if (A.taylor) lines.push(call(String(A.blockSize + A.off), String(B.off), String(m * n)));
  } else if (taylor) {
    // Leibniz over degrees (block layout): Y_d = Σ_q op(A)_q op(B)_{d−q}
    const blk = (d: number, bs: number, off: number) => (d === 0 ? String(off) : `(1 + ${(d - 1) * P} + p) * ${bs} + ${off}`);
    const inner: string[] = [];
    for (let d = 1; d < D; d++) {
      for (let q = 0; q <= d; q++) {
        if ((q > 0 && !A.taylor) || (d - q > 0 && !B.taylor)) continue;
        inner.push(call(blk(q, A.blockSize, A.off), blk(d - q, B.blockSize, B.off), blk(d, m * n, 0)));
      }
    }
    lines.push(`for (let p = 0; p < ${P}; p++) { ${inner.join(' ')} }`);
  }
  cx.code.push(lines.join('\n'));
};

const LOWERING: Readonly<Record<string, Entry>> = {
  reshape: { lower: view, fused: false },
  slice: { lower: view, fused: false },
  transpose: { lower: view, fused: false },
  broadcast_to: { lower: view, fused: false },
  sum: { lower: reduceInLoop, fused: true },
  sum_to: { lower: reduceInLoop, fused: true },
  scatter_add: { lower: storeInLoop, fused: true },
  concatenate: { lower: storeInLoop, fused: true },
  slice_update: { lower: sliceUpdate, fused: true },
  matmul: { lower: matmul, fused: false },
};

/** The ops with a lowering of their own (elementwise ops fuse through their templates; the rest run as kernels). */
export const LOWERED_OPS: ReadonlySet<string> = new Set(Object.keys(LOWERING));

const ELEMENTWISE: Entry = { lower: joinGroup, fused: true };
const KERNEL: Entry = { lower: (cx, id) => cx.emitKernel(id), fused: false };

/** How op `op` is compiled: its table entry, the fused loop of elementwise ops, or the kernel. */
export function lowering(op: string, fuse: boolean): Lowering {
  const e = LOWERING[op] ?? (elementwiseCode(op) ? ELEMENTWISE : KERNEL);
  return e.fused && !fuse ? KERNEL.lower : e.lower;
}

/**
 * Grouping and fusion. Elementwise nodes of the same shape join one open loop (a group);
 * their values live in registers (local variables) and are stored only when something outside
 * the loop reads them. Sums and adjoint accumulations of a member are fused into the loop as
 * `+=` stores. A group is closed — its loop emitted — when something needs one of its values
 * in memory, or at the end.
 *
 * At D = 2 the loop computes, per element, the value and then the degree-1 coefficient of
 * every direction; with several directions those are stored direction-interleaved (element e,
 * direction p at size + e·P + p), so the direction loop runs over contiguous memory.
 */
import { elementwiseCode } from '../../utpm/elementwise.js';
import { sizeOf, stridesOf } from '../../utpm/utpm.js';
import { type Access, broadcastAccess, convertAccess, loopNest, offsetExpr } from './access.js';
import type { ReplayBuilder } from './builder.js';

export interface Group {
  id: number;
  shape: number[];
  size: number;
  members: number[];
  /** Nodes whose value is summed over the whole loop into a register. */
  sumsAll: { id: number; src: number }[];
  /** Fused stores: value of `src` written or added at `acc` (shaped like the loop). */
  stores: { src: number; acc: Access; mode: '=' | '+=' }[];
  /** Node id → the member whose register holds its value (members, and reshapes of them). */
  reg: Map<number, number>;
  /**
   * Reads of member registers fused into the loop by nodes outside `members` (sums,
   * scatters), keyed consumer·N + input: a node that fuses one input may still read another
   * member from memory.
   */
  fusedReads: Set<number>;
  open: boolean;
}

/** Where a node's value is: a register of a loop (that of member `src`), or memory. */
export type Loc = { kind: 'reg'; group: Group; src: number } | { kind: 'mem'; acc: Access };

/** Statements per generated function in long straight-line code (small enough for the JIT to optimize). */
export const CHUNK = 300;
/** Placeholder for the replay's parameter list (the rebindable buffers), known only at the end. */
export const PARAMS = '/*PARAMS*/';

function groupKey(shape: readonly number[]): string {
  return shape.join(',');
}

/** Elementwise node `id` joins the open loop of its shape (opening one), after what it reads from other loops is stored. */
export function joinGroup(cx: ReplayBuilder, id: number): void {
  const { nodes, loc } = cx;
  const node = nodes[id]!;
  const key = groupKey(node.shape);
  // inputs held by other open groups, or written by open groups, must be finished first
  for (const i of node.inputs) {
    const li = loc[i]!;
    if (li.kind === 'reg' && li.group.shape.join(',') !== key) closeGroup(cx, li.group);
    else if (li.kind === 'reg' && sizeOf(nodes[i]!.shape) !== sizeOf(node.shape)) closeGroup(cx, li.group);
    else if (li.kind === 'mem') cx.closeWriters(li.acc.buf);
  }
  let g = cx.openGroups.get(key);
  if (!g) {
    g = {
      id: cx.groups.length,
      shape: [...node.shape],
      size: sizeOf(node.shape),
      members: [],
      sumsAll: [],
      stores: [],
      reg: new Map(),
      fusedReads: new Set(),
      open: true,
    };
    cx.groups.push(g);
    cx.openGroups.set(key, g);
  }
  g.members.push(id);
  g.reg.set(id, id);
  loc[id] = { kind: 'reg', group: g, src: id };
}

/** A reshape of a register of an open loop is the same register (true), or needs memory (false). */
export function reshapeInRegister(cx: ReplayBuilder, id: number): boolean {
  const ls = cx.loc[cx.nodes[id]!.inputs[0]!]!;
  if (ls.kind !== 'reg' || !ls.group.open) return false;
  cx.loc[id] = { kind: 'reg', group: ls.group, src: ls.src };
  ls.group.members.push(id);
  ls.group.reg.set(id, ls.src);
  return true;
}

/** Input `src` of node `id` is read inside its producer's open loop (a fused store or sum). */
export function fuseRead(g: Group, id: number, src: number, N: number): void {
  g.fusedReads.add(id * N + src);
}

/** Emits group g's loop, storing the registers something outside the loop reads. */
export function closeGroup(cx: ReplayBuilder, g: Group): void {
  if (!g.open) return;
  g.open = false;
  const { nodes, consumers, isOutput } = cx;
  const N = nodes.length;
  if (cx.openGroups.get(groupKey(g.shape)) === g) cx.openGroups.delete(groupKey(g.shape));
  // a register is stored when something outside the loop reads it (or it is an output)
  const readOutside = (i: number) =>
    isOutput.has(i) || consumers[i]!.some((c) => !g.reg.has(c) && !g.fusedReads.has(c * N + i));
  const stored = new Map<number, Access>();
  for (const m of g.members) {
    const src = g.reg.get(m)!;
    if (stored.has(src) || !readOutside(m)) continue;
    const acc = cx.fullAccess(cx.newBuf(g.size, cx.hasTaylor[src] === 1), g.shape);
    g.stores.push({ src, acc, mode: '=' });
    stored.set(src, acc);
  }
  emitGroup(cx, g);
  for (const m of g.members) {
    const acc = stored.get(g.reg.get(m)!);
    if (acc) cx.store(m, { ...acc, shape: [...nodes[m]!.shape], strides: stridesOf(nodes[m]!.shape) });
  }
  for (const [buf, writers] of cx.pendingWriters) {
    writers.delete(g);
    if (writers.size === 0) cx.pendingWriters.delete(buf);
  }
}

/** A member's value expression and tangent expression (null: zero) as read inside a loop. */
type Ref = { v: string; t: string | null };

/**
 * The statements computing the loop's members, per element: values (and, at D = 2, each
 * unary function's f′, once per element) in `values`; degree-1 coefficients, per direction,
 * in `tangents`.
 */
function memberStatements(cx: ReplayBuilder, g: Group, ref: (i: number, shape: readonly number[]) => Ref, vars: Map<number, Ref>): { values: string[]; tangents: string[] } {
  const { D, nodes } = cx;
  const values: string[] = [];
  const tangents: string[] = [];
  for (const m of g.members) {
    if (g.reg.get(m) !== m) continue; // a reshape alias
    const node = nodes[m]!;
    const spec = elementwiseCode(node.op)!;
    const ins = node.inputs.map((i) => ref(i, node.shape));
    const v = `v${m}`;
    values.push(`const ${v} = ${spec.value(ins.map((x) => x.v))};`);
    let t: string | null = null;
    if (D === 2 && cx.hasTaylor[m] && spec.deriv && ins[0]!.t !== null) {
      // f′ once per element, outside the loop over directions
      values.push(`const d${m} = ${spec.deriv(ins[0]!.v, v)};`);
      t = `t${m}`;
      tangents.push(`const ${t} = d${m} * ${ins[0]!.t};`);
    } else if (D === 2 && cx.hasTaylor[m]) {
      const te = spec.tangent(ins.map((x) => x.v), ins.map((x) => x.t), v);
      if (te !== null) {
        t = `t${m}`;
        tangents.push(`const ${t} = ${te};`);
      }
    }
    vars.set(m, { v, t });
  }
  return { values, tangents };
}

/** The fused loop of group g: loads, member values, stores and sums, then (D = 2) tangents. */
function emitGroup(cx: ReplayBuilder, g: Group): void {
  const { D, P } = cx;
  if (g.size === 1 && g.members.length > CHUNK) {
    emitStraightChunks(cx, g);
    return;
  }
  const loads: { name: string; acc: Access }[] = [];
  const loadKeys = new Map<string, number>();
  const vars = new Map<number, Ref>();
  const load = (a: Access): Ref => {
    const key = `${a.buf}|${a.off}|${a.strides.join(',')}`;
    let k = loadKeys.get(key);
    if (k === undefined) {
      k = loads.length;
      loads.push({ name: `L${k}`, acc: a });
      loadKeys.set(key, k);
    }
    return { v: `L${k}`, t: a.taylor ? `TL${k}` : null };
  };
  /** Value of node i as read by an element of the loop (a register or a load). */
  const ref = (i: number, shape: readonly number[]): Ref => {
    const r = g.reg.get(i);
    if (r !== undefined) return vars.get(r)!;
    const l = cx.loc[i]!;
    if (l.kind !== 'mem') throw new Error(`compile: node ${i} is in a register of another loop`);
    const a = convertAccess(broadcastAccess(l.acc, shape), g.shape);
    if (!a) throw new Error(`compile: node ${i} cannot be read in a loop over [${g.shape}]`);
    return load(a);
  };
  const { values, tangents } = memberStatements(cx, g, ref, vars);
  const storeVals = g.stores.map((s) => vars.get(g.reg.get(s.src)!)!);
  const sumVals = g.sumsAll.map((s) => vars.get(g.reg.get(s.src)!)!);
  const nest = loopNest(g.shape, [...loads.map((l) => l.acc), ...g.stores.map((s) => s.acc)]);
  const idx = nest.dims.map((_, k) => `i${k}`);
  const loadOff = (k: number) => offsetExpr(loads[k]!.acc.off, nest.strides[k]!, idx);
  const storeOff = (j: number) => offsetExpr(g.stores[j]!.acc.off, nest.strides[loads.length + j]!, idx);
  const out: string[] = [`{ // loop over [${g.shape.join(',')}]: nodes ${g.members.join(' ')}`];
  for (const s of g.sumsAll) {
    out.push(`let S${s.id} = 0;`);
    if (D === 2 && cx.hasTaylor[s.id]) out.push(P === 1 ? `let U${s.id} = 0;` : `const U${s.id} = ${cx.envName(new Float64Array(P))}; U${s.id}.fill(0);`);
  }
  // loop-invariant loads (scalars, broadcast operands) are read once; one-element
  // constants become literals
  const invariant = (k: number) => nest.strides[k]!.every((st) => st === 0);
  loads.forEach((l, k) => {
    if (!invariant(k)) return;
    const lit = cx.constLiteral(l.acc);
    out.push(`const ${l.name} = ${lit ?? `B${l.acc.buf}[${loadOff(k)}]`};`);
  });
  nest.dims.forEach((d, k) => out.push(`for (let ${idx[k]} = 0; ${idx[k]} < ${d}; ${idx[k]}++) {`));
  loads.forEach((l, k) => {
    if (!invariant(k)) out.push(`const ${l.name} = B${l.acc.buf}[${loadOff(k)}];`);
  });
  out.push(...values);
  g.stores.forEach((s, j) => out.push(`B${s.acc.buf}[${storeOff(j)}] ${s.mode} ${storeVals[j]!.v};`));
  g.sumsAll.forEach((s, j) => out.push(`S${s.id} += ${sumVals[j]!.v};`));
  if (D === 2) {
    // tangents: per element, every direction; operands at size + e·P + p
    const tl: string[] = [];
    const base = new Map<string, string>(); // access key → name of its element offset
    const baseDecl: string[] = [];
    const tAt = (a: Access, e: string, key: string): string => {
      if (P === 1) return `${a.blockSize} + ${e}`;
      let nm = base.get(key);
      if (!nm) {
        nm = `O${base.size}`;
        base.set(key, nm);
        baseDecl.push(`const ${nm} = ${a.blockSize} + (${e}) * ${P};`);
      }
      return `${nm} + p`;
    };
    g.stores.forEach((s, j) => {
      if (!s.acc.taylor) return;
      const t = storeVals[j]!.t;
      if (t === null && s.mode === '+=') return;
      tl.push(`B${s.acc.buf}[${tAt(s.acc, storeOff(j), `s${j}`)}] ${s.mode} ${t ?? '0'};`);
    });
    g.sumsAll.forEach((s, j) => {
      const t = sumVals[j]!.t;
      if (cx.hasTaylor[s.id] && t !== null) tl.push(P === 1 ? `U${s.id} += ${t};` : `U${s.id}[p] += ${t};`);
    });
    if (tl.length > 0) {
      const body = [...tangents, ...tl].join('\n');
      const tloads: string[] = [];
      const hoisted: string[] = [];
      loads.forEach((l, k) => {
        if (!l.acc.taylor || !new RegExp(`\\bTL${k}\\b`).test(body)) return;
        if (P === 1 && invariant(k)) hoisted.push(`const TL${k} = B${l.acc.buf}[${l.acc.blockSize} + ${loadOff(k)}];`);
        else tloads.push(`const TL${k} = B${l.acc.buf}[${tAt(l.acc, loadOff(k), `l${k}`)}];`);
      });
      out.splice(1, 0, ...hoisted);
      const block = [...tloads, body].join('\n');
      out.push(...baseDecl);
      out.push(P === 1 ? `{\n${block}\n}` : `for (let p = 0; p < ${P}; p++) {\n${block}\n}`);
    }
  }
  nest.dims.forEach(() => out.push('}'));
  for (const s of g.sumsAll) {
    const a = (cx.loc[s.id] as { kind: 'mem'; acc: Access }).acc;
    out.push(`B${a.buf}[${a.off}] = S${s.id};`);
    if (D === 2 && cx.hasTaylor[s.id]) {
      out.push(P === 1 ? `B${a.buf}[${a.blockSize + a.off}] = U${s.id};` : `for (let p = 0; p < ${P}; p++) B${a.buf}[${a.blockSize + a.off * P} + p] = U${s.id}[p];`);
    }
  }
  out.push('}');
  cx.code.push(out.join('\n'));
}

/**
 * A large one-element "loop" (code written with element access unrolls into thousands of
 * scalar nodes) as a sequence of small functions the JIT will optimize: member values live
 * in a register file R (tangents in T at slot·P + p) instead of locals.
 */
function emitStraightChunks(cx: ReplayBuilder, g: Group): void {
  const { D, P, nodes } = cx;
  const slot = new Map<number, number>();
  for (const m of g.members) if (g.reg.get(m) === m) slot.set(m, slot.size);
  const R = cx.envName(new Float64Array(slot.size));
  const T = D === 2 ? cx.envName(new Float64Array(slot.size * P)) : '';
  const tIdx = (k: number) => (P === 1 ? `${T}[${k}]` : `${T}[${k * P} + p]`);
  const ref = (i: number): { v: string; t: string | null } => {
    const r = g.reg.get(i);
    if (r !== undefined) {
      const k = slot.get(r)!;
      return { v: `${R}[${k}]`, t: D === 2 && cx.hasTaylor[r] ? tIdx(k) : null };
    }
    const l = cx.loc[i]!;
    if (l.kind !== 'mem') throw new Error(`compile: node ${i} is in a register of another loop`);
    const a = l.acc;
    return { v: cx.constLiteral(a) ?? `B${a.buf}[${a.off}]`, t: D === 2 && a.taylor ? `B${a.buf}[${cx.taylorIndex(a, String(a.off))}]` : null };
  };
  const primal: string[] = [];
  const tangent: string[] = [];
  for (const m of g.members) {
    if (g.reg.get(m) !== m) continue;
    const node = nodes[m]!;
    const spec = elementwiseCode(node.op)!;
    const ins = node.inputs.map(ref);
    const v = `${R}[${slot.get(m)}]`;
    primal.push(`${v} = ${spec.value(ins.map((x) => x.v))};`);
    if (D === 2 && cx.hasTaylor[m]) {
      const te = spec.tangent(ins.map((x) => x.v), ins.map((x) => x.t), v);
      tangent.push(`${tIdx(slot.get(m)!)} = ${te ?? '0'};`);
    }
  }
  for (const st of g.stores) {
    const val = ref(st.src);
    primal.push(`B${st.acc.buf}[${st.acc.off}] ${st.mode} ${val.v};`);
    if (D === 2 && st.acc.taylor && (val.t !== null || st.mode === '=')) {
      tangent.push(`B${st.acc.buf}[${cx.taylorIndex(st.acc, String(st.acc.off))}] ${st.mode} ${val.t ?? '0'};`);
    }
  }
  for (const sm of g.sumsAll) {
    const a = (cx.loc[sm.id] as { kind: 'mem'; acc: Access }).acc;
    const val = ref(sm.src);
    primal.push(`B${a.buf}[${a.off}] = ${val.v};`);
    if (D === 2 && cx.hasTaylor[sm.id]) tangent.push(`B${a.buf}[${cx.taylorIndex(a, String(a.off))}] = ${val.t ?? '0'};`);
  }
  const emit = (lines: string[], wrap: (body: string) => string) => {
    for (let k = 0; k < lines.length; k += CHUNK) {
      const name = `C${cx.chunks.length}`;
      cx.chunks.push(`function ${name}(${PARAMS}) {\n${wrap(lines.slice(k, k + CHUNK).join('\n'))}\n}`);
      cx.code.push(`${name}(${PARAMS});`);
    }
  };
  emit(primal, (b) => b);
  emit(tangent, (b) => (P === 1 ? b : `for (let p = 0; p < ${P}; p++) {\n${b}\n}`));
}


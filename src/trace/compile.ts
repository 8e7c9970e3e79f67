/**
 * Compiled replay: a recorded graph, for one (D, P), turned into straight-line JavaScript
 * over preallocated Float64Array buffers.
 *
 * - Elementwise nodes of the same shape are fused into one loop; their values live in local
 *   variables and are stored only when something outside the loop reads them.
 * - reshape / slice / transpose / broadcast_to are views (offset + strides), read directly
 *   by the loops; sums and the adjoint accumulator `scatter_add` accumulate inside the loop
 *   that produces their operand; buffers that accumulate are zeroed once per replay.
 * - matmul is a strided kernel (transposes and slices need no copies).
 * - Everything else, and every node at D > 2, runs its primitive's Taylor rule on
 *   preallocated buffers.
 * At D = 2 each fused loop computes, per element, the value and then the degree-1
 * coefficient of every direction. Inside a D = 2 replay the degree-1 coefficients are stored
 * direction-interleaved — element e, direction p at size + e·P + p — so loops over the P
 * directions of a Hessian run over contiguous memory and a matrix product of P directions is
 * one long inner loop; the replay's inputs and outputs keep the UTPM block layout and are
 * converted at the boundary. A replay allocates nothing and dispatches nothing per node.
 * The reference interpreter (interpret.ts) defines what a replay must compute.
 */
import { TayoptError } from '../errors.js';
import { ELEMENTWISE_CODE } from './codegen-ops.js';
import { erf0, sechSq0, sigmoid0, softplus0 } from '../utpm/series.js';
import type { Region } from '../utpm/primitive.js';
import { gemmStrided } from '../utpm/matmul.js';
import { concatRegion } from '../utpm/shape.js';
import { primitive } from '../utpm/table.js';
import { UTPM, sizeOf, stridesOf } from '../utpm/utpm.js';
import { liveNodes } from './interpret.js';
import type { Node } from './tensor.js';

/** A compiled replay of a graph at fixed (D, P) and shapes. */
export interface Replay {
  readonly D: number;
  readonly P: number;
  /** One buffer per graph input (UTPM layout, size·(1+(D−1)·P)); write them, then run(). */
  readonly inputs: readonly UTPM[];
  /** The outputs after run() (UTPM; D = 1 for an output that is constant). */
  readonly outputs: readonly UTPM[];
  run(): void;
  /** Bytes held by the replay's buffers (inputs, intermediates, outputs; not constants). */
  readonly bytes: number;
  /** The generated source, for inspection. */
  readonly source: string;
  /**
   * D = 1: read input k straight from `a` (its row-major values) instead of copying, when the
   * replay allows; otherwise copies. Call unbind() afterwards.
   */
  bindInput(k: number, a: Float64Array): void;
  /** D = 1: write output k straight into `a` (length = its size); false if not possible. */
  bindOutput(k: number, a: Float64Array): boolean;
  /** Restores the replay's own buffers after bindInput/bindOutput. */
  unbind(): void;
}

/** Where a value lives: a buffer with offset and strides (a view), possibly with Taylor blocks. */
interface Access {
  buf: number;
  off: number;
  shape: number[];
  strides: number[];
  /** The buffer stores degree ≥ 1 blocks (block (1,p) at off + (1+p)·bsize). */
  tan: boolean;
  /** Elements per block of the underlying buffer. */
  bsize: number;
}

interface Group {
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

type Loc = { kind: 'reg'; group: Group; src: number } | { kind: 'mem'; acc: Access };

const FUSIBLE_VIEW = new Set(['reshape', 'slice', 'transpose', 'broadcast_to']);

/** Statements per generated function in long straight-line code (small enough for the JIT to optimize). */
const CHUNK = 300;
/** Placeholder for the replay's parameter list (the rebindable buffers), known only at the end. */
const PARAMS = '/*PARAMS*/';

function isContiguous(a: Access): boolean {
  const st = stridesOf(a.shape);
  return a.shape.every((d, k) => d === 1 || a.strides[k] === st[k]);
}

/** Strides of `a` reinterpreted for a loop over `shape` of the same size, or null. */
function convertAccess(a: Access, shape: readonly number[]): Access | null {
  if (a.shape.length === shape.length && a.shape.every((d, k) => d === shape[k])) return a;
  const n = sizeOf(shape);
  if (sizeOf(a.shape) !== n) return null;
  if (n === 1) return { ...a, shape: [...shape], strides: shape.map(() => 0) };
  if (isContiguous(a)) return { ...a, shape: [...shape], strides: stridesOf(shape) };
  // equal after dropping size-1 dims?
  const da = a.shape.map((d, k) => [d, a.strides[k]!] as const).filter(([d]) => d !== 1);
  const ds = shape.map((d, k) => [d, k] as const).filter(([d]) => d !== 1);
  if (da.length === ds.length && da.every(([d], k) => d === ds[k]![0])) {
    const strides = shape.map(() => 0);
    ds.forEach(([, k], j) => (strides[k] = da[j]![1]));
    return { ...a, shape: [...shape], strides };
  }
  return null;
}

/** The access of `a` broadcast (NumPy rules) to `shape`. */
function broadcastAccess(a: Access, shape: readonly number[]): Access {
  const pad = shape.length - a.shape.length;
  const strides = shape.map((d, k) => {
    if (k < pad) return 0;
    const da = a.shape[k - pad]!;
    return da === 1 && d !== 1 ? 0 : a.strides[k - pad]!;
  });
  return { ...a, shape: [...shape], strides };
}

function sliceAccess(a: Access, r: Region): Access {
  let off = a.off;
  r.start.forEach((s, k) => (off += s * a.strides[k]!));
  return { ...a, off, shape: [...r.count], strides: r.step.map((s, k) => s * a.strides[k]!) };
}

export interface CompileOptions {
  /**
   * Inputs with a value fixed at compile time and no Taylor directions (the seed 1 of a
   * gradient): they become constants of the replay.
   */
  fixed?: ReadonlyMap<number, Float64Array>;
  /**
   * Inputs fed without Taylor directions (D = 1 buffers): the point of a reverse-mode
   * Jacobian, whose directions are all on the cotangent. Zero directions stored as such would
   * meet infinite partial derivatives (0·∞ = NaN) where no derivative is asked for.
   */
  constant?: ReadonlySet<number>;
}

/**
 * Compiles `outputs` of the graph for evaluation at degree D with P directions. Inputs are
 * the nodes `inputIds` (their order gives `replay.inputs`).
 */
export function compile(
  nodes: readonly Node[],
  inputIds: readonly number[],
  outputIds: readonly number[],
  D: number,
  P: number,
  options: CompileOptions = {},
): Replay {
  const fixedInputs = options.fixed ?? new Map<number, Float64Array>();
  const constantInputs = options.constant ?? new Set<number>();
  if (!Number.isInteger(D) || D < 1 || !Number.isInteger(P) || P < 1) throw new TayoptError(`compile: bad D=${D}, P=${P}`);
  const N = nodes.length;
  /** D = 2 with several directions: degree-1 coefficients stored direction-interleaved. */
  const interleaved = D === 2 && P > 1;
  const live = liveNodes(nodes, outputIds);
  const isInput = new Map<number, number>();
  inputIds.forEach((id, k) => isInput.set(id, k));

  // which nodes carry Taylor blocks (depend on an input through differentiable ops)
  const tan = new Uint8Array(N);
  if (D > 1) {
    for (let id = 0; id < N; id++) {
      const n = nodes[id]!;
      if (isInput.has(id)) tan[id] = fixedInputs.has(id) || constantInputs.has(id) ? 0 : 1;
      else if (n.op !== 'const' && n.op !== 'input' && !primitive(n.op).nondiff) tan[id] = n.inputs.some((i) => tan[i]) ? 1 : 0;
    }
  }
  const consumers: number[][] = Array.from({ length: N }, () => []);
  for (let id = 0; id < N; id++) if (live[id]) for (const i of nodes[id]!.inputs) consumers[i]!.push(id);
  const isOutput = new Set(outputIds);

  // ------------------------------------------------------------ buffers
  const bufs: Float64Array[] = [];
  const bufTan: boolean[] = [];
  const bufSize: number[] = [];
  let bytes = 0;
  const newBuf = (size: number, hasTan: boolean, data?: Float64Array): number => {
    const len = hasTan ? size * (1 + (D - 1) * P) : size;
    const b = data ?? new Float64Array(len);
    if (!data) bytes += 8 * len;
    bufs.push(b);
    bufTan.push(hasTan);
    bufSize.push(size);
    return bufs.length - 1;
  };
  const fullAccess = (buf: number, shape: readonly number[]): Access => ({
    buf,
    off: 0,
    shape: [...shape],
    strides: stridesOf(shape),
    tan: bufTan[buf]!,
    bsize: bufSize[buf]!,
  });

  const loc: (Loc | undefined)[] = new Array(N);
  const constBufs = new Set<number>();
  /** Buffers captured by kernel wrappers: they cannot be rebound to caller arrays. */
  const wrapped = new Set<number>();
  /** For buffers being accumulated/written by open groups: the groups. */
  const pendingWriters = new Map<number, Set<Group>>();
  const zeroInit: number[] = [];
  const code: string[] = [];
  /** Top-level functions holding chunks of long straight-line code. */
  const chunks: string[] = [];
  const env: unknown[] = [];
  const envName = (v: unknown): string => {
    env.push(v);
    return `E${env.length - 1}`;
  };
  const groups: Group[] = [];
  const openGroups = new Map<string, Group>();

  // ------------------------------------------------------------ emission helpers

  /** A one-element constant read in a loop becomes a number literal. */
  function constLiteral(a: Access): string | null {
    if (!constBufs.has(a.buf) || a.tan) return null;
    const v = bufs[a.buf]![a.off]!;
    return Object.is(v, -0) ? '(-0)' : v < 0 ? `(${v})` : String(v);
  }

  /** A loop nest over `shape` with collapsing of dims that are contiguous for every access. */
  function loopNest(shape: readonly number[], accesses: Access[]): { dims: number[]; strides: number[][] } {
    const dims: number[] = [];
    const strides: number[][] = accesses.map(() => []);
    for (let k = 0; k < shape.length; k++) {
      const d = shape[k]!;
      if (d === 1) continue;
      const last = dims.length - 1;
      const mergeable =
        last >= 0 && accesses.every((a, j) => strides[j]![last] === a.strides[k]! * d);
      if (mergeable) {
        dims[last] = dims[last]! * d;
        accesses.forEach((a, j) => (strides[j]![last] = a.strides[k]!));
      } else {
        dims.push(d);
        accesses.forEach((a, j) => strides[j]!.push(a.strides[k]!));
      }
    }
    return { dims, strides };
  }

  function offsetExpr(off: number, strides: number[], idx: string[]): string {
    let s = String(off);
    strides.forEach((st, k) => {
      if (st === 0) return;
      s += st === 1 ? ` + ${idx[k]}` : ` + ${st} * ${idx[k]}`;
    });
    return s;
  }

  /** Offset expression of the degree-1 coefficient of element `e` (inside a `p` loop when P > 1). */
  function tanIndex(a: Access, e: string): string {
    return P === 1 ? `${a.bsize} + ${e}` : `${a.bsize} + (${e}) * ${P} + p`;
  }

  /** Generic strided copy: dst (=|+=) src over src.shape, for every Taylor block of dst. */
  function emitCopy(src: Access, dst: Access, mode: '=' | '+='): void {
    const { dims, strides } = loopNest(src.shape, [src, dst]);
    const idx = dims.map((_, k) => `i${k}`);
    const loops = dims.map((d, k) => `for (let ${idx[k]} = 0; ${idx[k]} < ${d}; ${idx[k]}++) `).join('');
    const so = offsetExpr(src.off, strides[0]!, idx);
    const dOff = offsetExpr(dst.off, strides[1]!, idx);
    if (D > 2 && src.tan && dst.tan) {
      const blocks = 1 + (D - 1) * P;
      code.push(`for (let k = 0; k < ${blocks}; k++) { const so = k * ${src.bsize}, dO = k * ${dst.bsize}; ${loops}B${dst.buf}[dO + ${dOff}] ${mode} B${src.buf}[so + ${so}]; }`);
      return;
    }
    const stmts = [`B${dst.buf}[${dOff}] ${mode} B${src.buf}[${so}];`];
    if (dst.tan && (src.tan || mode === '=')) {
      if (D === 2) {
        const t = `B${dst.buf}[${tanIndex(dst, dOff)}] ${mode} ${src.tan ? `B${src.buf}[${tanIndex(src, so)}]` : '0'};`;
        stmts.push(P === 1 ? t : `for (let p = 0; p < ${P}; p++) ${t}`);
      } else {
        const blocks = 1 + (D - 1) * P;
        stmts.push(`for (let k = 1; k < ${blocks}; k++) B${dst.buf}[k * ${dst.bsize} + ${dOff}] = 0;`);
      }
    }
    code.push(`${loops}{ ${stmts.join(' ')} }`);
  }

  /** Storage of node `id`, emitting whatever is needed to have it in memory. */
  function memOf(id: number): Access {
    const l = loc[id]!;
    if (l.kind === 'mem') {
      closeWriters(l.acc.buf);
      return l.acc;
    }
    closeGroup(l.group);
    const l2 = loc[id]!;
    if (l2.kind !== 'mem') throw new Error(`compile: node ${id} was not stored`);
    return l2.acc;
  }

  /** A contiguous, whole-buffer access to node `id` (copying a view if needed). */
  function contiguousOf(id: number): Access {
    const a = memOf(id);
    if (a.off === 0 && isContiguous(a) && sizeOf(a.shape) === a.bsize) return a;
    const b = newBuf(sizeOf(a.shape), a.tan);
    const dst = fullAccess(b, a.shape);
    emitCopy(a, dst, '=');
    loc[id] = { kind: 'mem', acc: dst };
    return dst;
  }

  function closeWriters(buf: number): void {
    const ws = pendingWriters.get(buf);
    if (!ws) return;
    for (const g of [...ws]) closeGroup(g);
  }

  function groupKey(shape: readonly number[]): string {
    return shape.join(',');
  }

  function closeGroup(g: Group): void {
    if (!g.open) return;
    g.open = false;
    if (openGroups.get(groupKey(g.shape)) === g) openGroups.delete(groupKey(g.shape));
    // a register is stored when something outside the loop reads it (or it is an output)
    const readOutside = (i: number) =>
      isOutput.has(i) || consumers[i]!.some((c) => !g.reg.has(c) && !g.fusedReads.has(c * N + i));
    const stored = new Map<number, Access>();
    for (const m of g.members) {
      const src = g.reg.get(m)!;
      if (stored.has(src) || !readOutside(m)) continue;
      const b = newBuf(g.size, tan[src] === 1);
      const acc = fullAccess(b, g.shape);
      g.stores.push({ src, acc, mode: '=' });
      stored.set(src, acc);
    }
    emitGroup(g);
    for (const m of g.members) {
      const acc = stored.get(g.reg.get(m)!);
      if (acc) loc[m] = { kind: 'mem', acc: { ...acc, shape: [...nodes[m]!.shape], strides: stridesOf(nodes[m]!.shape) } };
    }
    for (const [buf, ws] of pendingWriters) {
      ws.delete(g);
      if (ws.size === 0) pendingWriters.delete(buf);
    }
  }

  // ------------------------------------------------------------ group code generation

  function emitGroup(g: Group): void {
    if (g.size === 1 && g.members.length > CHUNK) {
      emitStraightChunks(g);
      return;
    }
    const loads: { name: string; acc: Access }[] = [];
    const loadKeys = new Map<string, number>();
    const vars = new Map<number, { v: string; t: string | null }>();
    const load = (a: Access): { v: string; t: string | null } => {
      const key = `${a.buf}|${a.off}|${a.strides.join(',')}`;
      let k = loadKeys.get(key);
      if (k === undefined) {
        k = loads.length;
        loads.push({ name: `L${k}`, acc: a });
        loadKeys.set(key, k);
      }
      return { v: `L${k}`, t: a.tan ? `TL${k}` : null };
    };
    /** Value of node i as read by an element of the loop (a register or a load). */
    const ref = (i: number, shape: readonly number[]): { v: string; t: string | null } => {
      const r = g.reg.get(i);
      if (r !== undefined) return vars.get(r)!;
      const l = loc[i]!;
      if (l.kind !== 'mem') throw new Error(`compile: node ${i} is in a register of another loop`);
      const a = convertAccess(broadcastAccess(l.acc, shape), g.shape);
      if (!a) throw new Error(`compile: node ${i} cannot be read in a loop over [${g.shape}]`);
      return load(a);
    };
    const lines0: string[] = [];
    const lines1: string[] = [];
    for (const m of g.members) {
      if (g.reg.get(m) !== m) continue; // a reshape alias
      const node = nodes[m]!;
      const spec = ELEMENTWISE_CODE[node.op]!;
      const ins = node.inputs.map((i) => ref(i, node.shape));
      const v = `v${m}`;
      lines0.push(`const ${v} = ${spec.value(ins.map((x) => x.v))};`);
      let t: string | null = null;
      if (D === 2 && tan[m] && spec.deriv && ins[0]!.t !== null) {
        // f′ once per element, outside the loop over directions
        lines0.push(`const d${m} = ${spec.deriv(ins[0]!.v, v)};`);
        t = `t${m}`;
        lines1.push(`const ${t} = d${m} * ${ins[0]!.t};`);
      } else if (D === 2 && tan[m]) {
        const te = spec.tangent(ins.map((x) => x.v), ins.map((x) => x.t), v);
        if (te !== null) {
          t = `t${m}`;
          lines1.push(`const ${t} = ${te};`);
        }
      }
      vars.set(m, { v, t });
    }
    const storeVals = g.stores.map((s) => vars.get(g.reg.get(s.src)!)!);
    const sumVals = g.sumsAll.map((s) => vars.get(g.reg.get(s.src)!)!);
    const nest = loopNest(g.shape, [...loads.map((l) => l.acc), ...g.stores.map((s) => s.acc)]);
    const idx = nest.dims.map((_, k) => `i${k}`);
    const loadOff = (k: number) => offsetExpr(loads[k]!.acc.off, nest.strides[k]!, idx);
    const storeOff = (j: number) => offsetExpr(g.stores[j]!.acc.off, nest.strides[loads.length + j]!, idx);
    const out: string[] = [`{ // loop over [${g.shape.join(',')}]: nodes ${g.members.join(' ')}`];
    for (const s of g.sumsAll) {
      out.push(`let S${s.id} = 0;`);
      if (D === 2 && tan[s.id]) out.push(P === 1 ? `let U${s.id} = 0;` : `const U${s.id} = ${envName(new Float64Array(P))}; U${s.id}.fill(0);`);
    }
    // loop-invariant loads (scalars, broadcast operands) are read once; one-element
    // constants become literals
    const invariant = (k: number) => nest.strides[k]!.every((st) => st === 0);
    loads.forEach((l, k) => {
      if (!invariant(k)) return;
      const lit = constLiteral(l.acc);
      out.push(`const ${l.name} = ${lit ?? `B${l.acc.buf}[${loadOff(k)}]`};`);
    });
    nest.dims.forEach((d, k) => out.push(`for (let ${idx[k]} = 0; ${idx[k]} < ${d}; ${idx[k]}++) {`));
    loads.forEach((l, k) => {
      if (!invariant(k)) out.push(`const ${l.name} = B${l.acc.buf}[${loadOff(k)}];`);
    });
    out.push(...lines0);
    g.stores.forEach((s, j) => out.push(`B${s.acc.buf}[${storeOff(j)}] ${s.mode} ${storeVals[j]!.v};`));
    g.sumsAll.forEach((s, j) => out.push(`S${s.id} += ${sumVals[j]!.v};`));
    if (D === 2) {
      // tangents: per element, every direction; operands at size + e·P + p
      const tl: string[] = [];
      const base = new Map<string, string>(); // access key → name of its element offset
      const baseDecl: string[] = [];
      const tAt = (a: Access, e: string, key: string): string => {
        if (P === 1) return `${a.bsize} + ${e}`;
        let nm = base.get(key);
        if (!nm) {
          nm = `O${base.size}`;
          base.set(key, nm);
          baseDecl.push(`const ${nm} = ${a.bsize} + (${e}) * ${P};`);
        }
        return `${nm} + p`;
      };
      g.stores.forEach((s, j) => {
        if (!s.acc.tan) return;
        const t = storeVals[j]!.t;
        if (t === null && s.mode === '+=') return;
        tl.push(`B${s.acc.buf}[${tAt(s.acc, storeOff(j), `s${j}`)}] ${s.mode} ${t ?? '0'};`);
      });
      g.sumsAll.forEach((s, j) => {
        const t = sumVals[j]!.t;
        if (tan[s.id] && t !== null) tl.push(P === 1 ? `U${s.id} += ${t};` : `U${s.id}[p] += ${t};`);
      });
      if (tl.length > 0) {
        const body = [...lines1, ...tl].join('\n');
        const tloads: string[] = [];
        const hoisted: string[] = [];
        loads.forEach((l, k) => {
          if (!l.acc.tan || !new RegExp(`\\bTL${k}\\b`).test(body)) return;
          if (P === 1 && invariant(k)) hoisted.push(`const TL${k} = B${l.acc.buf}[${l.acc.bsize} + ${loadOff(k)}];`);
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
      const a = (loc[s.id] as { kind: 'mem'; acc: Access }).acc;
      out.push(`B${a.buf}[${a.off}] = S${s.id};`);
      if (D === 2 && tan[s.id]) {
        out.push(P === 1 ? `B${a.buf}[${a.bsize + a.off}] = U${s.id};` : `for (let p = 0; p < ${P}; p++) B${a.buf}[${a.bsize + a.off * P} + p] = U${s.id}[p];`);
      }
    }
    out.push('}');
    code.push(out.join('\n'));
  }

  /**
   * A large one-element "loop" (code written with element access unrolls into thousands of
   * scalar nodes) as a sequence of small functions the JIT will optimize: member values live
   * in a register file R (tangents in T at slot·P + p) instead of locals.
   */
  function emitStraightChunks(g: Group): void {
    const slot = new Map<number, number>();
    for (const m of g.members) if (g.reg.get(m) === m) slot.set(m, slot.size);
    const R = envName(new Float64Array(slot.size));
    const T = D === 2 ? envName(new Float64Array(slot.size * P)) : '';
    const tIdx = (k: number) => (P === 1 ? `${T}[${k}]` : `${T}[${k * P} + p]`);
    const ref = (i: number): { v: string; t: string | null } => {
      const r = g.reg.get(i);
      if (r !== undefined) {
        const k = slot.get(r)!;
        return { v: `${R}[${k}]`, t: D === 2 && tan[r] ? tIdx(k) : null };
      }
      const l = loc[i]!;
      if (l.kind !== 'mem') throw new Error(`compile: node ${i} is in a register of another loop`);
      const a = l.acc;
      return { v: constLiteral(a) ?? `B${a.buf}[${a.off}]`, t: D === 2 && a.tan ? `B${a.buf}[${tanIndex(a, String(a.off))}]` : null };
    };
    const primal: string[] = [];
    const tangent: string[] = [];
    for (const m of g.members) {
      if (g.reg.get(m) !== m) continue;
      const node = nodes[m]!;
      const spec = ELEMENTWISE_CODE[node.op]!;
      const ins = node.inputs.map(ref);
      const v = `${R}[${slot.get(m)}]`;
      primal.push(`${v} = ${spec.value(ins.map((x) => x.v))};`);
      if (D === 2 && tan[m]) {
        const te = spec.tangent(ins.map((x) => x.v), ins.map((x) => x.t), v);
        tangent.push(`${tIdx(slot.get(m)!)} = ${te ?? '0'};`);
      }
    }
    for (const st of g.stores) {
      const val = ref(st.src);
      primal.push(`B${st.acc.buf}[${st.acc.off}] ${st.mode} ${val.v};`);
      if (D === 2 && st.acc.tan && (val.t !== null || st.mode === '=')) {
        tangent.push(`B${st.acc.buf}[${tanIndex(st.acc, String(st.acc.off))}] ${st.mode} ${val.t ?? '0'};`);
      }
    }
    for (const sm of g.sumsAll) {
      const a = (loc[sm.id] as { kind: 'mem'; acc: Access }).acc;
      const val = ref(sm.src);
      primal.push(`B${a.buf}[${a.off}] = ${val.v};`);
      if (D === 2 && tan[sm.id]) tangent.push(`B${a.buf}[${tanIndex(a, String(a.off))}] = ${val.t ?? '0'};`);
    }
    const emit = (lines: string[], wrap: (body: string) => string) => {
      for (let k = 0; k < lines.length; k += CHUNK) {
        const name = `C${chunks.length}`;
        chunks.push(`function ${name}(${PARAMS}) {\n${wrap(lines.slice(k, k + CHUNK).join('\n'))}\n}`);
        code.push(`${name}(${PARAMS});`);
      }
    };
    emit(primal, (b) => b);
    emit(tangent, (b) => (P === 1 ? b : `for (let p = 0; p < ${P}; p++) {\n${b}\n}`));
  }

  // ------------------------------------------------------------ kernels

  function emitMatmul(id: number): void {
    const node = nodes[id]!;
    const { ta, tb } = node.params as { ta: boolean; tb: boolean };
    const A = memOf(node.inputs[0]!);
    const B = memOf(node.inputs[1]!);
    const [m, n] = node.shape as [number, number];
    const k = ta ? A.shape[0]! : A.shape[1]!;
    // op(A)[i,l] = A[off + i·ai + l·al]
    const [ai, al] = ta ? [A.strides[1]!, A.strides[0]!] : [A.strides[0]!, A.strides[1]!];
    const [bl, bj] = tb ? [B.strides[1]!, B.strides[0]!] : [B.strides[0]!, B.strides[1]!];
    const out = newBuf(m * n, tan[id] === 1);
    const o = fullAccess(out, node.shape);
    loc[id] = { kind: 'mem', acc: o };
    const gemm = envName(gemmStrided);
    const call = (ao: string, bo: string, co: string) =>
      `${gemm}(B${A.buf}, ${ao}, ${ai}, ${al}, B${B.buf}, ${bo}, ${bl}, ${bj}, B${out}, ${co}, ${m}, ${n}, ${k});`;
    const lines: string[] = [`B${out}.fill(0); // matmul node ${id}`, call(String(A.off), String(B.off), '0')];
    if (tan[id] && D === 2 && P > 1) {
      // all P directions at once, on the interleaved layout
      if (B.tan) lines.push(`${envName(gemmDirB)}(B${A.buf}, ${A.off}, ${ai}, ${al}, B${B.buf}, ${B.bsize}, ${B.off}, ${bl}, ${bj}, B${out}, ${m * n}, ${m}, ${n}, ${k}, ${P});`);
      if (A.tan) lines.push(`${envName(gemmDirA)}(B${A.buf}, ${A.bsize}, ${A.off}, ${ai}, ${al}, B${B.buf}, ${B.off}, ${bl}, ${bj}, B${out}, ${m * n}, ${m}, ${n}, ${k}, ${P});`);
    } else if (tan[id] && D === 2) {
      if (B.tan) lines.push(call(String(A.off), String(B.bsize + B.off), String(m * n)));
      if (A.tan) lines.push(call(String(A.bsize + A.off), String(B.off), String(m * n)));
    } else if (tan[id]) {
      // Leibniz over degrees (block layout): Y_d = Σ_q op(A)_q op(B)_{d−q}
      const blk = (d: number, bs: number, off: number) => (d === 0 ? String(off) : `(1 + ${(d - 1) * P} + p) * ${bs} + ${off}`);
      const inner: string[] = [];
      for (let d = 1; d < D; d++) {
        for (let q = 0; q <= d; q++) {
          if ((q > 0 && !A.tan) || (d - q > 0 && !B.tan)) continue;
          inner.push(call(blk(q, A.bsize, A.off), blk(d - q, B.bsize, B.off), blk(d, m * n, 0)));
        }
      }
      lines.push(`for (let p = 0; p < ${P}; p++) { ${inner.join(' ')} }`);
    }
    code.push(lines.join('\n'));
  }

  /**
   * Any primitive: its Taylor rule on preallocated UTPM views of contiguous buffers (staged
   * through block-layout copies when the replay interleaves directions).
   */
  function emitKernel(id: number): void {
    const node = nodes[id]!;
    const prim = primitive(node.op);
    const before: string[] = [];
    const ins = node.inputs.map((i) => {
      const a = contiguousOf(i);
      const shape = nodes[i]!.shape;
      if (interleaved && a.tan) {
        const stage = new UTPM(shape, D, P);
        before.push(`${envName(toBlocks)}(B${a.buf}, ${envName(stage.data)}, ${stage.size}, ${P});`);
        return stage;
      }
      wrapped.add(a.buf);
      return new UTPM(shape, a.tan ? D : 1, P, bufs[a.buf]!);
    });
    const hasTan = tan[id] === 1;
    const b = newBuf(sizeOf(node.shape), hasTan);
    loc[id] = { kind: 'mem', acc: fullAccess(b, node.shape) };
    const staged = interleaved && hasTan;
    const out = staged ? new UTPM(node.shape, D, P) : new UTPM(node.shape, hasTan ? D : 1, P, bufs[b]!);
    if (!staged) wrapped.add(b);
    const f = envName((o: UTPM, xs: UTPM[]) => prim.forward(o, xs, node.params));
    code.push(...before, `${f}(${envName(out)}, ${envName(ins)}); // ${node.op} node ${id}`);
    if (staged) code.push(`${envName(toInterleaved)}(${envName(out.data)}, B${b}, ${out.size}, ${P});`);
  }

  // ------------------------------------------------------------ the sweep

  const fuse = D <= 2;
  for (let id = 0; id < N; id++) {
    if (!live[id]) continue;
    const node = nodes[id]!;
    const op = node.op;
    const fixed = fixedInputs.get(id);
    if (fixed) {
      const b = newBuf(fixed.length, false, fixed);
      constBufs.add(b);
      loc[id] = { kind: 'mem', acc: fullAccess(b, node.shape) };
      continue;
    }
    if (isInput.has(id)) {
      const b = newBuf(sizeOf(node.shape), tan[id] === 1);
      loc[id] = { kind: 'mem', acc: fullAccess(b, node.shape) };
      continue;
    }
    if (op === 'const') {
      const b = newBuf(node.value.length, false, node.value);
      constBufs.add(b);
      loc[id] = { kind: 'mem', acc: fullAccess(b, node.shape) };
      continue;
    }
    if (FUSIBLE_VIEW.has(op)) {
      const src = node.inputs[0]!;
      const ls = loc[src]!;
      if (op === 'reshape' && ls.kind === 'reg' && ls.group.open) {
        loc[id] = { kind: 'reg', group: ls.group, src: ls.src };
        ls.group.members.push(id);
        ls.group.reg.set(id, ls.src);
        continue;
      }
      let a = memOf(src);
      if (op === 'reshape') {
        if (!isContiguous(a)) a = contiguousOf(src);
        loc[id] = { kind: 'mem', acc: { ...a, shape: [...node.shape], strides: stridesOf(node.shape) } };
      } else if (op === 'slice') {
        loc[id] = { kind: 'mem', acc: sliceAccess(a, node.params as Region) };
      } else if (op === 'transpose') {
        const perm = (node.params as { perm: number[] }).perm;
        loc[id] = { kind: 'mem', acc: { ...a, shape: perm.map((p) => a.shape[p]!), strides: perm.map((p) => a.strides[p]!) } };
      } else {
        loc[id] = { kind: 'mem', acc: broadcastAccess(a, node.shape) };
      }
      continue;
    }
    if (fuse && op in ELEMENTWISE_CODE) {
      const key = groupKey(node.shape);
      // inputs held by other open groups, or written by open groups, must be finished first
      for (const i of node.inputs) {
        const li = loc[i]!;
        if (li.kind === 'reg' && li.group.shape.join(',') !== key) closeGroup(li.group);
        else if (li.kind === 'reg' && sizeOf(nodes[i]!.shape) !== sizeOf(node.shape)) closeGroup(li.group);
        else if (li.kind === 'mem') closeWriters(li.acc.buf);
      }
      let g = openGroups.get(key);
      if (!g) {
        g = {
          id: groups.length,
          shape: [...node.shape],
          size: sizeOf(node.shape),
          members: [],
          sumsAll: [],
          stores: [],
          reg: new Map(),
          fusedReads: new Set(),
          open: true,
        };
        groups.push(g);
        openGroups.set(key, g);
      }
      g.members.push(id);
      g.reg.set(id, id);
      loc[id] = { kind: 'reg', group: g, src: id };
      continue;
    }
    if (fuse && (op === 'sum' || op === 'sum_to')) {
      const src = node.inputs[0]!;
      const ls = loc[src]!;
      const all = op === 'sum' && (node.params as { axes: number[] | null }).axes === null;
      const b = newBuf(sizeOf(node.shape), tan[id] === 1);
      const outAcc = fullAccess(b, node.shape);
      loc[id] = { kind: 'mem', acc: outAcc };
      // the output viewed over the operand's shape, with zero strides on reduced axes
      const srcShape = nodes[src]!.shape;
      const kept = op === 'sum' ? keptShape(srcShape, (node.params as { axes: number[] | null }).axes) : null;
      const over = op === 'sum'
        ? broadcastAccess({ ...outAcc, shape: kept!, strides: stridesOf(kept!) }, srcShape)
        : broadcastAccess(outAcc, srcShape);
      if (ls.kind === 'reg' && ls.group.open) {
        const g = ls.group;
        if (all) {
          g.sumsAll.push({ id, src });
          g.fusedReads.add(id * N + src);
          pendingWriters.set(b, new Set([g]));
          continue;
        }
        const conv = convertAccess(over, g.shape);
        if (conv) {
          zeroInit.push(b);
          g.stores.push({ src, acc: conv, mode: '+=' });
          g.fusedReads.add(id * N + src);
          pendingWriters.set(b, new Set([g]));
          continue;
        }
      }
      zeroInit.push(b);
      emitCopy(memOf(src), over, '+=');
      continue;
    }
    if (fuse && (op === 'scatter_add' || op === 'concatenate')) {
      const b = newBuf(sizeOf(node.shape), tan[id] === 1);
      const outAcc = fullAccess(b, node.shape);
      const mode: '=' | '+=' = op === 'scatter_add' ? '+=' : '=';
      if (op === 'scatter_add') zeroInit.push(b);
      const regions: (Region | null)[] =
        op === 'scatter_add'
          ? (node.params as { regions: (Region | null)[] }).regions
          : concatPieces(node.shape, node.inputs.map((i) => nodes[i]!.shape), (node.params as { axis: number }).axis);
      const writers = new Set<Group>();
      const regionOf = (k: number): Access => (regions[k] ? sliceAccess(outAcc, regions[k]!) : outAcc);
      /** The store of input k inside its producer's open loop, or null when it is read from memory. */
      const fusedStore = (k: number): Access | null => {
        const ls = loc[node.inputs[k]!]!;
        return ls.kind === 'reg' && ls.group.open ? convertAccess(regionOf(k), ls.group.shape) : null;
      };
      // inputs read from memory are stored first: that may close a loop another input was to fuse into
      const fromMemory = node.inputs.map((_, k) => fusedStore(k) === null);
      node.inputs.forEach((src, k) => fromMemory[k] && memOf(src));
      node.inputs.forEach((src, k) => {
        const conv = fusedStore(k);
        if (conv) {
          const g = (loc[src] as { group: Group }).group;
          g.stores.push({ src, acc: conv, mode });
          g.fusedReads.add(id * N + src);
          writers.add(g);
          return;
        }
        const region = regionOf(k);
        emitCopy(broadcastAccess(memOf(src), region.shape), region, mode);
      });
      loc[id] = { kind: 'mem', acc: outAcc };
      if (writers.size) pendingWriters.set(b, writers);
      continue;
    }
    if (fuse && op === 'slice_update') {
      const x = memOf(node.inputs[0]!);
      const v = memOf(node.inputs[1]!);
      const b = newBuf(sizeOf(node.shape), tan[id] === 1);
      const outAcc = fullAccess(b, node.shape);
      emitCopy(x, outAcc, '=');
      emitCopy(v, sliceAccess(outAcc, node.params as Region), '=');
      loc[id] = { kind: 'mem', acc: outAcc };
      continue;
    }
    if (op === 'matmul') {
      emitMatmul(id);
      continue;
    }
    emitKernel(id);
  }
  for (const g of groups) closeGroup(g);
  // the replay's inputs and outputs use the UTPM block layout; interleaved buffers are
  // converted on the way in and out
  const prologue: string[] = [];
  const epilogue: string[] = [];
  const outputBufs: number[] = [];
  const inputBufSet = new Set<number>();
  for (const id of inputIds) {
    const l = loc[id];
    if (l && l.kind === 'mem') inputBufSet.add(l.acc.buf);
  }
  /**
   * An output in a buffer of its own: an input's buffer (the output is the input, or a view of
   * it) may be rebound to the caller's array, a constant's is shared, and two outputs in one
   * buffer would overwrite each other when a caller binds one of them.
   */
  const ownBuffer = (o: number): Access => {
    const a = contiguousOf(o);
    if (!inputBufSet.has(a.buf) && !constBufs.has(a.buf) && !outputBufs.includes(a.buf)) return a;
    const dst = fullAccess(newBuf(sizeOf(a.shape), a.tan), a.shape);
    emitCopy(a, dst, '=');
    return dst;
  };
  const outputs = outputIds.map((o) => {
    const a = ownBuffer(o);
    outputBufs.push(a.buf);
    if (interleaved && a.tan) {
      const u = new UTPM(nodes[o]!.shape, D, P);
      epilogue.push(`${envName(toBlocks)}(B${a.buf}, ${envName(u.data)}, ${u.size}, ${P});`);
      return u;
    }
    return new UTPM(nodes[o]!.shape, a.tan ? D : 1, P, bufs[a.buf]!);
  });
  const inputBufs: number[] = [];
  const inputs = inputIds.map((id) => {
    const l = loc[id];
    const shape = nodes[id]!.shape;
    if (!l || l.kind !== 'mem' || fixedInputs.has(id)) {
      // a fixed input, or one nothing depends on, still gets a buffer to write into (unused)
      inputBufs.push(-1);
      return new UTPM(shape, fixedInputs.has(id) || constantInputs.has(id) ? 1 : D, P);
    }
    inputBufs.push(l.acc.buf);
    if (interleaved && tan[id]) {
      const u = new UTPM(shape, D, P);
      prologue.push(`${envName(toInterleaved)}(${envName(u.data)}, B${l.acc.buf}, ${u.size}, ${P});`);
      return u;
    }
    return new UTPM(shape, tan[id] ? D : 1, P, bufs[l.acc.buf]!);
  });

  const zero = [...new Set(zeroInit)].map((b) => `B${b}.fill(0);`);
  const body = [...prologue, ...zero, ...code, ...epilogue].join('\n');
  const bindable = [...new Set([...inputBufs, ...outputBufs])].filter((b) => b >= 0 && !wrapped.has(b) && !constBufs.has(b));
  // buffers that callers may rebind (D = 1 inputs and outputs) are parameters of the replay
  // function — locals for the JIT; everything else is a constant of its closure
  const params = bindable.map((b) => `B${b}`);
  const header =
    bufs.map((_, k) => (bindable.includes(k) ? '' : `const B${k} = bufs[${k}];`)).filter((l) => l !== '').join('\n') +
    '\n' +
    env.map((_, k) => `const E${k} = env[${k}];`).join('\n');
  const helpers = 'const SIG = sigmoid0, SP = softplus0, ERF = erf0, SECH2 = sechSq0;';
  const fill = (src: string) => src.split(PARAMS).join(params.join(', '));
  const source = fill(
    `${header}\n${helpers}\n${chunks.join('\n')}\nfunction replay(${PARAMS}) {\n${body}\n}\nfunction run() { replay(${bindable.map((b) => `cur[${b}]`).join(', ')}); }\nreturn run;`,
  );
  const cur = bufs.slice();
  const run = new Function('bufs', 'env', 'cur', 'sigmoid0', 'softplus0', 'erf0', 'sechSq0', source)(bufs, env, cur, sigmoid0, softplus0, erf0, sechSq0) as () => void;
  const canBind = new Set(bindable);
  const bindInput = (k: number, a: Float64Array): void => {
    const b = inputBufs[k]!;
    if (b >= 0 && D === 1 && canBind.has(b) && inputs[k]!.data === bufs[b] && a.length === bufSize[b]) cur[b] = a;
    else inputs[k]!.data.set(a);
  };
  const bindOutput = (k: number, a: Float64Array): boolean => {
    const b = outputBufs[k]!;
    if (b < 0 || D !== 1 || !canBind.has(b) || outputs[k]!.data !== bufs[b] || a.length !== bufSize[b] || inputBufs.includes(b)) return false;
    cur[b] = a;
    return true;
  };
  const unbind = (): void => {
    for (const b of bindable) cur[b] = bufs[b]!;
  };
  return { D, P, inputs, outputs, run, bytes, source, bindInput, bindOutput, unbind };
}

function keptShape(shape: readonly number[], axes: readonly number[] | null): number[] {
  return shape.map((s, i) => (axes === null || axes.includes(i) ? 1 : s));
}


/**
 * Ct[ctb + (i·n + j)·P + p] += Σ_l A[ao + i·ai + l·al] · Bt[btb + (bo + l·bl + j·bj)·P + p]:
 * a product whose right factor carries P interleaved directions.
 */
export function gemmDirB(
  A: Float64Array, ao: number, ai: number, al: number,
  Bt: Float64Array, btb: number, bo: number, bl: number, bj: number,
  Ct: Float64Array, ctb: number, m: number, n: number, k: number, P: number,
): void {
  if (bj === 1) {
    // rows of B are contiguous, so (j, p) is one run of n·P numbers
    const w = n * P;
    for (let i = 0; i < m; i++) {
      const c0 = ctb + i * w;
      for (let l = 0; l < k; l++) {
        const a = A[ao + i * ai + l * al]!;
        const b0 = btb + (bo + l * bl) * P;
        for (let q = 0; q < w; q++) Ct[c0 + q] += a * Bt[b0 + q]!;
      }
    }
    return;
  }
  for (let i = 0; i < m; i++) {
    for (let l = 0; l < k; l++) {
      const a = A[ao + i * ai + l * al]!;
      for (let j = 0; j < n; j++) {
        const b0 = btb + (bo + l * bl + j * bj) * P;
        const c0 = ctb + (i * n + j) * P;
        for (let p = 0; p < P; p++) Ct[c0 + p] += a * Bt[b0 + p]!;
      }
    }
  }
}

/**
 * Ct[ctb + (i·n + j)·P + p] += Σ_l At[atb + (ao + i·ai + l·al)·P + p] · B[bo + l·bl + j·bj]:
 * a product whose left factor carries P interleaved directions.
 */
export function gemmDirA(
  At: Float64Array, atb: number, ao: number, ai: number, al: number,
  B: Float64Array, bo: number, bl: number, bj: number,
  Ct: Float64Array, ctb: number, m: number, n: number, k: number, P: number,
): void {
  for (let i = 0; i < m; i++) {
    for (let l = 0; l < k; l++) {
      const a0 = atb + (ao + i * ai + l * al) * P;
      for (let j = 0; j < n; j++) {
        const b = B[bo + l * bl + j * bj]!;
        const c0 = ctb + (i * n + j) * P;
        for (let p = 0; p < P; p++) Ct[c0 + p] += b * At[a0 + p]!;
      }
    }
  }
}

/** Block layout (degree-1 block p at (1+p)·n) → interleaved (at n + e·P + p); D = 2. */
export function toInterleaved(src: Float64Array, dst: Float64Array, n: number, P: number): void {
  for (let e = 0; e < n; e++) dst[e] = src[e]!;
  for (let p = 0; p < P; p++) {
    const s0 = (1 + p) * n;
    for (let e = 0; e < n; e++) dst[n + e * P + p] = src[s0 + e]!;
  }
}

/** Interleaved → block layout; D = 2. */
export function toBlocks(src: Float64Array, dst: Float64Array, n: number, P: number): void {
  for (let e = 0; e < n; e++) dst[e] = src[e]!;
  for (let p = 0; p < P; p++) {
    const d0 = (1 + p) * n;
    for (let e = 0; e < n; e++) dst[d0 + e] = src[n + e * P + p]!;
  }
}

/** The regions of a concatenation's output that its pieces occupy. */
function concatPieces(shape: readonly number[], pieces: readonly (readonly number[])[], axis: number): Region[] {
  let at = 0;
  return pieces.map((s) => {
    const r = concatRegion(shape, axis, at, s[axis]!);
    at += s[axis]!;
    return r;
  });
}

/**
 * The state of one compilation and the emission steps every lowering shares: buffers, the
 * location of each node's value (a register of an open loop, or memory), constants of the
 * generated code, copies, and the fallback of running a primitive's Taylor rule as a kernel.
 */
import { toBlocks, toInterleaved } from '../../utpm/matmul.js';
import { primitive } from '../../utpm/table.js';
import { UTPM, sizeOf, stridesOf } from '../../utpm/utpm.js';
import { Workspace } from '../../utpm/workspace.js';
import { liveNodes } from '../interpret.js';
import type { Node } from '../tensor.js';
import { type Access, isContiguous, loopNest, offsetExpr } from './access.js';
import { type Group, type Loc, closeGroup } from './fusion.js';

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

export class ReplayBuilder {
  /** D = 2 with several directions: degree-1 coefficients stored direction-interleaved. */
  readonly interleaved: boolean;
  /** D ≤ 2: elementwise nodes, sums and accumulations fuse into loops; above, nodes run as kernels. */
  readonly fuse: boolean;
  readonly live: Uint8Array;
  /** Per node: 1 when its value carries Taylor blocks (it depends on an input with directions through differentiable operations). */
  readonly hasTaylor: Uint8Array;
  /** Per node: the live nodes that read it. */
  readonly consumers: number[][];
  readonly isOutput: Set<number>;
  readonly fixedInputs: ReadonlyMap<number, Float64Array>;
  readonly constantInputs: ReadonlySet<number>;

  readonly bufs: Float64Array[] = [];
  /** Per buffer: whether it stores Taylor blocks, and its elements per block. */
  readonly bufTaylor: boolean[] = [];
  readonly bufSize: number[] = [];
  /** Bytes of the buffers the replay allocated (not constants). */
  bytes = 0;
  /** Per node: where its value is. */
  readonly loc: (Loc | undefined)[];
  readonly constBufs = new Set<number>();
  /** Buffers captured by kernel wrappers: they cannot be rebound to caller arrays. */
  readonly wrapped = new Set<number>();
  /** For buffers being accumulated/written by open groups: the groups. */
  readonly pendingWriters = new Map<number, Set<Group>>();
  /** Buffers zeroed at the start of each replay (accumulators). */
  readonly zeroInit: number[] = [];
  /** Statements of the replay function. */
  readonly code: string[] = [];
  /** Top-level functions holding chunks of long straight-line code. */
  readonly chunks: string[] = [];
  /** Values the generated code refers to as E<k>. */
  readonly env: unknown[] = [];
  readonly groups: Group[] = [];
  /** The open loop of each shape that new elementwise nodes join. */
  readonly openGroups = new Map<string, Group>();
  /** Scratch of the kernels this replay runs. */
  readonly ws = new Workspace();

  constructor(
    readonly nodes: readonly Node[],
    inputIds: readonly number[],
    outputIds: readonly number[],
    readonly D: number,
    readonly P: number,
    options: CompileOptions,
  ) {
    const N = nodes.length;
    this.interleaved = D === 2 && P > 1;
    this.fuse = D <= 2;
    this.fixedInputs = options.fixed ?? new Map<number, Float64Array>();
    this.constantInputs = options.constant ?? new Set<number>();
    this.live = liveNodes(nodes, outputIds);
    this.hasTaylor = new Uint8Array(N);
    const isInput = new Set(inputIds);
    if (D > 1) {
      for (let id = 0; id < N; id++) {
        const n = nodes[id]!;
        if (isInput.has(id)) this.hasTaylor[id] = this.fixedInputs.has(id) || this.constantInputs.has(id) ? 0 : 1;
        else if (n.op !== 'const' && n.op !== 'input' && !primitive(n.op).nondiff) this.hasTaylor[id] = n.inputs.some((i) => this.hasTaylor[i]) ? 1 : 0;
      }
    }
    this.consumers = Array.from({ length: N }, () => []);
    for (let id = 0; id < N; id++) if (this.live[id]) for (const i of nodes[id]!.inputs) this.consumers[i]!.push(id);
    this.isOutput = new Set(outputIds);
    this.loc = new Array(N);
  }

  /** A new buffer of `size` elements per block (all blocks when `taylor`), or over `data`. */
  newBuf(size: number, taylor: boolean, data?: Float64Array): number {
    const len = taylor ? size * (1 + (this.D - 1) * this.P) : size;
    const b = data ?? new Float64Array(len);
    if (!data) this.bytes += 8 * len;
    this.bufs.push(b);
    this.bufTaylor.push(taylor);
    this.bufSize.push(size);
    return this.bufs.length - 1;
  }

  /** The whole of buffer `buf`, read row-major with `shape`. */
  fullAccess(buf: number, shape: readonly number[]): Access {
    return { buf, off: 0, shape: [...shape], strides: stridesOf(shape), taylor: this.bufTaylor[buf]!, blockSize: this.bufSize[buf]! };
  }

  /** Places node `id` in memory at `acc`. */
  store(id: number, acc: Access): void {
    this.loc[id] = { kind: 'mem', acc };
  }

  /** The name (E<k>) under which generated code reads `v`. */
  envName(v: unknown): string {
    this.env.push(v);
    return `E${this.env.length - 1}`;
  }

  /** A one-element constant read in a loop becomes a number literal. */
  constLiteral(a: Access): string | null {
    if (!this.constBufs.has(a.buf) || a.taylor) return null;
    const v = this.bufs[a.buf]![a.off]!;
    return Object.is(v, -0) ? '(-0)' : v < 0 ? `(${v})` : String(v);
  }

  /** Offset expression of the degree-1 coefficient of element `e` (inside a `p` loop when P > 1). */
  taylorIndex(a: Access, e: string): string {
    return this.P === 1 ? `${a.blockSize} + ${e}` : `${a.blockSize} + (${e}) * ${this.P} + p`;
  }

  /** Generic strided copy: dst (=|+=) src over src.shape, for every Taylor block of dst. */
  emitCopy(src: Access, dst: Access, mode: '=' | '+='): void {
    const { D, P } = this;
    const { dims, strides } = loopNest(src.shape, [src, dst]);
    const idx = dims.map((_, k) => `i${k}`);
    const loops = dims.map((d, k) => `for (let ${idx[k]} = 0; ${idx[k]} < ${d}; ${idx[k]}++) `).join('');
    const so = offsetExpr(src.off, strides[0]!, idx);
    const dOff = offsetExpr(dst.off, strides[1]!, idx);
    if (D > 2 && src.taylor && dst.taylor) {
      const blocks = 1 + (D - 1) * P;
      this.code.push(`for (let k = 0; k < ${blocks}; k++) { const so = k * ${src.blockSize}, dO = k * ${dst.blockSize}; ${loops}B${dst.buf}[dO + ${dOff}] ${mode} B${src.buf}[so + ${so}]; }`);
      return;
    }
    const stmts = [`B${dst.buf}[${dOff}] ${mode} B${src.buf}[${so}];`];
    if (dst.taylor && (src.taylor || mode === '=')) {
      if (D === 2) {
        const t = `B${dst.buf}[${this.taylorIndex(dst, dOff)}] ${mode} ${src.taylor ? `B${src.buf}[${this.taylorIndex(src, so)}]` : '0'};`;
        stmts.push(P === 1 ? t : `for (let p = 0; p < ${P}; p++) ${t}`);
      } else {
        const blocks = 1 + (D - 1) * P;
        stmts.push(`for (let k = 1; k < ${blocks}; k++) B${dst.buf}[k * ${dst.blockSize} + ${dOff}] = 0;`);
      }
    }
    this.code.push(`${loops}{ ${stmts.join(' ')} }`);
  }

  /** Storage of node `id`, emitting whatever is needed to have it in memory. */
  memOf(id: number): Access {
    const l = this.loc[id]!;
    if (l.kind === 'mem') {
      this.closeWriters(l.acc.buf);
      return l.acc;
    }
    closeGroup(this, l.group);
    const l2 = this.loc[id]!;
    if (l2.kind !== 'mem') throw new Error(`compile: node ${id} was not stored`);
    return l2.acc;
  }

  /** A contiguous, whole-buffer access to node `id` (copying a view if needed). */
  contiguousOf(id: number): Access {
    const a = this.memOf(id);
    if (a.off === 0 && isContiguous(a) && sizeOf(a.shape) === a.blockSize) return a;
    const dst = this.fullAccess(this.newBuf(sizeOf(a.shape), a.taylor), a.shape);
    this.emitCopy(a, dst, '=');
    this.store(id, dst);
    return dst;
  }

  /** Finishes the open loops that write buffer `buf`. */
  closeWriters(buf: number): void {
    const writers = this.pendingWriters.get(buf);
    if (!writers) return;
    for (const g of [...writers]) closeGroup(this, g);
  }

  /**
   * Any primitive: its Taylor rule on preallocated UTPM views of contiguous buffers (staged
   * through block-layout copies when the replay interleaves directions).
   */
  emitKernel(id: number): void {
    const { nodes, D, P, interleaved } = this;
    const node = nodes[id]!;
    const prim = primitive(node.op);
    const before: string[] = [];
    const ins = node.inputs.map((i) => {
      const a = this.contiguousOf(i);
      const shape = nodes[i]!.shape;
      if (interleaved && a.taylor) {
        const stage = new UTPM(shape, D, P);
        before.push(`${this.envName(toBlocks)}(B${a.buf}, ${this.envName(stage.data)}, ${stage.size}, ${P});`);
        return stage;
      }
      this.wrapped.add(a.buf);
      return new UTPM(shape, a.taylor ? D : 1, P, this.bufs[a.buf]!);
    });
    const taylor = this.hasTaylor[id] === 1;
    const b = this.newBuf(sizeOf(node.shape), taylor);
    this.store(id, this.fullAccess(b, node.shape));
    const staged = interleaved && taylor;
    const out = staged ? new UTPM(node.shape, D, P) : new UTPM(node.shape, taylor ? D : 1, P, this.bufs[b]!);
    if (!staged) this.wrapped.add(b);
    const ws = this.ws;
    const f = this.envName((o: UTPM, xs: UTPM[]) => prim.forward(o, xs, node.params, ws));
    this.code.push(...before, `${f}(${this.envName(out)}, ${this.envName(ins)}); // ${node.op} node ${id}`);
    if (staged) this.code.push(`${this.envName(toInterleaved)}(${this.envName(out.data)}, B${b}, ${out.size}, ${P});`);
  }
}

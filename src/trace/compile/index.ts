/**
 * Compiled replay: a recorded graph, for one (D, P), turned into straight-line JavaScript
 * over preallocated Float64Array buffers. The stages, one module each:
 * - access.ts: where values live; views (reshape / slice / transpose / broadcast_to) are an
 *   offset and strides, read in place;
 * - fusion.ts: elementwise nodes of one shape fused into one loop, values in registers,
 *   stored only when something outside the loop reads them;
 * - lowering.ts: the table of how each op becomes code (views, fused loops, sums and
 *   accumulations inside the loop of their operand, matmul as a strided kernel, and any
 *   other primitive's Taylor rule as a kernel on preallocated buffers);
 * - builder.ts: buffers, locations, copies and kernels, shared by the stages;
 * - this module: the sweep over the graph, and the assembly of the replay function.
 * Inside a D = 2 replay with several directions the degree-1 coefficients are stored
 * direction-interleaved (element e, direction p at size + e·P + p); the replay's inputs and
 * outputs keep the UTPM block layout and are converted at the boundary. A replay allocates
 * nothing and dispatches nothing per node. The reference interpreter (interpret.ts) defines
 * what a replay must compute.
 */
import { TayoptError } from '../../errors.js';
import { CODE_HELPERS } from '../../utpm/elementwise.js';
import { toBlocks, toInterleaved } from '../../utpm/matmul.js';
import { UTPM, sizeOf } from '../../utpm/utpm.js';
import type { Node } from '../tensor.js';
import type { Access } from './access.js';
import { type CompileOptions, ReplayBuilder } from './builder.js';
import { PARAMS, closeGroup } from './fusion.js';
import { lowering } from './lowering.js';

export type { CompileOptions };

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

/**
 * Compiles `outputs` of the graph for evaluation at degree D with P directions. Inputs are
 * the nodes `inputIds` (their order gives `replay.inputs`). Throws a TayoptError for a bad
 * D or P.
 */
export function compile(
  nodes: readonly Node[],
  inputIds: readonly number[],
  outputIds: readonly number[],
  D: number,
  P: number,
  options: CompileOptions = {},
): Replay {
  if (!Number.isInteger(D) || D < 1 || !Number.isInteger(P) || P < 1) throw new TayoptError(`compile: bad D=${D}, P=${P}`);
  const cx = new ReplayBuilder(nodes, inputIds, outputIds, D, P, options);
  const isInput = new Set(inputIds);
  for (let id = 0; id < nodes.length; id++) {
    if (!cx.live[id]) continue;
    const node = nodes[id]!;
    const fixed = cx.fixedInputs.get(id);
    if (fixed || node.op === 'const') {
      const b = cx.newBuf(fixed ? fixed.length : node.value.length, false, fixed ?? node.value);
      cx.constBufs.add(b);
      cx.store(id, cx.fullAccess(b, node.shape));
    } else if (isInput.has(id)) {
      cx.store(id, cx.fullAccess(cx.newBuf(sizeOf(node.shape), cx.hasTaylor[id] === 1), node.shape));
    } else {
      lowering(node.op, cx.fuse)(cx, id);
    }
  }
  for (const g of cx.groups) closeGroup(cx, g);
  return assemble(cx, inputIds, outputIds);
}

/** The replay's inputs and outputs (UTPM block layout; interleaved buffers converted at the boundary), and its function. */
function assemble(cx: ReplayBuilder, inputIds: readonly number[], outputIds: readonly number[]): Replay {
  const { nodes, D, P, interleaved, bufs } = cx;
  const prologue: string[] = [];
  const epilogue: string[] = [];
  const outputBufs: number[] = [];
  const inputBufSet = new Set<number>();
  for (const id of inputIds) {
    const l = cx.loc[id];
    if (l && l.kind === 'mem') inputBufSet.add(l.acc.buf);
  }
  /**
   * An output in a buffer of its own: an input's buffer (the output is the input, or a view of
   * it) may be rebound to the caller's array, a constant's is shared, and two outputs in one
   * buffer would overwrite each other when a caller binds one of them.
   */
  const ownBuffer = (o: number): Access => {
    const a = cx.contiguousOf(o);
    if (!inputBufSet.has(a.buf) && !cx.constBufs.has(a.buf) && !outputBufs.includes(a.buf)) return a;
    const dst = cx.fullAccess(cx.newBuf(sizeOf(a.shape), a.taylor), a.shape);
    cx.emitCopy(a, dst, '=');
    return dst;
  };
  const outputs = outputIds.map((o) => {
    const a = ownBuffer(o);
    outputBufs.push(a.buf);
    if (interleaved && a.taylor) {
      const u = new UTPM(nodes[o]!.shape, D, P);
      epilogue.push(`${cx.envName(toBlocks)}(B${a.buf}, ${cx.envName(u.data)}, ${u.size}, ${P});`);
      return u;
    }
    return new UTPM(nodes[o]!.shape, a.taylor ? D : 1, P, bufs[a.buf]!);
  });
  const inputBufs: number[] = [];
  const inputs = inputIds.map((id) => {
    const l = cx.loc[id];
    const shape = nodes[id]!.shape;
    const fixed = cx.fixedInputs.has(id);
    if (!l || l.kind !== 'mem' || fixed) {
      // a fixed input, or one nothing depends on, still gets a buffer to write into (unused)
      inputBufs.push(-1);
      return new UTPM(shape, fixed || cx.constantInputs.has(id) ? 1 : D, P);
    }
    inputBufs.push(l.acc.buf);
    if (interleaved && cx.hasTaylor[id]) {
      const u = new UTPM(shape, D, P);
      prologue.push(`${cx.envName(toInterleaved)}(${cx.envName(u.data)}, B${l.acc.buf}, ${u.size}, ${P});`);
      return u;
    }
    return new UTPM(shape, cx.hasTaylor[id] ? D : 1, P, bufs[l.acc.buf]!);
  });
  // buffers that callers may rebind (D = 1 inputs and outputs) are parameters of the replay
  // function — locals for the JIT; everything else is a constant of its closure
  const bindable = [...new Set([...inputBufs, ...outputBufs])].filter((b) => b >= 0 && !cx.wrapped.has(b) && !cx.constBufs.has(b));
  const zero = [...new Set(cx.zeroInit)].map((b) => `B${b}.fill(0);`);
  const source = replaySource(cx, [...prologue, ...zero, ...cx.code, ...epilogue].join('\n'), bindable);
  const cur = bufs.slice();
  const run = new Function('bufs', 'env', 'cur', 'helpers', source)(bufs, cx.env, cur, CODE_HELPERS) as () => void;
  const canBind = new Set(bindable);
  const bindInput = (k: number, a: Float64Array): void => {
    const b = inputBufs[k]!;
    if (b >= 0 && D === 1 && canBind.has(b) && inputs[k]!.data === bufs[b] && a.length === cx.bufSize[b]) cur[b] = a;
    else inputs[k]!.data.set(a);
  };
  const bindOutput = (k: number, a: Float64Array): boolean => {
    const b = outputBufs[k]!;
    if (b < 0 || D !== 1 || !canBind.has(b) || outputs[k]!.data !== bufs[b] || a.length !== cx.bufSize[b]) return false;
    cur[b] = a;
    return true;
  };
  const unbind = (): void => {
    for (const b of bindable) cur[b] = bufs[b]!;
  };
  return { D, P, inputs, outputs, run, bytes: cx.bytes, source, bindInput, bindOutput, unbind };
}

/** The source of the replay module: constants, helpers, chunk functions, replay(…) and run(). */
function replaySource(cx: ReplayBuilder, body: string, bindable: number[]): string {
  const params = bindable.map((b) => `B${b}`).join(', ');
  const header =
    cx.bufs.map((_, k) => (bindable.includes(k) ? '' : `const B${k} = bufs[${k}];`)).filter((l) => l !== '').join('\n') +
    '\n' +
    cx.env.map((_, k) => `const E${k} = env[${k}];`).join('\n');
  const helpers = `const { ${Object.keys(CODE_HELPERS).join(', ')} } = helpers;`;
  return `${header}\n${helpers}\n${cx.chunks.join('\n')}\nfunction replay(${PARAMS}) {\n${body}\n}\nfunction run() { replay(${bindable.map((b) => `cur[${b}]`).join(', ')}); }\nreturn run;`
    .split(PARAMS)
    .join(params);
}

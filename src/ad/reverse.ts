/**
 * Reverse mode as a graph transformation. Sweeping a tape backwards, each node's pullback
 * records its adjoint computation as new nodes on the same tape, so the adjoints are traced
 * tensors: their values are the gradient at the traced point, and the extended graph
 * (function + adjoints) can be evaluated in Taylor arithmetic — at D = 2 that is
 * forward-over-reverse, i.e. Hessian-vector products.
 */
import { TayoptError } from '../errors.js';
import { Ops, type Contribution } from '../utpm/primitive.js';
import { primitive } from '../utpm/table.js';
import { type Tape, Tensor, accumulate, tensorBuilder } from '../trace/tensor.js';
import { fmtShape, sizeOf } from '../utpm/utpm.js';

const ops = new Ops(tensorBuilder);

/**
 * Adjoints of `y` with respect to each tensor in `wrt` (inputs of `tape`), seeded with
 * `seed` (shape of y): returns seedᵀ·∂y/∂x for each x, as tensors recorded on the tape.
 */
export function backward(tape: Tape, y: Tensor, seed: Tensor, wrt: readonly Tensor[]): Tensor[] {
  if (seed.size !== y.size) {
    throw new TayoptError(`backward: seed of shape ${fmtShape(seed.shape)} does not match output shape ${fmtShape(y.shape)}`);
  }
  const zero = (x: Tensor) => new Tensor(x.shape, new Float64Array(sizeOf(x.shape)), null, -1);
  if (y._tape !== tape) return wrt.map(zero);
  const nodes = tape.nodes;
  const last = y._id;
  const active = new Uint8Array(last + 1);
  for (const x of wrt) if (x._id <= last) active[x._id] = 1;
  for (let id = 0; id <= last; id++) {
    const n = nodes[id]!;
    if (n.op === 'input' || n.op === 'const' || primitive(n.op).nondiff) continue;
    for (const i of n.inputs) {
      if (active[i]) {
        active[id] = 1;
        break;
      }
    }
  }
  if (!active[last]) return wrt.map(zero);
  const contribs: (Contribution<Tensor>[] | undefined)[] = new Array(last + 1);
  const constants: (Tensor | undefined)[] = new Array(last + 1);
  contribs[last] = [ops.reshape(seed, y.shape)];
  for (let id = last; id >= 0; id--) {
    const list = contribs[id];
    if (!list) continue;
    const node = nodes[id]!;
    if (node.op === 'input') continue;
    contribs[id] = undefined;
    const prim = primitive(node.op);
    if (!prim.pullback) throw new TayoptError(`reverse mode: operation '${node.op}' has no pullback`);
    const ybar = accumulate(list, node.shape);
    const needs = node.inputs.map((i) => active[i] === 1);
    // constant operands enter the pullback as constants, so arithmetic on them folds
    const xs = node.inputs.map((i) => (nodes[i]!.op === 'const' ? (constants[i] ??= tape.constantOf(i)) : tape.tensors[i]!));
    const cs = prim.pullback(ops, ybar, tape.tensors[id]!, xs, node.params, needs);
    cs.forEach((c, k) => {
      if (c === null || !needs[k]) return;
      const i = node.inputs[k]!;
      (contribs[i] ??= []).push(c);
    });
  }
  return wrt.map((x) => (x._id <= last && contribs[x._id] ? accumulate(contribs[x._id]!, x.shape) : zero(x)));
}

/**
 * The reference interpreter: evaluates a recorded graph node by node in Taylor arithmetic
 * at a given degree D and direction count P, straight from the primitive table. It is the
 * obviously-correct path that compiled replays are tested against.
 */
import { TayoptError } from '../errors.js';
import { primitive } from '../utpm/table.js';
import { UTPM } from '../utpm/utpm.js';
import { Workspace } from '../utpm/workspace.js';
import type { Node } from './tensor.js';

/** Marks the nodes that `outputs` depend on. */
export function liveNodes(nodes: readonly Node[], outputs: readonly number[]): Uint8Array {
  const live = new Uint8Array(nodes.length);
  for (const o of outputs) live[o] = 1;
  for (let id = nodes.length - 1; id >= 0; id--) {
    if (!live[id]) continue;
    for (const i of nodes[id]!.inputs) live[i] = 1;
  }
  return live;
}

/**
 * Evaluates `outputs` of the graph. `inputs` maps input-node ids to their Taylor values
 * (all with the same D and P); const nodes are constants (D = 1). Values that are no longer
 * needed are released as the sweep goes.
 */
export function interpret(
  nodes: readonly Node[],
  outputs: readonly number[],
  inputs: ReadonlyMap<number, UTPM>,
  D: number,
  P: number,
): UTPM[] {
  const live = liveNodes(nodes, outputs);
  const lastUse = new Int32Array(nodes.length).fill(-1);
  for (let id = 0; id < nodes.length; id++) {
    if (!live[id]) continue;
    for (const i of nodes[id]!.inputs) lastUse[i] = id;
  }
  for (const o of outputs) lastUse[o] = nodes.length;
  const vals: (UTPM | undefined)[] = new Array(nodes.length);
  const ws = new Workspace();
  for (let id = 0; id < nodes.length; id++) {
    if (!live[id]) continue;
    const node = nodes[id]!;
    if (node.op === 'input') {
      const v = inputs.get(id);
      if (!v) throw new TayoptError(`interpret: no value given for input node ${id}`);
      vals[id] = v;
      continue;
    }
    if (node.op === 'const') {
      vals[id] = UTPM.constant(node.shape, node.value);
      continue;
    }
    const prim = primitive(node.op);
    const ins = node.inputs.map((i) => vals[i]!);
    const constant = prim.nondiff === true || ins.every((v) => v.D === 1);
    const out = new UTPM(node.shape, constant ? 1 : D, P);
    prim.forward(out, ins, node.params, ws);
    vals[id] = out;
    for (const i of node.inputs) if (lastUse[i] === id) vals[i] = undefined;
  }
  return outputs.map((o) => vals[o]!);
}

/**
 * The table of primitives: name → shape rule, Taylor rule and pullback. Adding an operation
 * means adding one entry in one family module and listing the family here.
 */
import { TayoptError } from '../errors.js';
import { ELEMENTWISE } from './elementwise.js';
import { LINALG } from './linalg/index.js';
import { matmul } from './matmul.js';
import type { Primitive } from './primitive.js';
import { REDUCTIONS } from './reduce.js';
import { SHAPE_OPS } from './shape.js';

const TABLE = new Map<string, Primitive>();

/** Registers primitives (used by the family modules listed below and by extensions). */
export function register(...prims: Primitive[]): void {
  for (const p of prims) {
    if (TABLE.has(p.name)) throw new Error(`primitive ${p.name} registered twice`);
    TABLE.set(p.name, p);
  }
}

register(...ELEMENTWISE, ...REDUCTIONS, ...SHAPE_OPS, matmul, ...LINALG);

/** The primitive called `name`; throws a TayoptError for an unknown name. */
export function primitive(name: string): Primitive {
  const p = TABLE.get(name);
  if (!p) throw new TayoptError(`unknown primitive '${name}'`);
  return p;
}

/** Names of all registered primitives. */
export function primitiveNames(): string[] {
  return [...TABLE.keys()];
}

import type { UTPM } from './utpm.js';
import type { Workspace } from './workspace.js';

/**
 * The contract of a primitive: shape rule, Taylor (forward) rule and pullback, side by side.
 *
 * The Taylor rule works on concrete UTPM values for any degree D and direction count P.
 * The pullback is written with other primitives through an {@link Ops} builder, so the same
 * rule can be run on tracer values (recording the adjoint computation as more graph nodes)
 * — and a recorded adjoint graph evaluated in Taylor arithmetic at D = 2 is
 * forward-over-reverse: Hessian-vector products and Hessians.
 */
export interface Primitive {
  readonly name: string;
  /** Number of inputs, or -1 for variadic. */
  readonly arity: number;
  /** Output has zero derivative (comparisons, sign): treated as a constant by AD. */
  readonly nondiff?: boolean;
  /**
   * Output shape from input shapes; validates them. Throws a `TayoptError` naming the
   * operation and the shapes when they do not fit.
   */
  shape(inShapes: readonly (readonly number[])[], params: any): number[];
  /**
   * Taylor rule. `out` is allocated by the caller with the output shape and the evaluation's
   * D and P (D = 1 when the output is nondiff); some inputs may be constants (D = 1).
   * Scratch comes from the caller's workspace: a rule keeps no state between calls.
   */
  forward(out: UTPM, ins: readonly UTPM[], params: any, ws: Workspace): void;
  /**
   * Pullback: given the output adjoint `ybar` (shape of y), the output `y` and the inputs,
   * return each input's adjoint contribution (or null where `needs[i]` is false).
   * Absent for nondiff primitives and for internal ones that only appear in adjoint graphs.
   */
  pullback?<V extends Value>(
    b: Ops<V>,
    ybar: V,
    y: V,
    xs: readonly V[],
    params: any,
    needs: readonly boolean[],
  ): Contribution<V>[];
}

/** Anything with a shape: tracer tensors, UTPM values. */
export interface Value {
  readonly shape: readonly number[];
}

/**
 * A hyper-rectangular, strided region of an array: along axis k the indices
 * start[k], start[k]+step[k], …, count[k] of them (step may be negative).
 */
export interface Region {
  readonly start: readonly number[];
  readonly step: readonly number[];
  readonly count: readonly number[];
}

/** An adjoint contribution that lives on a region of the input only (from slicing). */
export interface RegionContribution<V> {
  readonly region: Region;
  readonly value: V;
}

export type Contribution<V> = V | RegionContribution<V> | null;

export function isRegionContribution<V>(c: Contribution<V>): c is RegionContribution<V> {
  return c !== null && typeof c === 'object' && 'region' in (c as object) && 'value' in (c as object);
}

/** How a pullback creates nodes: apply a primitive, or make a constant. */
export interface Builder<V extends Value> {
  apply(op: string, inputs: V[], params?: unknown): V;
  constant(values: Float64Array, shape: readonly number[]): V;
}

/**
 * Convenience layer over a {@link Builder} for writing pullbacks. Every method records one
 * primitive (or a short composite); inputs are assumed valid (shapes were checked when the
 * forward graph was recorded).
 */
export class Ops<V extends Value> {
  constructor(readonly b: Builder<V>) {}

  scalar(c: number): V {
    return this.b.constant(Float64Array.of(c), []);
  }
  zeros(shape: readonly number[]): V {
    let n = 1;
    for (const s of shape) n *= s;
    return this.b.constant(new Float64Array(n), shape);
  }
  add(a: V, c: V): V {
    return this.b.apply('add', [a, c]);
  }
  sub(a: V, c: V): V {
    return this.b.apply('sub', [a, c]);
  }
  mul(a: V, c: V): V {
    return this.b.apply('mul', [a, c]);
  }
  div(a: V, c: V): V {
    return this.b.apply('div', [a, c]);
  }
  /** a · c for a number c. */
  scale(a: V, c: number): V {
    return c === 1 ? a : c === -1 ? this.neg(a) : this.mul(a, this.scalar(c));
  }
  neg(a: V): V {
    return this.b.apply('neg', [a]);
  }
  square(a: V): V {
    return this.b.apply('square', [a]);
  }
  unary(op: string, a: V): V {
    return this.b.apply(op, [a]);
  }
  pow(a: V, c: V): V {
    return this.b.apply('pow', [a, c]);
  }
  where(c: V, a: V, d: V): V {
    return this.b.apply('where', [c, a, d]);
  }
  compare(op: 'gt' | 'ge' | 'lt' | 'le' | 'eq' | 'ne', a: V, c: V): V {
    return this.b.apply(op, [a, c]);
  }
  reshape(a: V, shape: readonly number[]): V {
    return sameDims(a.shape, shape) ? a : this.b.apply('reshape', [a], { shape: [...shape] });
  }
  transpose(a: V, perm: readonly number[]): V {
    return this.b.apply('transpose', [a], { perm: [...perm] });
  }
  broadcastTo(a: V, shape: readonly number[]): V {
    return sameDims(a.shape, shape) ? a : this.b.apply('broadcast_to', [a], { shape: [...shape] });
  }
  /** Sum `a` down to `shape` (the adjoint of broadcasting `shape` up to a.shape). */
  sumTo(a: V, shape: readonly number[]): V {
    return sameDims(a.shape, shape) ? a : this.b.apply('sum_to', [a], { shape: [...shape] });
  }
  matmul(a: V, c: V, ta = false, tc = false): V {
    return this.b.apply('matmul', [a, c], { ta, tb: tc });
  }
  slice(a: V, region: Region): V {
    return this.b.apply('slice', [a], region);
  }
  /** Unbroadcast an elementwise adjoint onto an input of shape `shape`. */
  unbroadcast(g: V, shape: readonly number[]): V {
    return this.sumTo(g, shape);
  }
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

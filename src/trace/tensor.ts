/**
 * Tracer values and the tape they record on.
 *
 * A {@link Tensor} is an n-d array of float64 in row-major order. A *constant* tensor
 * (data, literals) has no tape. A *traced* tensor belongs to a {@link Tape}: it is the
 * output of a recorded node, and it also carries its ordinary value, computed eagerly as the
 * node is recorded — so user code may inspect values (for a branch, say); the tape notes
 * that it did ({@link Tape.readsValue}) and the drivers then never replay that tape at
 * another point.
 */
import ndarray from 'ndarray';
import { TayoptError } from '../errors.js';
import { isRegionContribution, type Builder, type Contribution, type Region } from '../utpm/primitive.js';
import { primitive } from '../utpm/table.js';
import { UTPM, fmtShape, sameShape, sizeOf, stridedIndex, stridesOf } from '../utpm/utpm.js';
import { Workspace } from '../utpm/workspace.js';
import { formatValues } from './format.js';

/** One recorded operation. `value` is its degree-0 result at the traced point. */
export interface Node {
  readonly op: string;
  readonly inputs: readonly number[];
  readonly params: unknown;
  readonly shape: readonly number[];
  readonly value: Float64Array;
}

/** Minimal structural type of an `ndarray` (scijs) view. */
export interface NdArrayLike {
  readonly data: ArrayLike<number>;
  readonly shape: readonly number[];
  readonly stride: readonly number[];
  readonly offset: number;
}

/** A nested array of numbers (number[], number[][], …). */
export type NestedArray = number | readonly NestedArray[];

/** Everything that lifts to a Tensor. */
export type TensorLike = Tensor | number | readonly NestedArray[] | Float64Array | NdArrayLike;

export class Tensor {
  /** Dimensions; [] for a scalar. */
  readonly shape: readonly number[];
  /** Number of elements. */
  readonly size: number;
  /** @internal degree-0 values, row-major. Read them with item()/toArray(). */
  readonly _v: Float64Array;
  /** @internal the tape this tensor was recorded on, or null for a constant. */
  readonly _tape: Tape | null;
  /** @internal node id on the tape (−1 for constants). */
  readonly _id: number;

  /** @internal use `tensor()` or the operations to make tensors. */
  constructor(shape: readonly number[], values: Float64Array, tape: Tape | null, id: number) {
    this.shape = shape;
    this.size = values.length;
    this._v = values;
    this._tape = tape;
    this._id = id;
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Whether this tensor depends on a traced input. */
  get isTraced(): boolean {
    return this._tape !== null;
  }

  private noteRead(): void {
    if (this._tape) this._tape.readsValue = true;
  }

  /** The value of a one-element tensor. Reading a traced value marks its tape as value-dependent. */
  item(): number {
    if (this.size !== 1) throw new TayoptError(`item: tensor of shape ${fmtShape(this.shape)} has ${this.size} elements, not 1`);
    this.noteRead();
    return this._v[0]!;
  }

  /** A copy of the values, row-major. Reading a traced value marks its tape as value-dependent. */
  toFloat64Array(): Float64Array {
    this.noteRead();
    return this._v.slice();
  }

  /** The values as nested arrays (a number for a scalar). Marks a traced tape as value-dependent. */
  toArray(): NestedArray {
    this.noteRead();
    return nest(this._v, this.shape);
  }

  /** Numeric conversion (`+x`, `x > 0`): allowed for one-element tensors; see item(). */
  valueOf(): number {
    return this.item();
  }

  [Symbol.toPrimitive](hint: string): number | string {
    return hint === 'string' ? this.toString() : this.item();
  }

  /** Shape and values, e.g. `Tensor([2,2]) [[1, 2], [3, 4]]` (printing does not count as reading a traced value). */
  toString(): string {
    return `Tensor(${fmtShape(this.shape)}${this._tape ? ', traced' : ''}) ${formatValues(this._v, this.shape)}`;
  }

  /** What console.log and util.inspect show (Node looks this symbol up; browsers ignore it). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** Row-major values as nested arrays (a number for shape []). */
export function nest(v: Float64Array, shape: readonly number[], off = 0, ax = 0): NestedArray {
  if (ax === shape.length) return v[off]!;
  const n = shape[ax]!;
  const inner = sizeOf(shape.slice(ax + 1));
  const out: NestedArray[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = nest(v, shape, off + i * inner, ax + 1);
  return out;
}

/** A recording of operations on traced tensors: an SSA graph in creation order. */
export class Tape {
  readonly nodes: Node[] = [];
  /** Tensor of each node, by id. */
  readonly tensors: Tensor[] = [];
  /** Ids of input nodes, in creation order. */
  readonly inputIds: number[] = [];
  /** Set when user code read a traced value: replaying this tape elsewhere may be wrong. */
  readsValue = false;
  private readonly constIds = new WeakMap<Tensor, number>();

  /** A new input node holding `values` (copied) with the given shape. */
  input(shape: readonly number[], values: Float64Array): Tensor {
    const t = this.push('input', [], { index: this.inputIds.length }, shape, values.slice());
    this.inputIds.push(t._id);
    return t;
  }

  /** The node id of a tensor on this tape, adding a const node for a constant tensor. */
  idOf(t: Tensor): number {
    if (t._tape === this) return t._id;
    if (t._tape !== null) throw new TayoptError('tensors from two different traces were combined (nested differentiation is not supported)');
    let id = this.constIds.get(t);
    if (id === undefined) {
      id = this.push('const', [], null, t.shape, t._v)._id;
      this.constIds.set(t, id);
    }
    return id;
  }

  /**
   * The value of const node `id` as a constant tensor (no tape), so that arithmetic on it
   * folds; using it on this tape refers to node `id` again.
   */
  constantOf(id: number): Tensor {
    const n = this.nodes[id]!;
    if (n.op !== 'const') throw new Error(`tape: node ${id} is not a constant`);
    const t = new Tensor(n.shape, n.value, null, -1);
    this.constIds.set(t, id);
    return t;
  }

  /** @internal appends a node; returns its tensor. */
  push(op: string, inputs: readonly number[], params: unknown, shape: readonly number[], value: Float64Array): Tensor {
    const id = this.nodes.length;
    this.nodes.push({ op, inputs, params, shape, value });
    const t = new Tensor(shape, value, this, id);
    this.tensors.push(t);
    return t;
  }
}

/**
 * Applies primitive `op`: validates shapes, computes the value, and records a node when any
 * input is traced (otherwise the result is a constant — constant folding).
 */
export function record(op: string, inputs: readonly Tensor[], params?: unknown): Tensor {
  const prim = primitive(op);
  if (prim.arity >= 0 && inputs.length !== prim.arity) {
    throw new TayoptError(`${op}: expects ${prim.arity} arguments, got ${inputs.length}`);
  }
  const shape = prim.shape(
    inputs.map((t) => t.shape),
    params,
  );
  const out = new UTPM(shape, 1, 1);
  prim.forward(
    out,
    inputs.map((t) => UTPM.constant(t.shape, t._v)),
    params,
    new Workspace(),
  );
  let tape: Tape | null = null;
  for (const t of inputs) {
    if (t._tape === null) continue;
    if (tape !== null && tape !== t._tape) {
      throw new TayoptError('tensors from two different traces were combined (nested differentiation is not supported)');
    }
    tape = t._tape;
  }
  if (tape === null) return new Tensor(shape, out.data, null, -1);
  const ids = inputs.map((t) => tape!.idOf(t));
  return tape.push(op, ids, params ?? null, shape, out.data);
}

/** The Builder through which pullbacks record adjoint computations on tensors. */
export const tensorBuilder: Builder<Tensor> = {
  apply: (op, inputs, params) => record(op, inputs, params),
  constant: (values, shape) => new Tensor(shape, values, null, -1),
};

export function isNdArray(x: unknown): x is NdArrayLike {
  return (
    typeof x === 'object' && x !== null && 'data' in x && 'shape' in x && 'stride' in x && 'offset' in x
  );
}

/** Shape and row-major values of a nested array; throws on ragged or non-numeric input. */
function flattenNested(x: readonly NestedArray[], what: string): { shape: number[]; values: Float64Array } {
  const shape: number[] = [];
  let cur: NestedArray = x;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    if (cur.length === 0) break;
    cur = cur[0]!;
  }
  const values = new Float64Array(sizeOf(shape));
  let k = 0;
  const walk = (a: NestedArray, ax: number, path: string): void => {
    if (ax === shape.length) {
      if (typeof a !== 'number') throw new TayoptError(`${what}: element ${path} is ${describe(a)}, not a number`);
      values[k++] = a;
      return;
    }
    if (!Array.isArray(a) || a.length !== shape[ax]) {
      throw new TayoptError(
        `${what}: ragged nested array: ${path || 'the array'} has ${Array.isArray(a) ? `length ${a.length}` : describe(a)}, expected an array of length ${shape[ax]}`,
      );
    }
    for (let i = 0; i < a.length; i++) walk(a[i]!, ax + 1, `${path}[${i}]`);
  };
  walk(x, 0, '');
  return { shape, values };
}

function describe(a: unknown): string {
  if (Array.isArray(a)) return 'an array';
  return a === null ? 'null' : typeof a;
}

/** Shape and a fresh row-major copy of the values of anything tensor-like. */
export function toShapeAndValues(x: unknown, what = 'argument'): { shape: number[]; values: Float64Array } {
  if (x instanceof Tensor) return { shape: [...x.shape], values: x._v.slice() };
  if (typeof x === 'number') return { shape: [], values: Float64Array.of(x) };
  if (x instanceof Float64Array) return { shape: [x.length], values: x.slice() };
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) {
    const arr = x as unknown as ArrayLike<number>;
    return { shape: [arr.length], values: Float64Array.from(arr) };
  }
  if (Array.isArray(x)) return flattenNested(x, what);
  if (isNdArray(x)) {
    const shape = [...x.shape];
    const idx = stridedIndex(shape, x.stride);
    const values = new Float64Array(idx.length);
    for (let i = 0; i < idx.length; i++) values[i] = x.data[x.offset + idx[i]!]!;
    return { shape, values };
  }
  // the usual source of an undefined argument: x[i] on a Tensor, which has no elements by index
  const hint = x === undefined ? ' (x[i] on a Tensor is undefined: index with x.at(i), or slice with x.slice(…))' : '';
  throw new TayoptError(`${what}: cannot make a tensor from ${describe(x)}${hint}`);
}

/** Lifts a number, nested array, Float64Array or ndarray to a constant Tensor; Tensors pass through. */
export function lift(x: TensorLike, what = 'argument'): Tensor {
  if (x instanceof Tensor) return x;
  const { shape, values } = toShapeAndValues(x, what);
  return new Tensor(shape, values, null, -1);
}

/** ndarray's view class for one dimension: (data, shape…, stride…, offset). */
type ViewClass = new (data: Float64Array, ...shapeStridesOffset: number[]) => NdArrayLike;

/**
 * ndarray's Float64Array view classes by dimension (1 to 3), taken from a probe on first
 * use; null when the probe shows another constructor signature (another ndarray version).
 * ndarray(data, shape) finds the class from the data's type (a toString and Buffer checks)
 * and works out strides and offset on every call: for a 25-element gradient that costs a
 * third as much as the replay, so results construct the class directly.
 */
const VIEW_CLASS: (ViewClass | null | undefined)[] = [];

function viewClass(d: number): ViewClass | null {
  let C = VIEW_CLASS[d];
  if (C === undefined) {
    const shape = [2, 3, 4].slice(0, d);
    const stride = stridesOf(shape);
    const data = new Float64Array(sizeOf(shape));
    const Probe = (ndarray(data, shape.slice()) as object).constructor as ViewClass;
    const v = new Probe(data, ...shape, ...stride, 0) as NdArrayLike & { dtype?: unknown };
    const ok = v.data === data && v.offset === 0 && v.dtype === 'float64' && sameShape(v.shape, shape) && sameShape(v.stride, stride);
    VIEW_CLASS[d] = C = ok ? Probe : null;
  }
  return C;
}

/** Makes a row-major ndarray (scijs) with the given shape over `values` (which it keeps). */
export function makeNdArray(values: Float64Array, shape: readonly number[]): NdArrayLike {
  const d = shape.length;
  const C = d >= 1 && d <= 3 ? viewClass(d) : null;
  if (C === null) return ndarray(values, shape.slice()) as unknown as NdArrayLike;
  if (d === 1) return new C(values, shape[0]!, 1, 0);
  const n = shape[d - 1]!;
  if (d === 2) return new C(values, shape[0]!, n, n, 1, 0);
  return new C(values, shape[0]!, shape[1]!, n, shape[1]! * n, n, 1, 0);
}

/** Accumulates adjoint contributions for a node of shape `shape` into one tensor. */
export function accumulate(contribs: readonly Contribution<Tensor>[], shape: readonly number[]): Tensor {
  const parts = contribs.filter((c): c is Exclude<Contribution<Tensor>, null> => c !== null);
  if (parts.length === 1 && !isRegionContribution(parts[0]!)) return parts[0] as Tensor;
  if (parts.length === 0) return new Tensor(shape, new Float64Array(sizeOf(shape)), null, -1);
  const inputs: Tensor[] = [];
  const regions: (Region | null)[] = [];
  for (const c of parts) {
    if (isRegionContribution(c)) {
      inputs.push(c.value);
      regions.push(c.region);
    } else {
      inputs.push(c);
      regions.push(null);
    }
  }
  if (inputs.length === 2 && regions[0] === null && regions[1] === null) return record('add', inputs);
  return record('scatter_add', inputs, { shape: [...shape], regions });
}

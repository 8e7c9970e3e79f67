/**
 * General constraints lower ≤ c(x) ≤ upper: reading `minimize`'s `constraints` option at the
 * API edge. Each constraint is a tayopt function of x returning a number or an array (every
 * element one constraint); `lower == upper` makes an equality, a missing side no bound.
 */
import { TayoptError } from '../src/errors.js';
import { readBoundVector } from './bounds.js';
import type { PointLike } from '../src/ad/convert.js';
import type { TensorFunction } from '../src/ad/program.js';
import { type ConstraintOracles, constraintOracles } from '../src/ad/lagrangian.js';

/** One constraint function with its bounds. */
export interface Constraint {
  /** c(x), written with tayopt operations: a number, or an array of any shape (each element is one constraint). */
  fun: TensorFunction;
  /** Lower bound(s): one number for every element, or one per element (null / −Infinity: none). */
  lower?: number | ArrayLike<number | null> | null;
  /** Upper bound(s), likewise (null / Infinity: none). lower == upper is an equality. */
  upper?: number | ArrayLike<number | null> | null;
  /** Name used in messages (default `constraints[k]`). */
  name?: string;
}

/** Validated constraints: the oracles, one [lower, upper] per constraint value, and names. */
export interface ConstraintSet {
  readonly oracles: ConstraintOracles;
  /** Per constraint value (length m): −Infinity / Infinity where there is no bound. */
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  /** Name of each constraint function. */
  readonly names: readonly string[];
  /** "constraints[1]" or "constraints[1], element 3 of 5": the constraint value i, for messages. */
  rowName(i: number): string;
}

function readSide(v: unknown, size: number, fill: number, what: string, shapeText: string): Float64Array {
  // the length message names the constraint function's shape; the rest is a bound vector's
  if (v !== undefined && v !== null && typeof v !== 'number') {
    const a = v as ArrayLike<unknown>;
    if (typeof a !== 'object' || typeof a.length !== 'number') throw new TayoptError(`minimize: ${what} must be a number or an array of numbers, got ${typeof v}`);
    if (a.length !== size)
      throw new TayoptError(`minimize: ${what} has ${a.length} entr${a.length === 1 ? 'y' : 'ies'}, but the constraint function returns ${size} value${size === 1 ? '' : 's'} (shape ${shapeText}); give one number for all or one per value`);
  }
  return readBoundVector(v, size, fill, what);
}

/**
 * Reads the `constraints` option for the point x0. `f` (a tayopt objective, or null) joins
 * the Lagrangian program when given. Throws a TayoptError naming the constraint for a
 * missing or non-function `fun`, a function that does not return a tayopt array, bounds of
 * the wrong length, NaN bounds, `lower > upper`, a constraint with no bound at all, and bounds
 * that leave no finite value (lower = Infinity or upper = −Infinity).
 */
export function readConstraints(list: unknown, f: TensorFunction | null, x0: PointLike): ConstraintSet {
  if (!Array.isArray(list)) throw new TayoptError('minimize: options.constraints must be an array of { fun, lower, upper }');
  const items = list as unknown[];
  const names = items.map((c, k) => {
    const name = c && typeof c === 'object' && typeof (c as Constraint).name === 'string' ? (c as Constraint).name! : `constraints[${k}]`;
    if (!c || typeof c !== 'object') throw new TayoptError(`minimize: ${name} must be an object { fun, lower, upper }, got ${c === null ? 'null' : typeof c}`);
    const fun = (c as Constraint).fun;
    if (typeof fun !== 'function') throw new TayoptError(`minimize: ${name}.fun must be a function written with tayopt operations, got ${fun === null ? 'null' : typeof fun}`);
    return name;
  });
  const fns = items.map((c) => (c as Constraint).fun);
  let oracles: ConstraintOracles;
  try {
    oracles = constraintOracles(f, fns, x0, names);
  } catch (e) {
    if (e instanceof TayoptError && !e.message.startsWith('minimize:')) throw new TayoptError(`minimize: ${e.message}`);
    throw e;
  }
  const m = oracles.m;
  const lower = new Float64Array(m);
  const upper = new Float64Array(m);
  const owner: number[] = [];
  let off = 0;
  items.forEach((c0, k) => {
    const c = c0 as Constraint;
    const size = oracles.sizes[k]!;
    const shapeText = size === 1 ? '[] or [1]' : `with ${size} elements`;
    if ((c.lower === undefined || c.lower === null) && (c.upper === undefined || c.upper === null))
      throw new TayoptError(`minimize: ${names[k]} has neither lower nor upper; give lower, upper or both (lower == upper for an equality)`);
    const lo = readSide(c.lower, size, -Infinity, `${names[k]}.lower`, shapeText);
    const hi = readSide(c.upper, size, Infinity, `${names[k]}.upper`, shapeText);
    for (let i = 0; i < size; i++) {
      const where = size === 1 ? '' : ` at element ${i}`;
      if (lo[i]! > hi[i]!) throw new TayoptError(`minimize: ${names[k]}: lower ${lo[i]} > upper ${hi[i]}${where}`);
      if (lo[i] === Infinity) throw new TayoptError(`minimize: ${names[k]}: a lower bound of Infinity leaves no feasible value${where}`);
      if (hi[i] === -Infinity) throw new TayoptError(`minimize: ${names[k]}: an upper bound of -Infinity leaves no feasible value${where}`);
      owner.push(k);
    }
    lower.set(lo, off);
    upper.set(hi, off);
    off += size;
  });
  const starts = oracles.sizes.map((_, k) => oracles.sizes.slice(0, k).reduce((a, b) => a + b, 0));
  return {
    oracles,
    lower,
    upper,
    names,
    rowName(i) {
      const k = owner[i]!;
      const size = oracles.sizes[k]!;
      return size === 1 ? names[k]! : `${names[k]}, element ${i - starts[k]! + 1} of ${size}`;
    },
  };
}

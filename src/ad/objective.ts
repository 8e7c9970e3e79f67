/**
 * An objective for the solvers from a function written with tayopt operations: value,
 * gradient, Hessian-vector product and Hessian on flat Float64Arrays (row-major in the shape
 * of x0), with exact derivatives from compiled replays of one traced graph.
 */
import { TayoptError } from '../errors.js';
import { type Point, type PointLike, readPoint } from './convert.js';
import { hessianFlat, hvpInto, valueAndGradFlat, valueAndGradInto } from './drivers.js';
import { type TensorFunction, evaluate, program } from './program.js';

/** Derivative oracles on flat vectors (structurally the solvers' ObjectiveFunctions). */
export interface FlatObjective {
  readonly n: number;
  /** Shape of the variable (x0's shape); flat vectors are its row-major values. */
  readonly shape: readonly number[];
  value(x: Float64Array): number;
  valueAndGrad(x: Float64Array, g: Float64Array): number;
  hvp(x: Float64Array, v: Float64Array, out: Float64Array): void;
  /** `check`, when given, is called between sweeps of a few milliseconds and may throw to abandon the Hessian (`out` is then untouched). */
  hessian(x: Float64Array, out: Float64Array, check?: () => void): void;
}

const ONE = Float64Array.of(1);

/**
 * Wraps `f` for the solvers. `x0` fixes the variable's shape (number, vector, matrix, …).
 * Throws a TayoptError when f does not return a scalar tensor at x0.
 */
export function objective(f: TensorFunction, x0: PointLike): FlatObjective {
  if (typeof f !== 'function') throw new TayoptError('objective: expected a function');
  const p0 = readPoint(x0, 'objective: x0');
  const shape = p0.shape;
  const n = p0.values.length;
  const at = (x: Float64Array): Point => {
    if (x.length !== n) throw new TayoptError(`objective: x has ${x.length} elements, expected ${n}`);
    return { shape, values: x, kind: p0.kind };
  };
  valueAndGradFlat('objective', f, p0); // traces once and checks that f returns a scalar
  return {
    n,
    shape,
    value(x) {
      const { prog, fresh } = program('objective', 'grad', f, shape, at(x).values);
      if (fresh) return prog.y._v[0]!;
      return evaluate(prog, [prog.y], 1, 1, { x, seed: ONE })[0]!.data[0]!;
    },
    valueAndGrad(x, g) {
      return valueAndGradInto('objective', f, at(x), g);
    },
    hvp(x, v, out) {
      hvpInto('objective', f, at(x), v, out);
    },
    hessian(x, out, check) {
      out.set(hessianFlat('objective', f, at(x), undefined, check));
    },
  };
}

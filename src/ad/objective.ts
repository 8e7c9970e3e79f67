/**
 * An objective for the solvers from a function written with tayopt operations: value,
 * gradient, Hessian-vector product and Hessian on flat Float64Arrays (row-major in the shape
 * of x0), with exact derivatives from the AD engine.
 */
import { TayoptError } from '../errors.js';
import { interpret } from '../trace/interpret.js';
import { UTPM } from '../utpm/utpm.js';
import { type PointLike, readPoint } from './convert.js';
import { type TensorFunction, reverseHessian, trace, traceGradient } from './drivers.js';

/** Derivative oracles on flat vectors (structurally the solvers' ObjectiveFunctions). */
export interface FlatObjective {
  readonly n: number;
  /** Shape of the variable (x0's shape); flat vectors are its row-major values. */
  readonly shape: readonly number[];
  value(x: Float64Array): number;
  valueAndGrad(x: Float64Array, g: Float64Array): number;
  hvp(x: Float64Array, v: Float64Array, out: Float64Array): void;
  hessian(x: Float64Array, out: Float64Array): void;
}

/**
 * Wraps `f` for the solvers. `x0` fixes the variable's shape (number, vector, matrix, …).
 * Throws a TayoptError when f does not return a scalar tensor at x0.
 */
export function objective(f: TensorFunction, x0: PointLike): FlatObjective {
  if (typeof f !== 'function') throw new TayoptError('objective: expected a function');
  const p0 = readPoint(x0, 'objective: x0');
  const shape = p0.shape;
  const n = p0.values.length;
  const at = (x: Float64Array) => {
    if (x.length !== n) throw new TayoptError(`objective: x has ${x.length} elements, expected ${n}`);
    return { shape, values: x, kind: p0.kind };
  };
  // validate once: scalar output
  traceGradient('objective', f, p0);
  return {
    n,
    shape,
    value(x) {
      return trace('objective', f, at(x)).y._v[0]!;
    },
    valueAndGrad(x, g) {
      const t = traceGradient('objective', f, at(x));
      g.set(t.g._v);
      return t.y._v[0]!;
    },
    hvp(x, v, out) {
      const t = traceGradient('objective', f, at(x));
      if (t.g._tape !== t.tape) {
        out.fill(0);
        return;
      }
      const xin = new UTPM(shape, 2, 1);
      xin.data.set(x);
      xin.data.set(v, n);
      const [r] = interpret(t.tape.nodes, [t.g._id], new Map([[t.x._id, xin]]), 2, 1);
      if (r!.D < 2) out.fill(0);
      else out.set(r!.data.subarray(n, 2 * n));
    },
    hessian(x, out) {
      out.set(reverseHessian(f, at(x), 'objective'));
    },
  };
}

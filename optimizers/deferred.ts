/**
 * The tayopt objective of minimize(), made so that numerical trouble at x0 itself ends the
 * run with a status like trouble anywhere else. `objective(f, x0)` traces f at x0; when a
 * solve, Cholesky or inverse in f is singular or not positive definite there, the trace
 * throws a NumericalError before any solver runs. Then the trace waits for the first call:
 * the loop's evaluation at x0 meets the same error inside guardEngineErrors, and the run
 * stops as 'nonFinite' naming it.
 */
import { NumericalError } from '../src/errors.js';
import { type FlatObjective, objective } from '../src/ad/objective.js';
import type { PointLike } from '../src/ad/convert.js';
import type { TensorFunction } from '../src/ad/program.js';
import { Tensor } from '../src/trace/tensor.js';
import type { ObjectiveFunctions } from './types.js';

/** objective(f, x0), or one that traces at its first call when f fails numerically at x0. */
export function objectiveAtStart(f: TensorFunction, x0: PointLike, shape: readonly number[], n: number): ObjectiveFunctions {
  try {
    return objective(f, x0);
  } catch (e) {
    if (!(e instanceof NumericalError)) throw e;
  }
  let inner: FlatObjective | null = null;
  // a constant tensor carries the shape of x0 (a matrix stays a matrix); the values are x's
  const at = (x: Float64Array): FlatObjective => (inner ??= objective(f, new Tensor([...shape], x.slice(), null, -1)));
  return {
    n,
    value: (x) => at(x).value(x),
    valueAndGrad: (x, g) => at(x).valueAndGrad(x, g),
    hvp: (x, v, out) => at(x).hvp(x, v, out),
    hessian: (x, out, check) => at(x).hessian(x, out, check),
  };
}

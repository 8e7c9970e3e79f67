/**
 * tayopt — exact derivatives by Taylor arithmetic, and solvers that use them.
 *
 * Write f with the operations exported here (t.exp, t.dot, t.sum, …; every one is also a
 * method of Tensor), then ask a driver for derivatives: t.grad(f)(x0), t.hessian(f)(x0), ….
 */
import './trace/ops.js'; // installs the Tensor methods
import './trace/linalg-ops.js'; // installs the linear-algebra Tensor methods

export { Tensor } from './trace/tensor.js';
export type { TensorLike, NestedArray, NdArrayLike } from './trace/tensor.js';
export * from './trace/ops.js';
export * from './trace/linalg-ops.js';
export {
  grad,
  valueAndGrad,
  hvp,
  hessian,
  jacobian,
  jvp,
  vjp,
  taylor,
  type TensorFunction,
  type GradOptions,
  type HessianOptions,
  type JacobianOptions,
} from './ad/drivers.js';
export { objective, type FlatObjective } from './ad/objective.js';
export { clearCache } from './ad/program.js';
export type { PointLike } from './ad/convert.js';
export type { DerivativeOf, NdArrayResult, NestedNumbers, Structured } from './ad/types.js';
export { NumericalError, TayoptError } from './errors.js';
export {
  minimize,
  minimizeAsync,
  type MinimizeOptions,
  type MinimizeResult,
  type ConstrainedMinimizeOptions,
  type ConstrainedMinimizeResult,
  type PlainMinimizeOptions,
  type MethodName,
  type Bounds,
  type PlainFunction,
  leastSquares,
  leastSquaresAsync,
  type LeastSquaresOptions,
  type LeastSquaresResult,
  curveFit,
  type CurveFitOptions,
  type CurveFitResult,
  type LossName,
  type ResidualFunctions,
  checkDerivatives,
  type CheckDerivativesOptions,
  type DerivativeCheck,
  type DerivativeReport,
} from '../optimizers/index.js';
export { residualFunctions, type FlatResiduals } from './ad/residual.js';
export type { ObjectiveFunctions, HistoryEntry } from '../optimizers/types.js';

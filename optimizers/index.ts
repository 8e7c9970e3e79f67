/**
 * The solver layer of tayopt: `minimize()` and the parts it is built from, for users who want
 * to assemble their own (an Objective, line searches, subproblem solvers, the shared loop).
 */
export {
  checkDenseSize,
  minimize,
  minimizeAsync,
  type ConstrainedMinimizeOptions,
  type ConstrainedMinimizeResult,
  type MinimizeOptions,
  type MinimizeResult,
  type PlainFunction,
  type PlainMinimizeOptions,
} from './minimize.js';
export { checkDerivatives, type CheckDerivativesOptions, type ComponentError, type DerivativeCheck, type DerivativeReport } from './check.js';
export {
  METHODS,
  METHOD_NAMES,
  CONCRETE_METHOD_NAMES,
  SCALAR_METHOD_NAMES,
  LEAST_SQUARES_METHOD_NAMES,
  type ScalarMethodName,
  type LeastSquaresMethodName,
  DENSE_MAX_N,
  FAMILY_OPTIONS,
  type MethodName,
  type ConcreteMethodName,
  type MethodSpec,
  type MethodSettings,
  type MethodFamily,
  type Oracle,
  type ProblemKind,
  autoText,
  baseMethod,
  boundMethodsText,
  chooseAuto,
  constraintMethodsText,
  defaultGtol,
  honoursBounds,
  takesConstraints,
  isDense,
  isMethodName,
  methodSpec,
} from './methods/index.js';
export { type Bounds, type Box, readBounds, clipToBox, projectedGradientNorm } from './bounds.js';
export { type Constraint, type ConstraintSet, readConstraints } from './constraints.js';
export { leastSquares, leastSquaresAsync, LEAST_SQUARES_DEFAULTS, type LeastSquaresOptions, type LeastSquaresResult } from './leastsq/least-squares.js';
export { curveFit, type CurveFitOptions, type CurveFitResult } from './leastsq/curve-fit.js';
export { LeastSquaresObjective, LOSS_NAMES, type LossName, type ResidualFunctions } from './leastsq/objective.js';
export { fitStatistics, type FitStatistics } from './leastsq/stats.js';
export { lm, type LeastSquaresMethodOptions } from './methods/lm.js';
export { trf } from './methods/trf.js';
export type { ObjectiveFunctions, HistoryEntry } from './types.js';
export { Objective } from './objective.js';
export {
  runSolver,
  runSolverAsync,
  type SolverStatus,
  type SolverResult,
  type SolverState,
  type Method,
  type StepReport,
  type LoopOptions,
  type CallbackState,
  type WarmState,
  type ConstraintResult,
} from './loop.js';
export { stationaryToPrecision, roundingLevel, type NoiseCheck } from './precision.js';
export { ipm, type IpmOptions } from './methods/ipm.js';
export type { LineSearch, LineFunction, LineSearchResult, LineSearchStatus } from './linesearch/types.js';
export { moreThuente, type MoreThuenteOptions } from './linesearch/morethuente.js';
export { backtracking, type BacktrackingOptions } from './linesearch/backtracking.js';
export type { TrustRegionSubproblem, SubproblemFactory, QuadraticModel, SubproblemResult } from './subproblem/types.js';
export { steihaug } from './subproblem/steihaug.js';
export { moreSorensenSubproblem, moreSorensen } from './subproblem/more-sorensen.js';
export { dogleg } from './subproblem/dogleg.js';
export { gltr } from './subproblem/gltr.js';
export { lbfgs } from './methods/lbfgs.js';
export { lbfgsb } from './methods/lbfgsb.js';
export { bfgs } from './methods/bfgs.js';
export { newton } from './methods/newton.js';
export { newtonCg } from './methods/newtoncg.js';
export { trustRegion } from './methods/trustregion.js';

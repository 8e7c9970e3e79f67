/**
 * `curveFit()`: fit a model y ≈ model(p, x) to data, the counterpart of scipy's `curve_fit`,
 * on `leastSquares()` with the exact Jacobian of the model.
 */
import { readPoint } from '../../src/ad/convert.js';
import { TayoptError } from '../../src/errors.js';
import { Tensor, type TensorLike } from '../../src/trace/tensor.js';
import { div, sub, tensor } from '../../src/trace/ops.js';
import { type LeastSquaresOptions, type LeastSquaresResult, leastSquares } from './least-squares.js';
import { fitStatistics } from './stats.js';

export interface CurveFitOptions extends Omit<LeastSquaresOptions, 'xScale'> {
  /**
   * Standard deviations of the observations (one per point, all > 0): the residuals become
   * (model − y)/σ. Default: all 1.
   */
  sigma?: ArrayLike<number>;
  /**
   * true: sigma holds absolute standard deviations and the covariance is (JᵀJ)⁻¹; false
   * (default): only their ratios matter, and the covariance is scaled by the reduced χ²,
   * s² = Σr²/(m − n) (scipy's absolute_sigma).
   */
  absoluteSigma?: boolean;
  /** Characteristic size of each parameter (see leastSquares); default from the Jacobian. */
  xScale?: LeastSquaresOptions['xScale'];
}

/** What curveFit() returns. */
export interface CurveFitResult {
  /** The fitted parameters, flat (like leastSquares' x). */
  params: Float64Array;
  /** Their covariance (n rows of n), or null when there are no degrees of freedom. */
  covariance: number[][] | null;
  /** Their standard errors √diag(covariance), or null. */
  stderr: Float64Array | null;
  /** The whole leastSquares result (status, residuals — weighted when sigma is given —, counts, history, …). */
  result: LeastSquaresResult;
}

/**
 * Fits `model(p, x)` to `ydata` by least squares from the parameters `p0`.
 *
 * `model` is written with tayopt operations and vectorized over the data: `p` is shaped like
 * p0 and `x` is `xdata` as a constant Tensor; it returns one value per observation. `xdata`
 * is a vector of M points, or for k predictors a k×M array (scipy's layout: the last
 * dimension indexes the observations); `ydata` has M values.
 *
 * Throws a TayoptError when xdata and ydata differ in length, when sigma has the wrong length
 * or a zero, negative or non-finite entry, when the model's output does not match ydata, and
 * for anything leastSquares rejects.
 */
export function curveFit(
  model: (p: Tensor, x: Tensor) => Tensor,
  xdata: TensorLike,
  ydata: ArrayLike<number>,
  p0: unknown,
  options: CurveFitOptions = {},
): CurveFitResult {
  if (typeof model !== 'function') throw new TayoptError('curveFit: model must be a function (p, x) => Tensor written with tayopt operations');
  const xp = readPoint(xdata, 'curveFit: xdata');
  const y = readPoint(ydata, 'curveFit: ydata');
  if (y.shape.length !== 1) throw new TayoptError(`curveFit: ydata must be a vector of observations, got shape [${y.shape.join(',')}]`);
  const M = y.values.length;
  const mx = xp.shape.length === 0 ? 1 : xp.shape[xp.shape.length - 1]!;
  if (mx !== M)
    throw new TayoptError(
      `curveFit: xdata has ${mx} observations${xp.shape.length > 1 ? ` (its last dimension, of shape [${xp.shape.join(',')}])` : ''} but ydata has ${M}; they must match`,
    );
  for (let i = 0; i < M; i++) if (!Number.isFinite(y.values[i]!)) throw new TayoptError(`curveFit: ydata[${i}] is ${y.values[i]}; observations must be finite`);
  let sigma: Float64Array | null = null;
  if (options.sigma !== undefined) {
    const s = readPoint(options.sigma, 'curveFit: options.sigma');
    if (s.values.length !== M) throw new TayoptError(`curveFit: options.sigma has ${s.values.length} entries, but there are ${M} observations`);
    const bad = s.values.findIndex((v) => !(v > 0) || !Number.isFinite(v));
    if (bad >= 0) throw new TayoptError(`curveFit: options.sigma[${bad}] is ${s.values[bad]}; standard deviations must be positive and finite`);
    sigma = Float64Array.from(s.values);
  }
  const X = tensor(xp.values).reshape(xp.shape);
  const Y = Float64Array.from(y.values);
  const residual = (p: Tensor): Tensor => {
    const f = model(p, X);
    if (!(f instanceof Tensor)) throw new TayoptError('curveFit: the model must return a tayopt Tensor computed from p with tayopt operations');
    if (f.size !== M) throw new TayoptError(`curveFit: the model returned ${f.size} values (shape [${f.shape.join(',')}]) for ${M} observations`);
    const r = sub(f.ndim === 1 ? f : f.reshape([M]), Y);
    return sigma ? div(r, sigma) : r;
  };
  const { sigma: _s, absoluteSigma, ...rest } = options;
  const result = leastSquares(residual, p0, rest);
  let covariance = result.covariance;
  let stderr = result.stderr;
  if (absoluteSigma && result.status !== 'nonFinite') {
    // leastSquares scales by s² = f/(m − n); absolute σ means (JᵀJ)⁻¹ itself
    const n = result.x.length;
    const st = fitStatistics(Float64Array.from(result.jacobian.flat()), M, n, result.fun, true);
    covariance = st.covariance && Array.from({ length: n }, (_, i) => Array.from(st.covariance!.subarray(i * n, (i + 1) * n)));
    stderr = st.stderr;
  }
  return { params: result.x, covariance, stderr, result };
}

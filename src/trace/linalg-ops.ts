/**
 * Differentiable linear algebra, as free functions (`t.solve(A, b)`) and Tensor methods
 * (`A.solve(b)`). Every function is exact to any order in every derivative mode: each one
 * records primitives with Taylor rules and pullbacks (src/utpm/linalg/).
 *
 * Validation happens here, on the values at the traced point, and throws a TayoptError that
 * names the function: wrong shapes, a singular matrix for solve/inv/solveTriangular, a
 * non-symmetric matrix for cholesky/eigh/eigvalsh, a matrix that is not positive definite
 * for cholesky. Matrices holding NaN or ±Infinity are not checked: the non-finite values
 * propagate, as they do when a recorded function is re-evaluated at another point (solvers
 * treat them as a failed step).
 */
import { NumericalError, TayoptError } from '../errors.js';
import { asymmetry, cholFactor, EPS, equilibrated, equilibratedSingularPivot, symPart } from '../utpm/linalg/kernels.js';
import { eyeValues, rowsRegion } from '../utpm/linalg/util.js';
import { fmtShape, sizeOf } from '../utpm/utpm.js';
import { installMethods } from './methods.js';
import { reshape } from './ops.js';
import { Tensor, lift, record, type TensorLike } from './tensor.js';

/** Relative asymmetry max|A_ij − A_ji| / max|A_ij| above which a matrix counts as non-symmetric. */
export const SYMMETRY_TOLERANCE = 1e-8;

// ------------------------------------------------------------------ checks at the edge

function squareOf(op: string, a: Tensor, allowEmpty = false): number {
  if (a.ndim !== 2 || a.shape[0] !== a.shape[1]) {
    throw new TayoptError(`${op}: needs a square matrix, got shape ${fmtShape(a.shape)}`);
  }
  if (a.shape[0] === 0 && !allowEmpty) throw new TayoptError(`${op}: needs a non-empty matrix, got shape ${fmtShape(a.shape)}`);
  return a.shape[0]!;
}

function matrixOf(op: string, a: Tensor): [number, number] {
  if (a.ndim !== 2) throw new TayoptError(`${op}: needs a matrix (2-D), got shape ${fmtShape(a.shape)}`);
  return [a.shape[0]!, a.shape[1]!];
}

function allFinite(v: Float64Array): boolean {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i]!)) return false;
  return true;
}

function maxAbs(v: Float64Array): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]!));
  return m;
}

const fmt = (x: number) => x.toPrecision(3);

/** Throws when A (finite values) is singular to working precision (rows and columns equilibrated). */
function checkNonsingular(op: string, a: Tensor, n: number): void {
  if (!allFinite(a._v)) return;
  const { k, pivot } = equilibratedSingularPivot(a._v, 0, n);
  if (k >= 0) {
    throw new NumericalError(
      `${op}: matrix is singular (to working precision: with rows and columns scaled to a largest entry ~1, ` +
        `LU pivot ${k} is ${fmt(pivot)}, at most n·ε = ${fmt(n * EPS)})`,
    );
  }
}

/** Throws when A (finite values) is visibly non-symmetric. */
function checkSymmetric(op: string, a: Tensor, n: number): void {
  if (!allFinite(a._v)) return;
  const { gap, i, j } = asymmetry(a._v, 0, n);
  if (gap > SYMMETRY_TOLERANCE * maxAbs(a._v)) {
    throw new TayoptError(
      `${op}: matrix is not symmetric (A[${i},${j}] = ${fmt(a._v[i * n + j]!)} but A[${j},${i}] = ${fmt(a._v[j * n + i]!)})`,
    );
  }
}

function rhsOf(op: string, r: Tensor, n: number): void {
  const ok = (r.ndim === 1 || r.ndim === 2) && r.shape[0] === n;
  if (!ok) {
    throw new TayoptError(
      `${op}: matrix of shape [${n},${n}] and right-hand side of shape ${fmtShape(r.shape)} do not match (expected [${n}] or [${n}, k])`,
    );
  }
}

/** Runs a matrix primitive on a vector or matrix right-hand side. */
function withRhs(r: Tensor, n: number, run: (rhs: Tensor) => Tensor): Tensor {
  if (r.ndim === 2) return run(r);
  return reshape(run(reshape(r, [n, 1])), [n]);
}

// ------------------------------------------------------------------ linear systems

/**
 * x = A⁻¹·b: solves A·x = b for a square A ([n, n]) and b of shape [n] or [n, k]; the result
 * has b's shape. LU with partial pivoting. Throws a TayoptError for mismatched shapes and for
 * a singular A ("solve: matrix is singular …": an LU pivot at most n·ε·max|A_ij|).
 */
export function solve(A: TensorLike, b: TensorLike): Tensor {
  const a = lift(A, 'solve: matrix');
  const r = lift(b, 'solve: right-hand side');
  const n = squareOf('solve', a);
  rhsOf('solve', r, n);
  checkNonsingular('solve', a, n);
  return withRhs(r, n, (rhs) => record('solve', [a, rhs], { trans: false }));
}

export interface SolveTriangularOptions {
  /** Use the lower triangle of A (default true); the other triangle is never read. */
  lower?: boolean;
  /** Solve Aᵀ·x = b instead (default false). */
  transpose?: boolean;
}

/**
 * x = T⁻¹·b (or T⁻ᵀ·b) for the triangular matrix T made of A's lower (default) or upper
 * triangle; b is [n] or [n, k]. Forward/back substitution, O(n²k). Throws for mismatched
 * shapes and when a diagonal entry is zero to working precision ("solveTriangular: matrix is
 * singular …").
 */
export function solveTriangular(A: TensorLike, b: TensorLike, options: SolveTriangularOptions = {}): Tensor {
  const a = lift(A, 'solveTriangular: matrix');
  const r = lift(b, 'solveTriangular: right-hand side');
  const n = squareOf('solveTriangular', a);
  rhsOf('solveTriangular', r, n);
  const lower = options.lower ?? true;
  const trans = options.transpose ?? false;
  if (allFinite(a._v)) {
    // the triangle read, equilibrated: its diagonal is its pivots
    const tri = a._v.map((v, q) => {
      const i = Math.floor(q / n);
      const j = q % n;
      return (lower ? j <= i : j >= i) ? v : 0;
    });
    const { scaled } = equilibrated(tri, 0, n);
    for (let i = 0; i < n; i++) {
      if (!(Math.abs(scaled[i * n + i]!) > n * EPS)) {
        throw new NumericalError(`solveTriangular: matrix is singular (diagonal entry ${i} is ${fmt(a._v[i * n + i]!)})`);
      }
    }
  }
  return withRhs(r, n, (rhs) => record('trisolve', [a, rhs], { lower, trans }));
}

/** A⁻¹ for a square A. Throws for a non-square or singular A ("inv: matrix is singular …"). */
export function inv(A: TensorLike): Tensor {
  const a = lift(A, 'inv: argument');
  const n = squareOf('inv', a);
  checkNonsingular('inv', a, n);
  return record('inv', [a]);
}

// ------------------------------------------------------------------ determinants

/**
 * det(A) of a square matrix, as a scalar tensor (1 for the 0×0 matrix). A singular A gives
 * 0, but its gradient is NaN (computed through A⁻¹). For large matrices prefer slogdet,
 * which cannot overflow. Throws for a non-square A.
 */
export function det(A: TensorLike): Tensor {
  const a = lift(A, 'det: argument');
  squareOf('det', a, true);
  return record('det', [a]);
}

export interface SlogdetResult {
  /** −1, 0 or 1; carries no derivative. */
  sign: Tensor;
  /** log|det A| (−Infinity for a singular A). */
  logabsdet: Tensor;
}

/**
 * Sign and natural log of |det A| of a square matrix, without overflow: det A =
 * sign·exp(logabsdet). The derivative of logabsdet is A⁻ᵀ; sign has none. Throws for a
 * non-square A.
 */
export function slogdet(A: TensorLike): SlogdetResult {
  const a = lift(A, 'slogdet: argument');
  squareOf('slogdet', a, true);
  return { sign: record('det_sign', [a]), logabsdet: record('logabsdet', [a]) };
}

// ------------------------------------------------------------------ factorizations

/**
 * The Cholesky factor L of a symmetric positive definite A ([n, n]): lower triangular with a
 * positive diagonal, A = L·Lᵀ. It factors (A + Aᵀ)/2, so its derivative with respect to A is
 * symmetric. Throws when A is not square, not symmetric (relative asymmetry above 1e-8), or
 * not positive definite.
 */
export function cholesky(A: TensorLike): Tensor {
  const a = lift(A, 'cholesky: argument');
  const n = squareOf('cholesky', a);
  checkSymmetric('cholesky', a, n);
  if (allFinite(a._v)) {
    const S = new Float64Array(n * n);
    symPart(a._v, 0, n, S, 0);
    const j = cholFactor(S, 0, n, new Float64Array(n * n), 0);
    if (j >= 0) {
      throw new NumericalError(`cholesky: matrix is not positive definite (its leading ${j + 1}×${j + 1} block is not)`);
    }
  }
  return record('cholesky', [a]);
}

export interface QRResult {
  /** [m, n] with orthonormal columns. */
  Q: Tensor;
  /** [n, n] upper triangular with a non-negative diagonal. */
  R: Tensor;
}

/**
 * Reduced QR of A ([m, n], m ≥ n) by Householder reflections: A = Q·R with diag(R) ≥ 0, which
 * makes the factorization unique at full column rank. Derivatives need full column rank
 * (otherwise they are NaN). Q and R are slices of one packed [m+n, n] node. Throws for
 * m < n.
 */
export function qr(A: TensorLike): QRResult {
  const a = lift(A, 'qr: argument');
  const [m, n] = matrixOf('qr', a);
  if (m < n || n === 0) {
    throw new TayoptError(`qr: needs a non-empty matrix with at least as many rows as columns, got shape ${fmtShape(a.shape)}`);
  }
  const y = record('qr', [a]);
  return { Q: record('slice', [y], rowsRegion(0, m, n)), R: record('slice', [y], rowsRegion(m, n, n)) };
}

export interface EighResult {
  /** Eigenvalues in ascending order, [n]. */
  values: Tensor;
  /** [n, n]; column i is the unit eigenvector of values[i], its largest-magnitude entry positive. */
  vectors: Tensor;
}

/**
 * Eigenvalues (ascending) and orthonormal eigenvectors of a symmetric A ([n, n]):
 * A·vectors = vectors·diag(values). Uses (A + Aᵀ)/2. Derivatives assume distinct
 * eigenvalues: where two coincide exactly, eigenvector derivatives (and eigenvalue
 * derivatives of order ≥ 2, and every gradient taken through this node) are ±Infinity/NaN —
 * use eigvalsh when only eigenvalues are needed. Throws for a non-square or non-symmetric A.
 */
export function eigh(A: TensorLike): EighResult {
  const a = lift(A, 'eigh: argument');
  const n = squareOf('eigh', a);
  checkSymmetric('eigh', a, n);
  const y = record('eigh', [a]);
  return { values: reshape(record('slice', [y], rowsRegion(0, 1, n)), [n]), vectors: record('slice', [y], rowsRegion(1, n, n)) };
}

/**
 * Eigenvalues of a symmetric A ([n, n]) in ascending order, [n]. Its gradient stays finite at
 * repeated eigenvalues (one valid one-sided derivative); higher derivatives there are not.
 * Throws for a non-square or non-symmetric A.
 */
export function eigvalsh(A: TensorLike): Tensor {
  const a = lift(A, 'eigvalsh: argument');
  const n = squareOf('eigvalsh', a);
  checkSymmetric('eigvalsh', a, n);
  return record('eigvalsh', [a]);
}

// ------------------------------------------------------------------ structure

/** Sum of the main diagonal of a matrix ([m, n]), as a scalar tensor. */
export function trace(A: TensorLike): Tensor {
  const a = lift(A, 'trace: argument');
  matrixOf('trace', a);
  return record('trace', [a]);
}

/**
 * The 2-norm of all elements: Euclidean norm of a vector, Frobenius norm of a matrix. Scaled,
 * so it neither overflows nor underflows. At 0 its derivative is taken as 0.
 */
export function norm(x: TensorLike): Tensor {
  return record('norm', [lift(x, 'norm: argument')]);
}

/**
 * NumPy diag: a vector v ([n]) gives the square matrix with v on its k-th diagonal
 * ([n+|k|, n+|k|]); a matrix gives its k-th diagonal as a vector (k > 0 above the main
 * diagonal, k < 0 below). Throws for other shapes or a non-integer k.
 */
export function diag(x: TensorLike, k = 0): Tensor {
  const t = lift(x, 'diag: argument');
  if (!Number.isInteger(k)) throw new TayoptError(`diag: diagonal offset k must be an integer, got ${k}`);
  if (t.ndim === 1) {
    const size = t.shape[0]! + Math.abs(k);
    return record('diag', [t], { k, rows: size, cols: size });
  }
  if (t.ndim === 2) return record('diag_part', [t], { k });
  throw new TayoptError(`diag: needs a vector or a matrix, got shape ${fmtShape(t.shape)}`);
}

/** The constant n×m identity matrix (m defaults to n). */
export function eye(n: number, m: number = n): Tensor {
  for (const d of [n, m]) {
    if (!Number.isInteger(d) || d < 0) throw new TayoptError(`eye: dimensions must be non-negative integers, got ${n} and ${m}`);
  }
  sizeOf([n, m]); // the size policy's check, before eyeValues allocates
  return new Tensor([n, m], eyeValues(n, m), null, -1);
}

function bandOp(op: 'triu' | 'tril', A: TensorLike, k: number): Tensor {
  const a = lift(A, `${op}: argument`);
  matrixOf(op, a);
  if (!Number.isInteger(k)) throw new TayoptError(`${op}: diagonal offset k must be an integer, got ${k}`);
  return record(op, [a], { k });
}

/** Upper triangle of a matrix: entries on and above the k-th diagonal kept, the rest 0. */
export function triu(A: TensorLike, k = 0): Tensor {
  return bandOp('triu', A, k);
}

/** Lower triangle of a matrix: entries on and below the k-th diagonal kept, the rest 0. */
export function tril(A: TensorLike, k = 0): Tensor {
  return bandOp('tril', A, k);
}

// ------------------------------------------------------------------ methods

declare module './tensor.js' {
  interface Tensor {
    solve(b: TensorLike): Tensor;
    solveTriangular(b: TensorLike, options?: SolveTriangularOptions): Tensor;
    inv(): Tensor;
    det(): Tensor;
    slogdet(): SlogdetResult;
    cholesky(): Tensor;
    qr(): QRResult;
    eigh(): EighResult;
    eigvalsh(): Tensor;
    trace(): Tensor;
    norm(): Tensor;
    diag(k?: number): Tensor;
    triu(k?: number): Tensor;
    tril(k?: number): Tensor;
  }
}

const METHODS: Record<string, (x: Tensor, ...rest: never[]) => unknown> = {
  solve, solveTriangular, inv, det, slogdet, cholesky, qr, eigh, eigvalsh, trace, norm, diag, triu, tril,
};

installMethods(METHODS);

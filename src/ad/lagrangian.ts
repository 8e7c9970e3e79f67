/**
 * Constrained problems for the solvers: constraint values c(x), their Jacobian, and the
 * Hessian of the Lagrangian σ∇²f(x) + Σᵢ λᵢ∇²cᵢ(x), from compiled replays of traced graphs.
 *
 * - The constraints are one function C(x): every constraint function's value, flattened and
 *   concatenated (m elements). Its values and its Jacobian come from ONE replay at degree 2,
 *   through the residual-vector wrapper of least squares (residual.ts): n forward directions
 *   when n ≤ m, else m directions on the cotangent of its reverse sweep; the values are that
 *   replay's degree-0 part.
 * - The Lagrangian: G(x) = [f(x); C(x)] is traced with its reverse sweep seeded by a graph
 *   input u = [σ; λ], so the adjoint is uᵀ∂G/∂x = σ∇f + Jᵀλ = ∇ₓL(x; σ, λ). Forward-over-
 *   reverse with the n unit directions on x (u fixed, no directions) gives ∇²ₓL in one sweep
 *   of n directions: one compiled program serves every (σ, λ) — not m + 1 separate Hessians.
 *
 * Both programs are cached like the drivers' (program.ts): traced once, replayed compiled; a
 * function that reads a traced value is traced again at every call.
 */
import { TayoptError } from '../errors.js';
import type { Tensor } from '../trace/tensor.js';
import { concatenate, reshape } from '../trace/ops.js';
import { fmtShape } from '../utpm/utpm.js';
import { type PointLike, readPoint } from './convert.js';
import { sweep } from './drivers.js';
import { type Program, type TensorFunction, block, program } from './program.js';
import { residualFunctions } from './residual.js';
import type { UTPM } from '../utpm/utpm.js';

/**
 * Directions per replay of the Jacobian and Hessian sweeps. A replay holds every node's
 * Taylor coefficients for all its directions; 64 at a time keep that to a few MB where n
 * directions at once would allocate hundreds (n = 1000), for the same total work.
 */
const CHUNK = 64;

/**
 * `count` Taylor directions through `prog` in sweeps of CHUNK (one compiled replay for all);
 * `check` (a solver's time limit) is called before each sweep and may throw.
 */
function chunked(
  prog: Program,
  outputs: Parameters<typeof sweep>[1],
  count: number,
  x: Float64Array,
  dirs: { x?: boolean; seedValue?: Float64Array },
  take: (vals: UTPM[], p0: number, pc: number) => void,
  check?: () => void,
): void {
  const P = Math.min(CHUNK, count);
  for (let q0 = 0; q0 < count; q0 += P) {
    const qc = Math.min(P, count - q0);
    const unit = (p: number, d: Float64Array) => {
      if (p < qc) d[q0 + p] = 1;
    };
    sweep(prog, outputs, 2, P, x, { ...(dirs.x ? { x: unit } : { seed: unit }), seedValue: dirs.seedValue }, (vals, p0, pc) => take(vals, q0 + p0, Math.min(pc, qc - p0)), check);
  }
}

/** Constraint and Lagrangian oracles on flat vectors (x row-major in the shape of x0). */
export interface ConstraintOracles {
  /** Number of variables. */
  readonly n: number;
  /** Number of constraint values (all constraint functions, each flattened). */
  readonly m: number;
  /** Number of values of each constraint function, in order (they sum to m). */
  readonly sizes: readonly number[];
  /** Whether `lagrangianHessian` includes σ∇²f (the objective was given as a tayopt function). */
  readonly withObjective: boolean;
  /** Writes c(x) into `out` (length m). */
  values(x: Float64Array, out: Float64Array): void;
  /** Writes c(x) into `c` and ∂c/∂x row-major (m×n) into `J`, from one replay. */
  jacobian(x: Float64Array, c: Float64Array, J: Float64Array): void;
  /**
   * Writes σ∇²f(x) + Σᵢ λᵢ∇²cᵢ(x) row-major (n×n) into `out` (without the σ term when the
   * objective is not part of the program: `withObjective` false). `check`, when given, is
   * called between sweeps of the directions and may throw to abandon the Hessian.
   */
  lagrangianHessian(x: Float64Array, sigma: number, lambda: Float64Array, out: Float64Array, check?: () => void): void;
}

/**
 * Builds the oracles for constraint functions `cs` (each a tayopt function of x, returning a
 * number or an array of any shape) and, when given, the objective `f` (returning a number).
 * `names` label the constraints in messages (default `constraints[k]`). Traces each function
 * once at x0; throws a TayoptError naming the constraint when one does not return a tayopt
 * Tensor or returns no values, and when f does not return a single number.
 */
export function constraintOracles(
  f: TensorFunction | null,
  cs: readonly TensorFunction[],
  x0: PointLike,
  names: readonly string[] = cs.map((_, k) => `constraints[${k}]`),
): ConstraintOracles {
  const p0 = readPoint(x0, 'constraints: x0');
  const shape = p0.shape;
  const n = p0.values.length;
  const sizes = cs.map((c, k) => {
    if (typeof c !== 'function') throw new TayoptError(`${names[k]}: fun must be a function written with tayopt operations`);
    const { prog } = program(names[k]!, 'value', c, shape, p0.values);
    if (prog.y.size === 0) throw new TayoptError(`${names[k]}: the function returned an empty array (shape ${fmtShape(prog.y.shape)})`);
    return prog.y.size;
  });
  const m = sizes.reduce((a, b) => a + b, 0);
  const flat = (y: Tensor, size: number): Tensor => (y.ndim === 1 ? y : reshape(y, [size]));
  const C: TensorFunction = (x) => {
    const parts = cs.map((c, k) => flat(c(x), sizes[k]!));
    return parts.length === 1 ? parts[0]! : concatenate(parts);
  };
  const G: TensorFunction | null = f
    ? (x) => {
        const y = f(x);
        if (y.size !== 1) throw new TayoptError(`objective: must return a single number, got shape ${fmtShape(y.shape)}`);
        return m === 0 ? reshape(y, [1]) : concatenate([reshape(y, [1]), C(x)]);
      }
    : null;
  const at = (x: Float64Array): Float64Array => {
    if (x.length !== n) throw new TayoptError(`constraints: x has ${x.length} elements, expected ${n}`);
    return x;
  };
  const u = new Float64Array((G ? 1 : 0) + m);
  const cv = m > 0 ? residualFunctions('constraints', C, x0) : null;

  return {
    n,
    m,
    sizes,
    withObjective: G !== null,
    values(x, out) {
      if (cv) cv.residuals(at(x), out);
    },
    jacobian(x, c, J) {
      if (cv) cv.jacobian(at(x), c, J);
    },
    lagrangianHessian(x, sigma, lambda, out, check) {
      at(x);
      if (G) {
        u[0] = sigma;
        u.set(lambda.subarray(0, m), 1);
      } else {
        if (m === 0) {
          out.fill(0);
          return;
        }
        u.set(lambda.subarray(0, m));
      }
      const { prog } = program('lagrangian', 'vjp', G ?? C, shape, x);
      chunked(
        prog,
        [prog.adjoint!],
        n,
        x,
        { x: true, seedValue: u },
        ([a], p0, pc) => {
          for (let p = 0; p < pc; p++) out.set(block(a!, 1, p), (p0 + p) * n);
        },
        check,
      );
    },
  };
}

/**
 * The method registry: every method `minimize()` can run, one entry each — what it solves,
 * which oracles it calls, whether it honours bounds or general constraints, its family, and
 * how to build it from validated options. Everything else that knows about methods is
 * derived from here: the `MethodName` type and the name lists, the `auto` choice, which
 * options apply to which method, the CLI's `--method` choices and help, and the test and
 * benchmark lists. Adding a method is its own file plus one entry in {@link METHODS}
 * (checklist in optimizers/README.md).
 */
import type { Method } from '../loop.js';
import type { LineSearch } from '../linesearch/types.js';
import type { Box } from '../bounds.js';
import { steihaug } from '../subproblem/steihaug.js';
import { moreSorensenSubproblem } from '../subproblem/more-sorensen.js';
import { dogleg } from '../subproblem/dogleg.js';
import { gltr } from '../subproblem/gltr.js';
import { lbfgs } from './lbfgs.js';
import { lbfgsb } from './lbfgsb.js';
import { bfgs } from './bfgs.js';
import { newton } from './newton.js';
import { newtonCg } from './newtoncg.js';
import { trustRegion } from './trustregion.js';
import { type LeastSquaresMethodOptions, lm } from './lm.js';
import { trf } from './trf.js';

/**
 * What a method evaluates. A scalar problem offers value, gradient, Hessian-vector products
 * and the Hessian; a least-squares problem residuals and their Jacobian; a constrained one
 * also the constraints, their Jacobian and the Hessian of the Lagrangian.
 */
export type Oracle =
  | 'value'
  | 'gradient'
  | 'hvp'
  | 'hessian'
  | 'residuals'
  | 'jacobian'
  | 'constraints'
  | 'constraintJacobian'
  | 'lagrangianHessian';

/** The form of problem a method solves: min f(x); min ½‖r(x)‖²; min f(x) subject to c(x). */
export type ProblemKind = 'scalar' | 'least-squares' | 'constrained';

/** How a method globalizes its steps; decides which of the family options apply. */
export type MethodFamily = 'line-search' | 'trust-region';

/** The options of each family: given to a method of another family, they are an error. */
export const FAMILY_OPTIONS = {
  'line-search': ['lineSearch'],
  'trust-region': ['initialRadius', 'maxRadius', 'eta'],
} as const satisfies Record<MethodFamily, readonly string[]>;

/** Options after `minimize()` has validated them, handed to a method's `build`. */
export interface MethodSettings {
  /** L-BFGS memory m (≥ 1). */
  memory: number;
  /** The line search of line-search methods. */
  lineSearch: LineSearch;
  /** Radii and acceptance threshold of trust-region methods (initialRadius undefined = the method's default). */
  trustRegion: { initialRadius?: number; maxRadius: number; eta: number };
  /** Box constraints, or null. Only methods with `bounds: true` ever receive a box. */
  bounds: Box | null;
  /** Tolerances and scaling of the least-squares methods (set by `leastSquares()`). */
  leastSquares?: LeastSquaresMethodOptions;
}

/** One registry entry. */
export interface MethodSpec {
  /** One line for help texts. */
  readonly summary: string;
  readonly family: MethodFamily;
  readonly problem: ProblemKind;
  /** The oracles it calls. A scalar method without its second-order oracle runs on the Objective's finite-difference fallbacks. */
  readonly needs: readonly Oracle[];
  /** Honours box bounds lower ≤ x ≤ upper. */
  readonly bounds: boolean;
  /** Honours general constraints c(x) = 0 / c(x) ≤ 0. */
  readonly constraints: boolean;
  /** When it runs under bounds as a different algorithm: that algorithm's method name (accepted as an alias, reported in results) and title. */
  readonly boundedAs?: { readonly name: string; readonly title: string };
  /**
   * Preference of `method: 'auto'`, lowest first; absent = never chosen automatically. Auto
   * takes the first method that solves the problem's kind, honours its bounds, finds every
   * oracle it needs supplied exactly (no finite-difference fallback) and, if it forms a dense
   * Hessian, has n ≤ {@link DENSE_MAX_N}.
   */
  readonly autoRank?: number;
  /** Builds the method from validated settings. */
  build(settings: MethodSettings): Method;
}

const lineSearchMethod = { family: 'line-search', problem: 'scalar', bounds: false, constraints: false } as const;
const trustRegionMethod = { family: 'trust-region', problem: 'scalar', bounds: false, constraints: false } as const;
const leastSquaresMethod = { family: 'trust-region', problem: 'least-squares', needs: ['residuals', 'jacobian'], constraints: false } as const;

function lsqSettings(s: MethodSettings): LeastSquaresMethodOptions {
  if (!s.leastSquares) throw new Error('a least-squares method needs its settings from leastSquares()');
  return s.leastSquares;
}

/** The registry, in the order help texts and tables list the methods. */
export const METHODS = {
  lbfgs: {
    ...lineSearchMethod,
    summary: 'L-BFGS (L-BFGS-B with bounds), gradients only',
    needs: ['value', 'gradient'],
    bounds: true,
    boundedAs: { name: 'lbfgsb', title: 'L-BFGS-B' },
    autoRank: 3,
    build: (s): Method =>
      s.bounds
        ? lbfgsb(s.bounds.lower, s.bounds.upper, { memory: s.memory, lineSearch: s.lineSearch })
        : lbfgs({ memory: s.memory, lineSearch: s.lineSearch }),
  },
  bfgs: {
    ...lineSearchMethod,
    summary: 'BFGS with a dense inverse Hessian approximation, gradients only',
    needs: ['value', 'gradient'],
    build: (s): Method => bfgs({ lineSearch: s.lineSearch }),
  },
  newton: {
    ...lineSearchMethod,
    summary: 'Newton with a modified Cholesky factorization of the Hessian',
    needs: ['value', 'gradient', 'hessian'],
    build: (s): Method => newton({ lineSearch: s.lineSearch }),
  },
  'newton-cg': {
    ...lineSearchMethod,
    summary: 'line-search Newton with truncated CG, Hessian-vector products',
    needs: ['value', 'gradient', 'hvp'],
    build: (s): Method => newtonCg({ lineSearch: s.lineSearch }),
  },
  'trust-ncg': {
    ...trustRegionMethod,
    summary: 'trust region, Steihaug–Toint CG, Hessian-vector products',
    needs: ['value', 'gradient', 'hvp'],
    autoRank: 2,
    build: (s): Method => trustRegion('trust-ncg', steihaug, s.trustRegion),
  },
  'trust-exact': {
    ...trustRegionMethod,
    summary: 'trust region, Moré–Sorensen on the dense Hessian',
    needs: ['value', 'gradient', 'hessian'],
    autoRank: 1,
    build: (s): Method => trustRegion('trust-exact', moreSorensenSubproblem(), s.trustRegion),
  },
  dogleg: {
    ...trustRegionMethod,
    summary: 'trust region, dogleg on the modified Hessian',
    needs: ['value', 'gradient', 'hessian'],
    build: (s): Method => trustRegion('dogleg', dogleg, s.trustRegion),
  },
  'trust-krylov': {
    ...trustRegionMethod,
    summary: 'trust region, GLTR (Lanczos), Hessian-vector products',
    needs: ['value', 'gradient', 'hvp'],
    build: (s): Method => trustRegion('trust-krylov', gltr(), s.trustRegion),
  },
  lm: {
    ...leastSquaresMethod,
    summary: 'least squares: Levenberg–Marquardt (Moré), scaled trust region, exact Jacobian',
    bounds: false,
    autoRank: 2,
    build: (s): Method => lm(lsqSettings(s)),
  },
  trf: {
    ...leastSquaresMethod,
    summary: 'least squares with bounds: trust region reflective (Coleman–Li), exact Jacobian',
    bounds: true,
    autoRank: 1,
    build: (s): Method => trf(lsqSettings(s), s.bounds),
  },
} as const satisfies Record<string, MethodSpec>;

/** A method of the registry (no 'auto', no alias): the key type of per-method tables. */
export type ConcreteMethodName = keyof typeof METHODS;

type BoundedAlias = {
  [K in ConcreteMethodName]: (typeof METHODS)[K] extends { boundedAs: { name: infer A extends string } } ? A : never;
}[ConcreteMethodName];

/** Every name `minimize()` accepts: 'auto', the registry's methods, and their bounded aliases ('lbfgsb'). */
export type MethodName = 'auto' | ConcreteMethodName | BoundedAlias;

/** The registry's methods, in registry order. */
export const CONCRETE_METHOD_NAMES = Object.keys(METHODS) as ConcreteMethodName[];

/** The methods of one problem kind. */
type MethodsOfKind<P extends ProblemKind> = { [K in ConcreteMethodName]: (typeof METHODS)[K]['problem'] extends P ? K : never }[ConcreteMethodName];
/** The methods for min f(x) (what `minimize()` runs). */
export type ScalarMethodName = MethodsOfKind<'scalar'>;
/** The methods for min Σρ(rᵢ²) (what `leastSquares()` runs). */
export type LeastSquaresMethodName = MethodsOfKind<'least-squares'>;
/** The methods for min f(x), in registry order. */
export const SCALAR_METHOD_NAMES = CONCRETE_METHOD_NAMES.filter((m) => METHODS[m].problem === 'scalar') as ScalarMethodName[];
/** The least-squares methods, in registry order. */
export const LEAST_SQUARES_METHOD_NAMES = CONCRETE_METHOD_NAMES.filter((m) => METHODS[m].problem === 'least-squares') as LeastSquaresMethodName[];

/** Every method name minimize() accepts: 'auto', then each method followed by its bounded alias ('lbfgsb' is L-BFGS with bounds). */
export const METHOD_NAMES: readonly MethodName[] = [
  'auto',
  ...CONCRETE_METHOD_NAMES.flatMap((m): MethodName[] => {
    const alias = methodSpec(m).boundedAs?.name as BoundedAlias | undefined;
    return alias ? [m, alias] : [m];
  }),
];

/** Largest n for which `auto` (and the CLI's `compare` defaults, and the benchmark) use a method that forms the dense n×n Hessian. */
export const DENSE_MAX_N = 200;

/** Default gtol of methods that use second derivatives (a Hessian or its products, a Jacobian's Gauss–Newton model, a Lagrangian Hessian). */
export const SECOND_ORDER_GTOL = 1e-12;
/** Default gtol of gradient-only methods. */
export const FIRST_ORDER_GTOL = 1e-8;

/**
 * The gtol a `minimize` method uses when none is given (optimizers/README.md, "Default
 * stopping"; lm and trf have their own scaled tests):
 * 1e-12 for methods with second-order information, whose last steps converge quadratically
 * and cost next to nothing, 1e-8 for gradient-only ones. Where a gtol is out of reach the
 * run ends at the limit of double precision instead (status 'precision').
 */
export function defaultGtol(name: ConcreteMethodName): number {
  const second: readonly Oracle[] = ['hvp', 'hessian', 'jacobian', 'lagrangianHessian'];
  return methodSpec(name).needs.some((o) => second.includes(o)) ? SECOND_ORDER_GTOL : FIRST_ORDER_GTOL;
}

/** The entry of a registry method, as the general {@link MethodSpec}. */
export function methodSpec(name: ConcreteMethodName): MethodSpec {
  return METHODS[name];
}

/** True for a name minimize() accepts. */
export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && (METHOD_NAMES as readonly string[]).includes(name);
}

/** The registry method behind a name: itself, or the method whose bounded alias it is. */
export function baseMethod(name: Exclude<MethodName, 'auto'>): ConcreteMethodName {
  if (name in METHODS) return name as ConcreteMethodName;
  return CONCRETE_METHOD_NAMES.find((m) => methodSpec(m).boundedAs?.name === name)!;
}

/** Whether the method forms the dense Hessian (O(n²) memory, O(n³) work per factorization). */
export function isDense(name: ConcreteMethodName): boolean {
  return methodSpec(name).needs.includes('hessian');
}

/** Whether a method name can be run with bounds ('auto' can: it picks a method that honours them). */
export function honoursBounds(name: MethodName): boolean {
  return name === 'auto' || methodSpec(baseMethod(name)).bounds;
}

/** "lbfgs (L-BFGS-B)": the methods of these problem kinds that honour bounds, for messages. */
export function boundMethodsText(quote = '', kinds: readonly ProblemKind[] = ['scalar']): string {
  return CONCRETE_METHOD_NAMES.filter((m) => methodSpec(m).bounds && kinds.includes(methodSpec(m).problem))
    .map((m) => `${quote}${m}${quote}${methodSpec(m).boundedAs ? ` (${methodSpec(m).boundedAs!.title})` : ''}`)
    .join(', ');
}

/** What the problem at hand offers `auto`: its kind, whether it has bounds, its size, the oracles supplied exactly. */
export interface AutoContext {
  problem: ProblemKind;
  bounds: boolean;
  n: number;
  has: ReadonlySet<Oracle>;
}

/** The methods `auto` considers, in order of preference. */
function autoCandidates(): ConcreteMethodName[] {
  return CONCRETE_METHOD_NAMES.filter((m) => methodSpec(m).autoRank !== undefined).sort((a, b) => methodSpec(a).autoRank! - methodSpec(b).autoRank!);
}

/** The method `auto` runs for this problem (see {@link MethodSpec.autoRank}); undefined if none fits. */
export function chooseAuto(ctx: AutoContext): ConcreteMethodName | undefined {
  return autoCandidates().find((m) => {
    const s = methodSpec(m);
    return (
      s.problem === ctx.problem &&
      (!ctx.bounds || s.bounds) &&
      s.needs.every((o) => ctx.has.has(o)) &&
      (!isDense(m) || ctx.n <= DENSE_MAX_N)
    );
  });
}

/** How `auto` chooses for min f(x), in words, for help texts: "L-BFGS-B with bounds; else trust-exact up to 200 unknowns, else trust-ncg". */
export function autoText(): string {
  const ranked = autoCandidates().filter((m) => methodSpec(m).problem === 'scalar');
  const bounded = ranked.find((m) => methodSpec(m).bounds);
  const parts: string[] = [];
  for (const m of ranked) {
    if (isDense(m)) parts.push(`${m} up to ${DENSE_MAX_N} unknowns`);
    else {
      parts.push(m);
      break; // with exact derivatives (AD), the first method without a size limit always fits
    }
  }
  const free = parts.join(', else ');
  return bounded ? `${methodSpec(bounded).boundedAs?.title ?? bounded} with bounds; else ${free}` : free;
}

/**
 * Throws unless every method-specific option given suits the method's family: `lineSearch`
 * only for line-search methods, the radii and η only for trust-region methods. `fail`
 * builds the error from the message.
 */
export function checkFamilyOptions(
  name: Exclude<MethodName, 'auto'>,
  options: Readonly<Record<string, unknown>>,
  fail: (message: string) => Error,
): void {
  const family = methodSpec(baseMethod(name)).family;
  for (const [other, keys] of Object.entries(FAMILY_OPTIONS) as [MethodFamily, readonly string[]][]) {
    if (other === family) continue;
    for (const k of keys) if (options[k] !== undefined) throw fail(`options.${k} applies to ${other} methods, not '${name}'`);
  }
}

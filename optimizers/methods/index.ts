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
import type { ConstraintSet } from '../constraints.js';
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
import { type IpmOptions, ipm } from './ipm.js';
import { tron } from './tron.js';
import { projectedNewtonCholesky, projectedNewtonCg } from './projected-newton.js';
import { projectedBfgs } from './projected-bfgs.js';
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
export type MethodFamily = 'line-search' | 'trust-region' | 'interior-point';

/** The options of each family: given to a method of another family, they are an error. */
export const FAMILY_OPTIONS = {
  'line-search': ['lineSearch'],
  'trust-region': ['initialRadius', 'maxRadius', 'eta'],
  'interior-point': ['ctol'],
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
  /** General constraints and the tolerances of the constrained methods (set by `minimize()`). Only methods with `constraints: true` ever receive constraints. */
  interiorPoint?: { constraints: ConstraintSet | null } & IpmOptions;
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

const lineSearchMethod = { family: 'line-search', problem: 'scalar', bounds: true, constraints: false } as const;
const trustRegionMethod = { family: 'trust-region', problem: 'scalar', bounds: true, constraints: false } as const;
const leastSquaresMethod = { family: 'trust-region', problem: 'least-squares', needs: ['residuals', 'jacobian'], constraints: false } as const;

/** The method's bounded form when the settings carry a box, else its plain form. */
function boxed(s: MethodSettings, bounded: (lower: Float64Array, upper: Float64Array) => Method, plain: () => Method): Method {
  return s.bounds ? bounded(s.bounds.lower, s.bounds.upper) : plain();
}

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
    summary: 'BFGS with a dense inverse Hessian approximation, gradients only; bounds: projected',
    needs: ['value', 'gradient'],
    build: (s): Method => boxed(s, projectedBfgs, () => bfgs({ lineSearch: s.lineSearch })),
  },
  newton: {
    ...lineSearchMethod,
    summary: 'Newton with a modified Cholesky factorization of the Hessian; bounds: projected',
    needs: ['value', 'gradient', 'hessian'],
    build: (s): Method => boxed(s, projectedNewtonCholesky, () => newton({ lineSearch: s.lineSearch })),
  },
  'newton-cg': {
    ...lineSearchMethod,
    summary: 'line-search Newton with truncated CG, Hessian-vector products; bounds: projected',
    needs: ['value', 'gradient', 'hvp'],
    build: (s): Method => boxed(s, projectedNewtonCg, () => newtonCg({ lineSearch: s.lineSearch })),
  },
  'trust-ncg': {
    ...trustRegionMethod,
    summary: 'trust region, Steihaug–Toint CG, Hessian-vector products; bounds: TRON (Lin–Moré)',
    needs: ['value', 'gradient', 'hvp'],
    autoRank: 2,
    build: (s): Method => boxed(s, (lo, hi) => tron('trust-ncg', steihaug, lo, hi, s.trustRegion), () => trustRegion('trust-ncg', steihaug, s.trustRegion)),
  },
  'trust-exact': {
    ...trustRegionMethod,
    summary: 'trust region, Moré–Sorensen on the dense Hessian; bounds: Lin–Moré active set',
    needs: ['value', 'gradient', 'hessian'],
    autoRank: 1,
    build: (s): Method =>
      boxed(s, (lo, hi) => tron('trust-exact', moreSorensenSubproblem(), lo, hi, s.trustRegion), () => trustRegion('trust-exact', moreSorensenSubproblem(), s.trustRegion)),
  },
  dogleg: {
    ...trustRegionMethod,
    summary: 'trust region, dogleg on the modified Hessian; bounds: Lin–Moré active set',
    needs: ['value', 'gradient', 'hessian'],
    build: (s): Method => boxed(s, (lo, hi) => tron('dogleg', dogleg, lo, hi, s.trustRegion), () => trustRegion('dogleg', dogleg, s.trustRegion)),
  },
  'trust-krylov': {
    ...trustRegionMethod,
    summary: 'trust region, GLTR (Lanczos), Hessian-vector products; bounds: Lin–Moré active set',
    needs: ['value', 'gradient', 'hvp'],
    build: (s): Method => boxed(s, (lo, hi) => tron('trust-krylov', gltr(), lo, hi, s.trustRegion), () => trustRegion('trust-krylov', gltr(), s.trustRegion)),
  },
  ipm: {
    summary: 'interior point (Ipopt-style) for constraints and bounds, exact Lagrangian Hessian',
    family: 'interior-point',
    problem: 'constrained',
    needs: ['value', 'gradient', 'constraints', 'constraintJacobian', 'lagrangianHessian'],
    bounds: true,
    constraints: true,
    autoRank: 1,
    build: (s): Method => {
      if (!s.interiorPoint) throw new Error('ipm needs its settings from minimize()');
      const { constraints, ...opts } = s.interiorPoint;
      return ipm(constraints, s.bounds, opts);
    },
  },
  lm: {
    ...leastSquaresMethod,
    summary: 'least squares: Levenberg–Marquardt (Moré), exact Jacobian; bounds: none',
    bounds: false,
    autoRank: 2,
    build: (s): Method => lm(lsqSettings(s)),
  },
  trf: {
    ...leastSquaresMethod,
    summary: 'least squares: trust region reflective, exact Jacobian; bounds: Coleman–Li',
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

/** The names minimize() runs: 'auto', then every method but the least-squares ones (lm, trf), each followed by its bounded alias. */
export const MINIMIZE_METHOD_NAMES: readonly MethodName[] = METHOD_NAMES.filter((m) => m === 'auto' || methodSpec(baseMethod(m)).problem !== 'least-squares');

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

/** "lbfgs (L-BFGS-B)": the methods of these problem kinds that honour bounds, kind by kind in the order given, for messages. */
export function boundMethodsText(quote = '', kinds: readonly ProblemKind[] = ['scalar']): string {
  return kinds
    .flatMap((k) => CONCRETE_METHOD_NAMES.filter((m) => methodSpec(m).bounds && methodSpec(m).problem === k))
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

/** Whether a method name can be run with general constraints ('auto' can: it picks one that does). */
export function takesConstraints(name: MethodName): boolean {
  return name === 'auto' || methodSpec(baseMethod(name)).constraints;
}

/** "'ipm'": the methods that take general constraints, for messages. */
export function constraintMethodsText(quote = ''): string {
  return CONCRETE_METHOD_NAMES.filter((m) => methodSpec(m).constraints)
    .map((m) => `${quote}${m}${quote}`)
    .join(', ');
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

/**
 * How `auto` chooses for min f(x), in words, for help texts: "trust-exact up to 200 unknowns,
 * else trust-ncg, with or without bounds" (or "<method> with bounds; else …" when the ranking
 * under bounds differs).
 */
export function autoText(): string {
  const ranked = autoCandidates().filter((m) => methodSpec(m).problem === 'scalar');
  const chain = (ms: ConcreteMethodName[]): string => {
    const parts: string[] = [];
    for (const m of ms) {
      if (isDense(m)) parts.push(`${m} up to ${DENSE_MAX_N} unknowns`);
      else {
        parts.push(m);
        break; // with exact derivatives (AD), the first method without a size limit always fits
      }
    }
    return parts.join(', else ');
  };
  const free = chain(ranked);
  const bounded = chain(ranked.filter((m) => methodSpec(m).bounds));
  if (bounded === free) return `${free}, with or without bounds`;
  return bounded ? `${bounded} with bounds; else ${free}` : free;
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

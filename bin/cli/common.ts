/**
 * What the commands share: errors and exit codes, loading a problem with the CLI's checks,
 * option validation, and number formatting.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { objective, type FlatObjective, TayoptError } from '../../src/index.js';
import { ioReason, loadProblem } from '../../src/problem/load.js';
import { shown, suggestion } from '../../src/text.js';
import { ProblemError } from '../../src/problem/source.js';
import type { Problem } from '../../src/problem/types.js';
import { type ReportInput, reportFormat, writeReport } from '../../src/report/index.js';
import { CONCRETE_METHOD_NAMES, type ConcreteMethodName, DENSE_MAX_N, METHOD_NAMES, type MethodName, isMethodName } from '../../optimizers/index.js';

/** Exit codes: 0 converged, 1 stopped without converging, 2 bad input, 3 internal error. */
export const EXIT = { ok: 0, notConverged: 1, badInput: 2, internal: 3, interrupted: 130 } as const;

/** A command-line mistake (bad option value, unknown method): exit code 2. */
export class UsageError extends TayoptError {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The methods `--method` lists, in registry order (bounded aliases such as 'lbfgsb' are accepted but not listed). */
export const METHODS: readonly MethodName[] = ['auto', ...CONCRETE_METHOD_NAMES];

/** What `compare` runs when --methods is not given (dense-Hessian methods only up to DENSE_MAX_N unknowns; with bounds only methods that honour them). */
export const COMPARE_DEFAULTS: readonly ConcreteMethodName[] = ['lbfgs', 'newton-cg', 'trust-ncg', 'trust-exact'];

/** Words for the help: the compare defaults and their limits. */
export const COMPARE_DEFAULTS_TEXT = `${COMPARE_DEFAULTS.join(',')}; dense-Hessian methods only up to ${DENSE_MAX_N} unknowns, and with bounds only methods that honour them`;

/** Checks a method name; `where` names its source (`--method`, `file:3:5: options.method`). */
export function checkMethod(m: string, where: string): MethodName {
  if (!isMethodName(m)) {
    throw new UsageError(`${where}: unknown method "${shown(m)}"${suggestion(m, METHOD_NAMES, '"')}; the methods are ${METHODS.join(', ')}`);
  }
  return m;
}

/**
 * How a bad flag value was written. yargs has already turned `--max-iter abc` into NaN, so
 * the text is looked up on the command line (`--flag value` or `--flag=value`).
 */
function given(v: unknown, flag: string): string {
  if (typeof v === 'string') return `"${shown(v)}"`;
  if (typeof v === 'number' && Number.isNaN(v)) {
    const argv = process.argv;
    for (let i = argv.length - 1; i >= 0; i--) {
      const a = argv[i]!;
      if (a.startsWith(`${flag}=`)) return `"${shown(a.slice(flag.length + 1))}"`;
      if (a === flag && i + 1 < argv.length) return `"${shown(argv[i + 1]!)}"`;
    }
  }
  return String(v);
}

/** A positive finite number option (`--gtol`). */
export function positive(v: unknown, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const x = typeof v === 'number' ? v : Number(v);
  if (!(x > 0) || !Number.isFinite(x)) throw new UsageError(`${flag} must be a positive number, got ${given(v, flag)}`);
  return x;
}

/** A non-negative number option that may be 0 (`--ftol`). */
export function nonNegative(v: unknown, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const x = typeof v === 'number' ? v : Number(v);
  if (!(x >= 0) || !Number.isFinite(x)) throw new UsageError(`${flag} must be a non-negative number, got ${given(v, flag)}`);
  return x;
}

/** A non-negative integer option (`--max-iter`). */
export function count(v: unknown, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const x = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(x) || x < 0) throw new UsageError(`${flag} must be a non-negative integer, got ${given(v, flag)}`);
  return x;
}

/**
 * Checks `--report PATH` before any work, so a bad extension or an unwritable place never
 * costs a solve: the format must be known, and the nearest existing folder on the path must
 * be a writable folder (missing folders are created when the report is written).
 */
export async function checkReportPath(path: unknown): Promise<string | undefined> {
  if (path === undefined) return undefined;
  if (typeof path !== 'string' || path === '') throw new UsageError('--report needs a file name ending in .png or .html');
  try {
    reportFormat(path);
  } catch {
    throw new UsageError(`--report: cannot tell the report format of "${shown(path, 120)}"; use a name ending in .png or .html`);
  }
  // the report itself: an existing folder, or a file that cannot be replaced, fails now, not after the solve
  try {
    const s = await stat(path);
    if (s.isDirectory()) throw new UsageError(`--report: cannot write "${shown(path, 120)}": it is a folder`);
    if (!s.isFile()) throw new UsageError(`--report: cannot write "${shown(path, 120)}": it is not a regular file`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const code = (e as { code?: string }).code;
    // a missing file is written later; a missing or non-folder parent is reported by the walk below
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new UsageError(`--report: cannot write "${shown(path, 120)}": ${ioReason(e)}`);
  }
  let dir = dirname(resolve(path));
  for (;;) {
    try {
      const s = await stat(dir);
      if (!s.isDirectory()) throw new UsageError(`--report: cannot write "${shown(path, 120)}": ${shown(dir, 120)} is not a folder`);
      await access(dir, constants.W_OK).catch((e) => {
        throw new UsageError(`--report: cannot write "${shown(path, 120)}": ${ioReason(e)}`);
      });
      break;
    } catch (e) {
      if ((e as { code?: string }).code !== 'ENOENT') throw e;
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  return path;
}

/**
 * Writes the convergence report; a file-system failure is reported as bad input (exit 2:
 * the path cannot be written), and writeReport's atomic rename leaves no partial file.
 */
export async function saveReport(path: string, input: ReportInput): Promise<void> {
  try {
    await writeReport(path, input);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') throw new UsageError(`cannot write the report "${shown(path, 120)}": ${ioReason(e)}`);
    throw e;
  }
}

/** Loads the problem file named on the command line. */
export async function load(file: unknown): Promise<Problem> {
  if (typeof file !== 'string' || file === '') throw new UsageError('missing the problem file');
  return loadProblem(file);
}

/** The engine's objective on flat vectors for a problem. */
export function flatObjective(problem: Problem): FlatObjective {
  return objective(problem.f, problem.x0);
}

/**
 * f and ∇f at x, with an error (exit 2) when either is not finite there: a solver cannot
 * start from such a point. `label` says which point ("the start point").
 */
export function finiteAt(
  problem: Problem,
  obj: FlatObjective,
  x: Float64Array,
  label: string,
  name: (i: number) => string,
): { f: number; g: Float64Array } {
  const g = new Float64Array(problem.n);
  const f = obj.valueAndGrad(x, g);
  if (!Number.isFinite(f)) throw new ProblemError(`${problem.where}: not finite at ${label} (f = ${f})`);
  const bad = g.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new ProblemError(`${problem.where}: the gradient is not finite at ${label} (∂f/∂${name(bad)} = ${g[bad]})`);
  return { f, g };
}

/** A number in exponent notation with `digits` after the point; NaN/Infinity spelled out. */
export function sci(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined) return '-';
  if (!Number.isFinite(v)) return String(v);
  const [m, e] = v.toExponential(digits).split('e');
  const ex = Number(e);
  return `${m}e${ex < 0 ? '-' : '+'}${String(Math.abs(ex)).padStart(2, '0')}`;
}

/** A number in its shortest form with at most `digits` significant digits. */
export function short(v: number, digits = 10): string {
  if (!Number.isFinite(v)) return String(v);
  return String(Number(v.toPrecision(digits)));
}

/** Nested arrays printed compactly; long vectors elided in the middle. */
export function compact(v: unknown, limit = 8): string {
  if (typeof v === 'number') return short(v);
  if (!Array.isArray(v)) return String(v);
  if (v.length > limit) {
    const head = v.slice(0, limit - 2).map((e) => compact(e, limit));
    const tail = v.slice(-2).map((e) => compact(e, limit));
    return `[${head.join(', ')}, … (${v.length} in all) …, ${tail.join(', ')}]`;
  }
  return `[${v.map((e) => compact(e, limit)).join(', ')}]`;
}

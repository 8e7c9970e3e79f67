/** `tayopt compare FILE --methods a,b,c`: each method in turn, a table, one chart. */
import type { Problem } from '../../src/problem/types.js';
import { shown } from '../../src/text.js';
import { CONCRETE_METHOD_NAMES, type ConcreteMethodName, DENSE_MAX_N, LEAST_SQUARES_METHOD_NAMES, type LeastSquaresResult, type MethodName, type MinimizeResult, honoursBounds, isDense, methodSpec } from '../../optimizers/index.js';
import { COMPARE_DEFAULTS, EXIT, UsageError, checkMethod, checkReportPath, load, saveReport, sci, short } from './common.js';
import { checkBoundsSupport, checkConstraintSupport, checkMethodSize, checkProblemKind, checkToleranceFlags, denseWarning, isConstrained, prepare, runMethod } from './run.js';
import { type SolveArgs, checkFlags, methodFrom, resultJson, settingsFrom, withStartFlag } from './solve.js';

export interface CompareArgs extends SolveArgs {
  methods?: unknown;
}

/** The default methods that suit the problem (see COMPARE_DEFAULTS; with general constraints, the methods that take them). */
function defaultMethods(problem: Problem): MethodName[] {
  if (isConstrained(problem)) return CONCRETE_METHOD_NAMES.filter((m) => methodSpec(m).constraints);
  // a least-squares problem: its methods first, then the minimize defaults on Σr²
  const candidates: readonly ConcreteMethodName[] = problem.residuals ? [...LEAST_SQUARES_METHOD_NAMES.filter((m) => problem.m! >= problem.n || m !== 'lm'), ...COMPARE_DEFAULTS] : COMPARE_DEFAULTS;
  return candidates.filter((m) => (!problem.bounds || honoursBounds(m)) && (isLeastSquaresMethod(m) || !isDense(m) || problem.n <= DENSE_MAX_N));
}

function isLeastSquaresMethod(m: MethodName): boolean {
  return (LEAST_SQUARES_METHOD_NAMES as readonly string[]).includes(m);
}

function parseMethods(v: unknown): MethodName[] | undefined {
  if (v === undefined) return undefined;
  const list = (Array.isArray(v) ? v.map(String) : String(v).split(','))
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (list.length === 0) throw new UsageError('--methods needs a comma-separated list, e.g. --methods lbfgs,newton,trust-exact');
  const methods = list.map((m) => checkMethod(m, '--methods'));
  const dup = methods.find((m, i) => methods.indexOf(m) !== i);
  if (dup) throw new UsageError(`--methods lists "${shown(dup)}" twice`);
  return methods;
}

/** Runs `compare`; returns the exit code (0 when every method converged, else 1). */
export async function compareCommand(args: CompareArgs): Promise<number> {
  const given = parseMethods(args.methods);
  checkFlags(args);
  const reportPath = await checkReportPath(args.report);
  const problem = withStartFlag(await load(args.file), args.start);
  methodFrom(undefined, problem); // a bad options.method in the file is still an error
  const methods = given ?? defaultMethods(problem);
  for (const m of methods) {
    checkProblemKind(problem, m, '--methods');
    checkBoundsSupport(problem, m, '--methods');
    checkConstraintSupport(problem, m, '--methods');
    checkMethodSize(problem, m);
  }
  const settings = settingsFrom(args, problem);
  for (const m of methods) checkToleranceFlags(problem, m, settings, '--methods');
  const prepared = prepare(problem);

  const results: { method: MethodName; result: MinimizeResult | LeastSquaresResult }[] = [];
  for (const method of methods) {
    if (!args.quiet) process.stderr.write(`tayopt: ${shown(problem.name, 80)}: running ${method}…\n`);
    const warning = denseWarning(problem, method);
    if (warning) process.stderr.write(`${warning}\n`);
    results.push({ method, result: runMethod(problem, prepared, method, settings) });
  }

  if (args.json) {
    process.stdout.write(`${JSON.stringify({ problem: problem.name, fStar: problem.solution.f ?? null, runs: results.map((r) => ({ requested: r.method, ...resultJson(problem, r.result) })) })}\n`);
  } else {
    process.stdout.write(table(problem, results));
  }
  if (reportPath) {
    await saveReport(reportPath, {
      title: problem.name,
      runs: results.map(({ method, result }) => ({
        label: method === result.method ? method : `${method} (${result.method})`,
        history: result.history,
        status: result.status,
        success: result.success,
        message: result.message,
      })),
      ...(problem.solution.f !== undefined ? { fStar: problem.solution.f } : {}),
    });
    if (!args.quiet) process.stderr.write(`tayopt: report written to ${reportPath}\n`);
  }
  return results.every((r) => r.result.success) ? EXIT.ok : EXIT.notConverged;
}

/** The comparison table. */
function table(problem: Problem, results: { method: MethodName; result: MinimizeResult | LeastSquaresResult }[]): string {
  const fStar = problem.solution.f;
  const head = ['method', 'status', 'f', fStar !== undefined ? 'f − f*' : 'f − min f', '‖g‖∞', 'iter', 'nfev', 'ngev', 'nhvp', 'nhev', 'time'];
  const best = Math.min(...results.map((r) => r.result.fun).filter(Number.isFinite));
  const ref = fStar ?? best;
  const rows = results.map(({ method, result: r }) => {
    const last = r.history[r.history.length - 1];
    return [
      method === r.method ? method : `${method}→${r.method}`,
      r.success ? r.status : `${r.status} ✗`,
      short(r.fun, 10),
      sci(r.fun - ref),
      sci(last?.gnorm),
      String(r.nit),
      String(r.nfev),
      String(r.ngev),
      String(r.nhvp),
      String(r.nhev),
      last ? `${(last.timeMs / 1000).toFixed(2)} s` : '-',
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const lines = [`${shown(problem.name, 80)}: ${problem.n} unknowns${fStar !== undefined ? `, known f* = ${short(fStar, 12)}` : ''}`, fmt(head), ...rows.map(fmt)];
  return `${lines.join('\n')}\n`;
}

/** `tayopt solve FILE`: minimize, log each iteration to stderr, print the result. */
import { byVariable, elementName, withStart } from '../../src/problem/index.js';
import type { Problem } from '../../src/problem/types.js';
import { shown } from '../../src/text.js';
import type { LeastSquaresResult, MethodName, MinimizeResult } from '../../optimizers/index.js';
import { EXIT, checkMethod, checkReportPath, compact, count, load, nonNegative, positive, saveReport, sci, short } from './common.js';
import { IterationLog } from './log.js';
import { type RunSettings, checkBoundsSupport, checkConstraintSupport, checkMethodSize, checkProblemKind, checkToleranceFlags, denseWarning, gtolText, isConstrained, isLeastSquaresRun, prepare, runMethodAsync } from './run.js';

/** Parsed `solve` arguments (as yargs gives them). */
export interface SolveArgs {
  file?: unknown;
  method?: unknown;
  gtol?: unknown;
  maxIter?: unknown;
  ftol?: unknown;
  xtol?: unknown;
  maxEval?: unknown;
  timeLimit?: unknown;
  json?: boolean;
  report?: unknown;
  quiet?: boolean;
  verbose?: boolean;
  /** A start point of the file's `starts` by name. */
  start?: unknown;
}

/** Solver settings from flags, falling back on the problem's `options`, then the defaults. */
export function settingsFrom(args: SolveArgs, problem: Problem): RunSettings {
  const timeLimit = positive(args.timeLimit, '--time-limit');
  return {
    gtol: positive(args.gtol, '--gtol') ?? problem.options.gtol,
    maxIter: count(args.maxIter, '--max-iter') ?? problem.options.maxIter ?? 1000,
    ftol: nonNegative(args.ftol, '--ftol'),
    xtol: nonNegative(args.xtol, '--xtol'),
    maxEval: count(args.maxEval, '--max-eval'),
    timeLimit: timeLimit === undefined ? undefined : timeLimit * 1000,
  };
}

/** Checks the flags that do not need the problem, so mistakes cost no loading. */
export function checkFlags(args: SolveArgs): void {
  positive(args.gtol, '--gtol');
  count(args.maxIter, '--max-iter');
  nonNegative(args.ftol, '--ftol');
  nonNegative(args.xtol, '--xtol');
  count(args.maxEval, '--max-eval');
  positive(args.timeLimit, '--time-limit');
}

/** The method: --method, else the problem's options.method, else auto. */
export function methodFrom(flag: unknown, problem: Problem): MethodName {
  if (flag !== undefined) return checkMethod(String(flag), '--method');
  if (problem.options.method !== undefined) return checkMethod(problem.options.method, `${problem.file}: options.method`);
  return 'auto';
}

/**
 * Runs `solve`; returns the exit code. Throws ProblemError/UsageError for bad input.
 * `startedAt` (performance.now() clock, ms) is when the command started: `--time-limit`
 * covers loading, compiling and solving, so the solver gets what is left of it.
 */
export async function solveCommand(args: SolveArgs, startedAt = performance.now()): Promise<number> {
  const err = (s: string) => process.stderr.write(s);
  if (args.method !== undefined) checkMethod(String(args.method), '--method');
  checkFlags(args);
  const reportPath = await checkReportPath(args.report);
  const problem = withStartFlag(await load(args.file), args.start);
  const method = methodFrom(args.method, problem);
  const where = args.method !== undefined ? '--method' : `${problem.file}: options.method`;
  checkProblemKind(problem, method, where);
  checkBoundsSupport(problem, method, where);
  checkConstraintSupport(problem, method, where);
  checkMethodSize(problem, method);
  const settings = settingsFrom(args, problem);
  checkToleranceFlags(problem, method, settings, where);
  const prepared = prepare(problem);

  const log = new IterationLog(args.quiet ? () => undefined : err, { verbose: args.verbose === true, tty: process.stderr.isTTY === true });
  const shapes = problem.variables.map((v) => `${v.name}${v.shape.length ? ` [${v.shape.join('×')}]` : ''}`).join(', ');
  log.line(`tayopt: solving "${shown(problem.name, 80)}" (${shown(problem.file, 120)})`);
  const m = (problem.constraints ?? []).reduce((s, c) => s + c.lower.length, 0);
  log.line(`  ${problem.n} unknown${problem.n === 1 ? '' : 's'}: ${shapes}${problem.bounds ? '; with bounds' : ''}${m ? `; ${m} constraint value${m === 1 ? '' : 's'} in ${problem.constraints!.length} constraint${problem.constraints!.length === 1 ? '' : 's'}` : ''}`);
  const lsq = isLeastSquaresRun(problem, method);
  const ipm = isConstrained(problem) || method === 'ipm';
  log.line(
    lsq
      ? `  least squares: ${problem.m} residuals; method ${method}${settings.gtol !== undefined ? `, gtol ${settings.gtol.toExponential()}` : ''}, at most ${settings.maxIter} iterations`
      : ipm
        ? `  method ${method}${method === 'auto' ? ' (ipm: general constraints)' : ''}, tolerance ${(settings.gtol ?? 1e-8).toExponential()} on the KKT error, at most ${settings.maxIter} iterations`
        : `  method ${method}, gtol ${gtolText(method, settings)}, at most ${settings.maxIter} iterations`,
  );
  if (prepared.x0.some((v, i) => v !== problem.x0[i])) log.line('  the start point was moved into the bounds');
  const warning = denseWarning(problem, method);
  if (warning) err(`${warning}\n`);
  log.line('');
  // Ctrl-C aborts the run through its signal: the summary and the report then show the best
  // point so far, and the exit code is 130 (128 + SIGINT) as for any interrupted command. A
  // second Ctrl-C exits at once.
  const interrupt = new AbortController();
  const onSigint = (): void => {
    if (interrupt.signal.aborted) process.exit(EXIT.interrupted);
    interrupt.abort();
  };
  process.on('SIGINT', onSigint);
  let result: MinimizeResult | LeastSquaresResult;
  // what is left of the limit after loading and compiling (at least 1 ms: the run then stops at its start point)
  const spent = performance.now() - startedAt;
  if (settings.timeLimit !== undefined) settings.timeLimit = Math.max(1, settings.timeLimit - spent);
  const solveStart = performance.now();
  try {
    result = await runMethodAsync(problem, prepared, method, settings, (e) => log.row(e), interrupt.signal);
  } finally {
    process.off('SIGINT', onSigint);
  }
  const solveMs = performance.now() - solveStart;
  log.finish();
  log.line('');
  if (result.status === 'timeLimit' && args.timeLimit !== undefined) {
    const during = / during iteration \d+/.exec(result.message)?.[0] ?? '';
    result.message = `stopped: --time-limit ${Number(args.timeLimit)} s reached${during} (loading and compiling took ${(spent / 1000).toFixed(2)} s of it)`;
  }
  if (result.status === 'aborted') err('tayopt: interrupted (Ctrl-C); the result below is the best point so far\n');

  if (args.json) {
    process.stdout.write(`${JSON.stringify(resultJson(problem, result))}\n`);
  } else {
    process.stdout.write(summary(problem, result, solveMs));
  }
  if (reportPath) {
    await saveReport(reportPath, {
      title: problem.name,
      runs: [{ label: result.method, history: result.history, status: result.status, success: result.success, message: result.message }],
      ...(problem.solution.f !== undefined ? { fStar: problem.solution.f } : {}),
    });
    if (!args.quiet) err(`tayopt: report written to ${reportPath}\n`);
  }
  if (result.status === 'aborted') return EXIT.interrupted;
  return result.success ? EXIT.ok : EXIT.notConverged;
}

/** The `--json` object: the solution by variable name, in the variables' shapes, and the run's counts (and for a fit, the standard errors by variable). */
export function resultJson(problem: Problem, r: MinimizeResult | LeastSquaresResult): Record<string, unknown> {
  const fit = 'stderr' in r ? { stderr: r.stderr ? byVariable(problem, r.stderr) : null, njev: r.njev, rankDeficient: r.rankDeficient } : {};
  return {
    problem: problem.name,
    method: r.method,
    x: byVariable(problem, r.x),
    ...fit,
    fun: r.fun,
    success: r.success,
    status: r.status,
    message: r.message,
    nit: r.nit,
    nfev: r.nfev,
    ngev: r.ngev,
    nhvp: r.nhvp,
    nhev: r.nhev,
    timeMs: r.history.length ? r.history[r.history.length - 1]!.timeMs : 0,
    ...(r.constraints
      ? {
          constraints: Array.from(r.constraints),
          multipliers: { constraints: Array.from(r.multipliers!.constraints), lower: byVariable(problem, r.multipliers!.lower), upper: byVariable(problem, r.multipliers!.upper) },
          kkt: r.kkt,
          ncev: r.ncev,
          njev: r.njev,
        }
      : {}),
  };
}

/**
 * The human-readable result. `solveMs`: the solver's whole run (ms), iterations and a stop
 * inside one included; without it, the time of the last recorded iterate.
 */
export function summary(problem: Problem, r: MinimizeResult | LeastSquaresResult, solveMs?: number): string {
  const last = r.history[r.history.length - 1];
  const ms = solveMs ?? last?.timeMs;
  const lines: string[] = [];
  lines.push(`${shown(problem.name, 80)}: ${r.success ? 'converged' : 'NOT converged'} (${r.status}) with ${r.method} after ${r.nit} iteration${r.nit === 1 ? '' : 's'}${ms !== undefined ? `, ${(ms / 1000).toFixed(2)} s` : ''}`);
  lines.push(`  ${r.message}`);
  const fStar = problem.solution.f;
  lines.push(`  f = ${short(r.fun, 12)}${fStar !== undefined ? `   (known f* = ${short(fStar, 12)}, f − f* = ${sci(r.fun - fStar)})` : ''}`);
  if ('stderr' in r) {
    if (last) lines.push(`  ${problem.bounds ? 'projected gradient ‖·‖∞' : '‖∇f‖∞'} = ${sci(last.gnorm)}`);
    lines.push(`  evaluations: residuals ${r.nfev}, Jacobian ${r.njev}`);
    lines.push(parameterTable(problem, r));
    return `${lines.join('\n')}\n`;
  }
  if (r.kkt) {
    lines.push(`  KKT residuals: stationarity ‖∇f + Jᵀλ − z_L + z_U‖∞ = ${sci(r.kkt.stationarity)}, max constraint violation = ${sci(r.kkt.feasibility)}, complementarity = ${sci(r.kkt.complementarity)}`);
    lines.push(`  evaluations: f ${r.nfev}, gradient ${r.ngev}, constraints ${r.ncev}, constraint Jacobian ${r.njev}, Lagrangian Hessian ${r.nhev}`);
    let k = 0;
    for (const c of problem.constraints ?? []) {
      const size = c.lower.length;
      const vals = Array.from(r.constraints!.subarray(k, k + size));
      const lam = Array.from(r.multipliers!.constraints.subarray(k, k + size));
      lines.push(`  ${c.name}: value ${compact(size === 1 ? vals[0] : vals)}, multiplier ${compact(size === 1 ? lam[0] : lam)}`);
      k += size;
    }
  } else {
    if (last) lines.push(`  ${problem.bounds ? 'projected gradient ‖·‖∞' : '‖∇f‖∞'} = ${sci(last.gnorm)}`);
    lines.push(`  evaluations: f ${r.nfev}, gradient ${r.ngev}, Hessian-vector ${r.nhvp}, Hessian ${r.nhev}`);
  }
  const xs = byVariable(problem, r.x);
  for (const v of problem.variables) lines.push(`  ${v.name} = ${compact(xs[v.name])}`);
  return `${lines.join('\n')}\n`;
}

/** Largest number of parameters the fit report lists one by one. */
const PARAMETER_TABLE_LIMIT = 50;

/**
 * The fit report after the summary (like lmfit's): each parameter with its standard error
 * and relative error, and the fit's statistics.
 */
export function parameterTable(problem: Problem, r: LeastSquaresResult): string {
  const n = problem.n;
  const lines: string[] = [];
  const rss = r.residuals.reduce((s, v) => s + v * v, 0);
  lines.push(`  fit: ${r.m} residuals, ${n} parameters, ${r.dof} degrees of freedom; residual sum of squares ${short(rss, 10)}${r.dof > 0 ? `, residual standard deviation ${short(Math.sqrt(rss / r.dof), 8)}` : ''}`);
  if (r.rankDeficient) lines.push(`  the Jacobian is rank deficient (rank ${r.rank} < ${n}): some parameter combinations are not determined by the data; standard errors from a pseudo-inverse`);
  if (!r.stderr) {
    lines.push('  standard errors: not available (no degrees of freedom, or the run ended on non-finite values)');
    return lines.join('\n');
  }
  if (n > PARAMETER_TABLE_LIMIT) {
    lines.push(`  (${n} parameters: values and standard errors are in --json)`);
    return lines.join('\n');
  }
  const names = Array.from({ length: n }, (_, i) => elementName(problem.variables, i));
  const rows = names.map((nm, i) => {
    const se = r.stderr![i]!;
    const rel = r.x[i] !== 0 ? `${((100 * se) / Math.abs(r.x[i]!)).toPrecision(3)} %` : '-';
    return [nm, short(r.x[i]!, 10), sci(se, 4), rel];
  });
  const head = ['parameter', 'value', 'std. error', 'relative'];
  const w = head.map((h, k) => Math.max(h.length, ...rows.map((row) => row[k]!.length)));
  const fmt = (cells: string[]) => `  ${cells.map((c, k) => (k === 0 ? c.padEnd(w[k]!) : c.padStart(w[k]!))).join('   ')}`;
  lines.push(fmt(head));
  for (const row of rows) lines.push(fmt(row));
  return lines.join('\n');
}

/** The problem with its start point replaced by the named one of its `starts` (--start). */
export function withStartFlag(problem: Problem, start: unknown): Problem {
  if (start === undefined) return problem;
  return withStart(problem, String(start), '--start');
}

/** `tayopt check FILE`: are a module problem's hand-written derivatives right? */
import { elementName } from '../../src/problem/index.js';
import { loadPoint } from '../../src/problem/load.js';
import { checkDerivatives, type DerivativeCheck } from '../../optimizers/index.js';
import { EXIT, UsageError, finiteAt, flatObjective, load } from './common.js';
import { withStartFlag } from './solve.js';

export interface CheckArgs {
  file?: unknown;
  at?: unknown;
  start?: unknown;
  json?: boolean;
}

/**
 * Runs `check`: the Taylor-remainder test and central differences (checkDerivatives) for the
 * module's `grad`, `hess` and `hvp`, at the start point (or --at) and two points around it.
 * Returns 0 when all are right, 1 when one is wrong; throws (exit 2) for bad input.
 */
export async function checkCommand(args: CheckArgs): Promise<number> {
  const problem = withStartFlag(await load(args.file), args.start);
  const d = problem.derivatives;
  if (!d)
    throw new UsageError(
      `${problem.file} supplies no derivatives to check: a module problem may export grad(x), hess(x) and hvp(x, v) beside its objective (solve uses exact derivatives from the engine)`,
    );
  const atSpec = args.at === undefined ? undefined : String(args.at);
  const x = atSpec === undefined ? problem.x0.slice() : await loadPoint(atSpec, problem, '--at');
  const obj = flatObjective(problem);
  const name = (i: number) => elementName(problem.variables, i);
  finiteAt(problem, obj, x, atSpec === undefined ? 'the start point' : 'the point given by --at', name);
  const report = checkDerivatives((p) => obj.value(p), x, { ...d });
  if (args.json) {
    const json = report.checks.map((c) => ({
      derivative: c.derivative,
      ok: c.ok,
      order: c.order,
      expectedOrder: c.expectedOrder,
      relativeError: c.relativeError,
      at: Array.from(c.at),
      worst: c.worst.map((w) => ({ ...w, name: w.index.map(name).join(', ') })),
    }));
    process.stdout.write(`${JSON.stringify({ problem: problem.name, ok: report.ok, checks: json })}\n`);
  } else {
    const lines = [`${problem.name}: derivatives ${report.ok ? 'right' : 'WRONG'} (checked at ${report.points.length} point${report.points.length === 1 ? '' : 's'}: the start and around it)`];
    for (const c of report.checks) lines.push(...describe(c, name));
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return report.ok ? EXIT.ok : EXIT.notConverged;
}

/** The check of one derivative, with variable names for the components. */
function describe(c: DerivativeCheck, name: (i: number) => string): string[] {
  const order = c.order === null ? 'Taylor remainder at rounding level' : `Taylor remainder ~ h^${c.order.toFixed(2)} (right: h^${c.expectedOrder})`;
  const lines = [`  ${c.derivative.padEnd(5)} ${c.ok ? 'right' : 'WRONG'}: ${order}, relative error ${c.relativeError.toExponential(1)} against central differences`];
  const wrong = c.worst.filter((w) => w.wrong);
  for (const w of wrong) {
    const what = c.derivative === 'hess' ? `∂²f/∂${name(w.index[0]!)}∂${name(w.index[1]!)}` : c.derivative === 'grad' ? `∂f/∂${name(w.index[0]!)}` : `(Hv)[${name(w.index[0]!)}]`;
    lines.push(`        ${what}: supplied ${w.supplied.toPrecision(6)}, differences give ${w.estimate.toPrecision(6)}`);
  }
  if (!c.ok && wrong.length === 0) lines.push('        no single component stands out');
  if (!c.ok) lines.push(`        at x = [${Array.from(c.at.subarray(0, 8), (v) => v.toPrecision(4)).join(', ')}${c.at.length > 8 ? ', …' : ''}]`);
  return lines;
}

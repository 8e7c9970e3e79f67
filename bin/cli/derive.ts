/** `tayopt derive FILE`: value, gradient and (optionally) Hessian at x0 or a given point; residuals and constraints with their Jacobians. */
import { byVariable, elementName } from '../../src/problem/index.js';
import { loadPoint } from '../../src/problem/load.js';
import { shown } from '../../src/text.js';
import { constraintOracles } from '../../src/ad/lagrangian.js';
import { residualFunctions } from '../../src/ad/residual.js';
import { UsageError, compact, finiteAt, flatObjective, load, short } from './common.js';
import { withStartFlag } from './solve.js';

export interface DeriveArgs {
  file?: unknown;
  at?: unknown;
  hessian?: boolean;
  /** Also the residuals and their Jacobian (problems with `residuals`). */
  jacobian?: boolean;
  start?: unknown;
  json?: boolean;
}

/** Largest residual count for which the text output prints the Jacobian row by row (beyond that: --json). */
const JACOBIAN_TEXT_LIMIT = 60;

/** Largest n for which the text output prints the Hessian and the constraint Jacobian (beyond that: --json). */
const HESSIAN_TEXT_LIMIT = 12;
/** Most constraint rows the text output prints. */
const ROWS_TEXT_LIMIT = 50;

/** Runs `derive`; returns the exit code. Throws ProblemError/UsageError for bad input. */
export async function deriveCommand(args: DeriveArgs): Promise<number> {
  const problem = withStartFlag(await load(args.file), args.start);
  if (args.jacobian && !problem.residuals)
    throw new UsageError(`--jacobian: ${problem.file} gives an objective, not residuals; the Jacobian is of a residual vector (the "residuals" field)`);
  const atSpec = args.at === undefined ? undefined : String(args.at);
  const x = atSpec === undefined ? problem.x0.slice() : await loadPoint(atSpec, problem, '--at');
  const label = atSpec === undefined ? 'the start point' : 'the point given by --at';
  const obj = flatObjective(problem);
  const { f, g } = finiteAt(problem, obj, x, label, (i) => elementName(problem.variables, i));
  let res: { r: Float64Array; J: Float64Array; m: number } | null = null;
  if (args.jacobian) {
    const R = residualFunctions('derive', problem.residuals!, problem.x0);
    res = { r: new Float64Array(R.m), J: new Float64Array(R.m * problem.n), m: R.m };
    R.jacobian(x, res.r, res.J);
  }
  let H: Float64Array | null = null;
  if (args.hessian) {
    H = new Float64Array(problem.n * problem.n);
    obj.hessian(x, H);
  }
  // constraint values and Jacobian (one replay), when the problem has constraints
  const cons = problem.constraints ?? [];
  const m = cons.reduce((s, c) => s + c.lower.length, 0);
  const c = new Float64Array(m);
  const J = new Float64Array(m * problem.n);
  if (m > 0) constraintOracles(null, cons.map((k) => k.fun), problem.x0).jacobian(x, c, J);
  const rowsOf = (k: number, size: number) => Array.from({ length: size }, (_, i) => Array.from(J.subarray((k + i) * problem.n, (k + i + 1) * problem.n)));
  if (args.json) {
    const out: Record<string, unknown> = {
      problem: problem.name,
      variables: problem.variables.map((v) => ({ name: v.name, shape: v.shape, offset: v.offset })),
      point: byVariable(problem, x),
      f,
      gradient: byVariable(problem, g),
    };
    if (res) {
      const n = problem.n;
      out['residuals'] = Array.from(res.r);
      out['jacobian'] = Array.from({ length: res.m }, (_, i) => Array.from(res!.J.subarray(i * n, (i + 1) * n)));
    }
    if (H) {
      const n = problem.n;
      out['hessian'] = Array.from({ length: n }, (_, i) => Array.from(H!.subarray(i * n, (i + 1) * n)));
    }
    if (m > 0) {
      let k = 0;
      out['constraints'] = cons.map((con) => {
        const size = con.lower.length;
        const entry = { name: con.name, value: Array.from(c.subarray(k, k + size)), lower: Array.from(con.lower, nullIfInfinite), upper: Array.from(con.upper, nullIfInfinite), jacobian: rowsOf(k, size) };
        k += size;
        return entry;
      });
    }
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return 0;
  }
  const lines: string[] = [];
  lines.push(`${shown(problem.name, 80)} at ${label}:`);
  const xs = byVariable(problem, x);
  for (const v of problem.variables) lines.push(`  ${v.name} = ${compact(xs[v.name], 12)}`);
  lines.push(`f = ${short(f, 15)}`);
  lines.push('gradient:');
  const gs = byVariable(problem, g);
  for (const v of problem.variables) lines.push(`  ∂f/∂${v.name} = ${compact(gs[v.name], 12)}`);
  if (res) {
    const n = problem.n;
    lines.push(`residuals (${res.m}): ${compact(Array.from(res.r), 12)}`);
    if (res.m <= JACOBIAN_TEXT_LIMIT) {
      lines.push(`Jacobian (${res.m}×${n}; ∂rᵢ/∂ unknowns in the order ${problem.variables.map((v) => v.name).join(', ')}, each row-major):`);
      for (let i = 0; i < res.m; i++) lines.push(`  [${Array.from(res.J.subarray(i * n, (i + 1) * n), (v) => short(v, 8)).join(', ')}]`);
    } else lines.push(`Jacobian: ${res.m}×${n} (too large to print; use --json)`);
  }
  if (H) {
    const n = problem.n;
    if (n <= HESSIAN_TEXT_LIMIT) {
      lines.push(`Hessian (${n}×${n}; unknowns in the order ${problem.variables.map((v) => v.name).join(', ')}, each row-major):`);
      for (let i = 0; i < n; i++) lines.push(`  [${Array.from(H.subarray(i * n, (i + 1) * n), (v) => short(v, 8)).join(', ')}]`);
    } else {
      let asym = 0;
      for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) asym = Math.max(asym, Math.abs(H[i * n + j]! - H[j * n + i]!));
      let diagMin = Infinity;
      let diagMax = -Infinity;
      for (let i = 0; i < n; i++) {
        diagMin = Math.min(diagMin, H[i * n + i]!);
        diagMax = Math.max(diagMax, H[i * n + i]!);
      }
      lines.push(`Hessian: ${n}×${n} (too large to print; use --json), diagonal in [${short(diagMin, 6)}, ${short(diagMax, 6)}], max |H − Hᵀ| = ${short(asym, 3)}`);
    }
  }
  if (m > 0) {
    lines.push(`constraints (${m} value${m === 1 ? '' : 's'}; Jacobian rows over the unknowns in the order ${problem.variables.map((v) => v.name).join(', ')}, each row-major):`);
    let k = 0;
    let shown = 0;
    for (const con of cons) {
      const size = con.lower.length;
      for (let i = 0; i < size; i++, shown++) {
        if (shown === ROWS_TEXT_LIMIT) lines.push(`  … (${m - ROWS_TEXT_LIMIT} more; use --json)`);
        if (shown >= ROWS_TEXT_LIMIT) continue;
        const lo = con.lower[i]!;
        const hi = con.upper[i]!;
        const range = lo === hi ? `== ${short(lo)}` : `in [${short(lo)}, ${short(hi)}]`;
        const row = J.subarray((k + i) * problem.n, (k + i + 1) * problem.n);
        const jac = problem.n <= HESSIAN_TEXT_LIMIT ? `[${Array.from(row, (v) => short(v, 8)).join(', ')}]` : `${row.filter((v) => v !== 0).length} nonzeros, max |∂c/∂x| = ${short(Math.max(...row.map(Math.abs)), 6)}`;
        lines.push(`  ${con.name}${size === 1 ? '' : `, element ${i + 1}`}: c = ${short(c[k + i]!, 12)} (${range}); ∂c/∂x = ${jac}`);
      }
      k += size;
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

function nullIfInfinite(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

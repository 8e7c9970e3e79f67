/** `tayopt derive FILE`: value, gradient and (optionally) Hessian at x0 or a given point. */
import { byVariable, elementName } from '../../src/problem/index.js';
import { loadPoint } from '../../src/problem/load.js';
import { shown } from '../../src/text.js';
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

/** Largest n for which the text output prints the Hessian (beyond that: --json). */
const HESSIAN_TEXT_LIMIT = 12;

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
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

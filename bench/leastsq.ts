/**
 * Least-squares benchmark (part of `npm run bench:solvers`): our `lm` and `trf` with default
 * options, beside scipy's `least_squares` (lm and trf) given the same exact Jacobians over
 * the pipe of bench/solvers.ts, and ml-levenberg-marquardt (npm; finite-difference Jacobian,
 * its defaults).
 *
 *  1. NIST StRD: the 27 problems from both of NIST's starts, scored by the log relative error
 *     (LRE) of every parameter against the certified values: pass = min LRE ≥ 4 (and ≥ 6);
 *     a false success is a run that reports success with min LRE < 4.
 *  2. MGH in residual form (n ≤ 100): solved = reached a published minimum (mgh.ts), all
 *     solvers at the same tolerances ftol = 1e-15, xtol = 1e-10, gtol = 1e-10 (ours' defaults, except trf's error-estimate test, whose own default is 1e-8).
 */
import { spawnSync } from 'node:child_process';
import { PYTHON_PREAMBLE } from './scipy-bridge.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { levenbergMarquardt } from 'ml-levenberg-marquardt';
import type * as t from '../src/index.js';
import { type FlatResiduals, residualFunctions } from '../src/ad/residual.js';
import { type LeastSquaresOptions, leastSquares } from '../optimizers/leastsq/least-squares.js';
import { MGH_PROBLEMS, reaches, type MinimumValue } from './problems/mgh.js';
import { minLre, nistProblems } from './problems/nist.js';
import { median } from './timing.js';

/** One run's outcome, whoever ran it. */
interface Outcome {
  x: number[];
  fun: number;
  success: boolean | null;
  nfev: number;
  njev: number;
  status: string;
}

interface Job {
  /** Server key of the residual function. */
  key: string;
  x0: number[];
  n: number;
  m: number;
  residuals: (x: t.Tensor) => t.Tensor;
}

/** Every residual function the server can serve, by key: 'nist:misra1a', 'mgh:rosenbrock'. */
function residualProblems(): Map<string, { residuals: (x: t.Tensor) => t.Tensor; x0: number[] }> {
  const out = new Map<string, { residuals: (x: t.Tensor) => t.Tensor; x0: number[] }>();
  for (const p of nistProblems()) out.set(`nist:${p.key}`, { residuals: p.residuals, x0: Array.from(p.starts.start1) });
  for (const p of MGH_PROBLEMS) out.set(`mgh:${p.name}`, { residuals: p.residuals, x0: p.x0 });
  return out;
}

let served: FlatResiduals | null = null;
let servedBuf = { r: new Float64Array(0), J: new Float64Array(0) };

/**
 * The least-squares commands of the evaluation server in bench/solvers.ts: `R key` selects a
 * residual function (reply `ok n m`), `r x…` returns r(x), `j x…` J(x) row-major. Returns
 * null for other commands.
 */
export function residualCommand(cmd: string, parts: string[]): string | null {
  if (cmd === 'R') {
    const p = residualProblems().get(parts[0]!);
    if (!p) return 'error unknown residual problem';
    served = residualFunctions('bench', p.residuals, p.x0);
    servedBuf = { r: new Float64Array(served.m), J: new Float64Array(served.m * served.n) };
    return `ok ${served.n} ${served.m}`;
  }
  if (cmd !== 'r' && cmd !== 'j') return null;
  if (!served) return 'error no residual problem';
  const x = Float64Array.from(parts, Number);
  if (cmd === 'r') {
    served.residuals(x, servedBuf.r);
    return Array.prototype.join.call(servedBuf.r, ' ');
  }
  served.jacobian(x, servedBuf.r, servedBuf.J);
  return Array.prototype.join.call(servedBuf.J, ' ');
}

// ------------------------------------------------------------------ runners

function runOurs(job: Job, options: LeastSquaresOptions): Outcome {
  const r = leastSquares(job.residuals, job.x0, options);
  return { x: Array.from(r.x), fun: r.fun, success: r.success, nfev: r.nfev, njev: r.njev, status: r.status };
}

/** ml-levenberg-marquardt with its defaults (finite differences), fitting r(x) to zero. */
function runMl(job: Job): Outcome {
  const R = residualFunctions('bench', job.residuals, job.x0);
  const r = new Float64Array(job.m);
  let nfev = 0;
  const idx = Array.from({ length: job.m }, (_, i) => i);
  try {
    const res = levenbergMarquardt({ x: idx, y: new Float64Array(job.m) }, (p: number[]) => {
      R.residuals(Float64Array.from(p), r);
      nfev++;
      const rr = Float64Array.from(r);
      return (i: number) => rr[i]!;
    }, { initialValues: job.x0, maxIterations: 1000 });
    const x = Array.from(res.parameterValues);
    R.residuals(Float64Array.from(x), r);
    let f = 0;
    for (const v of r) f += v * v;
    return { x, fun: f, success: null, nfev, njev: res.iterations, status: `${res.iterations} it` };
  } catch (e) {
    return { x: job.x0.map(() => NaN), fun: NaN, success: false, nfev, njev: 0, status: `error: ${(e as Error).message}`.slice(0, 40) };
  }
}

const PYTHON = PYTHON_PREAMBLE + String.raw`
from scipy.optimize import least_squares
warnings.simplefilter('ignore')

out = []
for job in cfg['jobs']:
    _, n, m = ask('R ' + job['key']).split()
    n, m = int(n), int(m)
    fun = lambda x: np.array(ask('r ' + vec(x)).split(), dtype=float)
    jac = lambda x: np.array(ask('j ' + vec(x)).split(), dtype=float).reshape(m, n)
    x0 = np.array(job['x0'], dtype=float)
    try:
        res = least_squares(fun, x0, jac=jac, **job['options'])
        out.append({'x': [float(v) for v in res.x], 'fun': float(2 * res.cost), 'success': bool(res.success),
                    'nfev': int(res.nfev), 'njev': int(res.njev if res.njev is not None else 0), 'status': str(res.status)})
    except Exception as e:
        out.append({'x': [None] * n, 'fun': None, 'success': False, 'nfev': 0, 'njev': 0, 'status': ('error: ' + str(e))[:40]})
srv.stdin.close()
srv.wait()

def clean(v):
    if isinstance(v, list): return [clean(u) for u in v]
    return v if not isinstance(v, float) or np.isfinite(v) else None
print(json.dumps([{k: clean(v) for k, v in r.items()} for r in out]))
`;

/** Runs jobs through scipy's least_squares; null when python3 with scipy is missing. */
function runScipy(jobs: Job[], options: Record<string, unknown>[], server: string[]): Outcome[] | null {
  if (spawnSync('python3', ['-c', 'import scipy, numpy'], { encoding: 'utf8' }).status !== 0) return null;
  const dir = mkdtempSync(join(tmpdir(), 'tayopt-lsq-'));
  try {
    const cfg = { server, jobs: jobs.map((j, k) => ({ key: j.key, x0: j.x0, options: options[k] })) };
    writeFileSync(join(dir, 'jobs.json'), JSON.stringify(cfg));
    writeFileSync(join(dir, 'run.py'), PYTHON);
    const r = spawnSync('python3', [join(dir, 'run.py'), join(dir, 'jobs.json')], { encoding: 'utf8', maxBuffer: 1 << 28 });
    if (r.status !== 0) throw new Error(`scipy run failed: ${r.stderr}`);
    return (JSON.parse(r.stdout.trim().split('\n').pop()!) as (Outcome & { fun: number | null; x: (number | null)[] })[]).map((o) => ({
      ...o,
      x: o.x.map((v) => v ?? NaN),
      fun: o.fun ?? NaN,
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------ printing

const pad = (s: string | number, w: number): string => String(s).padStart(w);

interface Column {
  label: string;
  runs: Outcome[];
}

function nistTables(jobs: (Job & { label: string; cert: Float64Array })[], cols: Column[]): void {
  console.log('\nNIST StRD nonlinear regression, 27 problems × 2 starts: min LRE over the parameters (digits matching the certified values), Jacobian evaluations');
  console.log('(! = reported success with min LRE < 4; ✗ = reported failure; ml-levenberg-marquardt reports no status)');
  const w = 14;
  const head = `${'problem / start'.padEnd(20)}${cols.map((c) => ` │ ${c.label.padStart(w)}`).join('')}`;
  console.log(head);
  console.log('─'.repeat(head.length));
  jobs.forEach((j, k) => {
    const cells = cols.map((c) => {
      const o = c.runs[k]!;
      const l = minLre(o.x, j.cert);
      const mark = o.success === false ? '✗' : o.success && l < 4 ? '!' : ' ';
      return ` │ ${pad(`${l.toFixed(1)}${mark} ${o.njev}`, w)}`;
    });
    console.log(`${j.label.padEnd(20)}${cells.join('')}`);
  });
  console.log('\nNIST summary (54 runs; med njev over all runs)');
  const sh = `${'solver'.padEnd(26)} ${pad('LRE ≥ 4', 8)} ${pad('LRE ≥ 6', 8)} ${pad('false success', 14)} ${pad('med njev', 9)} ${pad('med nfev', 9)}`;
  console.log(sh);
  console.log('─'.repeat(sh.length));
  for (const c of cols) {
    const l = c.runs.map((o, k) => minLre(o.x, jobs[k]!.cert));
    const fs = c.runs.filter((o, k) => o.success === true && l[k]! < 4).length;
    const known = c.runs.some((o) => o.success !== null);
    console.log(
      `${c.label.padEnd(26)} ${pad(l.filter((v) => v >= 4).length, 8)} ${pad(l.filter((v) => v >= 6).length, 8)} ${pad(known ? fs : 'n/a', 14)} ${pad(median(c.runs.map((o) => o.njev)), 9)} ${pad(median(c.runs.map((o) => o.nfev)), 9)}`,
    );
  }
  // run by run against tayopt trf (what auto runs), over the runs both reach LRE ≥ 6
  const ours = cols.find((c) => c.label === 'tayopt trf');
  const others = cols.filter((c) => c !== ours && c.label.startsWith('scipy'));
  if (!ours || others.length === 0) return;
  console.log('\ntayopt trf beside each scipy column, over the runs both reach LRE ≥ 6 (njev run by run)');
  const bh = `${'solver'.padEnd(26)} ${pad('both', 5)} ${pad('med njev', 9)} ${pad('trf med', 8)} ${pad('trf fewer', 10)} ${pad('same', 5)} ${pad('more', 5)}`;
  console.log(bh);
  console.log('─'.repeat(bh.length));
  for (const c of others) {
    const both = jobs.map((_, k) => k).filter((k) => minLre(ours.runs[k]!.x, jobs[k]!.cert) >= 6 && minLre(c.runs[k]!.x, jobs[k]!.cert) >= 6);
    const a = both.map((k) => ours.runs[k]!.njev);
    const b = both.map((k) => c.runs[k]!.njev);
    const fewer = both.filter((_, i) => a[i]! < b[i]!).length;
    const same = both.filter((_, i) => a[i] === b[i]).length;
    console.log(`${c.label.padEnd(26)} ${pad(both.length, 5)} ${pad(median(b), 9)} ${pad(median(a), 8)} ${pad(fewer, 10)} ${pad(same, 5)} ${pad(both.length - fewer - same, 5)}`);
  }
}

function mghTables(jobs: (Job & { label: string; fStar: MinimumValue[] })[], cols: Column[]): void {
  console.log('\nMGH problems in residual form (n ≤ 100): solved = reached a published minimum; njev');
  const w = 12;
  const head = `${'problem'.padEnd(30)}${cols.map((c) => ` │ ${c.label.padStart(w)}`).join('')}`;
  console.log(head);
  console.log('─'.repeat(head.length));
  const solved = (o: Outcome, k: number): boolean => Number.isFinite(o.fun) && jobs[k]!.fStar.some((v) => reaches(o.fun, v));
  jobs.forEach((j, k) => {
    console.log(`${j.label.padEnd(30)}${cols.map((c) => ` │ ${pad(`${solved(c.runs[k]!, k) ? 'yes' : 'NO'} ${c.runs[k]!.njev}`, w)}`).join('')}`);
  });
  console.log('\nMGH summary');
  const sh = `${'solver'.padEnd(26)} ${pad('solved', 8)} ${pad('false success', 14)} ${pad('med njev (solved)', 18)}`;
  console.log(sh);
  console.log('─'.repeat(sh.length));
  for (const c of cols) {
    const ok = c.runs.map((o, k) => solved(o, k));
    const fs = c.runs.filter((o, k) => o.success === true && !ok[k]).length;
    const known = c.runs.some((o) => o.success !== null);
    console.log(`${c.label.padEnd(26)} ${pad(`${ok.filter(Boolean).length}/${jobs.length}`, 8)} ${pad(known ? fs : 'n/a', 14)} ${pad(median(c.runs.filter((_, k) => ok[k]).map((o) => o.njev)), 18)}`);
  }
}

/**
 * Runs both least-squares tables. `server` is the command that starts the evaluation server
 * (bench/solvers.ts --serve); `scipy` false skips the scipy columns.
 */
export function leastSquaresBenchmark(server: string[], scipy: boolean): void {
  console.log('\n════ Least squares: tayopt lm / trf (default options) beside scipy least_squares (same exact Jacobians) and ml-levenberg-marquardt (finite differences) ════');
  const nist = nistProblems().flatMap((p) =>
    (['start1', 'start2'] as const).map((s) => ({
      key: `nist:${p.key}`,
      label: `${p.name} ${s === 'start1' ? '1' : '2'}`,
      x0: Array.from(p.starts[s]),
      n: p.n,
      m: p.m,
      residuals: p.residuals,
      cert: p.certified.x,
    })),
  );
  const cols: Column[] = [
    { label: 'tayopt lm', runs: nist.map((j) => runOurs(j, { method: 'lm' })) },
    { label: 'tayopt trf', runs: nist.map((j) => runOurs(j, { method: 'trf' })) },
  ];
  if (scipy) {
    const variants: [string, Record<string, unknown>][] = [
      ['scipy lm', { method: 'lm' }],
      ['scipy trf', { method: 'trf' }],
      ['scipy trf 1e-15', { method: 'trf', ftol: 1e-15, xtol: 1e-15, gtol: 1e-15 }],
      // our trf's default scaling (the Jacobian's column norms; scipy trf's default is none)
      ['scipy trf jac', { method: 'trf', x_scale: 'jac' }],
    ];
    for (const [label, o] of variants) {
      const runs = runScipy(nist, nist.map(() => o), server);
      if (!runs) {
        console.log('(scipy columns skipped: python3 with scipy and numpy was not found)');
        break;
      }
      cols.push({ label, runs });
    }
  }
  cols.push({ label: 'ml-levenberg-marq.', runs: nist.map(runMl) });
  nistTables(nist, cols);

  const tol = { ftol: 1e-15, xtol: 1e-10, gtol: 1e-10 };
  const mgh = MGH_PROBLEMS.filter((p) => p.n <= 100).map((p) => ({ key: `mgh:${p.name}`, label: p.name, x0: p.x0, n: p.n, m: p.m, residuals: p.residuals, fStar: p.fStar }));
  const mcols: Column[] = [
    { label: 'tayopt lm', runs: mgh.map((j) => (j.m >= j.n ? runOurs(j, { method: 'lm', ...tol }) : runOurs(j, { method: 'trf', ...tol }))) },
    { label: 'tayopt trf', runs: mgh.map((j) => runOurs(j, { method: 'trf', ...tol })) },
  ];
  if (scipy) {
    for (const [label, method] of [
      ['scipy lm', 'lm'],
      ['scipy trf', 'trf'],
    ] as const) {
      const runs = runScipy(mgh, mgh.map(() => ({ method, ...tol, ...(method === 'lm' ? {} : { max_nfev: 100000 }) })), server);
      if (runs) mcols.push({ label, runs });
    }
  }
  mcols.push({ label: 'ml-levenberg-marq.', runs: mgh.map(runMl) });
  mghTables(mgh, mcols);
}

/**
 * Constrained benchmark (part of `npm run bench:solvers`): the Hock–Schittkowski problems
 * (examples/hs/*.yaml) solved by `ipm`, and — when python3 has scipy — by scipy's SLSQP and
 * trust-constr given the same exact derivatives from this engine (trust-constr with the exact
 * Hessian of the Lagrangian): the Python side starts this script again with
 * `--serve-constrained` and asks for f, ∇f, c, J and ∇²L over a pipe.
 *
 * "Solved" is checked here, independently of what any solver reports: the returned x is
 * feasible to 1e-6 (constraints and bounds, evaluated from the problem file) and f(x) is
 * within 1e-6·(1 + |f*|) of the known optimum. A "false success" is a run that reports
 * success at a point violating a constraint or bound by more than 1e-6; "other minimum" a
 * reported success at a feasible point with another f. Lagrangian-Hessian evaluations: ours
 * count every ∇²L (restoration phase included); trust-constr's every objective Hessian it
 * asks for (it asks for the constraints' part at the same points).
 *
 * Also timed: a discretized optimal-control problem with n = 1000 unknowns and m = 500
 * equality constraints (examples/optimal-control.yaml), solved by ipm.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as t from '../src/index.js';
import { constraintOracles } from '../src/ad/lagrangian.js';
import { loadProblem, parseTree, formatOf } from '../src/problem/load.js';
import { problemFromTree } from '../src/problem/file.js';
import type { Problem } from '../src/problem/types.js';
import { minimize } from '../optimizers/index.js';
import { median } from './timing.js';
import { PYTHON_PREAMBLE, joined, numbers, serveLines } from './scipy-bridge.js';

interface Run {
  problem: string;
  solver: string;
  x: Float64Array;
  fun: number;
  success: boolean;
  status: string;
  nit: number;
  /** Lagrangian-Hessian evaluations (0 for SLSQP: quasi-Newton). */
  nlhev: number;
  ngev: number;
  ms: number;
  evalMs: number;
}

interface Verdict {
  solved: boolean;
  feasible: boolean;
  violation: number;
}

const FEAS_TOL = 1e-6;
const F_TOL = 1e-6;

function loadHs(dir: string, filter?: string): Problem[] {
  const files = readdirSync(dir).filter((f) => /^hs\d+\.ya?ml$/.test(f) && (!filter || f.includes(filter))).sort();
  return files.map((f) => {
    const path = join(dir, f);
    return problemFromTree(parseTree(readFileSync(path, 'utf8'), formatOf(path) as 'yaml', path), path);
  });
}

/** Largest violation of the problem's constraints and bounds at x (from the problem's own functions). */
function violation(p: Problem, x: Float64Array): number {
  let v = 0;
  if (p.bounds) for (let i = 0; i < p.n; i++) v = Math.max(v, p.bounds.lower[i]! - x[i]!, x[i]! - p.bounds.upper[i]!);
  for (const c of p.constraints ?? []) {
    const vals = c.fun(t.tensor(x)).toFloat64Array();
    vals.forEach((ci, i) => {
      v = Math.max(v, c.lower[i]! - ci, ci - c.upper[i]!);
      if (!Number.isFinite(ci)) v = Infinity;
    });
  }
  return v;
}

function judge(p: Problem, x: Float64Array): Verdict {
  if (!x.every(Number.isFinite)) return { solved: false, feasible: false, violation: Infinity };
  const viol = violation(p, x);
  const f = p.f(t.tensor(x)).item();
  const fStar = p.solution.f!;
  const feasible = viol <= FEAS_TOL;
  return { solved: feasible && Math.abs(f - fStar) <= F_TOL * (1 + Math.abs(fStar)), feasible, violation: viol };
}

function constraintsOf(p: Problem) {
  return (p.constraints ?? []).map((c) => ({ fun: c.fun, lower: c.lower, upper: c.upper, name: c.name }));
}

function runOurs(p: Problem): Run {
  const t0 = performance.now();
  const r = minimize(p.f, p.x0, { method: 'ipm', maxIter: 3000, ...(p.bounds ? { bounds: p.bounds } : {}), constraints: constraintsOf(p) });
  const ms = performance.now() - t0;
  return { problem: p.name, solver: 'ipm', x: r.x, fun: r.fun, success: r.success, status: r.status, nit: r.nit, nlhev: r.nhev, ngev: r.ngev, ms, evalMs: 0 };
}

// ------------------------------------------------------------------ the evaluation server

/** Answers f, ∇f, c, J and ∇²L requests for the HS problems over stdin/stdout. */
export function serveConstrained(dir: string): void {
  const byName = new Map(loadHs(dir).map((p) => [p.name, p]));
  let p: Problem | null = null;
  let oracles: ReturnType<typeof constraintOracles> | null = null;
  let fo: t.FlatObjective | null = null;
  serveLines((cmd, parts) => {
    if (cmd === 'P') {
      p = byName.get(parts.join(' ')) ?? null;
      if (!p) return 'error unknown problem';
      fo = t.objective(p.f, p.x0);
      oracles = constraintOracles(p.f, (p.constraints ?? []).map((c) => c.fun), p.x0);
      return `ok ${p.n} ${oracles.m}`;
    }
    if (!p || !fo || !oracles) return 'error no problem';
    const n = p.n;
    const m = oracles.m;
    if (cmd === 'f') return String(fo.value(numbers(parts)));
    if (cmd === 'g') {
      const g = new Float64Array(n);
      fo.valueAndGrad(numbers(parts), g);
      return joined(g);
    }
    if (cmd === 'c') {
      const c = new Float64Array(m);
      oracles.values(numbers(parts), c);
      return joined(c);
    }
    if (cmd === 'j') {
      const J = new Float64Array(m * n);
      oracles.jacobian(numbers(parts), new Float64Array(m), J);
      return joined(J);
    }
    if (cmd === 'h') {
      // h σ x… λ…
      const a = numbers(parts);
      const H = new Float64Array(n * n);
      oracles.lagrangianHessian(a.subarray(1, 1 + n), a[0]!, a.subarray(1 + n), H);
      return joined(H);
    }
    return 'error unknown command';
  });
}

// ------------------------------------------------------------------ scipy

const PYTHON = PYTHON_PREAMBLE + String.raw`
from scipy.optimize import minimize, NonlinearConstraint, Bounds
warnings.filterwarnings('ignore')

def num(s):
    return np.array(s.split(), dtype=float)

inf = float('inf')
results = []
for job in cfg['jobs']:
    ask('P ' + job['problem'])
    n, m = job['n'], job['m']
    clock = [0.0]
    count = {'h': 0}

    def timed(f):
        def g(*a):
            t0 = time.perf_counter()
            r = f(*a)
            clock[0] += time.perf_counter() - t0
            return r
        return g

    fun = timed(lambda x: float(ask('f ' + vec(x))))
    jac = timed(lambda x: num(ask('g ' + vec(x))))
    cfun = timed(lambda x: num(ask('c ' + vec(x))))
    cjac = timed(lambda x: num(ask('j ' + vec(x))).reshape(m, n))

    def hess_raw(x):
        count['h'] += 1
        return num(ask('h 1 ' + vec(x) + ' ' + vec(np.zeros(m)))).reshape(n, n)
    hess = timed(hess_raw)
    chess = timed(lambda x, v: num(ask('h 0 ' + vec(x) + ' ' + vec(v))).reshape(n, n))

    lo = np.array([-inf if v is None else v for v in job['lower']])
    hi = np.array([inf if v is None else v for v in job['upper']])
    clo = np.array([-inf if v is None else v for v in job['clower']])
    chi = np.array([inf if v is None else v for v in job['cupper']])
    bounds = Bounds(lo, hi) if job['hasBounds'] else None
    method = job['method']
    kw = {'jac': jac, 'method': method}
    if bounds is not None:
        kw['bounds'] = bounds
    if method == 'SLSQP':
        if m > 0:
            kw['constraints'] = [NonlinearConstraint(cfun, clo, chi, jac=cjac)]
        kw['options'] = {'maxiter': cfg['maxIter'], 'ftol': 1e-10}
    else:
        kw['hess'] = hess
        if m > 0:
            kw['constraints'] = [NonlinearConstraint(cfun, clo, chi, jac=cjac, hess=chess)]
        kw['options'] = {'maxiter': cfg['maxIter'], 'gtol': 1e-8, 'xtol': 1e-12, 'barrier_tol': 1e-8}
    x0 = np.array(job['x0'], dtype=float)
    t0 = time.perf_counter()
    try:
        res = minimize(fun, x0, **kw)
        total = time.perf_counter() - t0
        results.append({'problem': job['problem'], 'solver': method, 'x': [float(v) for v in res.x], 'fun': float(res.fun),
                        'success': bool(res.success), 'status': str(res.message)[:60], 'nit': int(res.get('nit', 0)),
                        'nlhev': count['h'], 'ngev': int(res.get('njev', 0)), 'ms': total * 1000, 'evalMs': clock[0] * 1000})
    except Exception as e:
        total = time.perf_counter() - t0
        results.append({'problem': job['problem'], 'solver': method, 'x': None, 'fun': None, 'success': False,
                        'status': ('error: ' + str(e))[:60], 'nit': 0, 'nlhev': count['h'], 'ngev': 0,
                        'ms': total * 1000, 'evalMs': clock[0] * 1000})
srv.stdin.close()
srv.wait()

def clean(v):
    if isinstance(v, float) and not np.isfinite(v):
        return None
    if isinstance(v, list):
        return [clean(u) for u in v]
    return v

print(json.dumps([{k: clean(v) for k, v in r.items()} for r in results]))
`;

const SCIPY_SOLVERS = ['SLSQP', 'trust-constr'] as const;

function runScipy(problems: Problem[], dir: string, maxIter: number, script: string): Run[] {
  const tmp = mkdtempSync(join(tmpdir(), 'tayopt-bench-c-'));
  try {
    const num = (v: number): number | null => (Number.isFinite(v) ? v : null);
    const jobs = problems.flatMap((p) => {
      const cs = p.constraints ?? [];
      const clower = cs.flatMap((c) => Array.from(c.lower, num));
      const cupper = cs.flatMap((c) => Array.from(c.upper, num));
      return SCIPY_SOLVERS.map((method) => ({
        problem: p.name,
        method,
        n: p.n,
        m: clower.length,
        x0: Array.from(p.x0),
        hasBounds: p.bounds !== null,
        lower: p.bounds ? Array.from(p.bounds.lower, num) : [],
        upper: p.bounds ? Array.from(p.bounds.upper, num) : [],
        clower,
        cupper,
      }));
    });
    const cfgPath = join(tmp, 'jobs.json');
    const pyPath = join(tmp, 'run.py');
    writeFileSync(cfgPath, JSON.stringify({ server: [process.execPath, script, `--serve-constrained=${dir}`], maxIter, jobs }));
    writeFileSync(pyPath, PYTHON);
    const r = spawnSync('python3', [pyPath, cfgPath], { encoding: 'utf8', maxBuffer: 1 << 28 });
    if (r.status !== 0) throw new Error(`scipy run failed: ${r.stderr}`);
    type Raw = Omit<Run, 'x' | 'fun'> & { x: (number | null)[] | null; fun: number | null };
    return (JSON.parse(r.stdout.trim().split('\n').pop()!) as Raw[]).map((q) => ({
      ...q,
      x: q.x ? Float64Array.from(q.x, (v) => v ?? NaN) : new Float64Array(0).fill(NaN),
      fun: q.fun ?? NaN,
    }));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------ printing

const pad = (s: string | number, w: number): string => String(s).padStart(w);

function summarize(problems: Problem[], runs: Map<string, Run[]>): void {
  const byName = new Map(problems.map((p) => [p.name, p]));
  const verdicts = new Map<string, Verdict>();
  const key = (r: Run) => `${r.solver}|${r.problem}`;
  for (const list of runs.values()) for (const r of list) verdicts.set(key(r), r.x.length === byName.get(r.problem)!.n ? judge(byName.get(r.problem)!, r.x) : { solved: false, feasible: false, violation: Infinity });
  const solvers = [...runs.keys()];
  const ours = runs.get('ipm')!;
  const tc = runs.get('trust-constr');
  console.log(`\nHock–Schittkowski: ${problems.length} problems (solved = feasible to ${FEAS_TOL} and f within ${F_TOL}·(1+|f*|) of the known optimum, checked from the problem file)`);
  const head = `${'solver'.padEnd(13)} ${pad('solved', 7)} ${pad('false success', 14)} ${pad('other min', 10)} ${pad('failed', 7)} ${pad('med nit', 8)} ${pad('med ∇²L evals', 14)} ${pad('total ms', 9)} ${pad('solver ms', 10)}`;
  console.log(head);
  console.log('─'.repeat(head.length));
  for (const s of solvers) {
    const list = runs.get(s)!;
    const v = list.map((r) => [r, verdicts.get(key(r))!] as const);
    const solved = v.filter(([, q]) => q.solved);
    const falseSuccess = v.filter(([r, q]) => r.success && !q.feasible);
    const other = v.filter(([r, q]) => r.success && q.feasible && !q.solved);
    const failed = v.filter(([r]) => !r.success);
    const total = list.reduce((a, r) => a + r.ms, 0);
    const solverMs = list.reduce((a, r) => a + r.ms - r.evalMs, 0);
    const hess = s === 'SLSQP' ? '—' : String(median(solved.map(([r]) => r.nlhev)));
    console.log(
      `${s.padEnd(13)} ${pad(`${solved.length}/${list.length}`, 7)} ${pad(falseSuccess.length, 14)} ${pad(other.length, 10)} ${pad(failed.length, 7)} ${pad(median(solved.map(([r]) => r.nit)), 8)} ${pad(hess, 14)} ${pad(total.toFixed(0), 9)} ${pad(s === 'ipm' ? '—' : solverMs.toFixed(0), 10)}`,
    );
    if (falseSuccess.length) console.log(`  false successes: ${falseSuccess.map(([r, q]) => `${r.problem} (violation ${q.violation.toExponential(1)})`).join(', ')}`);
  }
  if (tc) {
    const both = ours.filter((r) => verdicts.get(key(r))!.solved && verdicts.get(`trust-constr|${r.problem}`)?.solved);
    const tcBy = new Map(tc.map((r) => [r.problem, r]));
    const mo = median(both.map((r) => r.nlhev));
    const mt = median(both.map((r) => tcBy.get(r.problem)!.nlhev));
    console.log(`Median Lagrangian-Hessian evaluations on the ${both.length} problems both ipm and trust-constr solved: ipm ${mo}, trust-constr ${mt}.`);
  }
  const best = Math.max(...solvers.filter((s) => s !== 'ipm').map((s) => runs.get(s)!.filter((r) => verdicts.get(key(r))!.solved).length), 0);
  const mine = ours.filter((r) => verdicts.get(key(r))!.solved).length;
  if (solvers.length > 1) console.log(`Targets: solved ${mine} vs best scipy ${best} (${mine >= best ? 'met' : 'MISSED'}).`);
  console.log('\nNot solved (ipm | SLSQP | trust-constr): problem: f found, status');
  for (const p of problems) {
    const cells = solvers.map((s) => {
      const r = runs.get(s)!.find((q) => q.problem === p.name)!;
      const q = verdicts.get(key(r))!;
      return q.solved ? 'ok' : `${Number.isFinite(r.fun) ? r.fun.toPrecision(6) : 'NaN'}${q.feasible ? '' : ` (viol ${q.violation.toExponential(0)})`} ${r.status.slice(0, 28)}`;
    });
    if (cells.some((c) => c !== 'ok')) console.log(`  ${p.name.padEnd(7)} f*=${p.solution.f!.toPrecision(6).padEnd(12)} ${cells.map((c) => c.padEnd(48)).join(' | ')}`);
  }
}

/** The n = 1000, m = 500 optimal-control problem: solve time (median of `reps`), iterations, status. */
async function scaleFigure(reps: number): Promise<void> {
  const p = await loadProblem(new URL('../../examples/optimal-control.yaml', import.meta.url).pathname);
  const m = (p.constraints ?? []).reduce((s, c) => s + c.lower.length, 0);
  const times: number[] = [];
  let last: ReturnType<typeof minimize> | null = null;
  for (let k = 0; k < reps; k++) {
    t.clearCache();
    const t0 = performance.now();
    last = minimize(p.f, p.x0, { method: 'ipm', ...(p.bounds ? { bounds: p.bounds } : {}), constraints: constraintsOf(p) });
    times.push(performance.now() - t0);
  }
  const r = last!;
  console.log(
    `\nScale: examples/optimal-control.yaml, n = ${p.n}, m = ${m}: ipm ${r.status} in ${r.nit} iterations, ${r.nhev} Lagrangian Hessians, f = ${r.fun.toPrecision(10)}, ` +
      `max violation ${r.kkt!.feasibility.toExponential(1)}; ${(median(times) / 1000).toFixed(2)} s (median of ${reps}, first trace and compile included)`,
  );
}

/** Runs the constrained benchmark (args as in bench/solvers.ts: --problems, --no-scipy, --hs-dir, --max-iter). */
export async function constrainedBenchmark(args: Map<string, string>, script: string): Promise<void> {
  const dir = args.get('hs-dir') ?? new URL('../../examples/hs', import.meta.url).pathname;
  let problems: Problem[];
  try {
    problems = loadHs(dir, args.get('problems'));
  } catch (e) {
    console.log(`\n(constrained benchmark skipped: cannot read the Hock–Schittkowski problems in ${dir}: ${(e as Error).message})`);
    return;
  }
  const maxIter = Number(args.get('max-iter') ?? 3000);
  if (problems.length > 0) {
    runOurs(problems[0]!); // warm the JIT
    const runs = new Map<string, Run[]>([['ipm', problems.map(runOurs)]]);
    const py = spawnSync('python3', ['-c', 'import scipy; print(scipy.__version__)'], { encoding: 'utf8' });
    if (args.has('no-scipy')) console.log('\n(scipy comparison skipped: --no-scipy)');
    else if (py.status !== 0) console.log('\n(scipy comparison skipped: python3 with scipy was not found)');
    else {
      console.log(`\nscipy ${py.stdout.trim()}: SLSQP (ftol 1e-10) and trust-constr (exact ∇²L; gtol, barrier_tol 1e-8), maxiter ${maxIter}, derivatives served by this engine over a pipe.`);
      const rows = runScipy(problems, dir, maxIter, script);
      for (const s of SCIPY_SOLVERS) runs.set(s, rows.filter((r) => r.solver === s));
    }
    summarize(problems, runs);
  }
  if (!args.has('problems')) await scaleFigure(Number(args.get('scale-reps') ?? 3));
}

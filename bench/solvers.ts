/**
 * Solver benchmark: every method on the Moré–Garbow–Hillstrom problems, the bound-constrained
 * set, the seed's network least-squares problem and the ill-conditioned quadratics of issue 13.
 * Prints one table per problem × method (solved?, nit, nfev, ngev, nhvp, nhev, ms), a
 * per-method summary, and default stopping against tight stopping on MGH and NIST StRD
 * (bench/stopping.ts; skip it with --no-stopping).
 *
 * When `python3` with scipy is available, the same problems are run in the same invocation
 * through `scipy.optimize.minimize` with exact derivatives from our engine: the Python side
 * starts this script again with `--serve` and asks it for f, ∇f, ∇²f and ∇²f·v over a pipe, so
 * both libraries minimize exactly the same functions. Both stop on the same test,
 * ‖∇f‖∞ ≤ gtol (projected under bounds): ours natively, scipy's through a callback that raises
 * StopIteration (its own tolerances are set to zero). "Solved" means reaching a published
 * minimum (mgh.ts). Times: total wall-clock, and "solver" time = total minus the time spent
 * evaluating the objective (for scipy, minus the pipe round trips), whose ratio compares the
 * algorithms' own overhead.
 *
 * Usage: node dist/bench/solvers.js [--methods=a,b] [--problems=substr,substr] [--max-n=1000]
 *                                   [--no-scipy] [--gtol=1e-6] [--leastsq-only] [--no-leastsq]
 *                                   [--no-stopping]
 *                                   [--constrained-only | --no-constrained]
 * After the MGH tables: BFGS against scipy's BFGS, and default against tight stopping
 * (bench/stopping.ts; not with --no-stopping). The least-squares tables (NIST StRD, MGH in residual form) follow (unless --no-leastsq); see
 * leastsq.ts. Then the constrained problems (Hock–Schittkowski, and the n = 1000 optimal-control
 * problem), from bench/constrained.ts.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as t from '../src/index.js';
import { SCALAR_METHOD_NAMES, type ScalarMethodName, DENSE_MAX_N, honoursBounds, isDense, minimize } from '../optimizers/index.js';
import type { ObjectiveFunctions } from '../optimizers/types.js';
import { MGH_PROBLEMS, reaches, type MinimumValue } from './problems/mgh.js';
import { BOUNDED_PROBLEMS } from './problems/bounded.js';
import { networkProblem } from './problems/nn.js';
import { QUADRATIC_PROBLEMS } from './problems/quadratic.js';
import { printDefaultVsTight } from './stopping.js';
import { leastSquaresBenchmark, residualCommand } from './leastsq.js';
import { constrainedBenchmark, serveConstrained } from './constrained.js';
import { median } from './timing.js';
import { PYTHON_PREAMBLE, joined, numbers, serveLines } from './scipy-bridge.js';

type Method = ScalarMethodName;

interface BenchProblem {
  name: string;
  n: number;
  x0: number[];
  objective: (x: t.Tensor) => t.Tensor;
  /** Reaching any of these counts as solved; empty = solved when the gradient test is met. */
  fStar: MinimumValue[];
  bounds?: { lower: number[]; upper: number[] };
  group: 'mgh' | 'bounded' | 'network' | 'quadratic';
}

const ALL_METHODS: readonly Method[] = SCALAR_METHOD_NAMES;
/** scipy.optimize.minimize's name for each method, or null where scipy has none. */
const SCIPY_NAME: Record<Method, string | null> = {
  lbfgs: 'L-BFGS-B',
  bfgs: 'BFGS',
  newton: null,
  'newton-cg': 'Newton-CG',
  'trust-ncg': 'trust-ncg',
  'trust-exact': 'trust-exact',
  dogleg: 'dogleg',
  'trust-krylov': 'trust-krylov',
};

/**
 * scipy's methods for bound constraints, run on the bounded problems beside ours, with the key
 * of their results: L-BFGS-B under 'lbfgs' (the same algorithm, compared row by row), the
 * others under 'scipy:<name>' (compared in the bounded table only).
 */
const SCIPY_BOUNDED = [
  { name: 'L-BFGS-B', key: 'lbfgs' },
  { name: 'TNC', key: 'scipy:TNC' },
  { name: 'trust-constr', key: 'scipy:trust-constr' },
  { name: 'SLSQP', key: 'scipy:SLSQP' },
] as const;

function problems(): BenchProblem[] {
  const list: BenchProblem[] = MGH_PROBLEMS.map((p) => ({ name: p.name, n: p.n, x0: p.x0, objective: p.objective, fStar: p.fStar, group: 'mgh' }));
  for (const p of BOUNDED_PROBLEMS)
    list.push({ name: p.name, n: p.n, x0: p.x0, objective: p.objective, fStar: p.fStar, bounds: { lower: p.lower, upper: p.upper }, group: 'bounded' });
  for (const p of QUADRATIC_PROBLEMS) list.push({ name: p.name, n: p.n, x0: p.x0, objective: p.objective, fStar: p.fStar, group: 'quadratic' });
  const nn = networkProblem();
  list.push({ name: nn.name, n: nn.n, x0: nn.x0, objective: nn.objective, fStar: [], group: 'network' });
  return list;
}

/** Which methods run on a problem: with bounds those that honour them (all of them); dense-Hessian methods up to DENSE_MAX_N. */
function applicable(p: BenchProblem, m: Method): boolean {
  return (!p.bounds || honoursBounds(m)) && (!isDense(m) || p.n <= DENSE_MAX_N);
}

// ------------------------------------------------------------------ the evaluation server

function serve(): void {
  const byName = new Map(problems().map((p) => [p.name, p]));
  let fns: ObjectiveFunctions | null = null;
  let n = 0;
  let g = new Float64Array(0);
  let H = new Float64Array(0);
  serveLines((cmd, parts) => {
    const lsq = residualCommand(cmd, parts);
    if (lsq !== null) return lsq;
    if (cmd === 'P') {
      const p = byName.get(parts[0]!);
      if (!p) return 'error unknown problem';
      fns = t.objective(p.objective, p.x0);
      n = p.n;
      g = new Float64Array(n);
      H = new Float64Array(n * n);
      return `ok ${n}`;
    }
    if (!fns) return 'error no problem';
    if (cmd === 'f') return String(fns.value(numbers(parts)));
    if (cmd === 'g') {
      fns.valueAndGrad(numbers(parts), g);
      return joined(g);
    }
    if (cmd === 'h') {
      fns.hessian!(numbers(parts), H);
      return joined(H);
    }
    if (cmd === 'v') {
      const a = numbers(parts);
      fns.hvp!(a.subarray(0, n), a.subarray(n), g);
      return joined(g);
    }
    return 'error unknown command';
  });
}

// ------------------------------------------------------------------ our runs

interface Row {
  problem: string;
  method: string;
  solved: boolean;
  fun: number;
  nit: number;
  nfev: number;
  ngev: number;
  nhvp: number;
  nhev: number;
  ms: number;
  evalMs: number;
  status: string;
}

/** Wraps oracles so the time spent inside them is measured. */
function timed(fns: ObjectiveFunctions, clock: { ms: number }): ObjectiveFunctions {
  const wrap =
    <A extends unknown[], R>(f: (...a: A) => R) =>
    (...a: A): R => {
      const t0 = performance.now();
      const r = f(...a);
      clock.ms += performance.now() - t0;
      return r;
    };
  return {
    n: fns.n,
    value: wrap(fns.value.bind(fns)),
    valueAndGrad: wrap(fns.valueAndGrad.bind(fns)),
    hvp: fns.hvp ? wrap(fns.hvp.bind(fns)) : undefined,
    hessian: fns.hessian ? wrap(fns.hessian.bind(fns)) : undefined,
  };
}

function solvedBy(p: BenchProblem, fun: number, gnorm: number, gtol: number): boolean {
  if (!Number.isFinite(fun)) return false;
  return p.fStar.length > 0 ? p.fStar.some((v) => reaches(fun, v)) : gnorm <= gtol;
}

function runOurs(p: BenchProblem, m: Method, gtol: number, maxIter: number): Row {
  const clock = { ms: 0 };
  const fns = timed(t.objective(p.objective, p.x0), clock);
  const t0 = performance.now();
  const r = minimize(fns, p.x0, { method: m, gtol, maxIter, bounds: p.bounds });
  const ms = performance.now() - t0;
  const gnorm = r.history[r.history.length - 1]!.gnorm;
  return {
    problem: p.name,
    method: m,
    solved: solvedBy(p, r.fun, gnorm, gtol),
    fun: r.fun,
    nit: r.nit,
    nfev: r.nfev,
    ngev: r.ngev,
    nhvp: r.nhvp,
    nhev: r.nhev,
    ms,
    evalMs: clock.ms,
    status: r.status,
  };
}

// ------------------------------------------------------------------ scipy runs

const PYTHON = PYTHON_PREAMBLE + String.raw`
from scipy.optimize import minimize, OptimizeResult

results = []
for job in cfg['jobs']:
    ask('P ' + job['problem'])
    n = job['n']
    gtol = cfg['gtol']
    bounds = job.get('bounds')
    lo = np.array([-np.inf if v is None else v for v in bounds['lower']]) if bounds else None
    hi = np.array([np.inf if v is None else v for v in bounds['upper']]) if bounds else None
    clock = [0.0]
    last = {'x': None, 'g': None}
    count = {'f': 0, 'g': 0, 'it': 0}

    def fun(x):
        count['f'] += 1
        t0 = time.perf_counter()
        r = float(ask('f ' + vec(x)))
        clock[0] += time.perf_counter() - t0
        return r

    def jac(x):
        count['g'] += 1
        t0 = time.perf_counter()
        g = np.array(ask('g ' + vec(x)).split(), dtype=float)
        clock[0] += time.perf_counter() - t0
        last['x'] = np.array(x, dtype=float, copy=True)
        last['g'] = g
        return g

    def hess(x):
        t0 = time.perf_counter()
        h = np.array(ask('h ' + vec(x)).split(), dtype=float).reshape(n, n)
        clock[0] += time.perf_counter() - t0
        return h

    def hessp(x, p):
        t0 = time.perf_counter()
        r = np.array(ask('v ' + vec(x) + ' ' + vec(p)).split(), dtype=float)
        clock[0] += time.perf_counter() - t0
        return r

    final = {'gnorm': float('inf'), 'x': None}

    def callback(intermediate_result):
        count['it'] += 1
        x = np.asarray(intermediate_result.x, dtype=float)
        final['x'] = x
        if last['x'] is not None and np.array_equal(last['x'], x):
            g = last['g']
        else:
            # Not counted by scipy; happens only when its last evaluation was elsewhere.
            t0 = time.perf_counter()
            g = np.array(ask('g ' + vec(x)).split(), dtype=float)
            clock[0] += time.perf_counter() - t0
        pg = np.clip(x - g, lo, hi) - x if bounds else g
        final['gnorm'] = float(np.max(np.abs(pg)))
        if final['gnorm'] <= gtol:
            raise StopIteration

    method = job['method']
    kw = {'jac': jac, 'callback': callback}
    opts = {'maxiter': cfg['maxIter']}
    if method in ('trust-exact', 'dogleg', 'trust-constr'):
        kw['hess'] = hess
    if method in ('Newton-CG', 'trust-ncg', 'trust-krylov'):
        kw['hessp'] = hessp
    if bounds:
        kw['bounds'] = list(zip(lo, hi))
    if method == 'L-BFGS-B':
        opts.update(gtol=0.0, ftol=0.0, maxfun=10**9)
    elif method == 'TNC':
        # TNC takes only callback(xk) and lets StopIteration escape: caught below.
        kw['callback'] = lambda xk: callback(OptimizeResult(x=xk))
        opts = {'maxfun': 10**9, 'ftol': 0.0, 'xtol': 0.0, 'gtol': 1e-300}
    elif method == 'SLSQP':
        opts.update(ftol=0.0)
    elif method == 'trust-constr':
        opts.update(gtol=0.0, xtol=0.0)
    elif method == 'BFGS':
        opts.update(gtol=0.0)
    elif method == 'Newton-CG':
        opts.update(xtol=1e-300)
    else:
        opts.update(gtol=0.0)
    x0 = np.array(job['x0'], dtype=float)
    t0 = time.perf_counter()
    try:
        try:
            res = minimize(fun, x0, method=method, options=opts, **kw)
        except StopIteration:
            res = OptimizeResult(x=final['x'], fun=float(ask('f ' + vec(final['x']))), nit=count['it'], nfev=count['f'], njev=count['g'],
                                 message='stopped by the projected-gradient test')
        if method == 'TNC':
            res['nfev'] = count['f']
            res['njev'] = count['g']
        total = time.perf_counter() - t0
        hv = method in ('Newton-CG', 'trust-ncg', 'trust-krylov')
        results.append({
            'problem': job['problem'], 'method': method, 'fun': float(res.fun), 'nit': int(res.get('nit', 0)),
            'nfev': int(res.get('nfev', 0)), 'ngev': int(res.get('njev', 0)),
            'nhvp': int(res.get('nhev', 0)) if hv else 0, 'nhev': 0 if hv else int(res.get('nhev', 0)),
            'ms': total * 1000, 'evalMs': clock[0] * 1000, 'gnorm': final['gnorm'], 'status': str(res.message)[:60]})
    except Exception as e:
        total = time.perf_counter() - t0
        results.append({'problem': job['problem'], 'method': method, 'fun': float('nan'), 'nit': 0, 'nfev': 0, 'ngev': 0,
                        'nhvp': 0, 'nhev': 0, 'ms': total * 1000, 'evalMs': clock[0] * 1000, 'gnorm': float('inf'),
                        'status': ('error: ' + str(e))[:60]})
srv.stdin.close()
srv.wait()

def clean(v):
    return v if not isinstance(v, float) or np.isfinite(v) else None

print(json.dumps([{k: clean(v) for k, v in r.items()} for r in results]))
`;

function scipyAvailable(): boolean {
  const r = spawnSync('python3', ['-c', 'import scipy, numpy'], { encoding: 'utf8' });
  return r.status === 0;
}

/** Runs scipy's `method` on each job's problem; results keyed `${problem}|${key}`. */
function runScipy(jobs: { p: BenchProblem; method: string; key: string }[], gtol: number, maxIter: number): Map<string, Row> {
  const dir = mkdtempSync(join(tmpdir(), 'tayopt-bench-'));
  try {
    const cfgPath = join(dir, 'jobs.json');
    const pyPath = join(dir, 'run.py');
    const cfg = {
      server: [process.execPath, process.argv[1]!, '--serve'],
      gtol,
      maxIter,
      jobs: jobs.map(({ p, method }) => ({
        problem: p.name,
        n: p.n,
        x0: p.x0,
        method,
        bounds: p.bounds ? { lower: p.bounds.lower.map((v) => (Number.isFinite(v) ? v : null)), upper: p.bounds.upper.map((v) => (Number.isFinite(v) ? v : null)) } : undefined,
      })),
    };
    writeFileSync(cfgPath, JSON.stringify(cfg));
    writeFileSync(pyPath, PYTHON);
    const r = spawnSync('python3', [pyPath, cfgPath], { encoding: 'utf8', maxBuffer: 1 << 28 });
    if (r.status !== 0) throw new Error(`scipy run failed: ${r.stderr}`);
    // Non-finite numbers travel as null.
    const rows = (JSON.parse(r.stdout.trim().split('\n').pop()!) as (Row & { gnorm: number | null; fun: number | null })[]).map((q) => ({
      ...q,
      fun: q.fun ?? NaN,
      gnorm: q.gnorm ?? Infinity,
    }));
    // One result per job, in job order.
    const out = new Map<string, Row>();
    rows.forEach((row, k) => {
      const { p, key } = jobs[k]!;
      out.set(`${p.name}|${key}`, { ...row, solved: solvedBy(p, row.fun, row.gnorm, gtol) });
    });
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------ printing

const pad = (s: string | number, w: number): string => String(s).padStart(w);
const fmtMs = (v: number): string => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

function printTable(rows: Row[], scipy: Map<string, Row> | null): void {
  const head =
    `${'problem'.padEnd(34)} ${'method'.padEnd(12)} ${pad('ok', 3)} ${pad('nit', 5)} ${pad('nfev', 6)} ${pad('ngev', 6)} ${pad('nhvp', 6)} ${pad('nhev', 5)} ${pad('ms', 7)}` +
    (scipy ? ` │ ${pad('scipy', 5)} ${pad('nit', 5)} ${pad('nfev', 6)} ${pad('ngev', 6)} ${pad('nhvp', 6)} ${pad('nhev', 5)} ${pad('ms', 7)} ${pad('solver ms ours/scipy', 20)}` : '');
  console.log(head);
  console.log('─'.repeat(head.length));
  let last = '';
  for (const r of rows) {
    const name = r.problem === last ? '' : r.problem;
    last = r.problem;
    let line = `${name.padEnd(34)} ${r.method.padEnd(12)} ${pad(r.solved ? 'yes' : 'NO', 3)} ${pad(r.nit, 5)} ${pad(r.nfev, 6)} ${pad(r.ngev, 6)} ${pad(r.nhvp, 6)} ${pad(r.nhev, 5)} ${pad(fmtMs(r.ms), 7)}`;
    const s = scipy?.get(`${r.problem}|${r.method}`);
    if (scipy)
      line += s
        ? ` │ ${pad(s.solved ? 'yes' : 'NO', 5)} ${pad(s.nit, 5)} ${pad(s.nfev, 6)} ${pad(s.ngev, 6)} ${pad(s.nhvp, 6)} ${pad(s.nhev, 5)} ${pad(fmtMs(s.ms), 7)} ${pad(`${fmtMs(r.ms - r.evalMs)}/${fmtMs(s.ms - s.evalMs)}`, 20)}`
        : ` │ ${pad('—', 5)}`;
    console.log(line);
  }
}

function printSummary(rows: Row[], scipy: Map<string, Row> | null): void {
  console.log('\nPer-method summary (solved = reached a published minimum; med = median over solved runs, and over runs both libraries solved beside scipy)');
  const head = `${'method'.padEnd(12)} ${pad('runs', 5)} ${pad('solved', 7)} ${pad('med ngev', 9)} ${pad('med nit', 8)} ${pad('total ms', 9)}` +
    (scipy ? ` │ ${'scipy'.padEnd(12)} ${pad('solved', 7)} ${pad('med ngev', 9)} ${pad('ours med', 9)} ${pad('solver time ours/scipy', 23)}  verdict` : '');
  console.log(head);
  console.log('─'.repeat(head.length));
  for (const m of ALL_METHODS) {
    const mine = rows.filter((r) => r.method === m);
    if (mine.length === 0) continue;
    let line = `${m.padEnd(12)} ${pad(mine.length, 5)} ${pad(mine.filter((r) => r.solved).length, 7)} ${pad(median(mine.filter((r) => r.solved).map((r) => r.ngev)), 9)} ${pad(median(mine.filter((r) => r.solved).map((r) => r.nit)), 8)} ${pad(mine.reduce((s, r) => s + r.ms, 0).toFixed(0), 9)}`;
    const sname = SCIPY_NAME[m];
    const pairs = scipy ? (mine.map((r) => [r, scipy.get(`${r.problem}|${m}`)] as const).filter((q) => q[1]) as [Row, Row][]) : [];
    if (scipy && sname && pairs.length > 0) {
      const solvedOurs = pairs.filter(([a]) => a.solved).length;
      const solvedTheirs = pairs.filter(([, b]) => b.solved).length;
      const both = pairs.filter(([a, b]) => a.solved && b.solved);
      const medOurs = median(both.map(([a]) => a.ngev));
      const medTheirs = median(both.map(([, b]) => b.ngev));
      const oursSolver = pairs.reduce((s, [a]) => s + a.ms - a.evalMs, 0);
      const theirSolver = pairs.reduce((s, [, b]) => s + b.ms - b.evalMs, 0);
      // With no problem solved by both, the median comparison is vacuous.
      const ok = solvedOurs >= solvedTheirs && (both.length === 0 || medOurs <= medTheirs);
      line += ` │ ${sname.padEnd(12)} ${pad(`${solvedTheirs}/${pairs.length}`, 7)} ${pad(medTheirs, 9)} ${pad(medOurs, 9)} ${pad((oursSolver / theirSolver).toFixed(2), 23)}  ${ok ? 'ours ≥ scipy' : 'BEHIND'} (solved ${solvedOurs} vs ${solvedTheirs})`;
    }
    console.log(line);
  }
}

/** The bounded problems: every method of ours and scipy's bounded methods, "ok nit/ngev" each. */
function printBounded(rows: Row[], scipy: Map<string, Row> | null): void {
  const bounded = [...new Set(rows.filter((r) => problems().find((p) => p.name === r.problem)?.bounds).map((r) => r.problem))];
  if (bounded.length === 0) return;
  const ours = ALL_METHODS.filter((m) => rows.some((r) => r.method === m && bounded.includes(r.problem)));
  const cols: { head: string; get: (p: string) => Row | undefined }[] = [
    ...ours.map((m) => ({ head: m, get: (p: string) => rows.find((r) => r.problem === p && r.method === m) })),
    ...(scipy ? SCIPY_BOUNDED.map(({ name, key }) => ({ head: `scipy ${name}`, get: (p: string) => scipy.get(`${p}|${key}`) })) : []),
  ];
  const cell = (r: Row | undefined): string => (r ? `${r.solved ? 'yes' : 'NO'} ${r.nit}/${r.ngev}` : '—');
  const widths = cols.map((c) => Math.max(c.head.length, ...bounded.map((p) => cell(c.get(p)).length)));
  console.log('\nBounded problems: reached the known minimum?, iterations/gradients (nit/ngev), per method; scipy on the right');
  const line = (first: string, cells: string[]): string => `${first.padEnd(34)} ${cells.map((c, i) => c.padStart(widths[i]!)).join('  ')}`;
  const head = line('problem', cols.map((c) => c.head));
  console.log(head);
  console.log('─'.repeat(head.length));
  for (const p of bounded) console.log(line(p, cols.map((c) => cell(c.get(p)))));
  const solved = (c: (typeof cols)[number]): string => `${bounded.filter((p) => c.get(p)?.solved).length}/${bounded.length}`;
  console.log(line('solved', cols.map(solved)));
}

/**
 * Issue 13's BFGS target: iterations within 1.3× of scipy's BFGS on the ill-conditioned
 * quadratics and on the MGH set (runs both solved).
 */
function printBfgsVsScipy(rows: Row[], scipy: Map<string, Row>, groups: Map<string, BenchProblem['group']>): void {
  const pairs = rows
    .filter((r) => r.method === 'bfgs')
    .map((r) => [r, scipy.get(`${r.problem}|bfgs`)] as const)
    .filter((q): q is readonly [Row, Row] => q[1] !== undefined);
  if (pairs.length === 0) return;
  console.log('\nBFGS iterations, tayopt vs scipy BFGS (same gtol on ‖∇f‖∞)');
  const head = `${'problem'.padEnd(34)} ${pad('ours', 6)} ${pad('scipy', 6)} ${pad('ours/scipy', 11)}`;
  console.log(head);
  console.log('─'.repeat(head.length));
  for (const [a, b] of pairs.filter(([a]) => groups.get(a.problem) === 'quadratic'))
    console.log(`${a.problem.padEnd(34)} ${pad(a.solved ? a.nit : `${a.nit}✗`, 6)} ${pad(b.solved ? b.nit : `${b.nit}✗`, 6)} ${pad((a.nit / b.nit).toFixed(2), 11)}`);
  const mgh = pairs.filter(([a, b]) => groups.get(a.problem) === 'mgh' && a.solved && b.solved);
  const ratios = mgh.map(([a, b]) => a.nit / Math.max(1, b.nit));
  const over = mgh.filter(([a, b]) => a.nit > 1.3 * b.nit);
  console.log(
    `MGH, ${mgh.length} problems both solved: median ratio ${median(ratios).toFixed(2)}, total ${mgh.reduce((s, [a]) => s + a.nit, 0)} vs ${mgh.reduce((s, [, b]) => s + b.nit, 0)} iterations; above 1.3×: ${over.length ? over.map(([a, b]) => `${a.problem} ${a.nit}/${b.nit}`).join(', ') : 'none'}`,
  );
}

async function main(): Promise<void> {
  const args = new Map(
    process.argv.slice(2).map((a) => {
      const [k, v] = a.replace(/^--/, '').split('=');
      return [k!, v ?? 'true'] as const;
    }),
  );
  if (args.has('serve')) return serve();
  if (args.has('serve-constrained')) return serveConstrained(args.get('serve-constrained')!);
  if (args.has('constrained-only')) return constrainedBenchmark(args, process.argv[1]!);
  if (args.has('leastsq-only')) return leastSquaresBenchmark([process.execPath, process.argv[1]!, '--serve'], !args.has('no-scipy'));
  const gtol = Number(args.get('gtol') ?? 1e-6);
  const maxIter = Number(args.get('max-iter') ?? 5000);
  const maxN = Number(args.get('max-n') ?? 1000);
  const methods = (args.get('methods')?.split(',') ?? ALL_METHODS) as Method[];
  const filter = args.get('problems');
  const list = problems().filter((p) => p.n <= maxN && (!filter || filter.split(',').some((f) => p.name.includes(f))));
  const jobs = list.flatMap((p) => methods.filter((m) => applicable(p, m)).map((m) => ({ p, m })));

  console.log(`tayopt solver benchmark — ${jobs.length} runs, stop at ‖∇f‖∞ ≤ ${gtol} (projected under bounds), maxIter ${maxIter}`);
  console.log(`Dense-Hessian methods (${ALL_METHODS.filter(isDense).join(', ')}) run up to n = ${DENSE_MAX_N}; bounded problems run with every method, and with scipy's bounded methods beside.\n`);
  // Warm the JIT (and the engine's compiled replays) once per method before anything is timed.
  const warm = problems().find((p) => p.name === 'rosenbrock')!;
  for (const m of methods) if (applicable(warm, m)) runOurs(warm, m, gtol, maxIter);
  const rows = jobs.map(({ p, m }) => runOurs(p, m, gtol, maxIter));

  let scipy: Map<string, Row> | null = null;
  if (args.has('no-scipy')) console.log('(scipy comparison skipped: --no-scipy)\n');
  else if (!scipyAvailable()) console.log('(scipy comparison skipped: python3 with scipy and numpy was not found)\n');
  else {
    const version = spawnSync('python3', ['-c', 'import scipy; print(scipy.__version__)'], { encoding: 'utf8' }).stdout.trim();
    console.log(`scipy ${version}: same problems, exact derivatives served by this engine over a pipe; "solver ms" excludes evaluation (and pipe) time.\n`);
    const scipyJobs = [
      ...jobs.filter(({ p, m }) => !p.bounds && SCIPY_NAME[m]).map(({ p, m }) => ({ p, method: SCIPY_NAME[m]!, key: m as string })),
      ...list.filter((p) => p.bounds).flatMap((p) => SCIPY_BOUNDED.map(({ name, key }) => ({ p, method: name, key }))),
    ];
    scipy = runScipy(scipyJobs, gtol, maxIter);
  }
  printTable(rows, scipy);
  printSummary(rows, scipy);
  printBounded(rows, scipy);
  if (scipy) printBfgsVsScipy(rows, scipy, new Map(list.map((p) => [p.name, p.group])));
  if (!args.has('no-stopping')) printDefaultVsTight(methods, maxN, filter);
  if (!args.has('no-leastsq')) leastSquaresBenchmark([process.execPath, process.argv[1]!, '--serve'], !args.has('no-scipy'));
  if (!args.has('no-constrained')) await constrainedBenchmark(args, process.argv[1]!);
}

void main();

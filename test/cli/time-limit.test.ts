/**
 * `tayopt solve --time-limit` counts the whole command: what loading and compiling took is
 * taken off the solver's share, and the message says how much that was. Checked on the real
 * command with limits far below and far above what the run needs (no timing assertions).
 */
import { describe, expect, it } from 'vitest';
import { tayopt } from './helpers.js';
import { loadProblem } from '../../src/problem/load.js';
import { prepare, runMethod } from '../../bin/cli/run.js';
import { summary } from '../../bin/cli/solve.js';

describe('solve --time-limit', () => {
  it('a limit shorter than loading and compiling stops the solver at once, and says what loading took', async () => {
    const r = await tayopt(['solve', 'examples/rosenbrock.json', '--time-limit', '0.001', '--json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { status: string; message: string; nit: number; fun: number };
    expect(out.status).toBe('timeLimit');
    const m = /^stopped: --time-limit 0\.001 s reached(?: during iteration \d+)? \(loading and compiling took (\d+\.\d\d) s of it\)$/.exec(out.message);
    expect(m, out.message).not.toBeNull();
    // node's start, the module imports and the problem's compile take well over 1 ms
    expect(Number(m![1])).toBeGreaterThan(0.001);
    // the start point's value (Rosenbrock at (−1.2, 1): 24.2) or an early iterate's, never past it
    expect(out.fun).toBeLessThanOrEqual(24.2 + 1e-9);
  });

  it('a generous limit does not change the run', async () => {
    const a = await tayopt(['solve', 'examples/rosenbrock.json', '--json']);
    const b = await tayopt(['solve', 'examples/rosenbrock.json', '--time-limit', '600', '--json']);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    const ra = JSON.parse(a.stdout) as { nit: number; fun: number };
    const rb = JSON.parse(b.stdout) as { nit: number; fun: number };
    expect(rb.nit).toBe(ra.nit);
    expect(rb.fun).toBe(ra.fun);
  });

  it("the summary's time is the solver's whole run, not the time of its last iterate", async () => {
    const problem = await loadProblem('examples/rosenbrock.json');
    const r = runMethod(problem, prepare(problem), 'bfgs', { maxIter: 3 });
    const last = r.history[r.history.length - 1]!;
    // a run stopped inside an iteration ends well after its last recorded iterate
    const solveMs = last.timeMs + 2500;
    expect(summary(problem, r, solveMs).split('\n')[0]).toMatch(new RegExp(`after 3 iterations, ${(solveMs / 1000).toFixed(2)} s$`));
    expect(summary(problem, r).split('\n')[0]).toMatch(new RegExp(`after 3 iterations, ${(last.timeMs / 1000).toFixed(2)} s$`));
  });
});

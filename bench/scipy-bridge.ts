/**
 * The benchmarks' scipy bridge. Python side: start the evaluation server (this package's
 * `bench/solvers.js --serve…`, command in cfg['server']) and ask it for values and
 * derivatives, one line per request (`ask`), vectors as space-separated reprs (`vec`).
 * Node side: the server's line loop and its number codec. Shared by bench/solvers.ts
 * (minimize), bench/leastsq.ts (least_squares) and bench/constrained.ts (SLSQP, trust-constr).
 */
import { createInterface } from 'node:readline';

export const PIPE_PRELUDE = String.raw`
srv = subprocess.Popen(cfg['server'], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)

def ask(line):
    srv.stdin.write(line + '\n')
    srv.stdin.flush()
    reply = srv.stdout.readline()
    if reply.startswith('error'):
        raise RuntimeError(reply)
    return reply

def vec(x):
    return ' '.join(repr(float(v)) for v in np.ravel(x))
`;

/** The whole start of a bridge script: imports, the job file (argv[1]) as `cfg`, then {@link PIPE_PRELUDE}. */
export const PYTHON_PREAMBLE = String.raw`
import sys, json, time, subprocess, warnings
import numpy as np

cfg = json.load(open(sys.argv[1]))
` + PIPE_PRELUDE;

/** The evaluation server's loop: each stdin line is `command args…`; `handle`'s reply is one stdout line. */
export function serveLines(handle: (cmd: string, args: string[]) => string): void {
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    const parts = line.trim().split(/\s+/);
    const cmd = parts.shift() ?? '';
    process.stdout.write(`${handle(cmd, parts)}\n`);
  });
}

/** A request's numbers. */
export function numbers(s: readonly string[]): Float64Array {
  return Float64Array.from(s, Number);
}

/** A reply's numbers, space-separated. */
export function joined(a: ArrayLike<number>): string {
  return Array.prototype.join.call(a, ' ');
}

/**
 * The start of the Python scripts that run scipy beside us in the benchmarks: read the job
 * file, start this benchmark again as an evaluation server (`cfg['server']`), and talk to it
 * one line per request (`ask`), vectors as space-separated numbers (`vec`).
 */
import { createInterface } from 'node:readline';

export const PYTHON_PREAMBLE = String.raw`
import sys, json, time, subprocess, warnings
import numpy as np

cfg = json.load(open(sys.argv[1]))
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

/**
 * The child process of the CLI fuzzer (bench/fuzz/cli.ts): runs `tayopt` command lines
 * in-process, one at a time, as the parent sends them, with stdout and stderr captured, and
 * answers with the exit code, the output, the time and the process's peak memory. Loading
 * the CLI once per worker instead of once per case makes thousands of cases affordable; a
 * case that hangs or kills the process is seen by the parent, which starts a new worker.
 */
import { cli, report } from '../../bin/cli/main.js';

/** A case the parent sends. */
export interface WorkerCase {
  id: number;
  args: string[];
}

/** What the worker answers. */
export interface WorkerResult {
  id: number;
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
  /** Peak resident memory of this worker so far, bytes. */
  maxRss: number;
}

let out = '';
let err = '';
const realOut = process.stdout.write.bind(process.stdout);
const realErr = process.stderr.write.bind(process.stderr);
const capture = (sink: 'out' | 'err') =>
  ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (sink === 'out') out += text;
    else err += text;
    const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    cb?.();
    return true;
  }) as typeof process.stdout.write;

let current: WorkerCase | null = null;
let t0 = 0;

function answer(code: number): void {
  const c = current;
  if (!c) return;
  current = null;
  const r: WorkerResult = { id: c.id, code, stdout: out.slice(0, 4_000_000), stderr: err.slice(0, 100_000), ms: performance.now() - t0, maxRss: process.resourceUsage().maxRSS * 1024 };
  process.stdout.write = realOut;
  process.stderr.write = realErr;
  process.send!(r);
}

// an error escaping a command asynchronously is the CLI's uncaught-exception path: exit 3 (or 2)
process.on('uncaughtException', (e) => answer(report(e)));
process.on('unhandledRejection', (e) => answer(report(e)));

process.on('message', (m: WorkerCase) => {
  current = m;
  out = '';
  err = '';
  t0 = performance.now();
  process.stdout.write = capture('out');
  process.stderr.write = capture('err');
  cli(m.args, { exitProcess: false }).then(
    (code) => answer(code),
    (e) => answer(report(e)),
  );
});
process.send!({ ready: true });

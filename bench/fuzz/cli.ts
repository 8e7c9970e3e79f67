/**
 * Mutation fuzzing of the `tayopt` command line (`npm run fuzz:cli -- --count 5000 --seed 1`):
 * the example problem files mutated as a hostile user would (byte flips, truncation, deleted,
 * duplicated and retyped fields, hostile expressions and names, YAML tricks), run with
 * mutated flags, plus special files (/dev/zero, a FIFO, a folder, a file over the size limit,
 * an alias bomb, deep nesting) once. Every case must end with
 *
 *   - exit code 0, 1 or 2 (never 3, a signal, or a crash);
 *   - for exit 2: stderr one line of at most 300 characters starting "tayopt: ", with no raw
 *     control characters and no stack trace;
 *   - within the time limit (10 s) and the memory bound (1 GiB peak resident memory);
 *   - for exit 0 with --json: every variable of the file present in the printed solution.
 *
 * Cases run in-process in a worker (bench/fuzz/cli-worker.ts) that is replaced after a hang,
 * a crash or a case that raised its memory past the bound. Prints the counts by outcome and
 * every failure (seed, mutation, command line, what went wrong); exits 1 when there is one.
 *
 * Flags: --count N (mutants, default 5000), --seed S (first seed, default 1), --no-special
 * (skip the special files), --quiet (no progress line), --timeout MS (default 10000).
 */
import { type ChildProcess, fork, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument, stringify } from 'yaml';
import { rng } from '../problems/rng.js';
import type { WorkerCase, WorkerResult } from './cli-worker.js';

const HERE = dirname(fileURLToPath(import.meta.url));
/** The repository root (with examples/): this file runs from bench/fuzz (tsx), dist/bench/fuzz (built) or a copy of dist/. */
const ROOT = [1, 2, 3, 4, 5].map((k) => resolve(HERE, '../'.repeat(k))).find((d) => existsSync(join(d, 'examples'))) ?? process.cwd();

/** One case: a file's text (or a special path) and the command line. */
export interface FuzzCase {
  seed: number;
  mutation: string;
  /** The problem file to write (name and text), or null when args name a special path. */
  file: { name: string; text: string } | null;
  args: string[];
}

/** The outcome of a case. */
export interface FuzzOutcome {
  case: FuzzCase;
  code: number | string;
  stderr: string;
  ms: number;
  maxRss: number;
  failures: string[];
}

/** Limits every case must meet. */
export const LIMITS = { timeoutMs: 10_000, memoryBytes: 2 ** 30, lineChars: 300 };

// ------------------------------------------------------------------ the corpus

/** The example problem files (JSON and YAML; modules run code and are not mutated). */
export function corpus(): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(json|ya?ml)$/.test(e.name)) out.push({ name: e.name, text: readFileSync(p, 'utf8') });
    }
  };
  walk(join(ROOT, 'examples'));
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}

// ------------------------------------------------------------------ mutations

type R = () => number;
const pick = <T>(r: R, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: R, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

/** Expressions a hostile user might write: huge constructors, deep nesting, long chains, odd tokens. */
const HOSTILE_EXPRESSIONS: ((r: R) => string)[] = [
  () => 'sum(sum(identity(1e5)))',
  () => 'sum(sum(ones(10000, 10000) .* x[1]))',
  () => 'sum(sum(diag(x, 1e5)))',
  () => 'sum(1:1e9)',
  () => 'sum(x) + sum(sum(ones(3000, 1) * ones(1, 3000)))',
  (r) => `x${'[1]'.repeat(int(r, 100, 4000))}`,
  (r) => `${'('.repeat(int(r, 100, 3000))}x[1]${')'.repeat(int(r, 100, 3000))}`,
  (r) => Array.from({ length: int(r, 100, 3000) }, () => 'x[1]').join(' + '),
  (r) => `sum(x) + ${'a'.repeat(int(r, 61, 100_000))}`,
  () => 'sum(x) + a\u0000b',
  () => 'sum(x) + \u001b[2J',
  () => 'x.__proto__',
  () => 'constructor(x)',
  () => 'sum(x[[1.5]])',
  () => 'sum(x[0])',
  () => 'sum(x[1e300])',
  () => 'x[1]^1e9',
  () => 'det(ones(2000, 2000))',
  () => 'sum(inv(ones(3, 3)) * [1; 2; 3])',
  () => 'f(x) = x; f(1)',
  () => 'a = 1',
  () => '{a: 1}',
  () => 'import("fs")',
  () => 'evaluate("1+1")',
  () => '"text"',
  () => 'sum(x) ? 1 : [1, 2]',
  () => '',
  () => '   ',
  () => 'sum(x.^2) / 0',
  () => 'log(-1) + sum(x)',
  () => 'sum(x) + 1e400',
  () => 'norm(x, "fro")',
  () => 'end',
];

/** Names that collide with object internals or carry terminal escapes. */
const HOSTILE_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'x\u001b[2J', 'a'.repeat(5000), 'end', 'sum', 'pi', '1x', ''];

/** Values that are the wrong type, size or kind somewhere in a problem. */
const HOSTILE_VALUES: ((r: R) => unknown)[] = [
  () => null,
  () => true,
  () => 'text',
  () => '\u001b]0;pwned\u0007\u001b[2J',
  () => [],
  () => {},
  () => [[1, 2], [3]],
  () => 1e308,
  () => -1,
  () => 0,
  () => 1.5,
  () => 'ones(100000)',
  () => 'ones(3000)',
  () => 'ones(1e9)',
  () => 'identity(5000)',
  () => [1, 'a', null],
  (r) => Array.from({ length: int(r, 1, 50) }, () => int(r, -5, 5)),
  () => ({ __proto__: [1, 2] }),
  () => 'x'.repeat(100_000),
];

/** A random path into a parsed document: [keys…] to a node that exists. */
function randomPath(r: R, doc: unknown): (string | number)[] {
  const path: (string | number)[] = [];
  let cur = doc;
  while (cur !== null && typeof cur === 'object' && r() < 0.7) {
    const keys: (string | number)[] = Array.isArray(cur) ? cur.map((_, i) => i) : Object.keys(cur);
    if (keys.length === 0) break;
    const k = pick(r, keys);
    path.push(k);
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return path;
}

function setAt(doc: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  let cur = doc as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === undefined) {
    if (Array.isArray(cur)) cur.splice(last as number, 1);
    else delete cur[last];
  } else if (last === '__proto__') Object.defineProperty(cur, last, { value, enumerable: true, writable: true, configurable: true });
  else cur[last] = value;
  return doc;
}

/** Expression fields of a problem document: objective, residuals, definitions.*. */
function expressionPaths(doc: Record<string, unknown>): (string | number)[][] {
  const out: (string | number)[][] = [];
  for (const k of ['objective', 'residuals']) if (typeof doc[k] === 'string') out.push([k]);
  const defs = doc['definitions'];
  if (defs && typeof defs === 'object') for (const d of Object.keys(defs)) out.push(['definitions', d]);
  return out;
}

function serialize(doc: unknown, yamlFormat: boolean): string {
  return yamlFormat ? stringify(doc, { aliasDuplicateObjects: false }) : JSON.stringify(doc, null, 1);
}

/** Mutates `text` (a JSON or YAML problem); returns the new text and what was done. */
export function mutate(r: R, name: string, text: string): { text: string; mutation: string } {
  const yamlFormat = /\.ya?ml$/.test(name);
  let doc: Record<string, unknown> | null = null;
  try {
    const parsed: unknown = yamlFormat ? parseDocument(text).toJS() : JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) doc = parsed as Record<string, unknown>;
  } catch {
    doc = null;
  }
  const kind = pick(r, ['flip', 'flip', 'truncate', 'delete', 'duplicate-line', 'retype', 'retype', 'expression', 'expression', 'expression', 'name', 'yaml-trick', 'splice']);
  switch (kind) {
    case 'flip': {
      const b = Buffer.from(text, 'utf8');
      const k = int(r, 1, 4);
      for (let i = 0; i < k; i++) b[int(r, 0, b.length - 1)] = pick(r, [0, 7, 27, 0x0a, 0x22, 0x5b, 0x7b, 0x7d, 0x3a, 0xff, int(r, 0, 255)]);
      return { text: b.toString('latin1'), mutation: `flip ${k} byte(s)` };
    }
    case 'truncate': {
      const at = int(r, 0, text.length - 1);
      return { text: text.slice(0, at), mutation: `truncate at ${at}` };
    }
    case 'duplicate-line': {
      const lines = text.split('\n');
      const i = int(r, 0, lines.length - 1);
      lines.splice(i, 0, lines[i]!);
      return { text: lines.join('\n'), mutation: `duplicate line ${i + 1}` };
    }
    case 'splice': {
      const at = int(r, 0, text.length);
      const bit = pick(r, ['{', '}', '[', ']', ',', ':', '"', '&a ', '*a', '!!binary ', '<<: *a', '\u0000', '\u001b', 'NaN', '-Infinity', '1e999', '\\u0000', '\t', '#', '---\n', '...\n']);
      return { text: text.slice(0, at) + bit + text.slice(at), mutation: `splice ${JSON.stringify(bit)} at ${at}` };
    }
    default:
      break;
  }
  if (!doc) return { text: text.slice(0, Math.floor(text.length / 2)), mutation: 'truncate (unparsable source)' };
  switch (kind) {
    case 'delete': {
      const path = randomPath(r, doc);
      if (path.length === 0) path.push(pick(r, Object.keys(doc)));
      setAt(doc, path, undefined);
      return { text: serialize(doc, yamlFormat), mutation: `delete ${path.join('.')}` };
    }
    case 'retype': {
      const path = randomPath(r, doc);
      if (path.length === 0) path.push(pick(r, [...Object.keys(doc), 'extra', 'options']));
      const v = pick(r, HOSTILE_VALUES)(r);
      setAt(doc, path, v);
      return { text: serialize(doc, yamlFormat), mutation: `set ${path.join('.')} to ${JSON.stringify(v)?.slice(0, 40)}` };
    }
    case 'expression': {
      const paths = expressionPaths(doc);
      const path = paths.length ? pick(r, paths) : ['objective'];
      const e = pick(r, HOSTILE_EXPRESSIONS)(r);
      setAt(doc, path, e);
      return { text: serialize(doc, yamlFormat), mutation: `expression ${path.join('.')} = ${JSON.stringify(e.slice(0, 40))}` };
    }
    case 'name': {
      const section = pick(r, ['variables', 'parameters', 'definitions', 'starts']);
      const obj = doc[section];
      const nm = pick(r, HOSTILE_NAMES);
      if (obj && typeof obj === 'object' && !Array.isArray(obj) && Object.keys(obj).length) {
        const old = pick(r, Object.keys(obj));
        const entries = Object.entries(obj as Record<string, unknown>).map(([k, v]) => [k === old ? nm : k, v] as const);
        const fresh: Record<string, unknown> = {};
        for (const [k, v] of entries) Object.defineProperty(fresh, k, { value: v, enumerable: true, writable: true, configurable: true });
        doc[section] = fresh;
        // rename its uses in the expressions, so the name is what matters
        for (const p of expressionPaths(doc)) {
          const cur = p.reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], doc);
          if (typeof cur === 'string') setAt(doc, p, cur.replace(new RegExp(`\\b${old}\\b`, 'g'), nm));
        }
        return { text: serialize(doc, yamlFormat), mutation: `rename ${section}.${old} to ${JSON.stringify(nm.slice(0, 20))}` };
      }
      return { text: serialize(doc, yamlFormat), mutation: 'rename (nothing to rename)' };
    }
    default: {
      // YAML tricks on any source: alias chains, deep nesting, tags
      const trick = pick(r, ['alias-bomb', 'deep', 'tag', 'merge']);
      const base = stringify(doc, { aliasDuplicateObjects: false });
      if (trick === 'alias-bomb') {
        let t = 'a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1]\n';
        for (let i = 1; i < 10; i++) t += `a${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(', ')}]\n`;
        return { text: `${t}${base}description: *a9\n`, mutation: 'yaml alias bomb' };
      }
      if (trick === 'deep') {
        const d = int(r, 60, 5000);
        return { text: `${base}description: ${'['.repeat(d)}${']'.repeat(d)}\n`, mutation: `yaml nesting ${d}` };
      }
      if (trick === 'tag') return { text: `${base}name: !!js/function "function () { return 1 }"\n`, mutation: 'yaml js tag' };
      return { text: `defaults: &d { gtol: 1e-3 }\n${base.replace(/^options:.*$/m, '')}options:\n  <<: *d\n`, mutation: 'yaml merge key' };
    }
  }
}

/** Mutated command-line flags for `file`; `reportDir` is a writable scratch folder. */
export function mutateFlags(r: R, file: string, reportDir: string, folder: string): { args: string[]; timeLimited: boolean } {
  const command = pick(r, ['solve', 'solve', 'solve', 'derive', 'compare']);
  const args: string[] = [command, file];
  let timeLimited = false;
  const values: Record<string, string[]> = {
    '--method': ['auto', 'lbfgs', 'newton', 'trust-exact', 'trust-ncg', 'bfgs', 'lm', 'trf', 'nope', '\u001b[2J', ''],
    '--gtol': ['1e-8', '0', '-1', 'NaN', 'abc', '1e400', ''],
    '--max-iter': ['0', '5', '-3', '1.5', '1e12', 'x'],
    '--ftol': ['0', '1e-9', '-1'],
    '--xtol': ['1e-9', 'Infinity'],
    '--max-eval': ['1', '0', '-1'],
    '--time-limit': ['0.5', '0', '-1', '1e-9', 'abc'],
    '--report': [join(reportDir, 'r.png'), join(reportDir, 'r.html'), join(reportDir, 'r.txt'), folder, join(folder, 'r.html'), '/dev/null', join(reportDir, 'missing/sub/r.html'), `${file}/r.png`, ''],
    '--start': ['start2', 'nope', '__proto__', ''],
    '--at': ['{"x": [1, 2]}', '[1, 2]', '{"__proto__": [1]}', '{', '/dev/zero', folder],
    '--methods': ['lbfgs,newton', 'lbfgs,lbfgs', 'nope', ''],
  };
  const flagsFor: Record<string, string[]> = {
    solve: ['--method', '--gtol', '--max-iter', '--ftol', '--xtol', '--max-eval', '--time-limit', '--report', '--start'],
    derive: ['--at', '--start'],
    compare: ['--methods', '--gtol', '--max-iter', '--time-limit', '--report'],
  };
  const k = int(r, 0, 3);
  for (let i = 0; i < k; i++) {
    const flag = pick(r, flagsFor[command]!);
    if (flag === '--time-limit') timeLimited = true;
    if (r() < 0.1) args.push(flag); // the flag without its value
    else args.push(flag, pick(r, values[flag]!));
  }
  if (r() < 0.05) args.push(pick(r, ['--unknown', '-z', '--help', '--version', '--', '--json=5']));
  if (command === 'derive' && r() < 0.3) args.push(pick(r, ['--hessian', '--jacobian']));
  if (r() < 0.7) args.push('--json');
  if (r() < 0.8) args.push('-q');
  // a user's time limit, unless the flags under test are about it: no case should need more
  if (!timeLimited && command !== 'derive') args.push('--time-limit', '3');
  return { args, timeLimited };
}

// ------------------------------------------------------------------ checks

/** What is wrong with one outcome (empty when it meets every limit). */
export function check(c: FuzzCase, code: number | string, stdout: string, stderr: string, ms: number, maxRss: number, fileText: string | null): string[] {
  const bad: string[] = [];
  if (typeof code === 'string') bad.push(code);
  else if (![0, 1, 2].includes(code)) bad.push(`exit code ${code}`);
  if (/^\s+at .+:\d+:\d+\)?$/m.test(stderr)) bad.push('stack trace on stderr');
  if (/internal error/.test(stderr)) bad.push('internal error');
  if (code === 2) {
    const lines = stderr.split('\n').filter((l) => l !== '');
    if (lines.length !== 1) bad.push(`exit 2 with ${lines.length} lines on stderr`);
    const line = lines[lines.length - 1] ?? '';
    if (!line.startsWith('tayopt: ')) bad.push('exit 2 without a "tayopt: " line');
    if (line.length > LIMITS.lineChars) bad.push(`exit 2 line of ${line.length} characters`);
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(stderr)) bad.push('raw control characters on stderr');
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(stdout)) bad.push('raw control characters on stdout');
  if (ms > LIMITS.timeoutMs) bad.push(`took ${(ms / 1000).toFixed(1)} s`);
  if (maxRss > LIMITS.memoryBytes) bad.push(`peak memory ${(maxRss / 2 ** 20).toFixed(0)} MiB`);
  if (code === 0 && c.args[0] === 'solve' && c.args.includes('--json') && !c.args.some((a) => a === '--help' || a === '--version') && fileText !== null) {
    // no field silently lost: every variable of the file is in the solution
    let vars: string[] | null = null;
    try {
      const d = (/\.ya?ml$/.test(c.file?.name ?? '') ? parseDocument(fileText).toJS() : JSON.parse(fileText)) as { variables?: object };
      vars = d && typeof d.variables === 'object' && d.variables ? Reflect.ownKeys(d.variables).map(String) : null;
    } catch {
      vars = null;
    }
    if (vars) {
      try {
        const out = JSON.parse(stdout) as { x?: object; residuals?: unknown };
        const have = out.x ? Object.keys(out.x) : [];
        const missing = vars.filter((v) => !have.includes(v));
        if (missing.length) bad.push(`success with variables missing from the output: ${missing.map((m) => JSON.stringify(m.slice(0, 20))).join(', ')}`);
      } catch {
        bad.push('--json output is not one JSON object');
      }
    }
  }
  return bad;
}

// ------------------------------------------------------------------ running

/** A worker that runs cases in-process; replaced when it hangs, dies or grows past the memory bound. */
class Pool {
  private child: ChildProcess | null = null;
  private ready: Promise<void> | null = null;
  restarts = 0;

  private start(): Promise<void> {
    const workerFile = join(HERE, `cli-worker${extname(fileURLToPath(import.meta.url))}`);
    const execArgv = extname(workerFile) === '.ts' ? ['--import', 'tsx'] : [];
    // the heap bound makes runaway JavaScript memory end the worker instead of the machine
    this.child = fork(workerFile, [], { execArgv: [...execArgv, '--max-old-space-size=1024'], stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
    this.ready = new Promise((res) => this.child!.once('message', () => res()));
    return this.ready;
  }

  kill(): void {
    this.child?.kill('SIGKILL');
    this.child = null;
    this.ready = null;
    this.restarts++;
  }

  async run(args: string[], timeoutMs: number): Promise<{ code: number | string; stdout: string; stderr: string; ms: number; maxRss: number }> {
    if (!this.child) await this.start();
    else await this.ready;
    const child = this.child!;
    const t0 = performance.now();
    return new Promise((res) => {
      let done = false;
      const finish = (v: { code: number | string; stdout: string; stderr: string; ms: number; maxRss: number }, restart: boolean) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        if (restart) this.kill();
        res(v);
      };
      const timer = setTimeout(() => finish({ code: `hang (over ${timeoutMs / 1000} s)`, stdout: '', stderr: '', ms: performance.now() - t0, maxRss: 0 }, true), timeoutMs + 2000);
      const onMessage = (m: WorkerResult) => finish({ code: m.code, stdout: m.stdout, stderr: m.stderr, ms: m.ms, maxRss: m.maxRss }, m.maxRss > LIMITS.memoryBytes / 2);
      const onExit = (code: number | null, signal: string | null) =>
        finish({ code: `crash (${signal ?? `exit ${code}`})`, stdout: '', stderr: '', ms: performance.now() - t0, maxRss: 0 }, true);
      child.on('message', onMessage);
      child.on('exit', onExit);
      child.send({ id: 0, args } satisfies WorkerCase);
    });
  }

  close(): void {
    this.child?.kill('SIGKILL');
  }
}

/** The special files, each run once: devices, FIFOs, folders, oversized and pathological files. */
function specialCases(scratch: string): FuzzCase[] {
  const dir = join(scratch, 'special');
  mkdirSync(dir, { recursive: true });
  const cases: FuzzCase[] = [];
  const add = (mutation: string, path: string, extra: string[] = []) => cases.push({ seed: 0, mutation, file: null, args: ['solve', path, '-q', '--json', ...extra] });
  add('/dev/zero', '/dev/zero');
  const zero = join(dir, 'zero.json');
  rmSync(zero, { force: true });
  try {
    // a symlink named like a problem file, so the extension check passes
    symlinkSync('/dev/zero', zero);
    add('symlink to /dev/zero', zero);
  } catch {
    // no symlinks here
  }
  const fifo = join(dir, 'fifo.json');
  rmSync(fifo, { force: true });
  if (spawnSync('mkfifo', [fifo]).status === 0) add('FIFO', fifo);
  const folder = join(dir, 'folder.json');
  mkdirSync(folder, { recursive: true });
  add('folder', folder);
  const big = join(dir, 'big.json');
  writeFileSync(big, Buffer.alloc(65 * 2 ** 20, 0x20));
  add('65 MiB file', big);
  const write = (name: string, text: string, mutation: string, extra: string[] = []) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    add(mutation, p, extra);
  };
  let bomb = 'a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1]\n';
  for (let i = 1; i < 12; i++) bomb += `a${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(', ')}]\n`;
  write('bomb.yaml', `${bomb}variables:\n  x: [1, 2]\nobjective: sum(x.^2)\n`, 'YAML alias bomb');
  write('deep.yaml', `variables:\n  x: [1, 2]\nobjective: sum(x.^2)\ndescription: ${'['.repeat(5000)}${']'.repeat(5000)}\n`, 'YAML nested 5000 deep');
  write('deep.json', `{"variables":{"x":[1,2]},"objective":"sum(x.^2)","description":${'['.repeat(100000)}${']'.repeat(100000)}}`, 'JSON nested 100000 deep');
  write('proto.json', '{"variables":{"__proto__":[1,2]},"objective":"sum((__proto__-3).^2)"}', 'variable __proto__');
  write('escape.json', '{"name":"\\u001b]0;pwned\\u0007\\u001b[2J","variables":{"x":[1,2]},"objective":"sum((x-3).^2)"}', 'terminal escapes in the name', ['--time-limit', '3']);
  // 5000 overflowed the stack; 20000 (480 kB) now loads in linear memory but takes 5–10 s here
  const defs = ['"d0": "x[1]"', ...Array.from({ length: 10000 }, (_, i) => `"d${i + 1}": "d${i} + 1"`)];
  write('chain.json', `{"variables":{"x":[1,2]},"definitions":{${defs.join(',')}},"objective":"d10000^2 + x[2]^2"}`, '10000 chained definitions', ['--time-limit', '3']);
  write('sum.json', `{"variables":{"x":[1,2]},"objective":"${Array.from({ length: 1800 }, () => '(x[1]-1)^2').join(' + ')} + x[2]^2"}`, 'a flat sum of 1800 terms', ['--time-limit', '3']);
  write('hessian.json', '{"variables":{"x":"ones(20000)"},"objective":"sum((x-2).^2)"}', 'n = 20000 with trust-exact', ['--method', 'trust-exact']);
  write('dense.json', '{"variables":{"x":"ones(1500)"},"objective":"sum((x-2).^2) + sum(x.^4)"}', 'n = 1500 with trust-exact, --time-limit 2', ['--method', 'trust-exact', '--time-limit', '2']);
  return cases;
}

/** Runs the fuzzer; returns every outcome that failed and the counts. */
/**
 * Time of the cases whose problem file is at most 1 KB, by how they ended ('refused' = exit 2,
 * 'ran' = exit 0 or 1). (Memory is not per case: the workers are long-lived processes, and
 * their peak RSS covers every case they ran.)
 */
export interface SmallFileCost {
  cases: number;
  maxMs: number;
  /** Cases over 1 s. */
  over: number;
  /** The slowest case: its mutation and arguments. */
  slowest: string;
}

export async function fuzzCli(opts: { count: number; seed: number; special: boolean; quiet: boolean; timeoutMs?: number }): Promise<{
  failures: FuzzOutcome[];
  counts: Map<string, number>;
  total: number;
  seconds: number;
  restarts: number;
  small: Record<'refused' | 'ran', SmallFileCost>;
}> {
  const timeoutMs = opts.timeoutMs ?? LIMITS.timeoutMs;
  const scratch = mkdtempSync(join(tmpdir(), 'tayopt-fuzz-cli-'));
  const reports = join(scratch, 'reports');
  const folder = join(scratch, 'a-folder.html');
  mkdirSync(reports);
  mkdirSync(folder);
  const files = corpus();
  const pool = new Pool();
  const failures: FuzzOutcome[] = [];
  const counts = new Map<string, number>();
  const t0 = performance.now();
  let total = 0;
  const small: Record<'refused' | 'ran', SmallFileCost> = { refused: { cases: 0, maxMs: 0, over: 0, slowest: '' }, ran: { cases: 0, maxMs: 0, over: 0, slowest: '' } };
  const runOne = async (c: FuzzCase): Promise<void> => {
    let path: string | null = null;
    if (c.file) {
      path = join(scratch, 'cases', `${c.seed}`, c.file.name);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, c.file.text, 'latin1');
      // '@FILE' stands for the case's file, also inside a flag's value (--report @FILE/r.png: a report under a regular file)
      c.args = c.args.map((a) => a.replaceAll('@FILE', path!));
    }
    const r = await pool.run(c.args, timeoutMs);
    const failuresHere = check(c, r.code, r.stdout, r.stderr, r.ms, r.maxRss, c.file?.text ?? null);
    const key = typeof r.code === 'number' ? `exit ${r.code}` : r.code.split(' ')[0]!;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    total++;
    if (c.file && Buffer.byteLength(c.file.text, 'latin1') <= 1024 && typeof r.code === 'number') {
      const k = small[r.code === 2 ? 'refused' : 'ran'];
      k.cases++;
      if (r.ms > k.maxMs) {
        k.maxMs = r.ms;
        k.slowest = `seed ${c.seed} (${c.mutation.slice(0, 60)}) ${c.args.slice(2).join(' ').slice(0, 60)}`;
      }
      if (r.ms > 1000) k.over++;
    }
    if (failuresHere.length) failures.push({ case: c, code: r.code, stderr: r.stderr.slice(0, 400), ms: r.ms, maxRss: r.maxRss, failures: failuresHere });
    if (path) rmSync(dirname(path), { recursive: true, force: true });
  };
  try {
    if (opts.special) for (const c of specialCases(scratch)) await runOne(c);
    for (let k = 0; k < opts.count; k++) {
      const seed = opts.seed + k;
      const r = rng(seed * 2654435761);
      const src = pick(r, files);
      const m = mutate(r, src.name, src.text);
      const { args } = mutateFlags(r, '@FILE', reports, folder);
      await runOne({ seed, mutation: `${src.name}: ${m.mutation}`, file: { name: r() < 0.02 ? `${basename(src.name, extname(src.name))}.txt` : src.name, text: m.text }, args });
      if (!opts.quiet && (k + 1) % 50 === 0) process.stderr.write(`\r${k + 1}/${opts.count} mutants, ${failures.length} failures, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    }
  } finally {
    pool.close();
    rmSync(scratch, { recursive: true, force: true });
    if (!opts.quiet) process.stderr.write('\n');
  }
  return { failures, counts, total, seconds: (performance.now() - t0) / 1000, restarts: pool.restarts, small };
}

/** One failure, printable: the case and what went wrong. */
export function describeFailure(f: FuzzOutcome): string {
  const args = f.case.args.map((a) => JSON.stringify(a.length > 80 ? `${a.slice(0, 80)}…` : a)).join(' ');
  return `seed ${f.case.seed} (${f.case.mutation}): tayopt ${args}\n  ${f.failures.join('; ')}; exit ${f.code}, ${(f.ms / 1000).toFixed(1)} s, ${(f.maxRss / 2 ** 20).toFixed(0)} MiB\n  stderr: ${JSON.stringify(f.stderr.slice(0, 300))}`;
}

function flag(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 0) {
    console.error(`fuzz-cli: --${name} needs a non-negative integer, got ${process.argv[i + 1]}`);
    process.exit(2);
  }
  return v;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const count = flag('count', 5000);
  const seed = flag('seed', 1);
  const res = await fuzzCli({ count, seed, special: !process.argv.includes('--no-special'), quiet: process.argv.includes('--quiet'), timeoutMs: flag('timeout', LIMITS.timeoutMs) });
  for (const f of res.failures) console.log(describeFailure(f));
  const cost = (k: SmallFileCost): string => `${k.cases} cases, at most ${(k.maxMs / 1000).toFixed(2)} s (${k.slowest}), ${k.over} over 1 s`;
  console.log(`files ≤ 1 KB: refused (exit 2) ${cost(res.small.refused)}; solved or stopped (exit 0/1) ${cost(res.small.ran)}`);
  const byOutcome = [...res.counts].sort().map(([k, v]) => `${k} ${v}`).join(', ');
  console.log(
    `\nfuzz-cli: ${res.total} cases (${count} mutants from seed ${seed}${process.argv.includes('--no-special') ? '' : ' + the special files'}): ${byOutcome}; ` +
      `${res.failures.length} failures; ${res.restarts} worker restarts; ${res.seconds.toFixed(0)} s`,
  );
  process.exit(res.failures.length > 0 ? 1 : 0);
}

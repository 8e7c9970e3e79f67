/**
 * Reading a problem from disk: JSON and YAML files (`.json`, `.yaml`, `.yml`) and JS/TS
 * modules (`.js`, `.mjs`, `.ts`, `.mts`) whose default export describes the problem.
 */
import { type Stats, constants } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatBytes } from '../size.js';
import { shown } from '../text.js';
import { parseJson } from './json.js';
import { problemFromModule } from './module.js';
import { type PNode, ProblemError } from './source.js';
import type { Problem } from './types.js';
import { parseYaml } from './yaml.js';

/** Extensions of problem modules (TypeScript ones are compiled on the fly with tsx). */
export const MODULE_EXTENSIONS = ['.js', '.mjs', '.ts', '.mts'];
/** Extensions of problem files. */
export const FILE_EXTENSIONS = ['.json', '.yaml', '.yml'];

/** The largest problem or point file read: 64 MiB (a bigger one is refused before reading). */
export const MAX_FILE_BYTES = 64 * 2 ** 20;

/**
 * Reads a text file for the CLI. Only a regular file of at most {@link MAX_FILE_BYTES} is
 * read: a folder, a device (/dev/zero), a FIFO or a socket would never end or never fit, so
 * they are refused from their metadata before any byte is read. Throws {@link ProblemError}
 * naming the path and the reason (missing, not a regular file, too big, not readable, not
 * UTF-8 text).
 */
export async function readText(path: string, what = 'file'): Promise<string> {
  const fail = (why: string): never => {
    throw new ProblemError(`cannot read ${what} "${shown(path, 120)}": ${why}`);
  };
  let buf: Buffer;
  let handle: FileHandle | undefined;
  try {
    // open without blocking (a FIFO with no writer would wait forever), then look at what was opened
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    const s = await handle.stat();
    if (!s.isFile()) fail(s.isDirectory() ? 'it is a directory' : `it is not a regular file (${kindOf(s)})`);
    if (s.size > MAX_FILE_BYTES) fail(`it has ${formatBytes(s.size)}, more than the limit of ${formatBytes(MAX_FILE_BYTES)} for problem files`);
    buf = await handle.readFile();
    if (buf.length > MAX_FILE_BYTES) fail(`it has more than ${formatBytes(MAX_FILE_BYTES)}, the limit for problem files`);
  } catch (e) {
    if (e instanceof ProblemError) throw e;
    return fail(ioReason(e));
  } finally {
    await handle?.close().catch(() => undefined);
  }
  const text = buf.toString('utf8');
  if (text.includes('\uFFFD') && !Buffer.from(text, 'utf8').equals(buf)) {
    throw new ProblemError(`cannot read ${what} "${shown(path, 120)}": it is not UTF-8 text`);
  }
  return text;
}

/** What a file that is not a regular one is, in words. */
function kindOf(s: Stats): string {
  if (s.isFIFO()) return 'a FIFO';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isSocket()) return 'a socket';
  return 'a special file';
}

/** A short reason for a file-system error. */
export function ioReason(e: unknown): string {
  const code = (e as { code?: string }).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'it is a directory';
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return 'permission denied';
    case 'ENOTDIR':
      return 'a part of the path is not a folder';
    default:
      return (e as Error).message ?? String(e);
  }
}

/** Parses text by format: 'json' or 'yaml'. */
export function parseTree(text: string, format: 'json' | 'yaml', file: string): PNode {
  return format === 'json' ? parseJson(text, file) : parseYaml(text, file);
}

/** 'json' | 'yaml' | 'module' by extension, or null. */
export function formatOf(path: string): 'json' | 'yaml' | 'module' | null {
  const ext = extname(path).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  if (MODULE_EXTENSIONS.includes(ext)) return 'module';
  return null;
}

/**
 * Loads a problem from `path`: parses and validates a JSON/YAML file, or imports a module.
 * The objective is evaluated once at the start point, so shape errors surface here.
 * Throws {@link ProblemError} (the file's problems, each with file:line:col and field).
 */
export async function loadProblem(path: string): Promise<Problem> {
  const format = formatOf(path);
  if (format === null) {
    const ext = extname(path);
    throw new ProblemError(
      `cannot tell the kind of problem file "${shown(path, 120)}" (${ext ? `extension "${shown(ext)}"` : 'no extension'}); use ${[...FILE_EXTENSIONS, ...MODULE_EXTENSIONS].join(', ')}`,
    );
  }
  if (format === 'module') {
    const abs = resolve(path);
    try {
      const s = await stat(abs);
      if (s.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
      if (!s.isFile()) throw new ProblemError(`cannot read problem module "${shown(path, 120)}": it is not a regular file (${kindOf(s)})`);
    } catch (e) {
      if (e instanceof ProblemError) throw e;
      throw new ProblemError(`cannot read problem module "${shown(path, 120)}": ${ioReason(e)}`);
    }
    return problemFromModule(pathToFileURL(abs).href, path);
  }
  const text = await readText(path, 'problem file');
  const tree = parseTree(text, format, path);
  // loaded on demand: math.js takes most of a second to import, and modules do not need it
  const { problemFromTree } = await import('./file.js');
  return problemFromTree(tree, path);
}

/**
 * Reads a point for `problem` from a JSON/YAML file, or from inline JSON when `spec` starts
 * with `{` or `[`: `{ "x": [1, 2] }` by variable name (variables left out keep their start
 * value), or the value itself for a single variable. Returns the flat point.
 */
export async function loadPoint(spec: string, problem: Problem, field = 'point'): Promise<Float64Array> {
  const inline = /^\s*[[{]/.test(spec);
  let tree: PNode;
  let file: string;
  if (inline) {
    file = '--at';
    tree = parseJson(spec, file);
  } else {
    const format = formatOf(spec);
    if (format !== 'json' && format !== 'yaml') throw new ProblemError(`cannot read point "${shown(spec)}": use a .json or .yaml file, or inline JSON such as '{"x": [1, 2]}'`);
    file = spec;
    tree = parseTree(await readText(spec, 'point file'), format, spec);
  }
  const { pointFromTree } = await import('./file.js');
  return pointFromTree(tree, problem, file, field, problem.x0);
}

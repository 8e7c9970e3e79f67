/** Writing a report file: format by extension, atomic replace. */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { renderHtml } from './html.js';
import { renderPng } from './png.js';
import type { PngOptions, ReportInput } from './types.js';

/** File extensions {@link writeReport} understands (lower case; matching ignores case). */
export const REPORT_EXTENSIONS = ['.png', '.html', '.htm'] as const;

/**
 * Picks the report format for a file path by its extension, case-insensitively:
 * `.png` → 'png', `.html` / `.htm` → 'html'. Throws Error naming the extension and the
 * supported ones otherwise.
 */
export function reportFormat(path: string): 'png' | 'html' {
  const ext = extname(path).toLowerCase();
  if (ext === '.png') return 'png';
  if (ext === '.html' || ext === '.htm') return 'html';
  const shown = ext === '' ? 'no extension' : `extension "${extname(path)}"`;
  throw new Error(
    `writeReport: cannot tell the report format of "${path}" (${shown}); use one of ${REPORT_EXTENSIONS.join(', ')}`,
  );
}

/**
 * Renders a report and writes it to `path`: PNG for `.png` (size from `options`, see
 * {@link renderPng}), self-contained HTML for `.html` / `.htm`. The report is rendered
 * first, then the parent directory is created if missing, the bytes are written to a
 * temporary file in that directory and renamed over `path`, so `path` is either the old
 * file or the complete new report, never a partial one, and no temporary file is left
 * behind. Rejects with Error for an unsupported extension (nothing is created), with what
 * the renderers throw for bad input, and with the file-system error if writing fails.
 */
export async function writeReport(path: string, input: ReportInput, options: PngOptions = {}): Promise<void> {
  const format = reportFormat(path);
  const bytes: Buffer | string = format === 'png' ? renderPng(input, options) : renderHtml(input);
  const target = resolve(path);
  const dir = dirname(target);
  await ensureDirectory(dir);
  const tmp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, bytes, { flag: 'wx' });
    await rename(tmp, target);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/**
 * Creates `dir` and its missing parents one level at a time. (Node 20's recursive mkdir never
 * returns for a path it cannot create under a special file system such as /proc/x.)
 * Rejects with ENOTDIR when a component is a file.
 */
export async function ensureDirectory(dir: string): Promise<void> {
  try {
    if ((await stat(dir)).isDirectory()) return;
    throw Object.assign(new Error(`${dir} is not a folder`), { code: 'ENOTDIR' });
  } catch (e) {
    if ((e as { code?: string }).code !== 'ENOENT') throw e;
  }
  const parent = dirname(dir);
  if (parent === dir) throw Object.assign(new Error('no such file system root'), { code: 'ENOENT' });
  await ensureDirectory(parent);
  await mkdir(dir).catch((e: { code?: string }) => {
    if (e.code !== 'EEXIST') throw e;
  });
}

import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reportFormat, writeReport, type ReportInput } from '../../src/report/index.js';
import { decodePng, syntheticHistory } from './fixtures.js';

const INPUT: ReportInput = { title: 'write test', fStar: 0, runs: [{ label: 'lbfgs', history: syntheticHistory({ n: 10 }) }] };

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tayopt-report-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('reportFormat', () => {
  it('maps extensions case-insensitively', () => {
    expect(reportFormat('a/b.png')).toBe('png');
    expect(reportFormat('A.PNG')).toBe('png');
    expect(reportFormat('r.html')).toBe('html');
    expect(reportFormat('r.HTM')).toBe('html');
  });
});

describe('writeReport', () => {
  it('writes a PNG of the requested size for .png, creating missing parent directories', async () => {
    const path = join(dir, 'deep', 'er', 'report.png');
    await writeReport(path, INPUT, { width: 900, height: 600 });
    const bytes = await readFile(path);
    expect([...bytes.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    const img = await decodePng(bytes);
    expect([img.width, img.height]).toEqual([900, 600]);
    expect(await readdir(join(dir, 'deep', 'er'))).toEqual(['report.png']);
  });

  it('writes self-contained HTML for .html and .htm and leaves no temporary file', async () => {
    for (const name of ['r.html', 'r.htm']) {
      await writeReport(join(dir, name), INPUT);
      const text = await readFile(join(dir, name), 'utf8');
      expect(text.startsWith('<!DOCTYPE html>')).toBe(true);
      expect(text).toContain('write test');
    }
    expect((await readdir(dir)).sort()).toEqual(['r.htm', 'r.html']);
  });

  it('replaces an existing report', async () => {
    const path = join(dir, 'r.html');
    await writeFile(path, 'old');
    await writeReport(path, INPUT);
    expect((await readFile(path, 'utf8')).startsWith('<!DOCTYPE html>')).toBe(true);
    expect(await readdir(dir)).toEqual(['r.html']);
  });

  it('rejects an unknown extension, naming it and the supported ones, and writes nothing', async () => {
    const path = join(dir, 'sub', 'report.svg');
    await expect(writeReport(path, INPUT)).rejects.toThrow(/"\.svg".*\.png, \.html, \.htm/);
    await expect(writeReport(join(dir, 'noext'), INPUT)).rejects.toThrow(/no extension/);
    expect(existsSync(join(dir, 'sub'))).toBe(false);
    expect(await readdir(dir)).toEqual([]);
  });

  it('rejects bad input before touching the file system', async () => {
    await expect(writeReport(join(dir, 'sub', 'r.png'), { title: 't', runs: [] })).rejects.toThrow(/at least one run/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('when the final rename fails, removes its temporary file and leaves the target as it was', async () => {
    // The target is a non-empty directory: rename(file → dir) fails on every platform.
    const target = join(dir, 'taken.png');
    await mkdir(target);
    await writeFile(join(target, 'keep.txt'), 'x');
    await expect(writeReport(target, INPUT)).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['taken.png']);
    expect((await stat(target)).isDirectory()).toBe(true);
    expect(await readdir(target)).toEqual(['keep.txt']);
  });
});

/**
 * The library core stays browser-safe: the browser build (src/index.ts bundled by esbuild
 * for the browser platform, scripts/build-browser.ts) must resolve without Node built-ins,
 * contain only the engine and the solvers of this repository (no CLI, problem files, reports)
 * and none of the Node-side packages, and use no Node globals. And the README's size figure
 * stays close to the real one.
 */
import { builtinModules } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleBrowser, packageOf, type BrowserBundle } from '../../scripts/build-browser.js';
import { ROOT } from '../package/helpers.js';

// The Node side of tayopt: the CLI, problem files (math.js), reports (chart.js on a native
// canvas), and what loads TypeScript problem modules.
const NODE_SIDE_PACKAGES = ['mathjs', 'chart.js', '@napi-rs/canvas', 'yargs', 'yaml', 'tsx', 'esbuild'];
// The repository's own files the browser build may contain: the engine and the solvers.
const BROWSER_SAFE = /^(src\/(utpm|trace|ad)\/|src\/(index|errors|random|size|text)\.ts$|optimizers\/)/;

let built: Promise<BrowserBundle> | undefined;
/**
 * The bundle, built once. esbuild rejects an import that cannot be resolved for browsers (a
 * `node:` built-in among them); awaited inside each test, so that such a failure fails the
 * tests (with esbuild's message), not only a hook.
 */
const browserBundle = (): Promise<BrowserBundle> => (built ??= bundleBrowser());

describe('the browser build', () => {
  it('imports no Node built-in and leaves no import unresolved', async () => {
    const bundle = await browserBundle();
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    const offending: string[] = [];
    for (const [file, input] of Object.entries(bundle.metafile.inputs)) {
      for (const imp of input.imports) {
        if (imp.path.startsWith('node:') || builtins.has(imp.path)) offending.push(`${file} imports ${imp.path}`);
      }
    }
    expect(offending).toEqual([]);
    // one self-contained file: the output imports nothing
    const outputs = Object.values(bundle.metafile.outputs);
    expect(outputs.length).toBe(1);
    expect(outputs[0]!.imports).toEqual([]);
  });

  it('contains the engine and the solvers, not the CLI, problem files, reports or Node-side packages', async () => {
    const bundle = await browserBundle();
    const own = Object.keys(bundle.metafile.inputs).filter((f) => packageOf(f) === null);
    expect(own).toContain('src/index.ts');
    expect(own.some((f) => f.startsWith('optimizers/methods/'))).toBe(true);
    expect(own.filter((f) => !BROWSER_SAFE.test(f))).toEqual([]);
    const names = bundle.packages.map((p) => p.name);
    expect(names.filter((n) => NODE_SIDE_PACKAGES.includes(n))).toEqual([]);
    // the banner names what the file contains, with licenses
    for (const p of bundle.packages) expect(bundle.code.split('\n')[0]).toContain(`${p.name} ${p.version} (${p.license})`);
  });

  it('uses no Node globals', async () => {
    const bundle = await browserBundle();
    const body = bundle.code.slice(bundle.code.indexOf('\n') + 1);
    const uses = [...body.matchAll(/(?<![\w$.])(process\.|require\(|__dirname|__filename|Buffer\.|global\.)/g)].map((m) => m[0]);
    expect(uses).toEqual([]);
  });

  it('is as big as the README says (min+gzip, within 25%)', async () => {
    const bundle = await browserBundle();
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const m = /([\d.]+) kB min\+gzip/.exec(readme);
    expect(m, 'the README records the browser build\'s size as "… kB min+gzip"').not.toBeNull();
    const stated = Number(m![1]) * 1000;
    const ratio = bundle.gzipBytes / stated;
    expect(ratio, `the build is ${(bundle.gzipBytes / 1000).toFixed(1)} kB min+gzip; update the README`).toBeGreaterThan(0.75);
    expect(ratio, `the build is ${(bundle.gzipBytes / 1000).toFixed(1)} kB min+gzip; update the README`).toBeLessThan(1.25);
  });
});

/**
 * The browser build: the library core (the engine, the drivers and `minimize`, i.e.
 * src/index.ts and what it imports) bundled by esbuild into one minified ES module,
 * dist/browser/tayopt.js, that a bundler or a `<script type="module">` can load. It has no
 * imports left: ndarray and ml-matrix are inside it. The CLI, problem files, math.js and the
 * reports are not reachable from src/index.ts and so stay out.
 *
 *   tsx scripts/build-browser.ts      (part of `npm run build`)
 *
 * test/browser/bundle.test.ts builds the same bundle in memory (`bundleBrowser`) and fails
 * if a Node built-in or a Node-only package gets into it.
 */
import { build, type Metafile } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const BROWSER_ENTRY = join(ROOT, 'src/index.ts');
export const BROWSER_OUTFILE = join(ROOT, 'dist/browser/tayopt.js');

/** A package inside the bundle, for the license banner and the tests. */
export interface BundledPackage {
  name: string;
  version: string;
  license: string;
}

export interface BrowserBundle {
  /** The module's text, license banner included. */
  code: string;
  /** esbuild's record of every input and import (paths relative to the repository). */
  metafile: Metafile;
  /** npm packages the bundle contains, sorted by name. */
  packages: BundledPackage[];
  bytes: number;
  /** Size after gzip -9, the figure the README records. */
  gzipBytes: number;
}

/** Name of the npm package an input path belongs to, or null for the repository's own files. */
export function packageOf(input: string): string | null {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return null;
  const m = /^(@[^/]+\/)?[^/]+/.exec(input.slice(at + 'node_modules/'.length));
  return m ? m[0] : null;
}

/**
 * Bundles src/index.ts for browsers (ES2022, ESM, minified, names kept so error messages
 * and `console.log` show `Tensor`, not a mangled name). Throws esbuild's error when an
 * import cannot be resolved for the browser platform, e.g. a `node:` built-in.
 */
export async function bundleBrowser(): Promise<BrowserBundle> {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [BROWSER_ENTRY],
    outfile: BROWSER_OUTFILE,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    keepNames: true,
    legalComments: 'none',
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  const names = new Set<string>();
  for (const input of Object.keys(result.metafile.inputs)) {
    const name = packageOf(input);
    if (name) names.add(name);
  }
  const packages = [...names].sort().map((name): BundledPackage => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as Partial<BundledPackage>;
    return { name, version: pkg.version ?? '?', license: pkg.license ?? 'see its package' };
  });
  const own = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as BundledPackage;
  const banner =
    `/*! ${own.name} ${own.version} (${own.license}) — browser build; contains ` +
    packages.map((p) => `${p.name} ${p.version} (${p.license})`).join(', ') +
    ' */\n';
  const code = banner + result.outputFiles[0]!.text;
  const bytes = Buffer.byteLength(code);
  return { code, metafile: result.metafile, packages, bytes, gzipBytes: gzipSync(code, { level: 9 }).length };
}

async function main(): Promise<void> {
  const bundle = await bundleBrowser();
  mkdirSync(dirname(BROWSER_OUTFILE), { recursive: true });
  writeFileSync(BROWSER_OUTFILE, bundle.code);
  const kB = (n: number) => `${(n / 1000).toFixed(1)} kB`;
  console.log(`browser build: dist/browser/tayopt.js, ${kB(bundle.bytes)} minified, ${kB(bundle.gzipBytes)} min+gzip`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}

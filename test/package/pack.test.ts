/**
 * The package as a user gets it. `npm pack` (with --ignore-scripts: `npm test` has just
 * built dist/, and prepack's clean rebuild would pull dist/ away from the tests running
 * beside this one), then the tarball installed into two fresh projects, one
 * `"type": "commonjs"` and one `"type": "module"`, with `npm ci --offline`: each project gets
 * a lock file made of the tarball's entry and the repository lock's production packages, so
 * every download is served by the npm cache that the repository's own `npm ci` filled.
 * There: `require` and `import` give one module (no dual-package copy) and a gradient that
 * matches its closed form, `tsx` runs a TypeScript file, `npx tayopt` runs, a strict
 * TypeScript file type-checks, and an example runs from the installed package.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, cleanEnv, ensureFullBuild, packageJson, run, type RunResult } from './helpers.js';

interface PackedFile {
  path: string;
  size: number;
  mode: number;
}
interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  files: PackedFile[];
}

type Kind = 'commonjs' | 'module';
const KINDS: Kind[] = ['commonjs', 'module'];

// Packages whose install scripts npm ≥ 11.16 lists as "not yet covered by allowScripts" and
// that tayopt cannot avoid: esbuild (a dependency of tsx, which the CLI uses to load .ts
// problem modules) checks its platform binary in a postinstall script. Only the installing
// project can approve it (its own package.json's allowScripts); npm 11 runs it regardless.
const UNAVOIDABLE_INSTALL_SCRIPTS = new Set(['esbuild']);

// f(x) = x₀²·x₁ + sin(x₀)·exp(x₁), at (0.7, −0.3): ∇f = (2x₀x₁ + cos x₀·e^x₁, x₀² + sin x₀·e^x₁).
const POINT = [0.7, -0.3] as const;
const F_JS = '(x) => t.add(t.mul(t.square(x.at(0)), x.at(1)), t.mul(t.sin(x.at(0)), t.exp(x.at(1))))';
function gradientClosedForm(): number[] {
  const [a, b] = POINT;
  return [2 * a * b + Math.cos(a) * Math.exp(b), a * a + Math.sin(a) * Math.exp(b)];
}

const REQUIRE_SCRIPT = `const t = require('tayopt');
const g = t.grad(${F_JS})([${POINT.join(', ')}]);
import('tayopt').then((m) => console.log(JSON.stringify({ grad: Array.from(g), oneCopy: m.Tensor === t.Tensor })));
`;
const IMPORT_SCRIPT = `import { createRequire } from 'node:module';
import * as t from 'tayopt';
const g = t.grad(${F_JS})([${POINT.join(', ')}]);
const required = createRequire(import.meta.url)('tayopt');
console.log(JSON.stringify({ grad: Array.from(g), oneCopy: required.Tensor === t.Tensor }));
`;
const TSX_SCRIPT = `import * as t from 'tayopt';
const f = ${F_JS.replace('(x) =>', '(x: t.Tensor): t.Tensor =>')};
console.log(JSON.stringify({ grad: Array.from(t.grad(f)([${POINT.join(', ')}]) as ArrayLike<number>) }));
`;

let work: string;
let packed: PackResult;
let tarball: string;
const paths = new Set<string>();
const installs = new Map<Kind, { dir: string; result: RunResult }>();
/** Every command run in the installed projects, by `${kind}: ${label}`; run up front, a few at a time. */
const runs = new Map<string, RunResult>();

/**
 * package.json and package-lock.json of a fresh project depending on the tarball. The lock
 * holds tayopt's entry and the repository lock's non-dev packages at the same paths (npm
 * hoists a dependency's dependencies to the top, as in the repository), so `npm ci` needs
 * no registry metadata, only the tarballs the cache has.
 */
function writeProject(dir: string, type: Kind): void {
  const repoLock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  const spec = `file:${posix.relative(dir, tarball)}`;
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  const packages: Record<string, unknown> = {
    '': { name: `consumer-${type}`, version: '1.0.0', dependencies: { tayopt: spec } },
    'node_modules/tayopt': {
      version: packageJson.version,
      resolved: spec,
      integrity,
      license: packageJson.license,
      dependencies: packageJson.dependencies,
      bin: packageJson.bin,
      engines: packageJson.engines,
    },
  };
  for (const [path, entry] of Object.entries(repoLock.packages)) if (path !== '' && !entry.dev) packages[path] = entry;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `consumer-${type}`, version: '1.0.0', private: true, type, dependencies: { tayopt: spec } }, null, 2));
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify({ name: `consumer-${type}`, version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2));
}

/** `npm warn` lines other than the install-script advisory for UNAVOIDABLE_INSTALL_SCRIPTS. */
function avoidableWarnings(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => /^npm warn/i.test(l))
    .filter((l) => {
      if (!/^npm warn install-scripts/i.test(l)) return true;
      const pkg = /^npm warn install-scripts\s+((?:@[^/\s]+\/)?[^@\s]+)@\S+ \(/i.exec(l);
      return pkg !== null && !UNAVOIDABLE_INSTALL_SCRIPTS.has(pkg[1]!);
    });
}

const npxEnv = () => cleanEnv({ npm_config_registry: 'http://127.0.0.1:9/', npm_config_yes: 'false' });

/** The project's directory, after checking that its install worked. */
function project(kind: Kind): string {
  const p = installs.get(kind);
  if (!p) throw new Error(`the ${kind} project was not set up`);
  expect(p.result.code, `npm ci --offline in the ${kind} project failed:\n${p.result.stderr}`).toBe(0);
  return p.dir;
}

function result(kind: Kind, label: string): RunResult {
  project(kind);
  const r = runs.get(`${kind}: ${label}`);
  if (!r) throw new Error(`${kind}: ${label} did not run`);
  return r;
}

function parseLast(r: RunResult, what: string): { grad: number[]; oneCopy?: boolean } {
  expect(r.code, `${what}: exit ${r.code}\n${r.stderr}`).toBe(0);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as { grad: number[]; oneCopy?: boolean };
}

function expectGradient(grad: number[]): void {
  const want = gradientClosedForm();
  expect(grad.length).toBe(2);
  grad.forEach((g, i) => expect(Math.abs(g - want[i]!)).toBeLessThan(1e-14 * (1 + Math.abs(want[i]!))));
}

const cjsFile = (kind: Kind) => (kind === 'commonjs' ? 'app.js' : 'app.cjs');
const esmFile = (kind: Kind) => (kind === 'module' ? 'app.js' : 'app.mjs');

/** The commands each test looks at, as [label, command, args]; run in the project's folder. */
function commands(kind: Kind): [string, string, string[], NodeJS.ProcessEnv?][] {
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  const list: [string, string, string[], NodeJS.ProcessEnv?][] = [
    ['require', process.execPath, [cjsFile(kind)]],
    ['import', process.execPath, [esmFile(kind)]],
    ['tsx', 'npx', ['--no-install', 'tsx', 'app.ts'], npxEnv()],
    ['help', 'npx', ['--no-install', 'tayopt', '--help'], npxEnv()],
    ['tsc', process.execPath, [tsc, '--strict', '--noEmit', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', 'consumer.ts']],
  ];
  // the CLI and the examples do not depend on the project's module kind: run them once (and
  // without npx, whose start-up the two --help runs above already cover)
  if (kind === 'module') {
    list.push(['solve', join('node_modules', '.bin', 'tayopt'), ['solve', 'node_modules/tayopt/examples/rosenbrock.json', '--json', '-q']]);
    list.push(['example', join('node_modules', '.bin', 'tsx'), ['node_modules/tayopt/examples/gaussian-mle.ts']]);
  }
  return list;
}

beforeAll(async () => {
  ensureFullBuild();
  work = mkdtempSync(join(tmpdir(), 'tayopt-pack-'));
  const r = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], ROOT);
  expect(r.code, r.stderr).toBe(0);
  packed = (JSON.parse(r.stdout) as PackResult[])[0]!;
  tarball = join(work, packed.filename);
  for (const f of packed.files) paths.add(f.path);
  await Promise.all(
    KINDS.map(async (kind) => {
      const dir = join(work, kind);
      writeProject(dir, kind);
      const result = await run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], dir, { timeoutMs: 180_000 });
      if (result.code !== 0 && /ENOTCACHED/.test(result.stderr)) {
        result.stderr += '\n(the npm cache lacks a dependency: run `npm ci` in the repository first, it fills the cache this test installs from)';
      }
      installs.set(kind, { dir, result });
    }),
  );
  const queue: (() => Promise<void>)[] = [];
  for (const [kind, { dir, result }] of installs) {
    if (result.code !== 0) continue;
    writeFileSync(join(dir, cjsFile(kind)), REQUIRE_SCRIPT);
    writeFileSync(join(dir, esmFile(kind)), IMPORT_SCRIPT);
    writeFileSync(join(dir, 'app.ts'), TSX_SCRIPT);
    writeFileSync(join(dir, 'consumer.ts'), readFileSync(join(ROOT, 'test/package/fixtures/consumer.ts'), 'utf8'));
    for (const [label, cmd, args, env] of commands(kind)) {
      queue.push(async () => {
        runs.set(`${kind}: ${label}`, await run(cmd, args, dir, env ? { env } : {}));
      });
    }
  }
  // a few processes at a time: most of each is Node's and npm's start-up
  await Promise.all(
    Array.from({ length: 3 }, async () => {
      for (let job = queue.shift(); job; job = queue.shift()) await job();
    }),
  );
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Every README.md under the repository's source folders (what --help and the README link to). */
function folderReadmes(): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of readdirSync(join(ROOT, rel), { withFileTypes: true })) {
      const p = posix.join(rel, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === 'README.md') out.push(p);
    }
  };
  for (const top of ['src', 'optimizers', 'bin']) walk(top);
  return out;
}

describe('the tarball', () => {
  it('has the build, the bin, the browser build, the LICENSE, the examples and every folder README', () => {
    for (const f of ['package.json', 'README.md', 'LICENSE', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/bin/tayopt.js', 'dist/browser/tayopt.js']) {
      expect(paths.has(f), f).toBe(true);
    }
    const bin = packed.files.find((f) => f.path === 'dist/bin/tayopt.js')!;
    expect(bin.mode & 0o111, 'dist/bin/tayopt.js is executable').not.toBe(0);
    for (const readme of folderReadmes()) expect(paths.has(readme), readme).toBe(true);
    const examples = readdirSync(join(ROOT, 'examples'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => posix.relative(ROOT, posix.join(e.parentPath ?? e.path, e.name)));
    expect(examples.length).toBeGreaterThan(5);
    for (const e of examples) expect(paths.has(e), e).toBe(true);
  });

  it('has no benchmarks, tests, build scripts or TypeScript sources', () => {
    const unwanted = [...paths].filter((p) => /^(dist\/)?(bench|test|scripts)\//.test(p) || /^(src|optimizers|bin)\/.*\.ts$/.test(p) || p.includes('node_modules/'));
    expect(unwanted).toEqual([]);
    // a bound that catches an accidental folder (dist/bench, the tests) in the tarball
    expect(packed.unpackedSize).toBeLessThan(3_000_000);
  });

  it('has an MIT LICENSE, as package.json says', () => {
    expect(packageJson.license).toBe('MIT');
    const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
    expect(license).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} the tayopt authors\n/);
    expect(license).toContain('THE SOFTWARE IS PROVIDED "AS IS"');
  });

  it('resolves every relative link of its READMEs and every README that --help names', () => {
    const broken: string[] = [];
    for (const readme of [...paths].filter((p) => p.endsWith('README.md'))) {
      const text = readFileSync(join(ROOT, readme), 'utf8');
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!.split('#')[0]!;
        if (!target || /^[a-z]+:/i.test(target)) continue;
        const resolved = posix.normalize(posix.join(posix.dirname(readme), target)).replace(/\/$/, '');
        if (!paths.has(resolved) && ![...paths].some((p) => p.startsWith(`${resolved}/`))) broken.push(`${readme} → ${target}`);
      }
    }
    expect(broken).toEqual([]);
    const help = result('module', 'help');
    expect(help.code, help.stderr).toBe(0);
    const named = [...help.stdout.matchAll(/[\w./-]+\/README\.md/g)].map((m) => m[0]);
    expect(named.length).toBeGreaterThan(0);
    for (const n of named) expect(paths.has(n), `--help names ${n}`).toBe(true);
  });

  it('ships examples that import tayopt, not the repository sources', () => {
    for (const p of [...paths].filter((p) => /^examples\/.*\.[cm]?[jt]s$/.test(p))) {
      const text = readFileSync(join(ROOT, p), 'utf8');
      expect(text, p).not.toMatch(/from\s+['"]\.\.?\/(\.\.\/)*(src|optimizers|bin|dist)\b/);
    }
  });
});

describe.each(KINDS)('installed into a fresh "type": "%s" project', (kind) => {
  it('installs offline without warnings it could avoid', () => {
    const dir = project(kind);
    expect(avoidableWarnings(installs.get(kind)!.result.stderr)).toEqual([]);
    expect(statSync(join(dir, 'node_modules/tayopt/dist/src/index.js')).isFile()).toBe(true);
  });

  it('require() and import give one module and the closed-form gradient, with nothing on stderr', () => {
    for (const [label, file] of [['require', cjsFile(kind)], ['import', esmFile(kind)]] as const) {
      const r = result(kind, label);
      const out = parseLast(r, `node ${file}`);
      expectGradient(out.grad);
      expect(out.oneCopy, `${file}: require('tayopt') and import('tayopt') are the same module`).toBe(true);
      expect(r.stderr, `node ${file} printed on stderr`).toBe('');
    }
  });

  it('npx tsx runs a TypeScript file that imports tayopt', () => {
    expectGradient(parseLast(result(kind, 'tsx'), 'npx tsx app.ts').grad);
  });

  it('npx tayopt --help runs', () => {
    const help = result(kind, 'help');
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/tayopt solve/);
  });

  it('a strict TypeScript file type-checks against the shipped declarations (module nodenext)', () => {
    const r = result(kind, 'tsc');
    expect(r.stdout + r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('the command and the examples, from the installed package', () => {
  it('tayopt solve on a shipped example finds Rosenbrock\'s minimum (1, 1)', () => {
    const r = result('module', 'solve');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { success: boolean; fun: number; x: { x: number[] } };
    expect(out.success).toBe(true);
    expect(out.fun).toBeLessThan(1e-10);
    out.x.x.forEach((v) => expect(Math.abs(v - 1)).toBeLessThan(1e-5));
  });

  it('examples/gaussian-mle.ts runs with tsx and converges', () => {
    const r = result('module', 'example');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\nconverged in \d+ Newton steps/);
  });
});

/**
 * The 27 NIST StRD nonlinear regression problems (examples/nist/*.yaml) as residual
 * functions with both of NIST's start points, the certified parameters and standard
 * deviations — for the least-squares tests and benchmark, and (`nistMinimizationRuns`) as
 * general minimization of Σr² for the stopping-rule benchmark. Read synchronously from the
 * problem files, through the same loader as the CLI.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import * as t from '../../src/index.js';
import { parseYaml } from '../../src/problem/yaml.js';
import { problemFromTree } from '../../src/problem/file.js';

/** One NIST problem. */
export interface NistProblem {
  /** Lower-case file name: 'misra1a'. */
  key: string;
  name: string;
  n: number;
  m: number;
  residuals: (x: t.Tensor) => t.Tensor;
  /** NIST's start 1 and start 2. */
  starts: { start1: Float64Array; start2: Float64Array };
  /** Certified parameters, standard deviations and residual sum of squares. */
  certified: { x: Float64Array; stderr: Float64Array; rss: number };
}

/** Folder of the NIST files (from dist/bench/problems or bench/problems). */
function nistDir(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  for (const up of ['../../examples/nist', '../../../examples/nist']) {
    const dir = join(here, up);
    try {
      readdirSync(dir);
      return dir;
    } catch {
      // try the next
    }
  }
  throw new Error('examples/nist not found');
}

let cache: NistProblem[] | null = null;

/** All 27 problems, in file-name order. */
export function nistProblems(): NistProblem[] {
  if (cache) return cache;
  const dir = nistDir();
  cache = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => {
      const file = join(dir, f);
      const p = problemFromTree(parseYaml(readFileSync(file, 'utf8'), file), file);
      const s = p.solution;
      return {
        key: f.replace(/\.yaml$/, ''),
        name: p.name.replace(/ \(NIST StRD\)$/, ''),
        n: p.n,
        m: p.m!,
        residuals: p.residuals!,
        starts: { start1: p.x0, start2: p.starts!.get('start2')! },
        certified: { x: s.x!, stderr: s.stderr!, rss: s.f! },
      };
    });
  return cache;
}

/**
 * The log relative error of a value against a certified one: −log10(|x − c|/|c|), capped at
 * 11 (NIST certifies 11 digits); McCullough's measure of correct significant digits.
 */
export function lre(x: number, c: number): number {
  if (!Number.isFinite(x)) return 0;
  const e = c === 0 ? Math.abs(x) : Math.abs(x - c) / Math.abs(c);
  return e === 0 ? 11 : Math.max(0, Math.min(11, -Math.log10(e)));
}

/** The smallest LRE over the parameters. */
export function minLre(x: ArrayLike<number>, certified: ArrayLike<number>): number {
  let m = Infinity;
  for (let i = 0; i < certified.length; i++) m = Math.min(m, lre(x[i]!, certified[i]!));
  return m;
}

/** One NIST problem from one start, as the general minimization of f(b) = Σ rᵢ(b)². */
export interface NistRun {
  /** 'gauss1-start2', … */
  name: string;
  n: number;
  x0: Float64Array;
  objective: (x: t.Tensor) => t.Tensor;
  /** Certified parameters, in the order of x. */
  xStar: Float64Array;
}

/** The 27 problems × 2 starts (54 runs) as minimization of Σr², in file-name order. */
export function nistMinimizationRuns(): NistRun[] {
  return nistProblems().flatMap((p) =>
    (['start1', 'start2'] as const).map((s) => ({
      name: `${p.key}-${s}`,
      n: p.n,
      x0: p.starts[s],
      objective: (x: t.Tensor) => t.sum(t.square(p.residuals(x))),
      xStar: p.certified.x,
    })),
  );
}

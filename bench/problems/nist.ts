/**
 * The 27 NIST StRD nonlinear-regression problems (examples/nist/*.yaml) as general
 * minimization problems: f(b) = Σ rᵢ(b)², from both of NIST's starts, with the certified
 * minimizer and residual sum of squares. The files are in residual form (`residuals: R`,
 * `starts`, `solution.stderr`); until the problem loader reads that form, each file is
 * rewritten here to `objective: sum((R).^2)` without those fields and read by the ordinary
 * loader, so the objective is exactly the expression in the file.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import type { Tensor } from '../../src/index.js';
import { parseTree } from '../../src/problem/load.js';
import { problemFromTree } from '../../src/problem/file.js';

export interface NistProblem {
  /** 'gauss1-start2', … */
  name: string;
  /** NIST's problem name ('Gauss1'). */
  title: string;
  start: 1 | 2;
  n: number;
  x0: number[];
  objective: (x: Tensor) => Tensor;
  /** Certified residual sum of squares. */
  fStar: number;
  /** Certified parameters, in the order of x. */
  xStar: number[];
}

/** The folder examples/nist, found upwards from this file (works from the source and from dist/). */
function nistDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const d = join(dir, 'examples', 'nist');
    if (existsSync(d)) return d;
    dir = resolve(dir, '..');
  }
  throw new Error('examples/nist not found');
}

/** Reads one residual-form NIST file as the objective Σr², from start 1 and start 2. */
export function nistProblems(file: string): NistProblem[] {
  const doc = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const starts = doc['starts'] as Record<string, Record<string, number>>;
  const solution = doc['solution'] as { f: number; x: Record<string, number>; stderr?: unknown };
  const vars = doc['variables'] as Record<string, number>;
  const names = Object.keys(vars);
  const plain: Record<string, unknown> = { ...doc, objective: `sum((${String(doc['residuals'])}).^2)`, solution: { f: solution.f, x: solution.x } };
  delete plain['residuals'];
  delete plain['starts'];
  const problem = problemFromTree(parseTree(stringify(plain), 'yaml', file), file);
  const title = String(doc['name']).replace(/ \(NIST StRD\)$/, '');
  const base = title.toLowerCase();
  const xStar = names.map((k) => solution.x[k]!);
  return ([1, 2] as const).map((start) => {
    const s = start === 1 ? vars : starts['start2']!;
    return { name: `${base}-start${start}`, title, start, n: names.length, x0: names.map((k) => s[k]!), objective: problem.f, fStar: solution.f, xStar };
  });
}

/** All 27 problems × 2 starts (54 runs), in file-name order. */
export function allNistProblems(): NistProblem[] {
  const dir = nistDir();
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => nistProblems(join(dir, f)));
}

/**
 * Log relative error (NIST's LRE) of the worst parameter: −log₁₀ max |bᵢ − cᵢ|/|cᵢ|, capped at
 * 11 (the certified digits). LRE ≥ 4 means every parameter is right to 4 significant digits.
 */
export function parameterLre(x: ArrayLike<number>, xStar: readonly number[]): number {
  let worst = 0;
  for (let i = 0; i < xStar.length; i++) {
    const e = Math.abs(x[i]! - xStar[i]!) / Math.abs(xStar[i]!);
    if (!(e <= worst)) worst = Number.isNaN(e) ? Infinity : e;
  }
  return Math.min(11, -Math.log10(worst));
}

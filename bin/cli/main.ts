/**
 * The `tayopt` command line as a function: parsing (yargs), the commands, and the mapping of
 * errors to exit codes and one-line messages. bin/tayopt.ts runs it on process.argv.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { TayoptError } from '../../src/errors.js';
import { didYouMean, escapeControl, shown } from '../../src/text.js';
import { autoText, CONCRETE_METHOD_NAMES, methodSpec } from '../../optimizers/index.js';
import { COMPARE_DEFAULTS_TEXT, EXIT, METHODS, UsageError } from './common.js';

function version(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'tayopt' && pkg.version) return pkg.version;
    } catch {
      // keep looking upwards
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

/** The longest error line (with its "tayopt: " prefix); a longer message keeps its head and tail. */
const MAX_LINE = 300;

/** One line on stderr: no stack traces, no multi-line messages, no raw control characters, at most MAX_LINE characters. */
function complain(message: string): void {
  let text = escapeControl(message.replace(/\s*\n\s*/g, ' ').trim());
  if (text.length > MAX_LINE - 8) text = `${text.slice(0, MAX_LINE - 80)} … ${text.slice(-68)}`;
  process.stderr.write(`tayopt: ${text}\n`);
}

/** Maps an error to its exit code and prints it on stderr (one line). */
export function report(e: unknown): number {
  if (e instanceof TayoptError) {
    complain(e.message);
    return EXIT.badInput;
  }
  const err = e as Error;
  complain(`internal error: ${err?.name ?? 'Error'}: ${err?.message ?? String(e)} (please report this; set TAYOPT_DEBUG=1 for details)`);
  if (process.env['TAYOPT_DEBUG']) process.stderr.write(`${err?.stack ?? ''}\n`);
  return EXIT.internal;
}


const methodHelp = `one of ${METHODS.join(', ')} (auto: ${autoText()}; ipm with general constraints)`;

/** The method list under a command's help, from the solver's registry. */
const methodsEpilogue = `Methods:\n${CONCRETE_METHOD_NAMES.map((m) => `  ${m.padEnd(14)}${methodSpec(m).summary}`).join('\n')}`;

const solverOptions = {
  gtol: { type: 'number', requiresArg: true, describe: 'stop when ‖∇f‖∞ (projected, with bounds) ≤ gtol [default: 1e-12 for methods with second derivatives, 1e-8 for lbfgs and bfgs; runs that cannot get there stop at the limit of double precision]; least squares (lm, trf): the cosine between r and the columns of J [default: 1e-10]; ipm: tolerance on the KKT error [default: 1e-8]' },
  'max-iter': { type: 'number', requiresArg: true, describe: 'iteration limit [default: 1000]' },
  ftol: { type: 'number', requiresArg: true, describe: 'also stop when the relative decrease of f ≤ ftol [default: off]; least squares (lm, trf): relative reductions of f [default: 1e-15]; not for ipm' },
  xtol: { type: 'number', requiresArg: true, describe: "also stop when the step ≤ xtol·(1 + ‖x‖₂) [default: off]; least squares: trf's estimate of x's relative error (and the step tests) [default: 1e-7; step tests 1e-10]; not for ipm" },
  'max-eval': { type: 'number', requiresArg: true, describe: 'limit on function/gradient evaluations' },
  'time-limit': { type: 'number', requiresArg: true, describe: 'limit in seconds (solve: the whole command, loading and compiling included; compare: each method)' },
  report: { type: 'string', requiresArg: true, describe: 'write a convergence report: a .png image or a self-contained .html page' },
  json: { type: 'boolean', describe: 'print one JSON object on stdout instead of the summary' },
  quiet: { alias: 'q', type: 'boolean', describe: 'no iteration log / progress on stderr' },
  start: { type: 'string', requiresArg: true, describe: 'start from a named point of the file\'s "starts" (e.g. start2) instead of the variables\' values' },
} as const;

/** Every flag of every command (for the did-you-mean on an unknown one). */
const FLAGS = ['method', 'methods', 'at', 'hessian', 'jacobian', 'verbose', ...Object.keys(solverOptions), 'help', 'version'];

/** "unknown flag --maxiter (did you mean --max-iter?)" for yargs' list of unknown arguments of `args`. */
function unknownFlags(names: readonly string[], args: readonly string[]): string {
  return names
    .map((name) => {
      const flag = name.length === 1 ? `-${name}` : `--${name}`;
      if (!args.some((a) => a === flag || a.startsWith(`${flag}=`))) return `unexpected argument ${JSON.stringify(name)}`;
      const close = didYouMean(name, FLAGS);
      return `unknown flag ${flag}${close ? ` (did you mean --${close}?)` : ''}`;
    })
    .join('; ');
}

/**
 * Runs the command line `args` (without the node and script paths): the command's output on
 * stdout, its log and errors on stderr. Returns the exit code — 0 converged, 1 not converged,
 * 2 bad input (one line on stderr), 3 internal error. `exitProcess: false` keeps yargs from
 * ending the process after --help or --version (for running commands in-process).
 */
export async function cli(args: readonly string[], options: { exitProcess?: boolean; startedAt?: number } = {}): Promise<number> {
  const startedAt = options.startedAt ?? performance.now();
  let code: number = EXIT.ok;
  /** Runs a command handler: its return value is the exit code; errors are reported. */
  const run = async (handler: () => Promise<number>): Promise<void> => {
    try {
      code = await handler();
    } catch (e) {
      code = report(e);
    }
  };
  try {
    await parser(args, run, options.exitProcess ?? true, startedAt);
  } catch (e) {
    code = report(e);
  }
  return code;
}

async function parser(args: readonly string[], run: (handler: () => Promise<number>) => Promise<void>, exitProcess: boolean, startedAt: number): Promise<void> {
  await yargs([...args])
    .scriptName('tayopt')
    .usage('$0 <command> FILE [options]\n\nProblem files: JSON or YAML (see src/problem/README.md), or a JS/TS module whose default export is { x0, objective }.')
    .command(
      'solve <file>',
      'minimize the problem in FILE (a least-squares fit when it gives residuals); iteration log on stderr, result on stdout',
      (y) =>
        y
          .positional('file', { type: 'string', describe: 'problem file (.json, .yaml, .yml, .js, .mjs, .ts, .mts)' })
          .option('method', { alias: 'm', type: 'string', requiresArg: true, describe: methodHelp })
          .options(solverOptions)
          .option('verbose', { type: 'boolean', describe: 'log every iteration (by default: the first 20, then at most 5 a second, and the last)' })
          .example('$0 solve examples/rosenbrock.json --report out/rosenbrock.png', '')
          .example('$0 solve examples/rosenbrock.json --method newton --json', '')
          .epilogue(methodsEpilogue),
      async (argv) => {
        const { solveCommand } = await import('./solve.js');
        await run(() => solveCommand(argv, startedAt));
      },
    )
    .command(
      'derive <file>',
      'value, gradient and (with --hessian) Hessian of the objective at the start point or at --at',
      (y) =>
        y
          .positional('file', { type: 'string', describe: 'problem file' })
          .option('at', { type: 'string', requiresArg: true, describe: 'the point: a .json/.yaml file or inline JSON, by variable name ({"x": [1, 2]}); missing variables keep their start value' })
          .option('hessian', { type: 'boolean', describe: 'also compute the full Hessian' })
          .option('jacobian', { type: 'boolean', describe: 'also the residuals and their Jacobian (files with "residuals")' })
          .option('start', solverOptions.start)
          .option('json', { type: 'boolean', describe: 'print one JSON object' }),
      async (argv) => {
        const { deriveCommand } = await import('./derive.js');
        await run(() => deriveCommand(argv));
      },
    )
    .command(
      'compare <file>',
      'run several methods on FILE, print a table, draw them on one chart',
      (y) =>
        y
          .positional('file', { type: 'string', describe: 'problem file' })
          .option('methods', { type: 'string', requiresArg: true, describe: `comma-separated methods, ${methodHelp.replace('one of ', 'each one of ')} [default: ${COMPARE_DEFAULTS_TEXT}]` })
          .options(solverOptions)
          .example('$0 compare examples/rosenbrock.json --methods lbfgs,newton,trust-exact --report out/compare.html', '')
          .epilogue(methodsEpilogue),
      async (argv) => {
        const { compareCommand } = await import('./compare.js');
        await run(() => compareCommand(argv));
      },
    )
    .command(
      'check <file>',
      "check a module problem's hand-written derivatives (its grad, hess, hvp): Taylor-remainder test and central differences; exit 0 right, 1 wrong",
      (y) =>
        y
          .positional('file', { type: 'string', describe: 'a .js/.mjs/.ts/.mts module whose default export has grad, hess or hvp beside objective' })
          .option('at', { type: 'string', requiresArg: true, describe: 'the point: a .json/.yaml file or inline JSON, by variable name; missing variables keep their start value' })
          .option('start', solverOptions.start)
          .option('json', { type: 'boolean', describe: 'print one JSON object' }),
      async (argv) => {
        const { checkCommand } = await import('./check.js');
        await run(() => checkCommand(argv));
      },
    )
    // arguments after "--" would otherwise be dropped without a word: name the first
    .parserConfiguration({ 'populate--': true })
    .middleware((argv) => {
      const rest = (argv['--'] as unknown[] | undefined) ?? [];
      if (rest.length > 0)
        throw new UsageError(`unexpected argument ${JSON.stringify(shown(String(rest[0]), 60))} after "--" (flags go before it; a file whose name starts with "-" can be given as ./NAME) (see tayopt --help)`);
    })
    .demandCommand(1, 'missing a command: solve, derive, compare or check')
    .recommendCommands()
    .strict()
    .version(version())
    .help()
    .alias('h', 'help')
    .wrap(Math.min(100, process.stdout.columns || 100))
    .exitProcess(exitProcess)
    .fail((msg, err) => {
      // yargs's own validation errors (a flag without its value) are usage mistakes too
      if (err && err.name !== 'YError') throw err;
      if (err) msg = err.message;
      let text = msg ?? 'invalid command line';
      if (/^Not enough non-option arguments/.test(text)) text = 'missing the problem file: tayopt <solve|derive|compare|check> FILE';
      else if (/^Did you mean/.test(text)) text = `unknown command; ${text.replace(/^D/, 'd')}`;
      else if (/^Unknown arguments?: /.test(text)) text = unknownFlags(text.replace(/^Unknown arguments?: /, '').split(', '), args);
      throw new UsageError(`${text} (see tayopt --help)`);
    })
    .parseAsync();
}

#!/usr/bin/env node
/**
 * The `tayopt` command: problem files in, solutions and convergence reports out.
 *
 *   tayopt solve FILE [--method M] [--gtol G] [--max-iter K] [--json] [--report out.png|out.html]
 *   tayopt derive FILE [--at POINT] [--hessian] [--jacobian] [--json]
 *   tayopt compare FILE [--methods lbfgs,newton,trust-exact] [--report PATH]
 *   tayopt check FILE [--at POINT] [--json]
 *
 * Exit codes: 0 converged, 1 the solver stopped without converging, 2 bad input (one line
 * on stderr naming the problem, never a stack trace), 3 an internal error (a bug).
 */
import { hideBin } from 'yargs/helpers';
import { cli, report } from './cli/main.js';

process.on('uncaughtException', (e) => {
  process.exitCode = report(e);
  process.exit();
});
process.on('unhandledRejection', (e) => {
  process.exitCode = report(e);
  process.exit();
});

// the time limit counts from the process start (performance.now() = 0): loading and compiling included
cli(hideBin(process.argv), { startedAt: 0 }).then((code) => {
  process.exitCode = code;
});

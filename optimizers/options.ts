/**
 * Unknown option keys. Plain JS passes `{ maxiter: 3 }` or `{ tol: 1e-12 }` without a
 * complaint from any type-checker, and the solver would silently run with its defaults; so
 * every entry point checks the keys it was given against the keys its options type has.
 */
import { TayoptError } from '../src/errors.js';
import { suggestion } from '../src/text.js';

/**
 * The keys of an options type T, from an object literal that must list each of them (the
 * type-check fails when T gains an option the list lacks, or the list names one T lacks).
 */
export function optionKeys<T>(keys: { readonly [K in keyof Required<T>]: true }): readonly string[] {
  return Object.keys(keys);
}

/** Throws a TayoptError naming the first key of `options` that `known` lacks, with a did-you-mean. */
export function checkOptionKeys(fn: string, options: object, known: readonly string[]): void {
  for (const k of Object.keys(options)) {
    if (known.includes(k)) continue;
    throw new TayoptError(`${fn}: unknown option '${k}'${suggestion(k, known)}; the options are ${known.join(', ')}`);
  }
}

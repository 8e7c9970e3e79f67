/**
 * The size policy: how much memory one request may ask for before anything is allocated.
 * Every layer checks against the same limit — the engine's arrays (an array's values and
 * Taylor coefficients, {@link checkElements}), the drivers' outputs (a Hessian, a Jacobian,
 * a Taylor expansion) and the dense solvers' matrices ({@link checkBytes}) — so that a small
 * input asking for a huge array is refused with a message naming the size and the cheaper
 * alternative, instead of crashing with "Invalid typed array length" or running out of memory.
 *
 * The limit is {@link DEFAULT_MAX_BYTES} (64 MiB) per array or per driver output; the
 * environment variable TAYOPT_MAX_BYTES (bytes, suffixes k/M/G allowed) or the `maxBytes`
 * option of the calls that take one overrides it. Imports nothing but the error class, so every
 * layer can use it.
 */
import { TayoptError } from './errors.js';

/** The default limit in bytes of one array or one driver output: 64 MiB (8M numbers: a 2896² matrix, a dense method up to n ≈ 1670). */
export const DEFAULT_MAX_BYTES = 64 * 2 ** 20;

/** A request beyond the size limit; a {@link TayoptError}, so the CLI prints it and exits 2. */
export class SizeError extends TayoptError {
  constructor(message: string) {
    super(message);
    this.name = 'SizeError';
  }
}

let envCache: { raw: string | undefined; value: number } | undefined;

/** Parses "512M", "2G", "1e9", "65536k" into bytes; NaN when it is not such a size. */
export function parseBytes(text: string): number {
  const m = /^\s*([0-9]+(?:\.[0-9]*)?(?:e[0-9]+)?)\s*([kKmMgGtT]?)i?[bB]?\s*$/.exec(text);
  if (!m) return NaN;
  const scale = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  const v = Number(m[1]) * scale;
  return v > 0 && Number.isFinite(v) ? Math.floor(v) : NaN;
}

/**
 * The limit in force: `override` when given (a positive number of bytes), else
 * TAYOPT_MAX_BYTES when set, else {@link DEFAULT_MAX_BYTES}. Throws {@link SizeError} when
 * TAYOPT_MAX_BYTES is set but is not a size.
 */
export function maxBytes(override?: number): number {
  if (override !== undefined) {
    if (!(override > 0)) throw new SizeError(`maxBytes must be a positive number of bytes, got ${String(override)}`);
    return override;
  }
  // through globalThis: the browser build has no `process`, and reads no environment
  const raw = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.['TAYOPT_MAX_BYTES'];
  const cached = envCache;
  if (cached !== undefined && cached.raw === raw) return cached.value;
  let value = DEFAULT_MAX_BYTES;
  if (raw !== undefined && raw !== '') {
    value = parseBytes(raw);
    if (Number.isNaN(value)) throw new SizeError(`TAYOPT_MAX_BYTES must be a size in bytes such as 536870912 or 512M, got ${JSON.stringify(raw.slice(0, 40))}`);
  }
  envCache = { raw, value };
  return value;
}

/** Bytes in words, binary units: "3 GiB", "256 MiB", "800 KiB" (3 significant digits). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return `${bytes} bytes`;
  for (const [s, u] of [
    [2 ** 40, 'TiB'],
    [2 ** 30, 'GiB'],
    [2 ** 20, 'MiB'],
    [2 ** 10, 'KiB'],
  ] as const) {
    if (bytes >= s) return `${Number((bytes / s).toPrecision(3))} ${u}`;
  }
  return `${bytes} bytes`;
}

/**
 * Throws {@link SizeError} when `bytes` exceed the limit: "`what` needs 3 GiB, more than the
 * limit of 64 MiB (TAYOPT_MAX_BYTES); `alternative`". `what` names the request ("the Hessian
 * of n = 20000"); `alternative` the cheaper way, when there is one.
 */
export function checkBytes(bytes: number, what: string, alternative?: string, limit?: number): void {
  const max = maxBytes(limit);
  if (bytes <= max) return;
  throw new SizeError(
    `${what} needs ${formatBytes(bytes)}, more than the size limit of ${formatBytes(max)} (set TAYOPT_MAX_BYTES or the maxBytes option to raise it)${alternative ? `; ${alternative}` : ''}`,
  );
}

/** {@link checkBytes} for an array of `count` float64 numbers; `what` names it ("an array of shape [1e5, 1e5]"). */
export function checkElements(count: number, what: () => string): void {
  // the common case costs one comparison: no limit lookup for arrays under 1 MiB
  if (count <= 131072) return;
  if (count * 8 <= maxBytes()) return;
  checkBytes(count * 8, what());
}

/**
 * Text helpers for error messages, shared by every layer (it imports nothing): the one
 * "did you mean" used for unknown fields, names and functions.
 */

/**
 * Edit distance between two strings: the fewest insertions, deletions, substitutions and
 * swaps of two adjacent characters that turn one into the other (optimal string alignment,
 * so `lgo` is one edit from `log`). Case-sensitive; O(|a|·|b|) time, O(|b|) memory.
 */
export function editDistance(a: string, b: string): number {
  // Three rows of the dynamic program: two back (for swaps), previous, current.
  let twoBack = new Array<number>(b.length + 1).fill(0);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  let cur = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, twoBack[j - 2]! + 1);
      cur[j] = d;
    }
    [twoBack, prev, cur] = [prev, cur, twoBack];
  }
  return prev[b.length]!;
}

/**
 * The candidate closest to `name` (case ignored), when it is within `maxDistance` edits —
 * by default a third of the name's length, at least 1, and 0 (a match up to case only) for
 * names of one or two characters, where any other name would be one or two edits away.
 * Ties go to the first candidate. Returns undefined when nothing is close, or `name` itself
 * is a candidate.
 */
export function didYouMean(name: string, candidates: Iterable<string>, maxDistance?: number): string | undefined {
  const limit = maxDistance ?? (name.length <= 2 ? 0 : Math.max(1, Math.floor(name.length / 3)));
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    if (c === name) return undefined;
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/**
 * " (did you mean 'x'?)" — the closest candidate by {@link didYouMean}, in `quote` marks — or
 * "" when none is close (or `name` is not a string): the one wording of the suggestion in
 * every "unknown …" message.
 */
export function suggestion(name: unknown, candidates: Iterable<string>, quote = "'", maxDistance?: number): string {
  if (typeof name !== 'string') return '';
  const close = didYouMean(name, candidates, maxDistance);
  return close === undefined ? '' : ` (did you mean ${quote}${close}${quote}?)`;
}

/**
 * `text` with every character a terminal would act on instead of show — C0/C1 control
 * characters (NUL, ESC, BEL, line breaks, …), DEL, and the Unicode line/paragraph separators
 * and bidirectional overrides — written as an escape (`\x1b`, `\n`, `\u202e`), so echoing
 * input can neither move the cursor nor retitle the terminal. The one escaping of the CLI's
 * errors, summary and log.
 */
export function escapeControl(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    switch (c) {
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      default: {
        const code = c.charCodeAt(0);
        return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
      }
    }
  });
}

/**
 * Echoed input for a message: control characters escaped ({@link escapeControl}) and at
 * most `max` characters of it kept, then "…". A long identifier or a binary file's bytes
 * never flood an error line.
 */
export function shown(text: string, max = 60): string {
  const cut = text.length > max ? text.slice(0, max) : text;
  const s = escapeControl(cut);
  return text.length > max ? `${s}…` : s;
}

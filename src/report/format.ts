/** Number and text formatting shared by the PNG and HTML renderers. */

/**
 * Formats a number for titles and tables: 6 significant digits, exponent notation outside
 * [1e-3, 1e6), `NaN` / `Infinity` / `-Infinity` spelled out. Never throws.
 */
export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a < 1e-3 || a >= 1e6) return x.toExponential(5);
  // Number(...) drops the trailing zeros toPrecision keeps.
  return String(Number(x.toPrecision(6)));
}

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

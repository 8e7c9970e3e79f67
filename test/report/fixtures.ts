/** Synthetic solver histories with closed-form values, and PNG pixel helpers, for report tests. */
import { createCanvas, loadImage } from '@napi-rs/canvas';
import type { HistoryEntry } from '../../optimizers/types.js';

export interface SyntheticRun {
  /** Number of history rows (iterations 0 … n−1). */
  n: number;
  /** f_k = fStar + gap0 · rate^k. */
  fStar?: number;
  gap0?: number;
  rate?: number;
  /** Trust-region run: radius_k = 2 · 0.7^k and one HVP per iteration; else radius null. */
  trust?: boolean;
}

/**
 * A linearly convergent history: f_k = fStar + gap0·rate^k, ‖g‖∞_k = 3·gap0·rate^k,
 * step_k = rate^(k/2) (0 at k = 0), nfev = 2k+1, ngev = k+1, nhvp = 4k for trust runs,
 * nhev = 0, timeMs = 0.25k.
 */
export function syntheticHistory({ n, fStar = 0, gap0 = 10, rate = 0.3, trust = false }: SyntheticRun): HistoryEntry[] {
  const rows: HistoryEntry[] = [];
  for (let k = 0; k < n; k++) {
    const gap = gap0 * rate ** k;
    rows.push({
      iter: k,
      f: fStar + gap,
      gnorm: 3 * gap,
      step: k === 0 ? 0 : Math.sqrt(rate) ** k,
      radius: trust ? 2 * 0.7 ** k : null,
      nfev: 2 * k + 1,
      ngev: k + 1,
      nhvp: trust ? 4 * k : 0,
      nhev: 0,
      timeMs: 0.25 * k,
    });
  }
  return rows;
}

export interface Rgba {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/** Decodes PNG bytes with @napi-rs/canvas and returns the RGBA pixels. */
export async function decodePng(png: Buffer): Promise<Rgba> {
  const img = await loadImage(png);
  const canvas = createCanvas(img.width, img.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const { data } = ctx.getImageData(0, 0, img.width, img.height);
  return { width: img.width, height: img.height, data };
}

export function hexToRgb(hex: string): [number, number, number] {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new Error(`not a #rrggbb colour: ${hex}`);
  return [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)];
}

/**
 * Counts opaque pixels whose every channel is within `tol` of `rgb`, optionally only inside
 * the rectangle [x0, x1) × [y0, y1).
 */
export function countColor(
  img: Rgba,
  rgb: [number, number, number],
  tol = 10,
  rect: { x0: number; y0: number; x1: number; y1: number } = { x0: 0, y0: 0, x1: img.width, y1: img.height },
): number {
  let count = 0;
  for (let y = rect.y0; y < rect.y1; y++) {
    for (let x = rect.x0; x < rect.x1; x++) {
      const i = 4 * (y * img.width + x);
      if (
        img.data[i + 3]! > 250 &&
        Math.abs(img.data[i]! - rgb[0]) <= tol &&
        Math.abs(img.data[i + 1]! - rgb[1]) <= tol &&
        Math.abs(img.data[i + 2]! - rgb[2]) <= tol
      ) {
        count++;
      }
    }
  }
  return count;
}

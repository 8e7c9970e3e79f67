/**
 * The library in a real browser: headless Chromium (Debian's `chromium`, driven over the
 * DevTools pipe by ./cdp.ts) loads a page from a server on 127.0.0.1 that imports the
 * browser build, dist/browser/tayopt.js, with `<script type="module">`. The page computes a
 * value, a gradient and a Hessian and solves Rosenbrock with trust-exact; the numbers are
 * checked here against closed forms. Then the same browser opens an HTML convergence report
 * written by the CLI and checks that nothing went wrong (no console errors, no uncaught
 * exceptions, no failed loads) and that every chart's canvas has been drawn, by reading its
 * pixels.
 *
 * Without Chromium the tests fail and say how to install it; only TAYOPT_SKIP_BROWSER=1
 * skips them (.ci/run installs Chromium and never sets it).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tayopt } from '../cli/helpers.js';
import { ROOT, ensureFullBuild } from '../package/helpers.js';
import { Chromium, chromiumMissingMessage } from './cdp.js';

const SKIP = process.env['TAYOPT_SKIP_BROWSER'] === '1';

interface EngineResults {
  error?: string;
  value: number;
  grad: number[];
  hessian: number[][];
  rosenbrock: { x: number[]; fun: number; status: string; success: boolean; method: string; nit: number };
  tensorName: string;
}

interface CanvasInk {
  label: string | null;
  width: number;
  height: number;
  /** Pixels whose colour differs from the top-left (background) pixel. */
  inked: number;
  /** Distinct colours, counted up to 64. */
  colors: number;
}

let dir: string;
let server: Server | undefined;
let base: string;
let browser: Chromium | undefined;

/** Serves `routes` (URL path → [file, content type]) on 127.0.0.1 at a free port. */
async function serve(routes: Record<string, [string, string]>): Promise<Server> {
  const s = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    // the browser asks for a favicon on its own, whenever it likes: not the page's request
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    const route = routes[path];
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': route[1] }).end(readFileSync(route[0]));
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return s;
}

// f(x) = x₀²·x₁ + sin(x₀)·exp(x₁) at p = (0.7, −0.3), as in fixtures/engine.html
function closedForms(): { value: number; grad: number[]; hessian: number[][] } {
  const [a, b] = [0.7, -0.3];
  const s = Math.sin(a) * Math.exp(b);
  const c = Math.cos(a) * Math.exp(b);
  return {
    value: a * a * b + s,
    grad: [2 * a * b + c, a * a + s],
    hessian: [
      [2 * b - s, 2 * a + c],
      [2 * a + c, s],
    ],
  };
}

const close = (got: number, want: number, rel = 1e-13) => expect(Math.abs(got - want), `${got} vs ${want}`).toBeLessThanOrEqual(rel * (1 + Math.abs(want)));

// Checked in each test rather than in beforeAll, so that a machine without Chromium counts
// failed tests (with the message) and not only a failed hook.
const missing = SKIP ? null : chromiumMissingMessage();

/** The running browser; throws how to install Chromium when there is none. */
function chromium(): Chromium {
  if (missing) throw new Error(missing);
  if (!browser) throw new Error('Chromium did not start (see the beforeAll error)');
  return browser;
}

describe.skipIf(SKIP)('in headless Chromium', () => {
  beforeAll(async () => {
    if (missing) return;
    ensureFullBuild();
    dir = mkdtempSync(join(tmpdir(), 'tayopt-browser-'));
    const report = join(dir, 'report.html');
    const r = await tayopt(['solve', 'examples/rosenbrock.json', '--report', report, '-q']);
    expect(r.code, r.stderr).toBe(0);
    server = await serve({
      '/': [join(ROOT, 'test/browser/fixtures/engine.html'), 'text/html; charset=utf-8'],
      '/tayopt.js': [join(ROOT, 'dist/browser/tayopt.js'), 'text/javascript; charset=utf-8'],
      '/report.html': [report, 'text/html; charset=utf-8'],
    });
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    browser = await Chromium.launch();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the browser build computes a value, a gradient and a Hessian, and solves Rosenbrock with trust-exact', async () => {
    const page = await chromium().open(`${base}/`);
    const r = await page.evaluate<EngineResults>(
      'new Promise((done) => { const check = () => (window.tayoptResults ? done(window.tayoptResults) : setTimeout(check, 20)); check(); })',
    );
    expect(r.error).toBeUndefined();
    const want = closedForms();
    close(r.value, want.value);
    r.grad.forEach((g, i) => close(g, want.grad[i]!));
    expect(r.hessian.length).toBe(2);
    r.hessian.forEach((row, i) => row.forEach((h, j) => close(h, want.hessian[i]![j]!)));
    // Rosenbrock's minimum is f = 0 at (1, 1)
    expect(r.rosenbrock.method).toBe('trust-exact');
    expect(r.rosenbrock.success, r.rosenbrock.status).toBe(true);
    expect(r.rosenbrock.fun).toBeLessThan(1e-20);
    r.rosenbrock.x.forEach((v) => expect(Math.abs(v - 1)).toBeLessThan(1e-10));
    expect(r.tensorName).toBe('Tensor'); // class names survive minification (messages use them)
    expect(page.errors).toEqual([]);
  });

  it('the CLI\'s HTML report loads without errors and draws every chart', async () => {
    const page = await chromium().open(`${base}/report.html`);
    const seen = await page.evaluate<{ panels: number; canvases: CanvasInk[] }>(`(async () => {
      const data = JSON.parse(document.getElementById('tayopt-report-data').textContent);
      const ink = (c) => {
        const { width, height } = c;
        if (!width || !height) return { label: c.getAttribute('aria-label'), width, height, inked: 0, colors: 0 };
        const px = c.getContext('2d').getImageData(0, 0, width, height).data;
        const colors = new Set();
        let inked = 0;
        for (let i = 0; i < px.length; i += 4) {
          if (px[i] !== px[0] || px[i + 1] !== px[1] || px[i + 2] !== px[2] || px[i + 3] !== px[3]) inked++;
          if (colors.size < 64) colors.add((px[i] << 24) ^ (px[i + 1] << 16) ^ (px[i + 2] << 8) ^ px[i + 3]);
        }
        return { label: c.getAttribute('aria-label'), width, height, inked, colors: colors.size };
      };
      // charts draw when created; allow a moment for layout before giving up
      const deadline = Date.now() + 5000;
      for (;;) {
        const canvases = [...document.querySelectorAll('canvas')].map(ink);
        const drawn = canvases.length >= data.panels.length && canvases.every((c) => c.inked > 0.005 * c.width * c.height);
        if (drawn || Date.now() > deadline) return { panels: data.panels.length, canvases };
        await new Promise((r) => setTimeout(r, 50));
      }
    })()`);
    expect(seen.panels).toBeGreaterThanOrEqual(4);
    expect(seen.canvases.length).toBe(seen.panels);
    for (const c of seen.canvases) {
      expect(c.width * c.height, `${c.label}: canvas has no area`).toBeGreaterThan(0);
      // axes, grid, labels and at least one series: a good share of pixels and several colours
      expect(c.inked, `${c.label}: ${c.inked} of ${c.width * c.height} pixels drawn`).toBeGreaterThan(0.005 * c.width * c.height);
      expect(c.colors, `${c.label}: colours`).toBeGreaterThanOrEqual(3);
    }
    expect(page.errors).toEqual([]);
  });
});

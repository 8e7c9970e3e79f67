/**
 * Headless Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`:
 * JSON messages ending in a NUL byte, written to the browser's fd 3 and read from its fd 4),
 * so the browser tests need no npm package: just a Chromium binary (Debian's `chromium`).
 *
 * Only what the tests use: open a page and wait for its load event, evaluate an expression
 * (awaiting a promise), and collect everything the page reports as an error — console.error
 * calls, uncaught exceptions, and the browser's own log entries (a failed resource load,
 * a blocked script).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

/** Where the browser tests look for Chromium: $CHROMIUM_PATH, else Debian's /usr/bin/chromium. */
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export function chromiumMissingMessage(): string | null {
  if (existsSync(CHROMIUM)) return null;
  return (
    `Chromium not found at ${CHROMIUM}; the browser tests need it. Install it with ` +
    '`apt-get update && apt-get install -y chromium` (Debian; .ci/run does this), or point ' +
    'CHROMIUM_PATH at a Chromium binary. To skip these tests on purpose, set TAYOPT_SKIP_BROWSER=1.'
  );
}

// Headless, sandbox-free (CI runs as root), and quiet on a machine without internet: no
// background connections, component updates or sync, and a fresh profile every time.
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-extensions',
  '--disable-dev-shm-usage',
  '--remote-debugging-pipe',
];

interface Message {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
  sessionId?: string;
}

type Listener = (params: Record<string, unknown>, sessionId: string | undefined) => void;

const COMMAND_TIMEOUT_MS = 30_000;

export class Chromium {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void; method: string }>();
  private readonly listeners = new Map<string, Listener[]>();
  private stderrTail = '';
  private exited = false;

  private constructor(
    private readonly proc: ChildProcess,
    private readonly profile: string,
  ) {
    const input = proc.stdio[4] as Readable;
    // a browser that dies mid-write must fail the test with its stderr, not crash vitest
    (proc.stdio[3] as Writable).on('error', () => undefined);
    input.on('error', () => undefined);
    let buffered = '';
    input.setEncoding('utf8');
    input.on('data', (chunk: string) => {
      buffered += chunk;
      for (let end = buffered.indexOf('\0'); end >= 0; end = buffered.indexOf('\0')) {
        const text = buffered.slice(0, end);
        buffered = buffered.slice(end + 1);
        this.dispatch(JSON.parse(text) as Message);
      }
    });
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (s: string) => {
      this.stderrTail = (this.stderrTail + s).slice(-4000);
    });
    proc.on('exit', (code, signal) => {
      this.exited = true;
      const why = new Error(`Chromium exited (code ${code}, signal ${signal}); its stderr ended with:\n${this.stderrTail}`);
      for (const p of this.pending.values()) p.reject(why);
      this.pending.clear();
    });
  }

  /** Starts Chromium (throws when it cannot be started or does not answer). */
  static async launch(): Promise<Chromium> {
    const profile = mkdtempSync(join(tmpdir(), 'tayopt-chromium-'));
    const proc = spawn(CHROMIUM, [...FLAGS, `--user-data-dir=${profile}`, 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
    const browser = new Chromium(proc, profile);
    await new Promise<void>((resolve, reject) => {
      proc.once('spawn', resolve);
      proc.once('error', reject);
    });
    await browser.send('Browser.getVersion');
    return browser;
  }

  private dispatch(msg: Message): void {
    if (msg.id !== undefined) {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(new Error(`${p.method}: ${msg.error.message}`));
      else p.resolve(msg.result ?? {});
      return;
    }
    for (const l of this.listeners.get(msg.method ?? '') ?? []) l(msg.params ?? {}, msg.sessionId);
  }

  /** Sends one protocol command (to a page when sessionId is given) and waits for its answer. */
  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    if (this.exited) return Promise.reject(new Error(`${method}: Chromium is not running; its stderr ended with:\n${this.stderrTail}`));
    const id = this.nextId++;
    const out = this.proc.stdio[3] as Writable;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no answer from Chromium in ${COMMAND_TIMEOUT_MS / 1000} s`));
      }, COMMAND_TIMEOUT_MS);
      this.pending.set(id, {
        method,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      out.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });
  }

  on(event: string, listener: Listener): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
  }

  /** Opens `url` in a new tab and waits for its load event. */
  async open(url: string): Promise<Page> {
    const { targetId } = (await this.send('Target.createTarget', { url: 'about:blank' })) as { targetId: string };
    const { sessionId } = (await this.send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
    const page = new Page(this, sessionId);
    await Promise.all([this.send('Page.enable', {}, sessionId), this.send('Runtime.enable', {}, sessionId), this.send('Log.enable', {}, sessionId)]);
    const loaded = new Promise<void>((resolve) => this.on('Page.loadEventFired', (_p, s) => s === sessionId && resolve()));
    const nav = (await this.send('Page.navigate', { url }, sessionId)) as { errorText?: string };
    if (nav.errorText) throw new Error(`cannot open ${url}: ${nav.errorText}`);
    await loaded;
    return page;
  }

  /** Closes the browser and removes its profile. */
  async close(): Promise<void> {
    if (!this.exited) {
      const gone = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
      await Promise.race([this.send('Browser.close').catch(() => undefined), gone]);
      const timer = setTimeout(() => this.proc.kill('SIGKILL'), 5_000);
      await gone;
      clearTimeout(timer);
    }
    rmSync(this.profile, { recursive: true, force: true });
  }
}

/** One tab: evaluates expressions and collects the errors it reports. */
export class Page {
  /** console.error / console.assert output, uncaught exceptions and browser log errors, in order. */
  readonly errors: string[] = [];

  constructor(
    private readonly browser: Chromium,
    private readonly sessionId: string,
  ) {
    const mine = (f: Listener): Listener => (p, s) => s === sessionId && f(p, s);
    browser.on(
      'Runtime.consoleAPICalled',
      mine((p) => {
        if (p['type'] !== 'error' && p['type'] !== 'assert') return;
        const args = (p['args'] as { value?: unknown; description?: string }[]).map((a) => (a.value !== undefined ? String(a.value) : (a.description ?? '')));
        this.errors.push(`console.${String(p['type'])}: ${args.join(' ')}`);
      }),
    );
    browser.on(
      'Runtime.exceptionThrown',
      mine((p) => {
        const d = p['exceptionDetails'] as { text: string; exception?: { description?: string } };
        this.errors.push(`uncaught: ${d.exception?.description ?? d.text}`);
      }),
    );
    browser.on(
      'Log.entryAdded',
      mine((p) => {
        const e = p['entry'] as { level: string; text: string; url?: string };
        if (e.level === 'error') this.errors.push(`log: ${e.text}${e.url ? ` (${e.url})` : ''}`);
      }),
    );
  }

  /** The value of `expression` in the page (a promise is awaited); throws what the page threw. */
  async evaluate<T>(expression: string): Promise<T> {
    const r = (await this.browser.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }, this.sessionId)) as {
      result: { value?: unknown };
      exceptionDetails?: { text: string; exception?: { description?: string } };
    };
    if (r.exceptionDetails) throw new Error(`in the page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value as T;
  }
}

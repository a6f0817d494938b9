/**
 * Real Chromium (Debian's /usr/bin/chromium, driven by playwright-core) against `vite preview` of
 * the production build, with a fresh profile per test file so IndexedDB starts empty.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createServer as createHttpServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, normalize } from 'node:path';
import { PROJECT_ROOT } from '../helpers/demo.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface PreviewServer {
  url: string;
  stop(): void;
}

/** Serves dist/ (built by `npm run test:e2e` before the tests) with the app's COOP/COEP headers. */
export async function startPreview(): Promise<PreviewServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [join(PROJECT_ROOT, 'node_modules/vite/bin/vite.js'), 'preview', '--port', String(port), '--strictPort', '--host', '127.0.0.1'], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return { url, stop: () => child.kill() };
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill();
  throw new Error(`vite preview did not answer on ${url}`);
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** The Chromium profile folder (its processes carry --user-data-dir=<profile>). */
  profile: string;
  /** Console errors and uncaught page errors seen so far. */
  errors: string[];
  close(): Promise<void>;
  /**
   * A browser crash: SIGKILL to Chromium's whole process group (browser, storage service, renderers,
   * GPU and network processes at once: nothing gets to flush or close). Resolves once the context is gone.
   */
  crash(): Promise<void>;
  /**
   * A renderer crash: SIGKILL to this Chromium's renderer processes (pages and their workers); the browser
   * and its storage service live on. Resolves once every open page has crashed; returns how many were killed.
   */
  crashRenderers(): Promise<number>;
}

export interface OpenOptions {
  /**
   * Run on this profile directory instead of a fresh one (e.g. to relaunch after `crash()` and see
   * what a real browser finds on disk). It is left in place on close: the caller removes it.
   */
  profileDir?: string;
}

interface ProcessInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** The command line; Chromium's child processes rewrite theirs into one space-separated string. */
  cmdline: string;
}

/** Every process we can read in /proc. */
function processes(): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      // stat: "pid (comm) state ppid pgrp ..."; comm may hold spaces, so split after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [, ppid, pgid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      found.push({ pid: Number(entry), ppid: Number(ppid), pgid: Number(pgid), cmdline });
    } catch (error) {
      if (!['ENOENT', 'ESRCH'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error; // else it ended while we looked
    }
  }
  return found;
}

/** The Chromium browser process Playwright spawned (our child) for this profile, and the processes of its group. */
function chromiumOf(profile: string): { browser: ProcessInfo; group: ProcessInfo[] } {
  const all = processes();
  const browser = all.find((p) => p.ppid === process.pid && ` ${p.cmdline} `.includes(` --user-data-dir=${profile} `));
  if (!browser) throw new Error(`no Chromium browser process found for ${profile}`);
  return { browser, group: all.filter((p) => p.pgid === browser.pgid && p.cmdline.trim() !== '') };
}

/**
 * A Chromium profile (a fresh one unless `options.profileDir` names one) that persists across reloads
 * within the test. `contextOptions` go to Playwright's launchPersistentContext (viewport,
 * serviceWorkers, …); `executablePath` there picks another Chromium (e.g. @sparticuz/chromium's, which has WebNN).
 */
export async function openBrowser(extraArgs: string[] = [], contextOptions: Omit<LaunchOptions, 'args'> = {}, options: OpenOptions = {}): Promise<Browser> {
  const profile = options.profileDir ?? mkdtempSync(join(tmpdir(), 'quantlens-e2e-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...extraArgs], viewport: { width: 1100, height: 900 }, ...contextOptions });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => message.type() === 'error' && errors.push(`console: ${message.text()}`));
  const closed = new Promise<void>((resolve) => context.once('close', () => resolve()));
  let crashed = false;
  return {
    context,
    page,
    profile,
    errors,
    async close() {
      if (!crashed) await context.close();
      if (!options.profileDir) rmSync(profile, { recursive: true, force: true });
    },
    async crash() {
      // Playwright spawns the browser detached: it leads its own process group, which its children join.
      const { browser } = chromiumOf(profile);
      if (browser.pgid !== browser.pid) throw new Error(`Chromium ${browser.pid} does not lead its process group`);
      crashed = true;
      process.kill(-browser.pgid, 'SIGKILL');
      await closed;
      // Until every process of the group is gone (zombies have no command line), so a relaunch finds the profile free.
      const deadline = Date.now() + 10_000;
      while (processes().some((p) => p.pgid === browser.pgid && p.cmdline.trim() !== '') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    },
    async crashRenderers() {
      const renderers = chromiumOf(profile).group.filter((p) => p.cmdline.includes('--type=renderer') && !p.cmdline.includes('--top-chrome-webui'));
      // Every open page must see its renderer die before a new page is made: else Chromium may hand
      // the new page to the renderer being torn down ("Target crashed", or a newPage that never returns).
      const gone = context.pages().map((p) => new Promise<void>((resolve) => {
        p.once('crash', () => resolve());
        p.once('close', () => resolve());
      }));
      for (const renderer of renderers) process.kill(renderer.pid, 'SIGKILL');
      await Promise.all(gone);
      return renderers.length;
    },
  };
}

type LaunchOptions = NonNullable<Parameters<typeof chromium.launchPersistentContext>[1]>;

const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.onnx': 'application/octet-stream',
};

export interface StaticServer extends PreviewServer {
  /** Requests answered so far, as paths (`/sw.js`, `/assets/…`). */
  requests: string[];
}

/**
 * dist/ served as a plain static host would: no COOP/COEP, no SPA fallback. `headers` are added to
 * every answer; `rewrite` may change a file's bytes (to publish a "new version" of the service worker).
 */
export async function startStaticServer(options: { headers?: Record<string, string>; rewrite?: (path: string, body: Buffer) => Buffer } = {}): Promise<StaticServer> {
  const root = join(PROJECT_ROOT, 'dist');
  const requests: string[] = [];
  const server = createHttpServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://host').pathname);
    requests.push(path);
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(root)) return void response.writeHead(403).end();
    readFile(file).then(
      (body) => {
        response.writeHead(200, { 'Content-Type': MIME_TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache', ...options.headers });
        response.end(options.rewrite ? options.rewrite(path, body) : body);
      },
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('static server has no port');
  return {
    url: `http://127.0.0.1:${address.port}/`,
    requests,
    stop: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/**
 * Keeps the page's main thread busy 150 ms, then gives one turn of the event loop, forever (until the
 * page goes away): the evaluation loop runs there, so a run slows down enough to be interrupted.
 */
export const slowDown = (page: Page) => page.evaluate(() => {
  const spin = () => {
    const end = performance.now() + 150;
    while (performance.now() < end);
    setTimeout(spin, 0);
  };
  spin();
});

/// <reference types="vite-plugin-pwa/vanillajs" />
/**
 * Service-worker registration (src/sw.ts) and the page's side of its three jobs:
 * - offline: say once that the app is cached;
 * - cross-origin isolation on static hosts: when the worker first takes control of a page that is not
 *   isolated, reload once so the page comes back with its COOP/COEP headers (at most once per tab,
 *   and never over a page someone is using);
 * - updates ('prompt'): a new version waits; it is applied on the next reload, or by "Reload now",
 *   never while a run is in progress.
 */
import { registerSW } from 'virtual:pwa-register';
import { writable, type Readable } from 'svelte/store';

export interface PwaState {
  /** A new version is installed and waiting for a reload. */
  updateReady: boolean;
  /** The first install finished: everything the demo needs is cached. */
  offlineReady: boolean;
}

const state = writable<PwaState>({ updateReady: false, offlineReady: false });
export const pwaState: Readable<PwaState> = state;

const ISOLATION_RELOAD_KEY = 'quantlens:isolation-reload';
// Chromium (seen with 153) can leave a version waiting for minutes when skipWaiting arrives while the
// reloaded page is still loading; once the page has settled it activates at once.
const APPLY_DELAY_MS = 1000;
let runInProgress = false;
/** True once a run started or the user did anything: a reload would then lose their work. */
let pageInUse = false;
let skipWaiting: (() => Promise<void>) | null = null;

/** The app tells us whether a run is in progress (Evaluation.busy, or the demo loading). */
export function setRunInProgress(busy: boolean): void {
  runInProgress = busy;
  if (busy) pageInUse = true;
}

/** Applies a waiting version now (the page reloads when it takes control); refused mid-run. */
export async function applyUpdate(): Promise<void> {
  if (runInProgress || !skipWaiting) return;
  await skipWaiting();
}

/** Dismisses the "works offline" note. */
export function dismissOfflineReady(): void {
  state.update((s) => ({ ...s, offlineReady: false }));
}

function sessionFlag(read: boolean, value?: string | null): string | null {
  // Storage can be disabled; then no reload happens (a missing flag must not mean "reload again").
  try {
    if (read) return sessionStorage.getItem(ISOLATION_RELOAD_KEY);
    if (value == null) sessionStorage.removeItem(ISOLATION_RELOAD_KEY);
    else sessionStorage.setItem(ISOLATION_RELOAD_KEY, value);
    return value ?? null;
  } catch (error) {
    console.warn('QuantLens: session storage unavailable, no isolation reload', error);
    return 'unavailable';
  }
}

/** Reloads into an isolated page (served by the worker) once per tab, unless someone is using this one. */
function reloadForIsolation(): void {
  if (globalThis.crossOriginIsolated || pageInUse) return;
  if (sessionFlag(true) !== null) return;
  sessionFlag(false, String(Date.now()));
  location.reload();
}

function markInUse(): void {
  pageInUse = true;
}

export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  if (globalThis.crossOriginIsolated) sessionFlag(false, null);
  else {
    for (const type of ['pointerdown', 'keydown', 'change', 'drop']) addEventListener(type, markInUse, { capture: true, once: true });
    navigator.serviceWorker.addEventListener('controllerchange', reloadForIsolation);
  }
  skipWaiting = registerSW({
    onNeedRefresh: () => state.update((s) => ({ ...s, updateReady: true })),
    onOfflineReady: () => state.update((s) => ({ ...s, offlineReady: true })),
    onRegisteredSW: (_url, registration) => {
      // A version that was already waiting when this page loaded: this load is "the next reload".
      if (registration?.waiting) {
        setTimeout(() => {
          if (!pageInUse) void applyUpdate();
        }, APPLY_DELAY_MS);
      }
      // Loaded past the worker (a hard reload): it is active but does not control this page.
      else if (registration?.active) reloadForIsolation();
    },
    onRegisterError: (error: unknown) => console.warn('QuantLens: service worker registration failed; no offline use', error),
  });
}

/**
 * The service worker (built by vite-plugin-pwa, `injectManifest`). Two jobs:
 * 1. Offline: precache the app shell, the worker bundles, ORT's wasm and the demo, and serve them
 *    cache-first, so one visit is enough to run the demo with the network off.
 * 2. Cross-origin isolation on static hosts that cannot set headers: every same-origin response it
 *    serves gets COOP/COEP (the coi-serviceworker technique), so SharedArrayBuffer and wasm threads work.
 * Updates wait (registerType 'prompt'): src/pwa.ts posts SKIP_WAITING only when no run is in progress.
 */
import { addPlugins, cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute, type PrecacheEntry } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { NetworkOnly } from 'workbox-strategies';
import { clientsClaim } from 'workbox-core';

// The page's tsconfig has the DOM lib only (a WebWorker lib beside it would clash), so the few
// service-worker globals this file touches are typed here.
interface ServiceWorkerScope {
  __WB_MANIFEST: (PrecacheEntry | string)[];
  location: Location;
  skipWaiting(): Promise<void>;
  addEventListener(type: 'message', listener: (event: MessageEvent<unknown>) => void): void;
}
declare const self: ServiceWorkerScope;

const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** Copies a response with the isolation headers added; opaque and error responses pass unchanged. */
function withIsolationHeaders(response: Response): Response {
  if (response.status === 0 || response.type === 'opaqueredirect') return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(ISOLATION_HEADERS)) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

const isolationPlugin = {
  handlerWillRespond: async ({ response }: { response: Response }) => withIsolationHeaders(response),
};

addPlugins([isolationPlugin]);
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
// Any navigation (`/?demo`, a stale deep link) gets the precached app shell.
registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html')));
// Whatever same-origin GET is not precached still goes to the network, and still gets the headers.
registerRoute(({ url }) => url.origin === self.location.origin, new NetworkOnly({ plugins: [isolationPlugin] }));

// The first install takes control at once (nothing older is running); updates wait for the page's word.
clientsClaim();
self.addEventListener('message', (event) => {
  const data = event.data as { type?: unknown } | null;
  if (data?.type === 'SKIP_WAITING') void self.skipWaiting();
});

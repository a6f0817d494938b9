import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';

// Cross-origin isolation gives SharedArrayBuffer and so multi-threaded wasm in ORT.
// Whatever host serves dist/ in production must send the same two headers.
const crossOriginIsolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

// Installable and offline (NOTES.md, "Offline, installable, isolated"): a hand-written service worker
// (src/sw.ts, `injectManifest`) because it must also add COOP/COEP to what it serves, which the
// generated one cannot. It precaches everything the demo needs, ORT's two wasm files included.
const pwa = VitePWA({
  strategies: 'injectManifest',
  srcDir: 'src',
  filename: 'sw.ts',
  registerType: 'prompt', // a new version waits for a reload with no run in progress (src/pwa.ts)
  injectRegister: false, // src/pwa.ts registers it
  includeManifestIcons: false, // globPatterns below already take public/icons
  manifest: {
    name: 'QuantLens',
    short_name: 'QuantLens',
    description: 'How much accuracy did quantization cost, measured on this device.',
    theme_color: '#0d2b4e', // the header's colour (src/ui/App.svelte)
    background_color: '#f6f7f9', // --bg in src/ui/app.css
    display: 'standalone',
    start_url: './',
    scope: './',
    icons: [
      { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
      { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
      { src: 'icons/icon.svg', sizes: 'any', type: 'image/svg+xml' },
      { src: 'icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
    ],
  },
  injectManifest: {
    rollupFormat: 'iife', // a classic worker: module service workers are not everywhere yet
    // Every demo (the MNIST pair and the task demos of public/demo/tasks.json), not the calibration
    // digits: only the quantizer script reads those.
    globPatterns: ['**/*.{html,js,css,wasm,svg,png}', 'demo/**/*.{json,onnx}'],
    globIgnores: ['**/node_modules/**/*', 'demo/mnist-calibration.pack.json'],
    // ORT's wasm is 14 MB (wasm build) and 27 MB (webgpu build); workbox skips anything over 2 MiB by default.
    maximumFileSizeToCacheInBytes: 40 * 1024 * 1024,
  },
});

export default defineConfig({
  plugins: [svelte(), pwa],
  base: './',
  server: { headers: crossOriginIsolation },
  preview: { headers: crossOriginIsolation },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  build: { target: 'es2022', chunkSizeWarningLimit: 1024 },
  test: {
    include: ['test/unit/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
  },
});

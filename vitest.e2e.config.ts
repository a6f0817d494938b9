import { defineConfig } from 'vitest/config';

// End-to-end tests: real Chromium (Debian's /usr/bin/chromium) against `vite preview` of the build.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    environment: 'node',
    testTimeout: 180_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});

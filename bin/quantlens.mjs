#!/usr/bin/env node
// The `quantlens` command (package.json "bin"): runs the build of src/cli, dist-cli/quantlens.mjs,
// which `npm ci` makes through the "prepare" script (or `npm run build:cli`).
import { existsSync } from 'node:fs';

const bundle = new URL('../dist-cli/quantlens.mjs', import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write('quantlens: exit 3 (bad input): the command is not built (dist-cli/quantlens.mjs is missing). Run `npm run build:cli` in the QuantLens folder (npm ci does it).\n');
  process.exit(3);
}
await import(bundle.href);

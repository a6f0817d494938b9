/**
 * Runs the `quantlens` command as a child process, as CI would: built once per test file with
 * vite.cli.config.ts (what `npm ci` builds through "prepare"), into a folder of its own under
 * node_modules/.cache so parallel test files never overwrite each other's build.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { PROJECT_ROOT } from '../../helpers/demo.ts';
import { parseModel, serializeModel, decodeTensor, encodeTensor } from '../../../src/core/onnx/index.ts';

export const DEMO = `${PROJECT_ROOT}public/demo`;
export const FLOAT = `${DEMO}/mnist-cnn.float.onnx`;
export const QUANTIZED = `${DEMO}/mnist-cnn.int8.qdq.onnx`;
export const PACK = `${DEMO}/mnist-test.pack.json`;
export const FIXTURES = `${PROJECT_ROOT}../shared/fixtures/onnx-node-quant-ops`;

const made: string[] = [];

/** Removes the builds and temporary folders this test file made (call in afterAll). */
export function removeMade(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Builds the command; resolves with the path of the bundle. */
export async function buildCli(): Promise<string> {
  const cache = join(PROJECT_ROOT, 'node_modules/.cache');
  mkdirSync(cache, { recursive: true });
  const outDir = mkdtempSync(join(cache, 'quantlens-cli-test-'));
  made.push(outDir);
  await build({ configFile: join(PROJECT_ROOT, 'vite.cli.config.ts'), root: PROJECT_ROOT, logLevel: 'silent', build: { outDir, emptyOutDir: true } });
  return join(outDir, 'quantlens.mjs');
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The last stderr line: the one that says why. */
  reason: string;
}

export function runCli(bundle: string, args: readonly string[], cwd = PROJECT_ROOT): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, reason: stderr.trim().split('\n').at(-1) ?? '' }));
  });
}

export function tempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `quantlens-cli-${label}-`));
  made.push(dir);
  return dir;
}

/** The demo's INT8 model with fc2's weight scales negated: the logits flip sign, accuracy collapses. */
export function damagedQuantizedModel(dir: string): string {
  const model = parseModel(new Uint8Array(readFileSync(QUANTIZED)));
  const initializers = model.graph!.initializer;
  const at = initializers.findIndex((t) => t.name === 'fc2.weight_scale');
  const scale = decodeTensor(initializers[at]);
  initializers[at] = encodeTensor('fc2.weight_scale', initializers[at].dataType, scale.dims, (scale.data as Float32Array).map((v) => -v));
  const path = join(dir, 'damaged.int8.onnx');
  writeFileSync(path, serializeModel(model));
  return path;
}

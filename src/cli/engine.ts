/**
 * What runs the models in Node. The reference is onnxruntime-web's wasm backend through
 * src/runtime/ort.ts: the browser's own kernels, so the numbers equal the app's on WebAssembly bit
 * for bit. onnxruntime-node (native CPU, faster) is used when it is installed and asked for (or on
 * `--engine auto`); it is never a dependency, and the run says which engine it was.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inOrder, type ModelRunner, type OutputTensor } from '../core/eval/evaluate.ts';
import { QuantLensError } from '../core/errors.ts';
import type { PreprocessedTensorData } from '../core/preprocess/spec.ts';
import { openSession } from '../runtime/ort.ts';
import { sessionRunner } from '../runtime/runner.ts';
import type { EngineChoice } from './options.ts';
import { UsageError } from './exit.ts';

export interface OpenedModel {
  runner: ModelRunner;
  release(): Promise<void>;
}

export interface Engine {
  name: 'onnxruntime-web' | 'onnxruntime-node';
  version: string;
  /** One line for the log and the result: which engine, which backend, how many threads. */
  description: string;
  /** Whether its numbers are, by construction, the browser's on WebAssembly. */
  browserIdentical: boolean;
  /** Threads each model runs on. */
  threads: number;
  open(model: Uint8Array, inputDims: readonly number[]): Promise<OpenedModel>;
}

/** The engine for a run: onnxruntime-node when chosen (or on auto, when importable), else onnxruntime-web wasm. */
export async function pickEngine(choice: EngineChoice, threads: number): Promise<Engine> {
  if (choice !== 'onnxruntime-web') {
    const native = await importOrtNode();
    if (native) return nodeEngine(native.module, native.version, threads);
    if (choice === 'onnxruntime-node') {
      throw new UsageError('--engine onnxruntime-node: the onnxruntime-node package is not installed.', 'Install it next to QuantLens (npm install onnxruntime-node), or use the default engine, onnxruntime-web.');
    }
  }
  return webEngine(threads);
}

/**
 * onnxruntime-web's wasm thread pool does not start in Node (its worker script is fetched by URL:
 * "fetch failed", measured with 1.30), so it runs one thread per model here whatever --threads says.
 */
function webEngine(threads: number): Engine {
  const version = packageVersion('onnxruntime-web');
  const note = threads > 1 ? `; --threads ${threads} ignored: onnxruntime-web's wasm threads need a browser, onnxruntime-node uses them` : '';
  return {
    name: 'onnxruntime-web',
    version,
    description: `onnxruntime-web ${version}, WebAssembly backend in Node ${process.version}, 1 thread per model (the browser's wasm kernels: same numbers as the app on WebAssembly${note})`,
    browserIdentical: true,
    threads: 1,
    async open(model, inputDims) {
      const session = await openSession(model, { provider: 'wasm', numThreads: 1, fallbackToReference: false });
      return { runner: sessionRunner(session, inputDims), release: () => session.release() };
    },
  };
}

/** The part of onnxruntime's common JS API that the native engine uses (onnxruntime-node and -web share it). */
export interface OrtLike {
  InferenceSession: { create(model: Uint8Array, options?: Record<string, unknown>): Promise<OrtSessionLike> };
  Tensor: new (type: 'float32' | 'uint8' | 'int8', data: PreprocessedTensorData, dims: readonly number[]) => unknown;
}

export interface OrtSessionLike {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, unknown>): Promise<Record<string, { data: unknown; dims: readonly number[] }>>;
  release(): Promise<void>;
}

async function importOrtNode(): Promise<{ module: OrtLike; version: string } | null> {
  const specifier = 'onnxruntime-node'; // a variable: neither the bundler nor tsc may require it
  try {
    const imported = (await import(/* @vite-ignore */ specifier)) as OrtLike & { default?: OrtLike };
    return { module: imported.InferenceSession ? imported : imported.default!, version: packageVersion(specifier) };
  } catch {
    return null; // not installed: the wasm engine runs (and says so)
  }
}

/** An engine over onnxruntime's common API (exported for tests, which run it with onnxruntime-web). */
export function nodeEngine(ort: OrtLike, version: string, threads: number): Engine {
  return {
    name: 'onnxruntime-node',
    version,
    description: `onnxruntime-node ${version}, native CPU in Node ${process.version}, ${threads} thread${threads === 1 ? '' : 's'} per model (faster; its CPU kernels may differ from the browser's in the last bits: --engine onnxruntime-web for the app's exact numbers)`,
    browserIdentical: false,
    threads,
    async open(model, inputDims) {
      let session: OrtSessionLike;
      try {
        session = await ort.InferenceSession.create(model, { executionProviders: ['cpu'], graphOptimizationLevel: 'all', intraOpNumThreads: threads, interOpNumThreads: 1 });
      } catch (error) {
        throw new QuantLensError('session-failed', `onnxruntime-node could not load the model: ${error instanceof Error ? error.message : String(error)}`, 'Check that the model runs in ONNX Runtime, or try --engine onnxruntime-web.', { cause: error });
      }
      return { runner: commonApiRunner(ort, session, inputDims), release: () => session.release() };
    },
  };
}

function commonApiRunner(ort: OrtLike, session: OrtSessionLike, dims: readonly number[]): ModelRunner {
  const inputName = session.inputNames[0];
  const outputNames = session.outputNames;
  return inOrder(async (inputs) => {
    const outputs: OutputTensor[][] = [];
    const latenciesMs: number[] = [];
    for (const data of inputs) {
      const type = data instanceof Float32Array ? 'float32' : data instanceof Uint8Array ? 'uint8' : 'int8';
      const started = performance.now();
      let results;
      try {
        results = await session.run({ [inputName]: new ort.Tensor(type, data, dims) });
      } catch (error) {
        throw new QuantLensError('session-failed', `The model stopped running on onnxruntime-node: ${error instanceof Error ? error.message : String(error)}.`, 'Try --engine onnxruntime-web.', { cause: error });
      }
      latenciesMs.push(performance.now() - started);
      outputs.push(outputNames.map((name) => ({ data: asFloat32(results[name].data), dims: [...results[name].dims] })));
    }
    return { outputs, latenciesMs };
  });
}

function asFloat32(data: unknown): Float32Array {
  if (data instanceof Float32Array) return data;
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return Float32Array.from(data, (v) => Number(v));
  if (ArrayBuffer.isView(data)) return Float32Array.from(data as unknown as ArrayLike<number>);
  throw new QuantLensError('session-failed', 'A model output is not a numeric tensor.', 'QuantLens compares numeric outputs only.');
}

/** An installed package's version, read from its package.json next to its entry point. */
function packageVersion(name: string): string {
  try {
    let dir = dirname(fileURLToPath(import.meta.resolve(name)));
    for (let i = 0; i < 4; i++, dir = dirname(dir)) {
      try {
        const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
        if (pkg.name === name && pkg.version) return pkg.version;
      } catch {
        // no package.json at this level: go up
      }
    }
  } catch {
    // not resolvable from here (bundled differently): the version stays unknown
  }
  return '(version unknown)';
}

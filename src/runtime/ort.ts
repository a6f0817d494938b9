/**
 * The one module that imports onnxruntime-web. Everything else talks to models through
 * `openSession` / `ModelSession`. Which ORT build is loaded depends on the provider (see the
 * provider table): a worker hosts one model, so it only ever loads one build.
 */
import type * as Ort from 'onnxruntime-web';
import { QuantLensError } from '../core/errors.ts';
import { providerById, REFERENCE_PROVIDER, type ProviderId } from '../core/providers/table.ts';
import type { ModelInputInfo } from '../core/preprocess/spec.ts';

type OrtModule = typeof Ort;

export interface SessionOptions {
  provider: ProviderId;
  /** wasm threads; set deliberately (ORT's default is 1 on a 2-core machine). */
  numThreads: number;
  /** Try the reference provider when the requested one fails to create a session (default true). */
  fallbackToReference?: boolean;
}

export interface TensorIn {
  data: Float32Array | Uint8Array | Int8Array;
  dims: readonly number[];
}

export interface TensorOut {
  data: Float32Array;
  dims: number[];
}

/** What actually ran, honestly reported. */
export interface SessionProvider {
  requested: ProviderId;
  actual: ProviderId;
  /** Why the requested provider could not be used, when it was not. */
  fallbackReason?: string;
}

export interface ModelSession {
  readonly inputs: ModelInputInfo[];
  readonly outputs: ModelInputInfo[];
  readonly provider: SessionProvider;
  run(feeds: Record<string, TensorIn>): Promise<Record<string, TensorOut>>;
  release(): Promise<void>;
}

const builds = new Map<string, Promise<OrtModule>>();

function loadBuild(build: 'wasm' | 'webgpu', numThreads: number): Promise<OrtModule> {
  let pending = builds.get(build);
  if (!pending) {
    pending = (build === 'wasm' ? import('onnxruntime-web/wasm') : import('onnxruntime-web/webgpu')).then((ort) => {
      ort.env.wasm.numThreads = numThreads;
      ort.env.wasm.proxy = false;
      ort.env.logLevel = 'error';
      return ort;
    });
    builds.set(build, pending);
  }
  return pending;
}

/** Opens a session on the requested provider, falling back to the reference provider with a reason. */
export async function openSession(modelBytes: Uint8Array, options: SessionOptions): Promise<ModelSession> {
  try {
    return await createOn(modelBytes, options.provider, options.numThreads, { requested: options.provider, actual: options.provider });
  } catch (error) {
    if (options.provider === REFERENCE_PROVIDER || options.fallbackToReference === false) throw sessionError(error, options.provider);
    const reason = `${providerById(options.provider).label} could not run this model: ${errorText(error)}`;
    try {
      return await createOn(modelBytes, REFERENCE_PROVIDER, options.numThreads, {
        requested: options.provider,
        actual: REFERENCE_PROVIDER,
        fallbackReason: reason,
      });
    } catch (fallbackError) {
      throw sessionError(fallbackError, REFERENCE_PROVIDER);
    }
  }
}

async function createOn(bytes: Uint8Array, id: ProviderId, numThreads: number, provider: SessionProvider): Promise<ModelSession> {
  const descriptor = providerById(id);
  const ort = await loadBuild(descriptor.build, numThreads);
  const executionProvider: Ort.InferenceSession.ExecutionProviderConfig =
    descriptor.ortName === 'webnn' ? { name: 'webnn', deviceType: descriptor.deviceType } : descriptor.ortName;
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: [executionProvider],
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3, // errors only; which nodes ran where is reported by the app itself, not the console
  });
  return wrapSession(ort, session, provider);
}

function wrapSession(ort: OrtModule, session: Ort.InferenceSession, provider: SessionProvider): ModelSession {
  const describe = (meta: readonly Ort.InferenceSession.ValueMetadata[]): ModelInputInfo[] =>
    meta.map((m) => (m.isTensor ? { name: m.name, dtype: m.type, shape: [...m.shape] } : { name: m.name, dtype: 'non-tensor', shape: [] }));
  return {
    inputs: describe(session.inputMetadata),
    outputs: describe(session.outputMetadata),
    provider,
    async run(feeds) {
      const ortFeeds: Record<string, Ort.Tensor> = {};
      for (const [name, tensor] of Object.entries(feeds)) {
        const type = tensor.data instanceof Float32Array ? 'float32' : tensor.data instanceof Uint8Array ? 'uint8' : 'int8';
        ortFeeds[name] = new ort.Tensor(type, tensor.data, tensor.dims);
      }
      const results = await session.run(ortFeeds);
      const out: Record<string, TensorOut> = {};
      for (const [name, value] of Object.entries(results)) {
        const data = value.location === 'cpu' ? value.data : await value.getData(true);
        out[name] = { data: toFloat32(data, name), dims: [...value.dims] };
        value.dispose();
      }
      return out;
    },
    release: () => session.release(),
  };
}

function toFloat32(data: Ort.Tensor['data'], name: string): Float32Array {
  if (data instanceof Float32Array) return data;
  if (Array.isArray(data)) throw new QuantLensError('session-failed', `Output '${name}' is not numeric.`, 'QuantLens compares numeric outputs; check that you picked the right model.');
  return Float32Array.from(data as ArrayLike<number | bigint>, Number);
}

function sessionError(error: unknown, id: ProviderId): QuantLensError {
  const text = errorText(error);
  if (/protobuf|parse|invalid model|Failed to load model/i.test(text)) {
    return new QuantLensError('model-unreadable', `onnxruntime-web could not load this model: ${text}`, 'Check that the file is a complete ONNX model (not truncated, no external data file needed).', { cause: error });
  }
  return new QuantLensError('session-failed', `The model could not be started on ${providerById(id).label}: ${text}`, 'Try another execution provider, or check that the model uses operators onnxruntime-web supports.', { cause: error });
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

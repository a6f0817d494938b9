/**
 * The one module that imports onnxruntime-web. Everything else talks to models through
 * `openSession` / `ModelSession`. Which ORT build is loaded depends on the provider (see the
 * provider table): a worker hosts one model, so it only ever loads one build.
 */
import type * as Ort from 'onnxruntime-web';
import { QuantLensError } from '../core/errors.ts';
import { providerById, REFERENCE_PROVIDER, type ProviderDescriptor, type ProviderId, type WebnnOptions } from '../core/providers/table.ts';
import { parseOpCoverage, type OpCoverage } from '../core/providers/coverage.ts';
import { explainEngineError } from '../core/providers/engine-errors.ts';
import { toFloat16Model } from '../core/providers/fp16.ts';
import type { ModelInputInfo } from '../core/preprocess/spec.ts';
import { OrtLogTap } from './ort-log.ts';

type OrtModule = typeof Ort;

export interface SessionOptions {
  provider: ProviderId;
  /** wasm threads; set deliberately (ORT's default is 1 on a 2-core machine). */
  numThreads: number;
  /** Try the reference provider when the requested one fails to create a session (default true). */
  fallbackToReference?: boolean;
  /** WebNN context options and FP16 execution; used only on WebNN providers (the wasm reference stays FP32). */
  webnn?: WebnnOptions;
  /** Values for the model's symbolic dims, pinned on providers that need static shapes (WebNN). */
  freeDimensionOverrides?: Record<string, number>;
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
  /** Which nodes ran on the accelerator and which on the CPU (null on wasm, or when ORT's log said nothing). */
  coverage: OpCoverage | null;
  /** The WebNN options the session was opened with (WebNN only). */
  webnn?: WebnnOptions;
}

export interface ModelSession {
  readonly inputs: ModelInputInfo[];
  readonly outputs: ModelInputInfo[];
  readonly provider: SessionProvider;
  /** Resolves with a reason when the device under the session is lost (WebGPU device, WebNN context). */
  readonly lost?: Promise<string>;
  run(feeds: Record<string, TensorIn>): Promise<Record<string, TensorOut>>;
  release(): Promise<void>;
}

const builds = new Map<string, Promise<OrtModule>>();
// ORT keeps a wasm instance's last error in one place: two sessions created at once (the Node host
// opens both models together) lose each other's message ("ERROR_CODE: 0, ERROR_MESSAGE:" and
// nothing), so creations in this thread take turns. In the browser each worker holds one model.
let creating: Promise<unknown> = Promise.resolve();
function oneAtATime<T>(work: () => Promise<T>): Promise<T> {
  const next = creating.then(work, work);
  creating = next.catch(() => undefined);
  return next;
}
let logTap: OrtLogTap | null = null;

function loadBuild(build: 'wasm' | 'webgpu', numThreads: number): Promise<OrtModule> {
  let pending = builds.get(build);
  if (!pending) {
    logTap ??= new OrtLogTap(console); // before ORT's module starts and binds console.error
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
    return await createOn(modelBytes, options.provider, options, { requested: options.provider, actual: options.provider });
  } catch (error) {
    if (options.provider === REFERENCE_PROVIDER || options.fallbackToReference === false) throw sessionError(error, options.provider);
    const reason = sessionError(error, options.provider).message;
    try {
      return await createOn(modelBytes, REFERENCE_PROVIDER, options, { requested: options.provider, actual: REFERENCE_PROVIDER, fallbackReason: reason });
    } catch (fallbackError) {
      throw sessionError(fallbackError, REFERENCE_PROVIDER, reason);
    }
  }
}

type Provenance = Pick<SessionProvider, 'requested' | 'actual' | 'fallbackReason'>;

async function createOn(bytes: Uint8Array, id: ProviderId, options: SessionOptions, provenance: Provenance): Promise<ModelSession> {
  const descriptor = providerById(id);
  const ort = await loadBuild(descriptor.build, options.numThreads);
  const webnn = descriptor.ortName === 'webnn' ? options.webnn : undefined;
  const modelBytes = webnn?.fp16 ? toFloat16Model(bytes) : bytes;
  const create = async (logSeverityLevel: 0 | 3) => {
    const device = descriptor.ortName === 'webnn' ? await webnnDevice(descriptor, webnn) : null;
    try {
      const session = await oneAtATime(() => ort.InferenceSession.create(modelBytes, {
        executionProviders: [device?.provider ?? descriptor.ortName],
        graphOptimizationLevel: 'all',
        logSeverityLevel, // 0 only to read op coverage from ORT's own log (see ort-log.ts)
        ...(descriptor.needsStaticShapes && options.freeDimensionOverrides ? { freeDimensionOverrides: options.freeDimensionOverrides } : {}),
      }));
      return { session, lost: device?.lost ?? (descriptor.ortName === 'webgpu' ? webgpuLost(ort) : undefined), destroy: device?.destroy };
    } catch (error) {
      device?.destroy();
      throw error;
    }
  };
  let coverage: OpCoverage | null = null;
  let opened: Awaited<ReturnType<typeof create>>;
  if (descriptor.ortName === 'wasm' || !logTap) {
    opened = await create(3);
  } else {
    const verbose = await logTap.collect(() => create(0));
    coverage = parseOpCoverage(verbose.lines);
    opened = verbose.value;
    if (descriptor.logsEachRun) {
      // The same model and options partition the same way; time the runs on a quiet session.
      await release(opened);
      opened = await create(3);
    }
  }
  return wrapSession(ort, opened, { ...provenance, coverage, ...(webnn ? { webnn } : {}) });
}

interface OpenedSession {
  session: Ort.InferenceSession;
  lost?: Promise<string>;
  destroy?: () => void;
}

async function release(opened: OpenedSession): Promise<void> {
  await opened.session.release();
  opened.destroy?.();
}

/** Minimal WebNN typing (not in TypeScript's DOM lib yet). */
interface MLContextLike {
  lost?: Promise<{ message?: string } | undefined>;
  destroy?: () => void;
}

/**
 * Our own MLContext, so that its `lost` promise is ours to watch and its powerPreference is the
 * one recorded with the run (ORT would otherwise create one we cannot see).
 */
async function webnnDevice(descriptor: ProviderDescriptor, webnn: WebnnOptions | undefined) {
  const ml = (globalThis.navigator as unknown as { ml?: { createContext(o: object): Promise<MLContextLike> } }).ml;
  if (!ml) throw new Error('this browser does not expose WebNN (navigator.ml)');
  const contextOptions = { deviceType: descriptor.deviceType, powerPreference: webnn?.powerPreference ?? 'default' };
  const context = await ml.createContext(contextOptions);
  const provider = { name: 'webnn', context, ...contextOptions } as unknown as Ort.InferenceSession.ExecutionProviderConfig;
  const lost = context.lost?.then((info) => `the WebNN context was lost${info?.message ? ` (${info.message})` : ''}`);
  return { provider, lost, destroy: () => context.destroy?.() };
}

/** The GPUDevice ORT created for its WebGPU provider, watched for loss (never resolves when there is none to watch). */
function webgpuLost(ort: OrtModule): Promise<string> {
  const never = new Promise<string>(() => undefined);
  type DeviceLike = { lost: Promise<{ reason?: string; message?: string }> } | undefined;
  let device: Promise<DeviceLike>;
  try {
    device = Promise.resolve(ort.env.webgpu.device as unknown as DeviceLike);
  } catch (error) {
    return never.then(() => errorText(error)); // ORT exposes no device: no loss to report
  }
  return device.then(
    (gpu) => gpu?.lost.then((info) => `the WebGPU device was lost (${[info.reason, info.message].filter(Boolean).join(': ') || 'no reason given'})`) ?? never,
    () => never,
  );
}

function wrapSession(ort: OrtModule, opened: OpenedSession, provider: SessionProvider): ModelSession {
  const { session } = opened;
  const describe = (meta: readonly Ort.InferenceSession.ValueMetadata[]): ModelInputInfo[] =>
    meta.map((m) => (m.isTensor ? { name: m.name, dtype: m.type, shape: [...m.shape] } : { name: m.name, dtype: 'non-tensor', shape: [] }));
  return {
    inputs: describe(session.inputMetadata),
    outputs: describe(session.outputMetadata),
    provider,
    lost: opened.lost,
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
    release: () => release(opened),
  };
}

function toFloat32(data: Ort.Tensor['data'], name: string): Float32Array {
  if (data instanceof Float32Array) return data;
  if (Array.isArray(data)) throw new QuantLensError('session-failed', `Output '${name}' is not numeric.`, 'QuantLens compares numeric outputs; check that you picked the right model.');
  return Float32Array.from(data as ArrayLike<number | bigint>, Number);
}

/** The engine's error as a QuantLensError that names the operator, opset or file and says what to do. */
function sessionError(error: unknown, id: ProviderId, earlier?: string): QuantLensError {
  const explained = explainEngineError(errorText(error), { provider: providerById(id).label, stage: 'load' });
  const message = earlier ? `${explained.message} (Tried first: ${earlier})` : explained.message;
  return new QuantLensError(explained.code, message, explained.hint, { cause: error });
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

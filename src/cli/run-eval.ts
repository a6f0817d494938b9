/**
 * `quantlens eval`: the app's run, from files. The same checks before any sample runs (twins,
 * preprocessing fits the input, outputs fit the task), the same evaluation loop and task
 * accumulators (src/core), the same result document, report and verdict; the exit code is the verdict.
 */
import { existsSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, dirname, resolve, sep } from 'node:path';
import { availableParallelism } from 'node:os';
import { canonicalJson, preprocessFingerprint, sha256Hex } from '../core/data/fingerprint.ts';
import type { DatasetSample, SampleFailure } from '../core/data/dataset.ts';
import { QuantLensError } from '../core/errors.ts';
import { evaluatePair, type EvaluationOutcome, type PreparedChunk } from '../core/eval/evaluate.ts';
import { compareTwins } from '../core/onnx/twins.ts';
import { readModelInfo, type ModelInfo } from '../core/onnx/info.ts';
import { bundleModel, type DataFile } from '../core/onnx/bundle.ts';
import { checkSpecAgainstInput, describeSpec, tensorShape } from '../core/preprocess/index.ts';
import type { PreprocessSpec } from '../core/preprocess/spec.ts';
import { documentVerdict, toResultDocument, type ModelRecord, type ResultDocument } from '../core/report/index.ts';
import { shuffled } from '../core/stats/random.ts';
import { assertOutputsFitTask, createTaskAccumulator, type TaskOutcome, type TaskSettings } from '../core/tasks/index.ts';
import { prepareRows } from '../storage/prepare-rows.ts';
import { loadDataset, type LoadedDataset } from './dataset.ts';
import { pickEngine, type Engine } from './engine.ts';
import { EXIT, exitCodeOf, type ExitCode } from './exit.ts';
import { readWholeFile } from './files.ts';
import type { EvalRequest } from './options.ts';
import { writeOutputs, summaryLines } from './outputs.ts';
import { progressReporter } from './progress.ts';
import { resolveSpec } from './spec.ts';

/** The app's seed for the random order of early-verdict runs (state/evaluation.svelte.ts), so both stop alike. */
const EARLY_VERDICT_ORDER_SEED = 7;
/** Samples decoded and run per chunk (the app's CHUNK_SIZE). */
const CHUNK_SIZE = 64;

export interface Io {
  stdout: { write(text: string): unknown };
  stderr: { isTTY?: boolean; columns?: number; write(text: string): unknown };
}

export interface EvalResult {
  code: ExitCode;
  /** The one line that says why (the verdict's sentence). */
  reason: string;
  document: ResultDocument;
}

export async function runEval(request: EvalRequest, io: Io, signal?: AbortSignal): Promise<EvalResult> {
  const say = (line = '') => io.stdout.write(`${line}\n`);
  const float = await readModel(request.floatPath, 'float');
  const quantized = await readModel(request.quantizedPath, 'quantized');
  const differences = compareTwins(float.info, quantized.info);
  if (differences.length > 0) {
    const listed = differences.slice(0, 4).map((d) => d.message).join(' ');
    throw new QuantLensError('model-mismatch', `These two models are not a float/quantized pair: ${listed}${differences.length > 4 ? ` (and ${differences.length - 4} more differences)` : ''}`, 'Give the quantized model that was made from this float model.');
  }
  const input = float.info.inputs[0];
  if (float.info.inputs.length !== 1) {
    const names = float.info.inputs.slice(0, 4).map((i) => `'${i.name}'`).join(', ');
    throw new QuantLensError('model-mismatch', `The float model '${float.name}' has ${float.info.inputs.length} inputs${names ? ` (${names}${float.info.inputs.length > 4 ? ', …' : ''})` : ''}; QuantLens feeds one input, the preprocessed sample.`, 'Give a model with a single input tensor (export it with the other inputs folded in as constants).');
  }
  const { spec, origin } = resolveSpec(input, request.specPath, request.preprocess);
  const misfit = checkSpecAgainstInput(spec, input);
  if (misfit.length > 0) throw new QuantLensError('preprocess-mismatch', `The preprocessing does not fit the model: ${misfit.join(' ')}`, 'Adjust --size/--color/--layout/--dtype (or the spec file) to the model input shown.');

  const dataset = await loadDataset(request.dataPaths, request.labelsPath, request.limit);
  const task: TaskSettings = {
    kind: request.task,
    ...(request.task === 'detection' ? { detection: { layout: request.detectionLayout ?? 'yolov8', ...request.detection } } : {}),
    ...(request.earlyStop ? { earlyVerdict: { mode: request.verdict.mode, threshold: request.verdict.threshold } } : {}),
  };
  checkDataFitsTask(task, dataset);
  assertOutputsFitTask(task, float.info.outputs, dataset.classNames.length);
  const ppFingerprint = dataset.content === 'inputs'
    ? await sha256Hex(new TextEncoder().encode(canonicalJson({ preprocess: 'none', dtype: spec.dtype, dims: tensorShape(spec, 1) }))) // = the app's planInputs
    : await preprocessFingerprint(spec);

  const engine = await pickEngine(request.engine, request.threads);
  say(`float model      ${float.name} (${float.info.format}, ${float.info.nodeCount} nodes), sha256 ${float.sha256}`);
  say(`quantized model  ${quantized.name} (${quantized.info.format}, ${quantized.info.nodeCount} nodes), sha256 ${quantized.sha256}`);
  say(`engine           ${engine.description}`);
  say(`dataset          ${dataset.name} (${dataset.format}, ${dataset.samples.length} samples, ${dataset.classNames.length} classes${dataset.skipped.length ? `, ${plural(dataset.skipped.length, 'file')} left out` : ''})`);
  say(`  fingerprint    ${dataset.fingerprint}`);
  say(`preprocessing    ${dataset.content === 'inputs' ? `none: ready-made ${spec.dtype} inputs [${tensorShape(spec, 1).join(', ')}]` : `${describeSpec(spec)} (${origin})`}`);
  say(`  fingerprint    ${ppFingerprint}`);
  say(`task             ${task.kind}; verdict: ${verdictRule(request)}`);

  const failures: SampleFailure[] = [];
  const outcome = await evaluate(engine, float.bytes, quantized.bytes, dataset, spec, task, request, io, failures, signal);
  if (!outcome.result) {
    const first = failures[0] ? ` (${failures[0].name}: ${failures[0].reason}${failures.length > 1 ? `; and ${failures.length - 1} more` : ''})` : '';
    throw new QuantLensError('dataset-empty', `None of the ${dataset.samples.length} samples could be used${first}.`, 'Node decodes PNG itself (JPEG, WebP, GIF and BMP only in the browser): convert the images to PNG, or export the preprocessed set (.npz) from the app and pass that.');
  }

  const document = toResultDocument(outcome.result, {
    id: `cli-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
    createdAt: new Date(),
    status: outcome.status,
    environment: { host: 'node', userAgent: `quantlens CLI; Node ${process.version} (${process.platform} ${process.arch}); ${engine.name} ${engine.version}`, hardwareConcurrency: availableParallelism() },
    models: { float: modelRecord(float, engine), quantized: modelRecord(quantized, engine) },
    dataset: { id: `cli-${dataset.fingerprint.slice(0, 16)}`, name: dataset.name, sampleCount: dataset.samples.length, classNames: dataset.classNames, fingerprint: dataset.fingerprint },
    preprocess: { spec, fingerprint: ppFingerprint },
    verdictSettings: request.verdict,
  });
  const verdict = documentVerdict(document, request.verdict);
  const cancelled = outcome.status === 'cancelled';
  const code = cancelled ? EXIT.inconclusive : exitCodeOf(verdict.outcome);
  const reason = cancelled ? `interrupted after ${document.sampleCount} of ${dataset.samples.length} samples: ${verdict.sentence}` : verdict.sentence;
  say();
  for (const line of summaryLines(document, dataset.samples)) say(line);
  say(`verdict          ${cancelled ? 'inconclusive (interrupted)' : verdict.outcome}: ${verdict.sentence}`);
  for (const line of writeOutputs(document, request.outputs, dataset.samples)) say(line);
  return { code, reason, document };
}

interface ReadModel {
  name: string;
  bytes: Uint8Array;
  info: ModelInfo;
  sha256: string;
}

async function readModel(path: string, role: 'float' | 'quantized'): Promise<ReadModel> {
  let bytes = readWholeFile(path, `${role} model`);
  const name = basename(path);
  let info: ModelInfo;
  try {
    info = readModelInfo(bytes);
    // Weights in external data files: read from next to the model (where the exporter wrote them) and copied in.
    if (info.externalData.length > 0) ({ bytes, info } = await withExternalData(path, bytes, info));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new QuantLensError(error instanceof QuantLensError ? error.code : 'model-unreadable', `The ${role} model '${path}': ${message}`, error instanceof QuantLensError ? error.hint : 'Give an .onnx model file.', { cause: error });
  }
  return { name, bytes, info, sha256: await sha256Hex(bytes) };
}

/** The model with its external data files (found next to it, under the names it gives) copied in. */
async function withExternalData(path: string, bytes: Uint8Array, info: ModelInfo): Promise<{ bytes: Uint8Array; info: ModelInfo }> {
  const folder = dirname(resolve(path));
  const found = info.externalData.map((needed) => ({ needed, full: resolve(folder, needed.location) }))
    .filter(({ full }) => full.startsWith(folder + sep) && existsSync(full)); // never outside the model's folder
  const missing = info.externalData.filter((needed) => !found.some((f) => f.needed === needed));
  if (missing.length > 0) {
    const names = missing.map((f) => `'${f.location}'`).join(', ');
    throw new QuantLensError('external-data-missing', `It keeps its weights in ${names}, not found next to it.`, 'Keep the data files the exporter wrote in the folder of the .onnx file, under the names the model gives.');
  }
  const files: DataFile[] = found.map(({ needed, full }) => ({
    name: needed.fileName,
    size: statSync(full).size,
    read: async (offset, length) => {
      const handle = await open(full, 'r');
      try {
        const chunk = new Uint8Array(length);
        await handle.read(chunk, 0, length, offset);
        return chunk;
      } finally {
        await handle.close();
      }
    },
  }));
  const bundled = await bundleModel(bytes, files);
  return { bytes: bundled.bytes ?? bytes, info: bundled.info };
}

/** Ground truth the task needs: boxes for detection, masks for segmentation, labels otherwise. */
function checkDataFitsTask(task: TaskSettings, dataset: LoadedDataset): void {
  const needs = task.kind === 'detection' ? 'boxes' : task.kind === 'segmentation' ? 'mask' : null;
  if (needs && dataset.target !== needs) {
    throw new QuantLensError('dataset-invalid', `--task ${task.kind} needs ${needs === 'boxes' ? 'images with boxes (a COCO .json or a pack with boxes)' : 'images with class masks (a masks/ folder of PNGs, or a pack with masks)'}; '${dataset.name}' has ${dataset.target ? `${dataset.target === 'boxes' ? 'boxes' : 'masks'}` : 'class labels only'}.`, 'Pick the task that matches the data (--task).');
  }
  if (!needs && !dataset.samples.some((s) => s.label !== null)) {
    throw new QuantLensError('dataset-invalid', `--task ${task.kind} needs labelled samples; '${dataset.name}' has none.`, 'Give labels: class subfolders, a manifest label column, IDX labels, or y in the .npz.');
  }
}

async function evaluate(engine: Engine, floatBytes: Uint8Array, quantizedBytes: Uint8Array, dataset: LoadedDataset, spec: PreprocessSpec, task: TaskSettings, request: EvalRequest, io: Io, failures: SampleFailure[], signal?: AbortSignal): Promise<EvaluationOutcome<TaskOutcome>> {
  const dims = tensorShape(spec, 1);
  const opened = await Promise.allSettled([engine.open(floatBytes, dims), engine.open(quantizedBytes, dims)]);
  const [floatModel, quantizedModel] = opened.map((o) => (o.status === 'fulfilled' ? o.value : null));
  try {
    opened.forEach((o, i) => {
      if (o.status === 'rejected') {
        const role = i === 0 ? 'float' : 'quantized';
        const message = o.reason instanceof Error ? o.reason.message : String(o.reason);
        // The engine's own explanation (operator, opset, memory) keeps its code and next step.
        const known = o.reason instanceof QuantLensError && o.reason.code !== 'session-failed' ? o.reason : null;
        throw new QuantLensError(known?.code ?? 'session-failed', `The ${role} model '${basename(i === 0 ? request.floatPath : request.quantizedPath)}' could not be loaded by ${engine.name}: ${message}`, known?.hint ?? 'Check that the model runs in ONNX Runtime (opset and operators supported).', { cause: o.reason });
      }
    });
    const progress = progressReporter(request.progress, io.stderr);
    const order = task.earlyVerdict ? shuffled(dataset.samples, EARLY_VERDICT_ORDER_SEED) : dataset.samples;
    try {
      return await evaluatePair({
        total: order.length,
        chunks: chunksOf(order, spec, dataset.content, failures),
        floatModel: floatModel!.runner,
        quantizedModel: quantizedModel!.runner,
        task: createTaskAccumulator(task, dataset.classNames, spec),
        signal,
        onProgress: (p) => progress.update(p),
      });
    } finally {
      progress.done();
    }
  } finally {
    await Promise.all([floatModel?.release(), quantizedModel?.release()]);
  }
}

/** Prepared the app's way (prepareRows: images and IDX pixels through the spec, .npz inputs as they are); failures are also kept here. */
async function* chunksOf(samples: readonly DatasetSample[], spec: PreprocessSpec, content: LoadedDataset['content'], failures: SampleFailure[]): AsyncGenerator<PreparedChunk> {
  for (let from = 0; from < samples.length; from += CHUNK_SIZE) {
    const chunk = await prepareRows(samples.slice(from, from + CHUNK_SIZE), spec, content);
    failures.push(...chunk.failures);
    yield chunk;
  }
}

function modelRecord(model: ReadModel, engine: Engine): Omit<ModelRecord, 'latency' | 'predictionsChecksum'> {
  const web = engine.name === 'onnxruntime-web';
  return {
    name: model.name,
    sha256: model.sha256,
    format: model.info.format,
    provider: {
      requested: 'wasm',
      actual: web ? 'wasm' : 'onnxruntime-node-cpu',
      label: web ? 'WebAssembly (CPU), onnxruntime-web in Node' : 'onnxruntime-node (native CPU)',
      threads: engine.threads,
      detail: `quantlens CLI: ${engine.description}`,
    },
  };
}

function verdictRule(request: EvalRequest): string {
  const { mode, threshold } = request.verdict;
  const rule = mode === 'points' ? `a loss of at most ${threshold} point${threshold === 1 ? '' : 's'}` : mode === 'relative' ? `a loss of at most ${threshold}% of the float value` : 'no statistically significant loss';
  return `${rule} of the first metric${request.earlyStop ? ', stopping as soon as that is settled' : ''}`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

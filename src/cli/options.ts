/**
 * The command line: one table of options (parsed by node:util parseArgs, and the source of the
 * one-line-per-option help), turned into a typed EvalRequest. Nothing here touches files.
 */
import { parseArgs } from 'node:util';
import type { TaskKind } from '../core/tasks/types.ts';
import type { VerdictSettings } from '../core/report/verdict.ts';
import { UsageError } from './exit.ts';

interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  /** Shown in the help after the option name, e.g. FILE. */
  value?: string;
  help: string;
  group: 'Models and data' | 'Preprocessing' | 'Task and verdict' | 'Outputs' | 'Engine' | 'Other';
}

/** Every option of `quantlens eval`, in help order. */
export const EVAL_OPTIONS = {
  float: { type: 'string', value: 'FILE', help: 'the float ONNX model', group: 'Models and data' },
  quantized: { type: 'string', value: 'FILE', help: 'its quantized twin (QDQ or QOperator ONNX)', group: 'Models and data' },
  data: { type: 'string', multiple: true, value: 'PATH', help: 'class folders, a manifest (.csv/.jsonl) or COCO .json with images, IDX, .npz, .zip or a quantlens-pack .json (repeat for an IDX pair)', group: 'Models and data' },
  labels: { type: 'string', value: 'FILE', help: 'a labels.txt: one class name per line, in model output order', group: 'Models and data' },
  limit: { type: 'string', value: 'N', help: 'evaluate only the first N samples (a quick smoke run)', group: 'Models and data' },
  preprocess: { type: 'string', value: 'FILE', help: 'preprocessing spec JSON (or a result JSON from the app); the flags below override it', group: 'Preprocessing' },
  size: { type: 'string', value: 'HxW', help: 'model input size in pixels, e.g. 224 or 28x28 (default: from the model input)', group: 'Preprocessing' },
  resize: { type: 'string', value: 'MODE', help: 'shorter-side-crop (default) or stretch', group: 'Preprocessing' },
  'shorter-side': { type: 'string', value: 'N', help: 'shorter-side-crop: resize the shorter side to N before the crop (default: the larger of H and W)', group: 'Preprocessing' },
  color: { type: 'string', value: 'MODE', help: 'rgb, bgr or grayscale (default: from the model input channels)', group: 'Preprocessing' },
  scale: { type: 'string', value: 'RANGE', help: 'pixel range before mean/std: 0..1 or 0..255', group: 'Preprocessing' },
  mean: { type: 'string', value: 'A,B,C', help: 'per-channel mean subtracted after scaling (one value for grayscale)', group: 'Preprocessing' },
  std: { type: 'string', value: 'A,B,C', help: 'per-channel std divided by after the mean', group: 'Preprocessing' },
  layout: { type: 'string', value: 'NCHW|NHWC', help: 'input tensor layout (default: from the model input)', group: 'Preprocessing' },
  dtype: { type: 'string', value: 'TYPE', help: 'input element type: float32, uint8 or int8 (default: the model input type)', group: 'Preprocessing' },
  task: { type: 'string', value: 'KIND', help: 'classification (default), detection, segmentation or embedding', group: 'Task and verdict' },
  'detection-layout': { type: 'string', value: 'L', help: 'detection output layout: yolov8 (default), yolov5 or ssd', group: 'Task and verdict' },
  'score-threshold': { type: 'string', value: 'X', help: 'detection: lowest box score kept (the app\'s setting; its own default when absent)', group: 'Task and verdict' },
  'iou-threshold': { type: 'string', value: 'X', help: 'detection: IoU above which non-maximum suppression drops a box', group: 'Task and verdict' },
  'max-detections': { type: 'string', value: 'N', help: 'detection: boxes kept per image', group: 'Task and verdict' },
  threshold: { type: 'string', value: 'X', help: 'accepted loss of the first metric: points (default 1) or % of the float value with --mode relative', group: 'Task and verdict' },
  mode: { type: 'string', value: 'MODE', help: 'points (default), relative or significance (a statistically significant loss fails)', group: 'Task and verdict' },
  'early-stop': { type: 'boolean', help: 'classification: stop as soon as the verdict is statistically settled (seeded random order, as the app)', group: 'Task and verdict' },
  report: { type: 'string', value: 'FILE', help: 'write the self-contained HTML report (no script, no network)', group: 'Outputs' },
  json: { type: 'string', value: 'FILE', help: 'write the result JSON (the app\'s schema: import it in the app)', group: 'Outputs' },
  csv: { type: 'string', value: 'FILE', help: 'write one row per sample (classification)', group: 'Outputs' },
  provider: { type: 'string', value: 'ID', help: 'execution provider: only wasm runs in Node (WebGPU and WebNN need the browser app)', group: 'Engine' },
  engine: { type: 'string', value: 'NAME', help: 'auto (default: onnxruntime-node when installed, else onnxruntime-web), onnxruntime-web or onnxruntime-node', group: 'Engine' },
  threads: { type: 'string', value: 'N', help: 'threads per model for onnxruntime-node (default 1; onnxruntime-web runs 1 in Node)', group: 'Engine' },
  progress: { type: 'string', value: 'WHEN', help: 'auto (default: a bar on a terminal, plain lines otherwise), bar, lines or none', group: 'Other' },
  debug: { type: 'boolean', help: 'print the stack of an unexpected error', group: 'Other' },
  help: { type: 'boolean', short: 'h', help: 'show this help', group: 'Other' },
} as const satisfies Record<string, OptionSpec>;

export type DetectionLayout = 'yolov5' | 'yolov8' | 'ssd';
export type EngineChoice = 'auto' | 'onnxruntime-web' | 'onnxruntime-node';
export type ProgressMode = 'auto' | 'bar' | 'lines' | 'none';

/** The preprocessing flags as given (absent = not given); merged over a spec file or the suggestion. */
export interface PreprocessFlags {
  height?: number;
  width?: number;
  resize?: 'shorter-side-crop' | 'stretch';
  resizeShorterSide?: number;
  color?: 'rgb' | 'bgr' | 'grayscale';
  scale?: '0..1' | '0..255';
  mean?: number[];
  std?: number[];
  layout?: 'NCHW' | 'NHWC';
  dtype?: 'float32' | 'uint8' | 'int8';
}

export interface EvalRequest {
  floatPath: string;
  quantizedPath: string;
  dataPaths: string[];
  labelsPath?: string;
  limit?: number;
  specPath?: string;
  preprocess: PreprocessFlags;
  task: TaskKind;
  detectionLayout?: DetectionLayout;
  /** Detection's score/IoU thresholds and box cap, when given. */
  detection?: { scoreThreshold?: number; iouThreshold?: number; maxDetections?: number };
  verdict: VerdictSettings;
  earlyStop: boolean;
  outputs: { report?: string; json?: string; csv?: string };
  engine: EngineChoice;
  threads: number;
  progress: ProgressMode;
  debug: boolean;
}

export type Command = { kind: 'help'; topic: 'main' | 'eval' } | { kind: 'version' } | { kind: 'eval'; request: EvalRequest; debug: boolean };

/** argv without node and the script: `eval --float a.onnx ...`, `--help`, `eval --help`, `--version`. */
export function parseCommand(argv: readonly string[]): Command {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') return { kind: 'help', topic: rest[0] === 'eval' ? 'eval' : 'main' };
  if (first === '--version' || first === '-v') return { kind: 'version' };
  if (first !== 'eval') throw new UsageError(`Unknown command '${first}'.`, 'The command is `quantlens eval ...`; run `quantlens --help`.');
  let parsed;
  try {
    parsed = parseArgs({ args: [...rest], options: EVAL_OPTIONS, strict: true, allowPositionals: false });
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/\. To specify a positional.*$/s, '') : String(error);
    throw new UsageError(/[.!?]$/.test(message) ? message : `${message}.`);
  }
  const v = parsed.values;
  if (v.help) return { kind: 'help', topic: 'eval' };
  const missing = (['float', 'quantized', 'data'] as const).filter((name) => v[name] === undefined);
  if (missing.length) throw new UsageError(`Missing ${missing.map((m) => `--${m}`).join(', ')}.`, 'Give the float model, its quantized twin and the data: quantlens eval --float f.onnx --quantized q.onnx --data DIR');
  if (v.provider !== undefined && v.provider !== 'wasm') {
    throw new UsageError(`--provider ${v.provider}: only wasm runs in Node.`, 'WebGPU and WebNN are browser providers: measure them in the QuantLens app; the command line runs WebAssembly (or onnxruntime-node on the CPU).');
  }
  const mode = oneOf('mode', v.mode, ['points', 'relative', 'significance'] as const) ?? 'points';
  const task = oneOf('task', v.task, ['classification', 'detection', 'segmentation', 'embedding'] as const) ?? 'classification';
  const detectionLayout = oneOf('detection-layout', v['detection-layout'], ['yolov5', 'yolov8', 'ssd'] as const);
  const detection = {
    ...(v['score-threshold'] !== undefined ? { scoreThreshold: fraction('score-threshold', v['score-threshold']) } : {}),
    ...(v['iou-threshold'] !== undefined ? { iouThreshold: fraction('iou-threshold', v['iou-threshold']) } : {}),
    ...(v['max-detections'] !== undefined ? { maxDetections: positiveInteger('max-detections', v['max-detections']) } : {}),
  };
  if ((detectionLayout || Object.keys(detection).length) && task !== 'detection') throw new UsageError('--detection-layout, --score-threshold, --iou-threshold and --max-detections apply to --task detection only.');
  if (v['early-stop'] && task !== 'classification') throw new UsageError('--early-stop applies to --task classification only.');
  const request: EvalRequest = {
    floatPath: v.float!,
    quantizedPath: v.quantized!,
    dataPaths: v.data!,
    ...(v.labels !== undefined ? { labelsPath: v.labels } : {}),
    ...(v.limit !== undefined ? { limit: positiveInteger('limit', v.limit) } : {}),
    ...(v.preprocess !== undefined ? { specPath: v.preprocess } : {}),
    preprocess: preprocessFlags(v),
    task,
    ...(detectionLayout ? { detectionLayout } : {}),
    ...(Object.keys(detection).length ? { detection } : {}),
    verdict: { mode, threshold: v.threshold === undefined ? 1 : nonNegative('threshold', v.threshold) },
    earlyStop: v['early-stop'] ?? false,
    outputs: { ...(v.report ? { report: v.report } : {}), ...(v.json ? { json: v.json } : {}), ...(v.csv ? { csv: v.csv } : {}) },
    engine: oneOf('engine', v.engine, ['auto', 'onnxruntime-web', 'onnxruntime-node'] as const) ?? 'auto',
    threads: v.threads === undefined ? 1 : positiveInteger('threads', v.threads),
    progress: oneOf('progress', v.progress, ['auto', 'bar', 'lines', 'none'] as const) ?? 'auto',
    debug: v.debug ?? false,
  };
  return { kind: 'eval', request, debug: request.debug };
}

type Values = { [K in keyof typeof EVAL_OPTIONS]?: (typeof EVAL_OPTIONS)[K] extends { type: 'boolean' } ? boolean : (typeof EVAL_OPTIONS)[K] extends { multiple: true } ? string[] : string };

function preprocessFlags(v: Values): PreprocessFlags {
  const flags: PreprocessFlags = {};
  if (v.size !== undefined) {
    const match = /^(\d+)(?:[x×,](\d+))?$/i.exec(v.size.trim());
    if (!match) throw new UsageError(`--size '${v.size}' is not a size.`, 'Give one number for a square input (224) or HxW (28x28).');
    flags.height = positiveInteger('size', match[1]);
    flags.width = positiveInteger('size', match[2] ?? match[1]);
  }
  const resize = oneOf('resize', v.resize, ['shorter-side-crop', 'stretch'] as const);
  if (resize) flags.resize = resize;
  if (v['shorter-side'] !== undefined) flags.resizeShorterSide = positiveInteger('shorter-side', v['shorter-side']);
  const color = oneOf('color', v.color, ['rgb', 'bgr', 'grayscale'] as const);
  if (color) flags.color = color;
  const scale = oneOf('scale', v.scale, ['0..1', '0..255'] as const);
  if (scale) flags.scale = scale;
  if (v.mean !== undefined) flags.mean = numberList('mean', v.mean);
  if (v.std !== undefined) flags.std = numberList('std', v.std);
  const layout = oneOf('layout', v.layout?.toUpperCase(), ['NCHW', 'NHWC'] as const);
  if (layout) flags.layout = layout;
  const dtype = oneOf('dtype', v.dtype, ['float32', 'uint8', 'int8'] as const);
  if (dtype) flags.dtype = dtype;
  return flags;
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${name} '${value}' is not one of ${allowed.join(', ')}.`, `Use --${name} ${allowed.join('|')}.`);
}

function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`--${name} '${text}' is not a whole number above 0.`);
  return value;
}

function nonNegative(name: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) throw new UsageError(`--${name} '${text}' is not a number of 0 or more.`, 'The threshold is the largest loss you accept, e.g. --threshold 1 (points).');
  return value;
}

function fraction(name: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1) throw new UsageError(`--${name} '${text}' is not a number from 0 to 1.`);
  return value;
}

function numberList(name: string, text: string): number[] {
  const values = text.split(',').map((s) => Number(s.trim()));
  if (values.some((x) => !Number.isFinite(x)) || text.trim() === '') throw new UsageError(`--${name} '${text}' is not a comma-separated list of numbers.`, `E.g. --${name} 0.485,0.456,0.406`);
  return values;
}

/** The help text: one line per option, grouped. */
export function helpText(topic: 'main' | 'eval', version: string): string {
  if (topic === 'main') {
    return [
      `quantlens ${version}: how much accuracy a model lost when it was quantized, with the app's own code.`,
      '',
      'Usage:',
      '  quantlens eval --float F.onnx --quantized Q.onnx --data DATA [options]   evaluate the pair; exit code = verdict',
      '  quantlens eval --help                                                    every eval option, one line each',
      '  quantlens --version                                                      the version',
      '',
      'Exit codes: 0 within the threshold, 1 exceeds it, 2 inconclusive, 3 bad input (files, models, options), 4 internal error.',
      'Example: quantlens eval --float f.onnx --quantized q.onnx --data test/ --threshold 1 --report out.html --json out.json',
    ].join('\n');
  }
  const rows = Object.entries(EVAL_OPTIONS).map(([name, spec]: [string, OptionSpec]) => ({ group: spec.group, left: `  ${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.value ? ` ${spec.value}` : ''}`, help: spec.help }));
  const width = Math.max(...rows.map((r) => r.left.length)) + 2;
  const lines = ['Usage: quantlens eval --float F.onnx --quantized Q.onnx --data DATA [options]', ''];
  for (const group of [...new Set(rows.map((r) => r.group))]) {
    lines.push(`${group}:`);
    for (const row of rows.filter((r) => r.group === group)) lines.push(`${row.left.padEnd(width)}${row.help}`);
    lines.push('');
  }
  lines.push('Exit codes: 0 within the threshold, 1 exceeds it, 2 inconclusive, 3 bad input, 4 internal error; the last stderr line says why.');
  return lines.join('\n');
}

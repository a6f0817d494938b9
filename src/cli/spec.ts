/**
 * The preprocessing of a command-line run: the spec the app would prefill from the float model's
 * input (suggestSpec), or a spec file, then the flags. A spec file is the JSON of a PreprocessSpec,
 * or a file that holds one: a result JSON exported from the app (`preprocess.spec`) or a demo
 * manifest (`preprocess`). A complete spec is used as it is; a partial one (say only mean and std)
 * fills in the suggestion.
 */
import { QuantLensError } from '../core/errors.ts';
import { channelCount, suggestSpec, validateSpec } from '../core/preprocess/index.ts';
import type { ModelInputInfo, PreprocessSpec } from '../core/preprocess/spec.ts';
import { readWholeFile } from './files.ts';
import type { PreprocessFlags } from './options.ts';

const REQUIRED_KEYS = ['height', 'width', 'resize', 'color', 'scale', 'mean', 'std', 'layout', 'dtype'] as const satisfies readonly (keyof PreprocessSpec)[];
const SPEC_KEYS: readonly (keyof PreprocessSpec)[] = [...REQUIRED_KEYS, 'resizeShorterSide', 'antialias'];

/** The spec to run with; throws (exit 3) when it is not a usable spec. */
export function resolveSpec(input: ModelInputInfo, specPath: string | undefined, flags: PreprocessFlags): { spec: PreprocessSpec; origin: string } {
  let spec: PreprocessSpec = suggestSpec(input);
  const origins = ['from the model input'];
  if (specPath !== undefined) {
    // A complete spec is taken as it is (so its fingerprint is the app's for the same spec); a partial one fills in the suggestion.
    const fromFile = readSpecFile(specPath);
    const complete = REQUIRED_KEYS.every((key) => fromFile[key] !== undefined);
    spec = complete ? (fromFile as PreprocessSpec) : { ...spec, ...fromFile };
    origins[0] = complete ? `from ${specPath}` : `from the model input, then ${specPath}`;
  }
  if (Object.keys(flags).length > 0) {
    spec = applyFlags(spec, flags);
    origins.push('from the flags');
  }
  const problems = validateSpec(spec);
  if (problems.length) throw new QuantLensError('preprocess-mismatch', `The preprocessing is not usable: ${problems.join(' ')}`, 'Fix the preprocessing flags or the spec file (quantlens eval --help lists them).');
  return { spec, origin: origins.join(', then ') };
}

function applyFlags(base: PreprocessSpec, flags: PreprocessFlags): PreprocessSpec {
  const spec: PreprocessSpec = { ...base, ...flags };
  if (flags.resize === 'stretch' && flags.resizeShorterSide === undefined) delete spec.resizeShorterSide;
  const channels = channelCount(spec.color);
  const raw = spec.dtype !== 'float32';
  // A new colour mode or an integer input changes what the suggested mean/std can be: start them from "no normalisation".
  if (flags.mean === undefined && (spec.mean.length !== channels || (raw && flags.dtype))) spec.mean = new Array<number>(channels).fill(0);
  if (flags.std === undefined && (spec.std.length !== channels || (raw && flags.dtype))) spec.std = new Array<number>(channels).fill(1);
  if (raw && flags.dtype && flags.scale === undefined) spec.scale = '0..255';
  return spec;
}

/** A spec file's fields (a subset of PreprocessSpec), wherever in the file they sit. */
export function readSpecFile(path: string): Partial<PreprocessSpec> {
  const text = new TextDecoder().decode(readWholeFile(path, 'preprocessing spec file'));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new QuantLensError('invalid-input', `The preprocessing spec file '${path}' is not valid JSON: ${error instanceof Error ? error.message : String(error)}.`, 'Write it as JSON, e.g. {"height": 224, "width": 224, "color": "rgb", "scale": "0..1", "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225], "layout": "NCHW"}.', { cause: error });
  }
  const record = json as Record<string, unknown> | null;
  const nested = record && typeof record === 'object'
    ? (record.schema === 'quantlens-result' ? (record.preprocess as Record<string, unknown> | undefined)?.spec : isObject(record.preprocess) ? record.preprocess : record)
    : null;
  if (!isObject(nested)) throw new QuantLensError('invalid-input', `The preprocessing spec file '${path}' holds no spec object.`, 'Give a JSON object with the PreprocessSpec fields (height, width, resize, color, scale, mean, std, layout, dtype).');
  const unknown = Object.keys(nested).filter((k) => !(SPEC_KEYS as readonly string[]).includes(k));
  if (unknown.length) throw new QuantLensError('invalid-input', `The preprocessing spec file '${path}' has unknown fields: ${unknown.join(', ')}.`, `Its fields are ${SPEC_KEYS.join(', ')}.`);
  return nested as Partial<PreprocessSpec>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

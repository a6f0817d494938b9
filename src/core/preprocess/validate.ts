/** Checks a PreprocessSpec on its own, before any model is involved. */
import type { ColorMode, PreprocessSpec } from './spec.ts';

const RESIZES: readonly string[] = ['shorter-side-crop', 'stretch'];
const COLORS: readonly string[] = ['rgb', 'bgr', 'grayscale'];
const SCALES: readonly string[] = ['0..1', '0..255'];
const LAYOUTS: readonly string[] = ['NCHW', 'NHWC'];
const DTYPES: readonly string[] = ['float32', 'uint8', 'int8'];

/** Channels the color mode produces: 1 for grayscale, 3 for rgb and bgr. */
export function channelCount(color: ColorMode): number {
  return color === 'grayscale' ? 1 : 3;
}

/** Plain-sentence problems with nonsense values (sizes, mean/std, options); empty when the spec is usable. */
export function validateSpec(spec: PreprocessSpec): string[] {
  const problems: string[] = [];
  checkSize(problems, 'Height', spec.height);
  checkSize(problems, 'Width', spec.width);
  if (spec.resizeShorterSide !== undefined) checkSize(problems, 'The shorter-side resize', spec.resizeShorterSide);
  checkOption(problems, 'resize', spec.resize, RESIZES);
  if (spec.antialias !== undefined && typeof spec.antialias !== 'boolean') {
    problems.push(`Antialiasing is on or off (true or false), not ${shown(spec.antialias)}.`);
  }
  checkOption(problems, 'color', spec.color, COLORS);
  checkOption(problems, 'scale', spec.scale, SCALES);
  checkOption(problems, 'layout', spec.layout, LAYOUTS);
  checkOption(problems, 'dtype', spec.dtype, DTYPES);
  if (!COLORS.includes(spec.color)) return problems;

  const channels = channelCount(spec.color);
  for (const [name, values] of [['mean', spec.mean], ['std', spec.std]] as const) {
    if (!Array.isArray(values) || values.length !== channels) {
      const count = Array.isArray(values) ? values.length : 0;
      problems.push(`The ${name} has ${count} value${count === 1 ? '' : 's'} but ${spec.color} produces ${channels} channel${channels === 1 ? '' : 's'}; give ${channels}.`);
    }
  }
  if (Array.isArray(spec.mean) && spec.mean.some((value) => !Number.isFinite(value))) {
    problems.push(`The mean must be finite numbers (got ${shown(spec.mean)}).`);
  }
  if (Array.isArray(spec.std) && spec.std.some((value) => !Number.isFinite(value) || value <= 0)) {
    problems.push(`The std must be numbers above 0 (got ${shown(spec.std)}); a std of 0 divides by zero.`);
  }
  if (spec.dtype === 'uint8' || spec.dtype === 'int8') checkRawIntegerInput(problems, spec);
  return problems;
}

/**
 * A value from a (possibly hostile) spec file as the message shows it: strings quoted, the rest as
 * JSON. Template literals would print [object Object], or throw for {"toString": 0} (found by test/unit/fuzz).
 */
function shown(value: unknown): string {
  if (typeof value === 'string') return `'${value.slice(0, 100)}'`;
  if (typeof value === 'number') return String(value); // NaN and Infinity, which JSON would print as null
  if (Array.isArray(value) && value.every((v) => typeof v === 'number')) return `[${value.join(', ')}]`;
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = undefined;
  }
  return json === undefined ? typeof value : json.length > 100 ? `${json.slice(0, 100)}...` : json;
}

function checkSize(problems: string[], name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    problems.push(`${name} must be a whole number of pixels above 0 (got ${shown(value)}).`);
  }
}

function checkOption(problems: string[], name: string, value: string, allowed: readonly string[]): void {
  if (!allowed.includes(value)) {
    problems.push(`The ${name} ${shown(value)} is unknown; choose one of ${allowed.join(', ')}.`);
  }
}

// Integer inputs take raw pixel values: normalizing or scaling to 0..1 would be rounded away.
function checkRawIntegerInput(problems: string[], spec: PreprocessSpec): void {
  const input = spec.dtype === 'int8' ? 'An int8 input' : 'A uint8 input';
  const rawMean = Array.isArray(spec.mean) && spec.mean.every((value) => value === 0);
  const rawStd = Array.isArray(spec.std) && spec.std.every((value) => value === 1);
  if (!rawMean || !rawStd) {
    problems.push(`${input} takes raw pixel values: set mean to 0 and std to 1.`);
  }
  if (spec.scale !== '0..255') {
    problems.push(`${input} takes raw pixel values: choose scale 0..255 (0..1 would round every pixel to 0 or 1).`);
  }
}

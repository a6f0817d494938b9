/** Checks that a PreprocessSpec produces the tensor a model's input declares. */
import type { Layout, ModelInputInfo, PreprocessSpec } from './spec.ts';
import { channelCount, validateSpec } from './validate.ts';

/** Positions of the channel, height and width dimensions in a rank-4 shape. */
export function layoutAxes(layout: Layout): { channels: number; height: number; width: number } {
  return layout === 'NCHW' ? { channels: 1, height: 2, width: 3 } : { channels: 3, height: 1, width: 2 };
}

/** Dims as the UI shows them: numbers as numbers, symbolic dims by name, unknown as '?'. */
export function formatDims(shape: ModelInputInfo['shape']): string {
  return `[${shape.map((dim) => (dim === null ? '?' : String(dim))).join(',')}]`;
}

/**
 * Plain-sentence problems between a spec and the model's input, empty when it fits. Includes
 * validateSpec's problems, so one call covers everything the UI needs to show.
 */
export function checkSpecAgainstInput(spec: PreprocessSpec, input: ModelInputInfo): string[] {
  const problems = validateSpec(spec);
  // A hostile spec file's objects in these fields are named by validateSpec; comparing them to the model would print (or throw on) them.
  if (![spec.height, spec.width, spec.layout, spec.color, spec.dtype].every((v) => typeof v === 'number' || typeof v === 'string')) return problems;
  const subject = `The model's input '${input.name}'`;
  const dtypeProblem = checkDtype(subject, spec, input.dtype);
  if (input.shape.length !== 4) {
    problems.push(`${subject} has ${input.shape.length} dimensions ${formatDims(input.shape)}, but an image input needs 4 (batch, channels, height, width).`);
    if (dtypeProblem) problems.push(dtypeProblem);
    return problems;
  }

  const batch = input.shape[0];
  if (typeof batch === 'number' && batch !== 1) {
    problems.push(`${subject} has a fixed batch of ${batch} ${formatDims(input.shape)}, but QuantLens runs one sample at a time (batch 1). Export the model with batch 1 or a dynamic batch dimension.`);
  }
  const layoutProblem = checkLayout(subject, spec, input.shape);
  if (layoutProblem) {
    problems.push(layoutProblem);
  } else {
    const axes = layoutAxes(spec.layout);
    const shapeText = `${spec.layout} ${formatDims(input.shape)}`;
    const expectedHeight = input.shape[axes.height];
    const expectedWidth = input.shape[axes.width];
    if (typeof expectedHeight === 'number' && expectedHeight !== spec.height) {
      problems.push(`${subject} expects height ${expectedHeight} (${shapeText}) but the preprocessing produces ${spec.height}. Set height to ${expectedHeight}.`);
    }
    if (typeof expectedWidth === 'number' && expectedWidth !== spec.width) {
      problems.push(`${subject} expects width ${expectedWidth} (${shapeText}) but the preprocessing produces ${spec.width}. Set width to ${expectedWidth}.`);
    }
  }
  if (dtypeProblem) problems.push(dtypeProblem);
  return problems;
}

function checkLayout(subject: string, spec: PreprocessSpec, shape: ModelInputInfo['shape']): string | undefined {
  const produced = channelCount(spec.color);
  const expected = shape[layoutAxes(spec.layout).channels];
  if (typeof expected !== 'number' || expected === produced) return undefined;

  const otherLayout: Layout = spec.layout === 'NCHW' ? 'NHWC' : 'NCHW';
  const otherChannels = shape[layoutAxes(otherLayout).channels];
  const shapeText = `${spec.layout} ${formatDims(shape)}`;
  if (expected !== 1 && expected !== 3 && (otherChannels === 1 || otherChannels === 3)) {
    return `${subject} looks like ${otherLayout} ${formatDims(shape)}: read as ${spec.layout} it would have ${expected} channels. Choose layout ${otherLayout}.`;
  }
  if (expected === 1 || expected === 3) {
    return `${subject} expects ${expected} channel${expected === 1 ? '' : 's'} (${shapeText}) but the preprocessing produces ${produced} (${spec.color}). Choose ${expected === 1 ? 'grayscale' : 'rgb or bgr'}.`;
  }
  return `${subject} expects ${expected} channels (${shapeText}), but QuantLens produces only 1 (grayscale) or 3 (rgb, bgr).`;
}

function checkDtype(subject: string, spec: PreprocessSpec, modelDtype: string): string | undefined {
  if (modelDtype === spec.dtype) return undefined;
  if (modelDtype === 'float16') {
    return `${subject} takes float16, which QuantLens does not support yet. Use a model whose input is float32.`;
  }
  if (modelDtype === 'float32' || modelDtype === 'uint8' || modelDtype === 'int8') {
    const rawHint = modelDtype === 'float32' ? '' : ' (with scale 0..255, mean 0 and std 1)';
    return `${subject} takes ${modelDtype} but the preprocessing produces ${spec.dtype}. Choose dtype ${modelDtype}${rawHint}.`;
  }
  return `${subject} takes ${modelDtype}, which is not an image type QuantLens can produce (float32, uint8 or int8).`;
}

/** Picks a task's accumulator and checks, before any sample runs, that the models' outputs fit it. */
import { QuantLensError } from '../errors.ts';
import type { ModelInputInfo, PreprocessSpec } from '../preprocess/spec.ts';
import { ClassificationPair } from './classification.ts';
import { DetectionPair } from './detection.ts';
import { EmbeddingPair } from './embedding.ts';
import { SegmentationPair } from './segmentation.ts';
import type { PairAccumulator, TaskSettings } from './types.ts';

export * from './types.ts';
export type { ClassificationOutcome, ClassifierSummary } from './classification.ts';
export type { SegmentTable } from './segments.ts';
export type { DetectionOutcome } from './detection.ts';
export type { SegmentationOutcome } from './segmentation.ts';
export type { EmbeddingOutcome } from './embedding.ts';
export { ClassificationPair, DetectionPair, SegmentationPair, EmbeddingPair };
export { labelMapSettings } from './classification.ts';

/** The accumulator for a task, for a dataset with these classes (classification infers the count from the output). */
export function createTaskAccumulator(settings: TaskSettings, classNames: readonly string[], spec: PreprocessSpec): PairAccumulator {
  const numClasses = classNames.length;
  switch (settings.kind) {
    case 'classification': return new ClassificationPair(settings.topK ?? 5, settings.labelMapClassNames ?? classNames, settings.earlyVerdict, settings.labelMap);
    case 'detection': return new DetectionPair(numClasses, spec, settings.detection ?? { layout: 'yolov8' });
    case 'segmentation': return new SegmentationPair(numClasses, spec, settings.ignoreIndex ?? 255);
    case 'embedding': return new EmbeddingPair(settings.retrieval?.ks ?? [1, 5, 10], settings.retrieval?.maxQueries ?? 5000);
  }
}

/**
 * Plain-sentence problems with using these outputs for the task (empty = fits). Symbolic dims pass.
 */
export function checkOutputsForTask(settings: TaskSettings, outputs: readonly ModelInputInfo[], classCount: number): string[] {
  const first = outputs[0];
  if (!first) return ['The model has no output.'];
  const dims = first.shape;
  const fixed = (d: number | string | null) => (typeof d === 'number' ? d : null);
  const shape = `[${dims.map((d) => d ?? '?').join(', ')}]`;
  switch (settings.kind) {
    case 'classification': {
      const classes = fixed(dims.at(-1) ?? null);
      if (dims.length < 2) return [`Output '${first.name}' ${shape} is not [batch, classes].`];
      if (classes !== null && classCount > classes) return [`The dataset has ${classCount} classes but output '${first.name}' ${shape} gives ${classes} scores.`];
      return [];
    }
    case 'detection': {
      const layout = settings.detection?.layout ?? 'yolov8';
      if (dims.length !== 3) return [`A ${layout} detector's output is [1, N, …] or [1, …, N]; '${first.name}' is ${shape}.`];
      if (layout === 'ssd' && outputs.length < 2) return ['An SSD-style model needs two outputs (boxes [1, N, 4] and scores [1, N, C]).'];
      const perBox = fixed(layout === 'yolov8' ? dims[1] : dims[2]);
      const expected = layout === 'yolov5' ? 5 + classCount : layout === 'yolov8' ? 4 + classCount : 4;
      if (perBox !== null && perBox !== expected) return [`For ${classCount} classes a ${layout} output holds ${expected} values per box; '${first.name}' ${shape} holds ${perBox}.`];
      return [];
    }
    case 'segmentation': {
      const classes = fixed(dims[1] ?? null);
      if (dims.length !== 4) return [`A segmentation output is [1, C, H, W]; '${first.name}' is ${shape}.`];
      if (classes !== null && classes !== classCount) return [`The dataset has ${classCount} classes but '${first.name}' ${shape} scores ${classes}.`];
      return [];
    }
    case 'embedding':
      return dims.length >= 1 ? [] : [`Output '${first.name}' ${shape} is not a vector.`];
  }
}

/** Throws a QuantLensError listing what does not fit. */
export function assertOutputsFitTask(settings: TaskSettings, outputs: readonly ModelInputInfo[], classCount: number): void {
  const problems = checkOutputsForTask(settings, outputs, classCount);
  if (problems.length) {
    throw new QuantLensError('model-mismatch', `The model's outputs do not fit the ${settings.kind} task: ${problems.join(' ')}`, 'Pick the task that matches the model, or the model that matches the task.');
  }
}

/** Classification: top-1 / top-k accuracy, per-class report, agreement and flips, per-sample outcomes. */
import type { OutputTensor, PreparedSample } from '../eval/evaluate.ts';
import { predictionsChecksum } from '../eval/checksum.ts';
import { AgreementAccumulator, ClassificationAccumulator, isInTopK, metricDelta } from '../metrics/index.ts';
import { topConfidence } from '../metrics/confidence.ts';
import type { AgreementResult, ClassificationResult, PerClassReport } from '../metrics/types.ts';
import type { EarlyVerdict, MetricRow, PairAccumulator, TaskOutcome, TaskSettings } from './types.ts';
import { SequentialVerdict } from '../stats/sequential.ts';
import { SegmentSamples, segmentTables, type SegmentColumns, type SegmentSample, type SegmentTable } from './segments.ts';
import { GrowableArray } from '../metrics/growable.ts';
import type { LabelMapping } from '../data/formats/labels.ts';
import { checkSnapshot, scoresFor, type SnapshotHeader } from './snapshot.ts';

export interface ClassifierSummary {
  classification: ClassificationResult;
  perClass: PerClassReport;
  /** FNV-1a of the per-sample top-1 predictions: equal checksums = identical predictions. */
  predictionsChecksum: string;
}

export interface ClassificationOutcome extends TaskOutcome {
  kind: 'classification';
  float: ClassifierSummary;
  quantized: ClassifierSummary;
  agreementDetail: AgreementResult;
  /** Accuracy per class, input size and manifest tag, worst Δ first (labelled samples). */
  segments: SegmentTable[];
  /** Samples whose dataset class has no model output in the label map (scored as unlabelled). */
  unmappedSamples: number;
  /** Per evaluated sample, in run order: dataset index, label as an output index (-1 = unlabelled or unmapped), top-1 confidences. */
  samples: { indices: Int32Array; labels: Int32Array; floatConfidence: Float32Array; quantizedConfidence: Float32Array };
}

/**
 * Per sample in run order, what the accumulators counted (structured-clone-safe). Layout 2 keeps the
 * segment samples in columns; layout 1 (checkpoints written before) as one object each.
 */
export interface ClassificationSnapshot extends SnapshotHeader {
  kind: 'classification';
  /** null before the first sample. */
  numClasses: number | null;
  indices: Int32Array;
  /** -1 = unlabelled. */
  labels: Int32Array;
  predictions: { float: Int32Array; quantized: Int32Array };
  /** 1 when the label was in the model's top k. */
  topKHits: { float: Uint8Array; quantized: Uint8Array };
  confidence: { float: Float64Array; quantized: Float64Array };
  /** Layout 2. */
  segments?: SegmentColumns;
  /** Layout 1. */
  segmentSamples?: SegmentSample[];
  /** Samples whose class had no output in the label map (their labels above are already mapped). */
  unmappedSamples: number;
}

export class ClassificationPair implements PairAccumulator<ClassificationOutcome> {
  #models: { float: ClassificationAccumulator; quantized: ClassificationAccumulator } | null = null;
  readonly #agreement = new AgreementAccumulator();
  // Per sample, in columns: a few bytes each, so a run of 100,000 samples keeps a few MB.
  readonly #indices = new GrowableArray('int32', 1024);
  readonly #labels = new GrowableArray('int32', 1024);
  readonly #confidence = { float: new GrowableArray('float64', 1024), quantized: new GrowableArray('float64', 1024) };
  readonly #topKHits = { float: new GrowableArray('uint8', 1024), quantized: new GrowableArray('uint8', 1024) };
  readonly #segmentSamples = new SegmentSamples();
  readonly #sequential: SequentialVerdict | null;
  #early: EarlyVerdict | null = null;
  #unmapped = 0;

  constructor(
    readonly topK = 5,
    /** Names for the segment tables, by output index (class index when absent). */
    readonly classNames: readonly string[] = [],
    readonly earlyVerdict?: TaskSettings['earlyVerdict'],
    /** Dataset label → output index (-1: unmapped), see TaskSettings.labelMap. */
    readonly labelMap?: Int32Array,
  ) {
    this.#sequential = earlyVerdict ? new SequentialVerdict({ mode: earlyVerdict.mode, threshold: earlyVerdict.threshold, alpha: earlyVerdict.alpha ?? 0.05 }) : null;
  }

  settled(): EarlyVerdict | null {
    return this.#early;
  }

  add(prepared: PreparedSample, floatOutputs: OutputTensor[], quantizedOutputs: OutputTensor[]): void {
    const sample = this.labelMap ? { ...prepared, label: this.#outputLabel(prepared.label) } : prepared;
    const floatScores = floatOutputs[0].data;
    const quantizedScores = quantizedOutputs[0].data;
    this.#models ??= { float: new ClassificationAccumulator(floatScores.length, this.topK), quantized: new ClassificationAccumulator(floatScores.length, this.topK) };
    const floatPrediction = this.#models.float.add(floatScores, sample.label);
    const quantizedPrediction = this.#models.quantized.add(quantizedScores, sample.label);
    this.#agreement.add(floatScores, quantizedScores, sample.label);
    this.#indices.push(sample.index);
    this.#labels.push(sample.label ?? -1);
    this.#confidence.float.push(topConfidence(floatScores));
    this.#confidence.quantized.push(topConfidence(quantizedScores));
    const label = sample.label;
    this.#topKHits.float.push(label !== null && isInTopK(floatScores, label, this.topK) ? 1 : 0);
    this.#topKHits.quantized.push(label !== null && isInTopK(quantizedScores, label, this.topK) ? 1 : 0);
    if (sample.label !== null) this.#judge(floatPrediction === sample.label, quantizedPrediction === sample.label);
    if (sample.label !== null) {
      this.#segmentSamples.add({
        label: sample.label,
        floatCorrect: floatPrediction === sample.label,
        quantizedCorrect: quantizedPrediction === sample.label,
        ...(sample.imageSize ? { size: sample.imageSize } : {}),
        ...(sample.tags ? { tags: sample.tags } : {}),
      });
    }
  }

  /** The early verdict's sequential test, fed labelled samples until it settles. */
  #judge(floatCorrect: boolean, quantizedCorrect: boolean): void {
    if (!this.#sequential || this.#early) return;
    const state = this.#sequential.add(floatCorrect, quantizedCorrect);
    if (state.settled && state.outcome) {
      this.#early = { outcome: state.outcome, samplesUsed: state.samplesUsed, alpha: this.earlyVerdict?.alpha ?? 0.05, method: 'anytime-valid test by betting (Waudby-Smith & Ramdas 2023)' };
    }
  }

  snapshot(): ClassificationSnapshot {
    const models = this.#models;
    return {
      kind: 'classification',
      version: 2,
      numClasses: models ? models.float.perClass().classes.length : null,
      indices: this.#indices.copy(),
      labels: this.#labels.copy(),
      predictions: { float: models?.float.result().predictions ?? new Int32Array(0), quantized: models?.quantized.result().predictions ?? new Int32Array(0) },
      topKHits: { float: this.#topKHits.float.copy(), quantized: this.#topKHits.quantized.copy() },
      confidence: { float: this.#confidence.float.copy(), quantized: this.#confidence.quantized.copy() },
      segments: this.#segmentSamples.columns(),
      unmappedSamples: this.#unmapped,
    };
  }

  /** Replays the snapshot's samples into this fresh accumulator (scores rebuilt by `scoresFor`). */
  restore(state: ClassificationSnapshot): void {
    const saved = checkSnapshot<ClassificationSnapshot>(state, 'classification', [1, 2]);
    if (this.#indices.length > 0) throw new Error('restore needs a fresh accumulator');
    if (saved.numClasses === null) return;
    const models = { float: new ClassificationAccumulator(saved.numClasses, this.topK), quantized: new ClassificationAccumulator(saved.numClasses, this.topK) };
    this.#models = models;
    const scores = new Float32Array(saved.numClasses);
    for (let i = 0; i < saved.indices.length; i++) {
      const label = saved.labels[i] === -1 ? null : saved.labels[i];
      const [floatPrediction, quantizedPrediction] = [saved.predictions.float[i], saved.predictions.quantized[i]];
      models.float.add(scoresFor(scores, floatPrediction, label, saved.topKHits.float[i] === 1), label);
      models.quantized.add(scoresFor(scores, quantizedPrediction, label, saved.topKHits.quantized[i] === 1), label);
      this.#agreement.addPredictions(floatPrediction, quantizedPrediction, label);
      this.#indices.push(saved.indices[i]);
      this.#labels.push(saved.labels[i]);
      this.#confidence.float.push(saved.confidence.float[i]);
      this.#confidence.quantized.push(saved.confidence.quantized[i]);
      this.#topKHits.float.push(saved.topKHits.float[i]);
      this.#topKHits.quantized.push(saved.topKHits.quantized[i]);
      if (label !== null) this.#judge(floatPrediction === label, quantizedPrediction === label);
    }
    if (saved.segments) this.#segmentSamples.addColumns(saved.segments);
    else for (const sample of saved.segmentSamples ?? []) this.#segmentSamples.add(sample);
    this.#unmapped = saved.unmappedSamples;
  }

  #outputLabel(datasetLabel: number | null): number | null {
    if (datasetLabel === null || !this.labelMap) return datasetLabel;
    const output = datasetLabel < this.labelMap.length ? this.labelMap[datasetLabel] : -1;
    if (output >= 0) return output;
    this.#unmapped++;
    return null;
  }

  finish(): ClassificationOutcome {
    if (!this.#models) throw new Error('no sample was added');
    const summarize = (accumulator: ClassificationAccumulator): ClassifierSummary => {
      const classification = accumulator.result();
      return { classification, perClass: accumulator.perClass(), predictionsChecksum: predictionsChecksum(classification.predictions) };
    };
    const float = summarize(this.#models.float);
    const quantized = summarize(this.#models.quantized);
    const agreement = this.#agreement.result();
    const of = float.classification.labelledCount;
    const segmentColumns = this.#segmentSamples.columns();
    const metrics: MetricRow[] = [
      { id: 'top1', name: 'Top-1 accuracy', unit: 'proportion', delta: metricDelta(float.classification.top1Accuracy, quantized.classification.top1Accuracy), counts: { float: float.classification.top1Correct, quantized: quantized.classification.top1Correct, of } },
    ];
    const [floatTopK, quantizedTopK] = [float.classification.topK, quantized.classification.topK];
    if (floatTopK && quantizedTopK) {
      metrics.push({ id: 'topk', name: `Top-${floatTopK.k} accuracy`, unit: 'proportion', delta: metricDelta(floatTopK.accuracy, quantizedTopK.accuracy), counts: { float: floatTopK.correct, quantized: quantizedTopK.correct, of } });
    }
    metrics.push({ id: 'macro-f1', name: 'Macro F1', unit: 'proportion', delta: metricDelta(float.perClass.macroF1, quantized.perClass.macroF1) });
    return {
      kind: 'classification',
      primaryOutcomes: { float: segmentColumns.floatCorrect, quantized: segmentColumns.quantizedCorrect },
      metrics,
      agreement: [
        { id: 'top1-agreement', name: 'Same top-1 prediction', value: agreement.top1Agreement, unit: 'proportion', detail: `${agreement.top1Agree} of ${agreement.sampleCount} samples get the same answer from both models.` },
      ],
      perClass: {
        metricName: 'accuracy (recall)',
        rows: float.perClass.classes.filter((c) => c.support > 0).map((c) => ({ classIndex: c.classIndex, support: c.support, float: c.recall, quantized: quantized.perClass.classes[c.classIndex].recall })),
      },
      float,
      quantized,
      agreementDetail: agreement,
      segments: segmentTables(this.#segmentSamples, (label) => this.classNames[label] ?? String(label)),
      unmappedSamples: this.#unmapped,
      samples: {
        indices: this.#indices.copy(),
        labels: this.#labels.copy(),
        floatConfidence: Float32Array.from(this.#confidence.float.view()),
        quantizedConfidence: Float32Array.from(this.#confidence.quantized.view()),
      },
    };
  }
}

/**
 * The task settings that score a dataset through a label mapping (core/data/formats/labels.ts):
 * labelMap from its toModel (null → -1), and the outputs' names: the model's own when known, else
 * each dataset class name at its output ("<index>" where no class maps).
 */
export function labelMapSettings(mapping: LabelMapping): Required<Pick<TaskSettings, 'labelMap' | 'labelMapClassNames'>> {
  const labelMap = Int32Array.from(mapping.toModel, (output) => output ?? -1);
  const names = mapping.modelClassNames ? [...mapping.modelClassNames] : Array.from({ length: mapping.modelOutputCount }, (_, i) => String(i));
  if (!mapping.modelClassNames) {
    // Backwards, so the first dataset class wins an output that several share.
    for (let d = labelMap.length - 1; d >= 0; d--) if (labelMap[d] >= 0 && labelMap[d] < names.length) names[labelMap[d]] = mapping.datasetClassNames[d];
  }
  return { labelMap, labelMapClassNames: names };
}

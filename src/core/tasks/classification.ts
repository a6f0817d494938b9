/** Classification: top-1 / top-k accuracy, per-class report, agreement and flips, per-sample outcomes. */
import type { OutputTensor, PreparedSample } from '../eval/evaluate.ts';
import { predictionsChecksum } from '../eval/checksum.ts';
import { AgreementAccumulator, ClassificationAccumulator, metricDelta } from '../metrics/index.ts';
import { topConfidence } from '../metrics/confidence.ts';
import type { AgreementResult, ClassificationResult, PerClassReport } from '../metrics/types.ts';
import type { EarlyVerdict, MetricRow, PairAccumulator, TaskOutcome, TaskSettings } from './types.ts';
import { SequentialVerdict } from '../stats/sequential.ts';
import { segmentTables, type SegmentSample, type SegmentTable } from './segments.ts';

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
  /** Per evaluated sample, in run order: dataset index, label (-1 = unlabelled), top-1 confidences. */
  samples: { indices: Int32Array; labels: Int32Array; floatConfidence: Float32Array; quantizedConfidence: Float32Array };
}

export class ClassificationPair implements PairAccumulator<ClassificationOutcome> {
  #models: { float: ClassificationAccumulator; quantized: ClassificationAccumulator } | null = null;
  readonly #agreement = new AgreementAccumulator();
  readonly #indices: number[] = [];
  readonly #labels: number[] = [];
  readonly #confidence = { float: [] as number[], quantized: [] as number[] };
  readonly #segmentSamples: SegmentSample[] = [];
  readonly #sequential: SequentialVerdict | null;
  #early: EarlyVerdict | null = null;

  constructor(
    readonly topK = 5,
    /** Names for the segment tables (class index when absent). */
    readonly classNames: readonly string[] = [],
    readonly earlyVerdict?: TaskSettings['earlyVerdict'],
  ) {
    this.#sequential = earlyVerdict ? new SequentialVerdict({ mode: earlyVerdict.mode, threshold: earlyVerdict.threshold, alpha: earlyVerdict.alpha ?? 0.05 }) : null;
  }

  settled(): EarlyVerdict | null {
    return this.#early;
  }

  add(sample: PreparedSample, floatOutputs: OutputTensor[], quantizedOutputs: OutputTensor[]): void {
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
    if (sample.label !== null && this.#sequential && !this.#early) {
      const state = this.#sequential.add(floatPrediction === sample.label, quantizedPrediction === sample.label);
      if (state.settled && state.outcome) {
        this.#early = { outcome: state.outcome, samplesUsed: state.samplesUsed, alpha: this.earlyVerdict?.alpha ?? 0.05, method: 'anytime-valid test by betting (Waudby-Smith & Ramdas 2023)' };
      }
    }
    if (sample.label !== null) {
      this.#segmentSamples.push({
        label: sample.label,
        floatCorrect: floatPrediction === sample.label,
        quantizedCorrect: quantizedPrediction === sample.label,
        ...(sample.imageSize ? { size: sample.imageSize } : {}),
        ...(sample.tags ? { tags: sample.tags } : {}),
      });
    }
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
      primaryOutcomes: {
        float: Uint8Array.from(this.#segmentSamples, (s) => Number(s.floatCorrect)),
        quantized: Uint8Array.from(this.#segmentSamples, (s) => Number(s.quantizedCorrect)),
      },
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
      samples: {
        indices: Int32Array.from(this.#indices),
        labels: Int32Array.from(this.#labels),
        floatConfidence: Float32Array.from(this.#confidence.float),
        quantizedConfidence: Float32Array.from(this.#confidence.quantized),
      },
    };
  }
}

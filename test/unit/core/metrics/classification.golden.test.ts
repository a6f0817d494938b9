import { describe, expect, it } from 'vitest';
import { AgreementAccumulator, ClassificationAccumulator } from '../../../../src/core/metrics/index.ts';
import { expectClose, metricsGolden, sampleScores, type ClassificationGolden } from './golden.ts';

function accumulate(golden: ClassificationGolden): ClassificationAccumulator {
  const accumulator = new ClassificationAccumulator(golden.numClasses, golden.k);
  golden.labels.forEach((label, sample) => {
    accumulator.add(sampleScores(golden.floatLogits, golden.numClasses, sample), label);
  });
  return accumulator;
}

describe.each(metricsGolden.classification)('against scikit-learn / numpy: $name', (golden) => {
  const { expected } = golden;
  const accumulator = accumulate(golden);
  const result = accumulator.result();
  const report = accumulator.perClass();

  it('counts samples and top-1 hits exactly, with numpy.argmax predictions (ties included)', () => {
    expect(golden.argmaxTieRows.length).toBeGreaterThan(0);
    expect(result.sampleCount).toBe(expected.sampleCount);
    expect(result.labelledCount).toBe(expected.labelledCount);
    expect(Array.from(result.predictions)).toEqual(expected.predictions);
    expect(result.top1Correct).toBe(expected.top1Correct);
    expectClose(result.top1Accuracy, expected.top1Accuracy, 'accuracy_score');
  });

  it('matches the confusion matrix and per-class precision / recall / F1 / support', () => {
    expect(report.confusionMatrix).toEqual(expected.confusionMatrix);
    report.classes.forEach((item, c) => {
      expect(item.support).toBe(expected.support[c]);
      expectClose(item.precision, expected.precision[c], `precision[${c}]`);
      expectClose(item.recall, expected.recall[c], `recall[${c}]`);
      expectClose(item.f1, expected.f1[c], `f1[${c}]`);
    });
  });

  it('matches macro (default sklearn labels) and weighted averages', () => {
    expect(report.averagedClassCount).toBe(expected.averagedClassCount);
    expectClose(report.macroPrecision, expected.macroPrecision, 'macro precision');
    expectClose(report.macroRecall, expected.macroRecall, 'macro recall');
    expectClose(report.macroF1, expected.macroF1, 'macro F1');
    expectClose(report.macroF1, expected.macroF1FromF1Score, 'f1_score macro');
    expectClose(report.weightedF1, expected.weightedF1, 'weighted F1');
  });

  it('reports top-k only when there are more classes than k', () => {
    expect(result.topK === undefined).toBe(golden.numClasses <= golden.k);
  });

  it('matches the agreement and flips numpy computes from both models\' argmax', () => {
    const agreement = new AgreementAccumulator(golden.numClasses);
    golden.labels.forEach((label, sample) => {
      agreement.add(
        sampleScores(golden.floatLogits, golden.numClasses, sample),
        sampleScores(golden.quantizedLogits, golden.numClasses, sample),
        label,
      );
    });
    const actual = agreement.result();
    expect(actual.sampleCount).toBe(expected.sampleCount);
    expect(actual.top1Agree).toBe(expected.agreement.top1Agree);
    expectClose(actual.top1Agreement, expected.agreement.top1Agreement, 'agreement');
    expect(actual.flippedToWrong).toEqual(expected.agreement.flippedToWrong);
    expect(actual.flippedToCorrect).toEqual(expected.agreement.flippedToCorrect);
    expect(actual.correctToWrong).toBe(expected.agreement.flippedToWrong.length);
    expect(actual.wrongToCorrect).toBe(expected.agreement.flippedToCorrect.length);
    expect(actual.wrongToOtherWrong).toBe(expected.agreement.wrongToOtherWrong);
  });
});

describe.each(metricsGolden.classification.filter((golden) => golden.expected.topK))('top-k: $name', (golden) => {
  const topK = golden.expected.topK!;

  it('equals scikit-learn top_k_accuracy_score on the rows without a tie at the k-th place', () => {
    const tieFree = new Set(topK.tieFreeLabelledIndices);
    const accumulator = new ClassificationAccumulator(golden.numClasses, golden.k);
    let labelledIndex = 0;
    golden.labels.forEach((label, sample) => {
      if (label === null) return;
      if (tieFree.has(labelledIndex++)) accumulator.add(sampleScores(golden.floatLogits, golden.numClasses, sample), label);
    });
    expect(accumulator.result().topK?.correct).toBe(topK.sklearnTieFreeCorrect);
    expectClose(accumulator.result().topK?.accuracy ?? Number.NaN, topK.sklearnTieFreeAccuracy, 'top_k_accuracy_score');
  });

  it('on all rows (k-th place ties included) follows numpy argsort(-scores, stable), not scikit-learn', () => {
    expect(golden.kthPlaceTieRows.length).toBeGreaterThan(0);
    const result = new ClassificationAccumulator(golden.numClasses, golden.k);
    golden.labels.forEach((label, sample) => result.add(sampleScores(golden.floatLogits, golden.numClasses, sample), label));
    expect(result.result().topK?.correct).toBe(topK.correct);
    expectClose(result.result().topK?.accuracy ?? Number.NaN, topK.accuracy, 'stable-descending top-k');
    // scikit-learn breaks k-th place ties towards the higher class index, so it differs here on purpose.
    expect(topK.sklearnAllRowsCorrect).not.toBe(topK.correct);
  });
});

/** Per-class precision, recall and F1 and their averages, from a confusion matrix. */
import type { ClassMetrics, PerClassReport } from './types.ts';

/** Report for a row-major numClasses x numClasses confusion matrix (rows = true class). */
export function perClassReport(confusion: Uint32Array, numClasses: number): PerClassReport {
  const confusionMatrix: number[][] = [];
  for (let row = 0; row < numClasses; row++) {
    confusionMatrix.push(Array.from(confusion.subarray(row * numClasses, (row + 1) * numClasses)));
  }
  const classes: ClassMetrics[] = [];
  for (let c = 0; c < numClasses; c++) {
    let support = 0;
    let predictedCount = 0;
    for (let other = 0; other < numClasses; other++) {
      support += confusion[c * numClasses + other];
      predictedCount += confusion[other * numClasses + c];
    }
    const truePositives = confusion[c * numClasses + c];
    const precision = predictedCount === 0 ? 0 : truePositives / predictedCount;
    const recall = support === 0 ? 0 : truePositives / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    classes.push({ classIndex: c, support, predictedCount, truePositives, precision, recall, f1 });
  }

  const averaged = classes.filter((item) => item.support > 0 || item.predictedCount > 0);
  const totalSupport = classes.reduce((sum, item) => sum + item.support, 0);
  return {
    classes,
    confusionMatrix,
    macroPrecision: mean(averaged.map((item) => item.precision)),
    macroRecall: mean(averaged.map((item) => item.recall)),
    macroF1: mean(averaged.map((item) => item.f1)),
    weightedF1: totalSupport === 0
      ? Number.NaN
      : classes.reduce((sum, item) => sum + item.f1 * item.support, 0) / totalSupport,
    averagedClassCount: averaged.length,
  };
}

function mean(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

import type { ResultDocument } from './document.ts';
import { csvField } from './escape.ts';

/** One row per evaluated sample: what each model predicted and whether it flipped. */
export function perSampleCsv(doc: ResultDocument, sampleNames?: ReadonlyMap<number, string>): string {
  if (!doc.classification) return 'note\r\nPer-sample rows are written for classification runs.\r\n';
  const className = (i: number) => (i < 0 ? '' : (doc.dataset.classNames[i] ?? String(i)));
  const header = ['sample_index', 'sample_name', 'label', 'float_prediction', 'quantized_prediction', 'float_correct', 'quantized_correct', 'outcome'];
  const lines = [header.join(',')];
  const { index, label, floatPrediction, quantizedPrediction } = doc.classification.samples;
  for (let i = 0; i < index.length; i++) {
    const known = label[i] >= 0;
    const floatCorrect = known && floatPrediction[i] === label[i];
    const quantizedCorrect = known && quantizedPrediction[i] === label[i];
    const outcome = !known ? (floatPrediction[i] === quantizedPrediction[i] ? 'agree' : 'disagree')
      : floatCorrect === quantizedCorrect ? (floatCorrect ? 'both correct' : floatPrediction[i] === quantizedPrediction[i] ? 'both wrong' : 'both wrong, differently')
      : floatCorrect ? 'correct to wrong' : 'wrong to correct';
    lines.push([
      index[i], csvField(sampleNames?.get(index[i]) ?? ''), csvField(className(label[i])), csvField(className(floatPrediction[i])), csvField(className(quantizedPrediction[i])),
      known ? Number(floatCorrect) : '', known ? Number(quantizedCorrect) : '', outcome,
    ].join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

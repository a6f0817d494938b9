/** How the diagnosis shows measures: one place, so every table says it the same way. */
import { MEASURES, type MeasureId } from '../../core/diff/index.ts';

/** A value in dB; ∞ for an exact match. */
export function decibels(value: number, digits = 1): string {
  if (value === Infinity) return '∞ dB (exact)';
  if (value === -Infinity) return '−∞ dB';
  return Number.isNaN(value) ? 'n/a' : `${value.toFixed(digits)} dB`;
}

/** A measure's value as people read it (dB measures in dB, cosine with 5 decimals, errors with 3 significant digits). */
export function measureValue(id: MeasureId, value: number): string {
  if (MEASURES[id].unit === 'dB') return decibels(value);
  if (Number.isNaN(value)) return 'n/a';
  if (id === 'cosine') return value.toFixed(5);
  return value === 0 ? '0' : Math.abs(value) >= 1e-3 && Math.abs(value) < 1e4 ? Number(value.toPrecision(3)).toString() : value.toExponential(2);
}

/** The tooltip of a measure: its formula and whose definition it is. */
export function measureTitle(id: MeasureId): string {
  const m = MEASURES[id];
  return `${m.label} = ${m.formula} (x = float, y = quantized; ${m.source}); ${m.better} is better`;
}

/** The measures the output table shows, in order. */
export const OUTPUT_MEASURES: MeasureId[] = ['cosine', 'mse', 'mae', 'maxAbsError', 'psnrDb', 'sqnrDb'];

/** The sentence that says which SQNR and PSNR are meant (the same names mean different maths elsewhere). */
export const DEFINITIONS_NOTE =
  `SQNR is ${MEASURES.sqnrDb.formula} (${MEASURES.sqnrDb.source}); PSNR is ${MEASURES.psnrDb.formula} (${MEASURES.psnrDb.source}); x = float model, y = quantized model.`;

/** A layer as the chart and tables name it: its float node, or the graph input. */
export function layerLabel(layer: { floatNode: string | null; floatTensor: string }): string {
  return layer.floatNode ?? `input '${layer.floatTensor}'`;
}

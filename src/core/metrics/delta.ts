/** The float-vs-quantized difference of one metric, and the verdict against the user's budget. */
import { QuantLensError } from '../errors.ts';
import type { MetricDelta, Verdict } from './types.ts';

/** Differences smaller than this many points count as no change (floating-point noise in q - f). */
const POINTS_TOLERANCE = 1e-9;

/**
 * Difference of a proportion metric. Inputs are proportions 0..1; absolutePoints is
 * (quantized - float) * 100 percentage points; relative is (quantized - float) / float, NaN when float is 0.
 */
export function metricDelta(float: number, quantized: number, higherIsBetter = true): MetricDelta {
  return {
    float,
    quantized,
    absolutePoints: (quantized - float) * 100,
    relative: float === 0 ? Number.NaN : (quantized - float) / float,
    higherIsBetter,
  };
}

/** What the verdict sentence calls the metric; later also a confidence interval. */
export interface VerdictOptions {
  /** Lower-case name used in the sentence; defaults to 'top-1 accuracy'. */
  metricName?: string;
}

/**
 * 'within' when the quantized model loses at most `thresholdPoints` percentage points (a gain is
 * always within), else 'exceeds'; 'inconclusive' when either value is missing (NaN).
 */
export function verdict(delta: MetricDelta, thresholdPoints: number, options: VerdictOptions = {}): Verdict {
  if (!Number.isFinite(thresholdPoints) || thresholdPoints < 0) {
    throw new QuantLensError('invalid-input', `The accuracy budget must be 0 points or more (got ${thresholdPoints}).`,
      'Set the budget to the largest loss you accept, in percentage points, e.g. 1.0.');
  }
  const metricName = options.metricName ?? 'top-1 accuracy';
  if (!Number.isFinite(delta.float) || !Number.isFinite(delta.quantized)) {
    return {
      outcome: 'inconclusive',
      thresholdPoints,
      sentence: `QuantLens cannot compare ${metricName} yet: it needs a value for both models, which needs labelled samples.`,
    };
  }
  const lossPoints = delta.higherIsBetter ? -delta.absolutePoints : delta.absolutePoints;
  const outcome = lossPoints <= thresholdPoints + POINTS_TOLERANCE ? 'within' : 'exceeds';
  const change = describeChange(delta, metricName, Math.abs(lossPoints));
  const values = `(${formatPercent(delta.float)} → ${formatPercent(delta.quantized)})`;
  const budget = `the ${formatBudget(thresholdPoints)}-point budget`;
  const judgement = outcome === 'within' ? `within ${budget}` : `which exceeds ${budget}`;
  return { outcome, thresholdPoints, sentence: `The quantized model ${change} ${values}, ${judgement}.` };
}

function describeChange(delta: MetricDelta, metricName: string, points: number): string {
  if (points < POINTS_TOLERANCE) return `keeps the same ${metricName}`;
  const amount = `${points.toFixed(2)} points`;
  const quantizedIsHigher = delta.quantized > delta.float;
  if (delta.higherIsBetter) {
    return quantizedIsHigher ? `gains ${amount} of ${metricName}` : `loses ${amount} of ${metricName}`;
  }
  return quantizedIsHigher ? `raises ${metricName} by ${amount}` : `lowers ${metricName} by ${amount}`;
}

function formatPercent(proportion: number): string {
  return `${(proportion * 100).toFixed(2)}%`;
}

// "1.0-point", "0.5-point", "0.25-point": one decimal unless the user gave more.
function formatBudget(points: number): string {
  const oneDecimal = points.toFixed(1);
  return Number(oneDecimal) === points ? oneDecimal : String(points);
}

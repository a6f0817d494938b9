/**
 * The float-vs-quantized difference of one metric, and the verdict against the user's budget.
 * Budgets: 'points' (loss ≤ N percentage points, or N units for a metric that is not a proportion),
 * 'relative' (loss ≤ N % of the float value) or 'significance' (no statistically significant loss).
 * With a confidence interval of Δ the verdict is within / exceeds only when the whole interval is on
 * one side of the budget, else inconclusive; without one it judges the point estimate.
 */
import { QuantLensError } from '../errors.ts';
import type { MetricDelta, Verdict, VerdictOutcome } from './types.ts';

/** Differences smaller than this (in points, or % relative) count as no change (floating-point noise in q - f). */
const POINTS_TOLERANCE = 1e-9;

/** How the metric's values read: proportions (shown as %, Δ in points) or plain values (perplexity). */
export interface MetricDeltaOptions {
  /** Default true: values are 0..1 and absolutePoints is (q - f) * 100; false: absolutePoints is q - f. */
  proportion?: boolean;
}

/**
 * Difference of a metric. For proportions (0..1) absolutePoints is (quantized - float) * 100
 * percentage points; otherwise quantized - float in the metric's units. relative is
 * (quantized - float) / float, NaN when float is 0.
 */
export function metricDelta(float: number, quantized: number, higherIsBetter = true,
  options: MetricDeltaOptions = {}): MetricDelta {
  const scale = options.proportion === false ? 1 : 100;
  return {
    float,
    quantized,
    absolutePoints: (quantized - float) * scale,
    relative: float === 0 ? Number.NaN : (quantized - float) / float,
    higherIsBetter,
  };
}

/** Which budget the verdict applies, and the statistical evidence it may use. */
export interface VerdictOptions {
  /** Lower-case name used in the sentence; defaults to 'top-1 accuracy'. */
  metricName?: string;
  /** 'points' (default): threshold in points; 'relative': threshold in % of the float value; 'significance': threshold ignored. */
  mode?: 'points' | 'relative' | 'significance';
  /** Confidence interval of quantized - float in the units of delta.absolutePoints (e.g. bootstrap × 100). */
  intervalPoints?: { low: number; high: number };
  /** Confidence interval of (quantized - float) / float, as a fraction (for the 'relative' mode). */
  intervalRelative?: { low: number; high: number };
  /** Level of those intervals, for the sentence; default 0.95. */
  confidence?: number;
  /** 'significance' mode: a two-sided p-value (e.g. McNemar's exact test) used instead of the interval. */
  pValue?: number;
  /** 'significance' mode: significance level for pValue; default 0.05. */
  alpha?: number;
  /** 'percent' (default) shows values as percentages; 'number' shows them as they are (perplexity). */
  valueFormat?: 'percent' | 'number';
}

/**
 * Judges the quantized model's loss against `thresholdPoints` (points, or % relative in 'relative'
 * mode; a gain is never a loss). Lower-is-better metrics (delta.higherIsBetter false) count a rise
 * as the loss. Inconclusive when a value is missing or the interval straddles the budget.
 */
export function verdict(delta: MetricDelta, thresholdPoints: number, options: VerdictOptions = {}): Verdict {
  const mode = options.mode ?? 'points';
  if (mode !== 'significance' && (!Number.isFinite(thresholdPoints) || thresholdPoints < 0)) {
    throw new QuantLensError('invalid-input', `The accuracy budget must be 0 points or more (got ${thresholdPoints}).`,
      'Set the budget to the largest loss you accept, in percentage points, e.g. 1.0.');
  }
  const metricName = options.metricName ?? 'top-1 accuracy';
  const percent = options.valueFormat !== 'number';
  const missing = !Number.isFinite(delta.float) || !Number.isFinite(delta.quantized) ||
    (mode === 'relative' && !Number.isFinite(delta.relative));
  if (missing) {
    const why = mode === 'relative' && Number.isFinite(delta.float)
      ? 'a relative change needs a float value other than 0'
      : 'it needs a value for both models, which needs labelled samples';
    return { outcome: 'inconclusive', thresholdPoints, sentence: `QuantLens cannot compare ${metricName} yet: ${why}.` };
  }
  const sign = delta.higherIsBetter ? -1 : 1;
  const unit = mode === 'relative' ? '%' : percent ? ' points' : '';
  const loss = mode === 'relative' ? sign * delta.relative * 100 : sign * delta.absolutePoints;
  const interval = mode === 'relative' ? scaled(options.intervalRelative, 100) : options.intervalPoints;
  const lossInterval = interval && { low: sign === 1 ? interval.low : -interval.high, high: sign === 1 ? interval.high : -interval.low };
  const change = describeChange(delta, metricName, mode === 'relative' ? Math.abs(loss) : Math.abs(delta.absolutePoints), mode === 'relative' ? '%' : unit);
  const opening = `The quantized model ${change} (${formatValue(delta.float, percent)} → ${formatValue(delta.quantized, percent)})`;
  const level = `${Math.round((options.confidence ?? 0.95) * 100)}%`;

  if (mode === 'significance') return significanceVerdict(opening, loss, lossInterval, level, unit, thresholdPoints, options);

  const budget = mode === 'relative'
    ? `the ${formatBudget(thresholdPoints)}% relative budget`
    : percent ? `the ${formatBudget(thresholdPoints)}-point budget` : `the budget of ${formatBudget(thresholdPoints)}`;
  if (!lossInterval || !Number.isFinite(lossInterval.low) || !Number.isFinite(lossInterval.high)) {
    const outcome: VerdictOutcome = loss <= thresholdPoints + POINTS_TOLERANCE ? 'within' : 'exceeds';
    const judgement = outcome === 'within' ? `within ${budget}` : `which exceeds ${budget}`;
    return { outcome, thresholdPoints, sentence: `${opening}, ${judgement}.` };
  }
  let outcome: VerdictOutcome;
  let evidence: string;
  if (lossInterval.high <= thresholdPoints + POINTS_TOLERANCE) {
    outcome = 'within';
    evidence = lossInterval.high > POINTS_TOLERANCE
      ? `with ${level} confidence the loss is at most ${amount(lossInterval.high, unit)}, within ${budget}`
      : `with ${level} confidence there is no loss, within ${budget}`;
  } else if (lossInterval.low > thresholdPoints + POINTS_TOLERANCE) {
    outcome = 'exceeds';
    evidence = `with ${level} confidence the loss is at least ${amount(lossInterval.low, unit)}, which exceeds ${budget}`;
  } else {
    outcome = 'inconclusive';
    evidence = `the ${level} interval of the loss (${signed(lossInterval.low)} to ${amount(lossInterval.high, unit)}) ` +
      `straddles ${budget}, so more samples are needed to decide`;
  }
  return { outcome, thresholdPoints, sentence: `${opening}; ${evidence}.` };
}

function significanceVerdict(opening: string, loss: number, lossInterval: { low: number; high: number } | undefined,
  level: string, unit: string, thresholdPoints: number, options: VerdictOptions): Verdict {
  const alpha = options.alpha ?? 0.05;
  let significantLoss: boolean;
  let evidence: string;
  if (options.pValue !== undefined && Number.isFinite(options.pValue)) {
    significantLoss = options.pValue < alpha && loss > POINTS_TOLERANCE;
    evidence = `p = ${formatP(options.pValue)}`;
  } else if (lossInterval && Number.isFinite(lossInterval.low) && Number.isFinite(lossInterval.high)) {
    significantLoss = lossInterval.low > POINTS_TOLERANCE;
    evidence = `${level} interval of the loss ${signed(lossInterval.low)} to ${amount(lossInterval.high, unit)}`;
  } else {
    return { outcome: 'inconclusive', thresholdPoints,
      sentence: `${opening}; a significance test needs a confidence interval or a p-value, which needs per-sample results.` };
  }
  return significantLoss
    ? { outcome: 'exceeds', thresholdPoints, sentence: `${opening}, a statistically significant loss (${evidence}).` }
    : { outcome: 'within', thresholdPoints, sentence: `${opening}, with no statistically significant loss (${evidence}).` };
}

function describeChange(delta: MetricDelta, metricName: string, size: number, unit: string): string {
  if (size < POINTS_TOLERANCE) return `keeps the same ${metricName}`;
  const change = unit === '%' ? `${size.toFixed(2)}%` : amount(size, unit);
  const quantizedIsHigher = delta.quantized > delta.float;
  if (delta.higherIsBetter) {
    const of = unit === '%' ? `of its ${metricName}` : `of ${metricName}`;
    return quantizedIsHigher ? `gains ${change} ${of}` : `loses ${change} ${of}`;
  }
  return quantizedIsHigher ? `raises ${metricName} by ${change}` : `lowers ${metricName} by ${change}`;
}

function scaled(interval: { low: number; high: number } | undefined, factor: number): { low: number; high: number } | undefined {
  return interval && { low: interval.low * factor, high: interval.high * factor };
}

function amount(value: number, unit: string): string {
  return `${value.toFixed(2)}${unit}`;
}

function signed(value: number): string {
  return value < 0 ? `−${(-value).toFixed(2)}` : value.toFixed(2);
}

function formatValue(value: number, percent: boolean): string {
  return percent ? `${(value * 100).toFixed(2)}%` : value.toFixed(2);
}

function formatP(pValue: number): string {
  return pValue < 0.001 ? pValue.toExponential(1) : pValue.toFixed(3);
}

// "1.0-point", "0.5-point", "0.25-point": one decimal unless the user gave more.
function formatBudget(points: number): string {
  const oneDecimal = points.toFixed(1);
  return Number(oneDecimal) === points ? oneDecimal : String(points);
}

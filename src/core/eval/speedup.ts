/**
 * Speed-up of the quantized model: float latency ÷ quantized latency, per statistic (above 1 = the
 * quantized model is faster). Latencies are per inference at batch 1, each model on its own provider.
 */
import type { LatencySummary } from '../metrics/types.ts';

export interface SpeedUp {
  /** Float median ÷ quantized median; null when either is missing or zero. */
  median: number | null;
  /** Float p95 ÷ quantized p95; null likewise. */
  p95: number | null;
}

const ratio = (float: number, quantized: number) => (Number.isFinite(float) && Number.isFinite(quantized) && float > 0 && quantized > 0 ? float / quantized : null);

export function speedUp(latency: { float: LatencySummary; quantized: LatencySummary }): SpeedUp {
  return { median: ratio(latency.float.medianMs, latency.quantized.medianMs), p95: ratio(latency.float.p95Ms, latency.quantized.p95Ms) };
}

/** "2.31× faster", "0.42× (slower)", "1.00× (same)", "n/a". */
export function formatSpeedUp(value: number | null): string {
  if (value === null) return 'n/a';
  const shown = value.toFixed(2);
  if (shown === '1.00') return '1.00× (same)';
  return value > 1 ? `${shown}× faster` : `${shown}× (slower)`;
}

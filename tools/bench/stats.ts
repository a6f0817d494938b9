/** Median and spread of repeated measurements. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
  values: number[];
}

export function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length === 0 ? NaN : sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0] ?? NaN, max: sorted[sorted.length - 1] ?? NaN, n: values.length, values };
}

/** `12.3 (11.9-13.0)` */
export function show(s: Spread | null | undefined, digits = 1): string {
  if (!s || !Number.isFinite(s.median)) return 'n/a';
  const f = (v: number) => v.toFixed(digits);
  return s.n > 1 ? `${f(s.median)} (${f(s.min)}-${f(s.max)})` : f(s.median);
}

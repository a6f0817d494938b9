/** The run's summary for the log, and the files it writes: the app's result JSON, HTML report and per-sample CSV. */
import { writeFileSync } from 'node:fs';
import type { DatasetSample } from '../core/data/dataset.ts';
import { QuantLensError } from '../core/errors.ts';
import { perSampleCsv, renderHtmlReport, type ResultDocument } from '../core/report/index.ts';
import type { MetricRow } from '../core/tasks/types.ts';

const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(2)}%` : 'n/a');
const num = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : 'n/a');
const signed = (x: number, digits: number) => `${x > 0 ? '+' : x < 0 ? '-' : '±'}${Math.abs(x).toFixed(digits)}`;

function metricLine(m: MetricRow): string {
  const value = (x: number) => (m.unit === 'proportion' ? pct(x) : num(x));
  const counts = (role: 'float' | 'quantized') => (m.counts ? ` (${m.counts[role]}/${m.counts.of})` : '');
  const change = m.unit === 'proportion' ? `${signed(m.delta.absolutePoints, 2)} pt` : signed(m.delta.absolutePoints, 4);
  return `  ${m.name.padEnd(22)} float ${value(m.delta.float)}${counts('float')}  quantized ${value(m.delta.quantized)}${counts('quantized')}  Δ ${change}`;
}

/** What the log shows after the run: metrics, interval, agreement, checksums, latencies, skipped samples. */
export function summaryLines(doc: ResultDocument, samples: readonly DatasetSample[]): string[] {
  const lines = [`${doc.status === 'complete' ? 'evaluated' : doc.status === 'settled' ? 'settled early after' : 'interrupted after'} ${doc.sampleCount} samples in ${(doc.durationMs / 1000).toFixed(1)} s`];
  lines.push(...doc.metrics.map(metricLine));
  const u = doc.uncertainty;
  if (u) lines.push(`  Δ ${Math.round(u.confidence * 100)}% interval [${signed(u.intervalPoints.low, 2)}, ${signed(u.intervalPoints.high, 2)}] pt (paired bootstrap, ${u.resamples} resamples, seed ${u.seed}); McNemar p = ${u.mcnemarPValue.toPrecision(3)}`);
  for (const a of doc.agreement) lines.push(`  ${a.name}: ${a.unit === 'proportion' ? pct(a.value) : num(a.value)}`);
  const flips = doc.classification?.agreement;
  if (flips) lines.push(`  flips: ${flips.correctToWrong} correct → wrong, ${flips.wrongToCorrect} wrong → correct, ${flips.wrongToOtherWrong} wrong in both, differently`);
  const { float, quantized } = doc.models;
  if (float.predictionsChecksum) lines.push(`  predictions checksums: float ${float.predictionsChecksum}, quantized ${quantized.predictionsChecksum ?? ''}`);
  lines.push(`  median latency: float ${float.latency.medianMs.toFixed(3)} ms, quantized ${quantized.latency.medianMs.toFixed(3)} ms`);
  if (doc.skipped.length) {
    const names = new Map(samples.map((s) => [s.index, s.name]));
    lines.push(`  skipped ${doc.skipped.length} sample${doc.skipped.length === 1 ? '' : 's'} (not decodable): ${doc.skipped.slice(0, 3).map((s) => `${names.get(s.index) ?? s.name}: ${s.reason}`).join('; ')}${doc.skipped.length > 3 ? '; …' : ''}`);
  }
  return lines;
}

/** Writes the files asked for; returns one "wrote ..." line per file. */
export function writeOutputs(doc: ResultDocument, outputs: { report?: string; json?: string; csv?: string }, samples: readonly DatasetSample[]): string[] {
  const written: string[] = [];
  const write = (path: string | undefined, what: string, text: () => string) => {
    if (!path) return;
    try {
      writeFileSync(path, text());
    } catch (error) {
      throw new QuantLensError('invalid-input', `The ${what} could not be written to '${path}': ${error instanceof Error ? error.message : String(error)}.`, 'Check that the folder exists and is writable.', { cause: error });
    }
    written.push(`wrote ${what.padEnd(12)} ${path}`);
  };
  write(outputs.json, 'result JSON', () => `${JSON.stringify(doc, null, 2)}\n`);
  write(outputs.report, 'HTML report', () => renderHtmlReport(doc));
  write(outputs.csv, 'per-sample CSV', () => perSampleCsv(doc, new Map(samples.map((s) => [s.index, s.name]))));
  return written;
}

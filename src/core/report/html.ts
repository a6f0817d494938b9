/**
 * The self-contained HTML report: opens from a file with no network and no script. Every string
 * that came from a user (file names, class names, dataset names) goes through escapeHtml.
 */
import type { MetricRow } from '../tasks/types.ts';
import type { ResultDocument, ModelRole } from './document.ts';
import { escapeHtml as e } from './escape.ts';
import { documentVerdict } from './verdict.ts';
import { formatSpeedUp, speedUp } from '../eval/speedup.ts';

/** A chart rendered by the host (e.g. Observable Plot's SVG), embedded as is. */
export interface ReportFigure {
  caption: string;
  svg: string;
}

const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(2)}%` : 'n/a');
const num = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : 'n/a');
const pts = (x: number) => `${x > 0 ? '+' : x < 0 ? '−' : '±'}${Math.abs(x).toFixed(2)} pt`;
const rel = (x: number) => (Number.isFinite(x) ? `${x > 0 ? '+' : x < 0 ? '−' : '±'}${Math.abs(x * 100).toFixed(2)}%` : 'n/a');
const ms = (x: number) => `${x.toFixed(3)} ms`;
const value = (m: MetricRow, x: number) => (m.unit === 'proportion' ? pct(x) : num(x));
const change = (m: MetricRow) => (m.unit === 'proportion' ? pts(m.delta.absolutePoints) : `${m.delta.absolutePoints >= 0 ? '+' : '−'}${Math.abs(m.delta.absolutePoints).toFixed(4)}`);
const ROLES: ModelRole[] = ['float', 'quantized'];

export function renderHtmlReport(doc: ResultDocument, figures: readonly ReportFigure[] = []): string {
  const v = documentVerdict(doc, doc.verdictSettings);
  const u = doc.uncertainty;
  const names = doc.dataset.classNames;
  const counts = (m: MetricRow, role: ModelRole) => (m.counts ? ` (${m.counts[role]}/${m.counts.of})` : '');
  const flips = doc.classification?.agreement;
  const perClass = doc.perClass;
  const speed = speedUp({ float: doc.models.float.latency, quantized: doc.models.quantized.latency });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>QuantLens report: ${e(doc.models.quantized.name)} vs ${e(doc.models.float.name)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem;color:#1b1f24;line-height:1.45}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #d0d7de}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}.verdict{border-radius:8px;padding:.75rem 1rem;font-size:1.1rem}
.within{background:#e6f4ea;border:2px solid #1a7f37}.exceeds{background:#fdecea;border:2px solid #c62828}.inconclusive{background:#fff8e1;border:2px solid #9a6700}
.muted{color:#57606a}figure{margin:0 0 1rem}svg{max-width:100%;height:auto}code{overflow-wrap:anywhere}
</style></head><body>
<h1>QuantLens report</h1>
<p class="muted">${e(doc.createdAt)} · ${e(doc.task)} · ${doc.status === 'cancelled' ? 'cancelled run (partial results)' : 'complete run'} · ${doc.sampleCount} samples of “${e(doc.dataset.name)}”</p>
<div class="verdict ${v.outcome}"><strong>${v.outcome === 'within' ? 'Within budget' : v.outcome === 'exceeds' ? 'Exceeds budget' : 'Inconclusive'}.</strong> ${e(v.sentence)}</div>
${u ? `<p>Δ ${e(doc.metrics[0].name)} ${pts(doc.metrics[0].delta.absolutePoints)}, ${Math.round(u.confidence * 100)}% interval [${pts(u.intervalPoints.low)}, ${pts(u.intervalPoints.high)}] (paired bootstrap, ${u.resamples} resamples, seed ${u.seed}); McNemar exact p = ${u.mcnemarPValue.toPrecision(3)}.</p>` : ''}
<h2>Metrics</h2>
<table><thead><tr><th>Metric</th><th class="n">Float</th><th class="n">Quantized</th><th class="n">Δ</th><th class="n">Δ relative</th></tr></thead><tbody>
${doc.metrics.map((m) => `<tr><th>${e(m.name)}</th><td class="n">${value(m, m.delta.float)}${counts(m, 'float')}</td><td class="n">${value(m, m.delta.quantized)}${counts(m, 'quantized')}</td><td class="n">${change(m)}</td><td class="n">${rel(m.delta.relative)}</td></tr>`).join('\n')}
</tbody></table>
<h2>Agreement between the two models</h2>
<ul>
${doc.agreement.map((a) => `<li>${e(a.name)}: <strong>${a.unit === 'proportion' ? pct(a.value) : num(a.value)}</strong>. ${e(a.detail)}</li>`).join('\n')}
${flips ? `<li>${flips.correctToWrong} flipped correct → wrong, ${flips.wrongToCorrect} wrong → correct, ${flips.wrongToOtherWrong} wrong in both with different answers.</li>` : ''}
</ul>
${figures.map((f) => `<figure>${f.svg}<figcaption>${e(f.caption)}</figcaption></figure>`).join('\n')}
${perClass ? `<h2>Per class: ${e(perClass.metricName)} (worst Δ first)</h2>
<table><thead><tr><th>Class</th><th class="n">Support</th><th class="n">Float</th><th class="n">Quantized</th><th class="n">Δ points</th></tr></thead><tbody>
${[...perClass.rows].sort((a, b) => a.quantized - a.float - (b.quantized - b.float)).map((r) => `<tr><th>${e(names[r.classIndex] ?? r.classIndex)}</th><td class="n">${r.support}</td><td class="n">${pct(r.float)}</td><td class="n">${pct(r.quantized)}</td><td class="n">${pts((r.quantized - r.float) * 100)}</td></tr>`).join('\n')}
</tbody></table>` : ''}
<h2>Where each model ran</h2>
<table><thead><tr><th>Model</th><th>Execution provider</th><th class="n">Median</th><th class="n">p95</th></tr></thead><tbody>
${ROLES.map((role) => {
    const m = doc.models[role];
    const fallback = m.provider.fallbackReason ? `<br><span class="muted">fell back: ${e(m.provider.fallbackReason)}</span>` : '';
    return `<tr><th>${role === 'float' ? 'Float' : 'Quantized'}<br><span class="muted">${e(m.name)}</span></th><td>${e(m.provider.label)}${fallback}</td><td class="n">${ms(m.latency.medianMs)}</td><td class="n">${ms(m.latency.p95Ms)}</td></tr>`;
  }).join('\n')}
<tr><th>Speed-up of the quantized model</th><td class="muted">float ÷ quantized latency</td><td class="n">${formatSpeedUp(speed.median)}</td><td class="n">${formatSpeedUp(speed.p95)}</td></tr>
</tbody></table>
<h2>Run details</h2>
<ul>
<li>Dataset: ${e(doc.dataset.name)} (${doc.dataset.sampleCount} samples, ${names.length} classes)${doc.dataset.fingerprint ? `, fingerprint <code>${e(doc.dataset.fingerprint)}</code>` : ''}</li>
<li>Preprocessing: <code>${e(JSON.stringify(doc.preprocess.spec))}</code>${doc.preprocess.fingerprint ? `, fingerprint <code>${e(doc.preprocess.fingerprint)}</code>` : ''}</li>
${doc.models.float.predictionsChecksum ? `<li>Predictions checksums: float <code>${e(doc.models.float.predictionsChecksum)}</code>, quantized <code>${e(doc.models.quantized.predictionsChecksum ?? '')}</code></li>` : ''}
<li>Skipped samples: ${doc.skipped.length}${doc.skipped.length ? ` (${doc.skipped.slice(0, 20).map((s) => `${e(s.name)}: ${e(s.reason)}`).join('; ')}${doc.skipped.length > 20 ? '; …' : ''})` : ''}</li>
<li>Environment: ${e(doc.environment.host)}${doc.environment.userAgent ? `, ${e(doc.environment.userAgent)}` : ''}</li>
</ul>
<p class="muted">Made by QuantLens. Everything was computed on the device named above; this file needs no network.</p>
</body></html>
`;
}

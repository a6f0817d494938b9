/** Results people keep and share: the versioned JSON document, the per-sample CSV, the HTML report. */
export * from './document.ts';
export { parseResultDocument, validateResultDocument } from './parse.ts';
export { perSampleCsv } from './csv.ts';
export { renderHtmlReport, type ReportFigure } from './html.ts';
export { escapeHtml, csvField } from './escape.ts';
export { documentVerdict, isValidVerdictSettings, DEFAULT_VERDICT, type VerdictSettings } from './verdict.ts';

import { QuantLensError } from '../errors.ts';
import { RESULT_SCHEMA, RESULT_VERSION, type ResultDocument } from './document.ts';

const HINT = 'Pick a .json file exported by QuantLens ("Download result JSON").';

/** Reads a result document back (from a file or storage), checking what the viewer relies on. */
export function parseResultDocument(text: string): ResultDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new QuantLensError('invalid-input', `This file is not JSON: ${error instanceof Error ? error.message : String(error)}`, HINT, { cause: error });
  }
  return validateResultDocument(value);
}

export function validateResultDocument(value: unknown): ResultDocument {
  const doc = value as Partial<ResultDocument> | null;
  if (!doc || typeof doc !== 'object' || doc.schema !== RESULT_SCHEMA) {
    throw new QuantLensError('invalid-input', 'This JSON is not a QuantLens result (no "schema": "quantlens-result").', HINT);
  }
  if (doc.version !== RESULT_VERSION) {
    throw new QuantLensError('invalid-input', `This result was written in format version ${(JSON.stringify(doc.version) ?? 'undefined').slice(0, 40)}; this app reads version ${RESULT_VERSION}.`, 'Open it with the QuantLens version that wrote it, or re-run the evaluation.');
  }
  const problems: string[] = [];
  const need = (ok: boolean, what: string) => ok || problems.push(what);
  need(typeof doc.id === 'string', 'id');
  need(typeof doc.createdAt === 'string', 'createdAt');
  need(['classification', 'detection', 'segmentation', 'embedding'].includes(String(doc.task)), 'task');
  need(!!doc.models?.float?.latency && !!doc.models?.quantized?.latency, 'models.float / models.quantized');
  need(Array.isArray(doc.dataset?.classNames) && doc.dataset!.classNames.every((n) => typeof n === 'string'), 'dataset.classNames');
  need(Array.isArray(doc.metrics) && doc.metrics.length > 0 && doc.metrics.every((m) => typeof m?.name === 'string' && typeof m.delta?.float === 'number' && typeof m.delta?.quantized === 'number'), 'metrics');
  need(Array.isArray(doc.agreement), 'agreement');
  const c = doc.classification;
  if (c === null || (c !== undefined && typeof c !== 'object')) need(false, 'classification'); // null crashed below (found by test/unit/fuzz)
  else if (c !== undefined) {
    const samples = c.samples;
    need(!!c.perClass?.float?.confusionMatrix && !!c.perClass?.quantized?.confusionMatrix, 'classification.perClass');
    need(!!samples && [samples.index, samples.label, samples.floatPrediction, samples.quantizedPrediction].every((a) => Array.isArray(a) && a.length === samples.index.length), 'classification.samples');
  }
  need(!!doc.verdictSettings && ['points', 'relative', 'significance'].includes(doc.verdictSettings.mode) && Number.isFinite(doc.verdictSettings.threshold), 'verdictSettings');
  if (problems.length) {
    throw new QuantLensError('invalid-input', `This QuantLens result is incomplete or damaged (missing or wrong: ${problems.join(', ')}).`, HINT);
  }
  return doc as ResultDocument;
}

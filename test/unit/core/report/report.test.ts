import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateInProcess } from '../../../../src/runtime/in-process.ts';
import type { EvaluationResult } from '../../../../src/core/eval/evaluate.ts';
import type { ClassificationOutcome } from '../../../../src/core/tasks/index.ts';
import { parseResultDocument, perSampleCsv, renderHtmlReport, toResultDocument, type ResultDocument } from '../../../../src/core/report/index.ts';
import { QuantLensError } from '../../../../src/core/errors.ts';
import { loadDemo } from '../../../helpers/demo.ts';

const HOSTILE = '<img src=x onerror=alert(1)>';

function documentOf(result: EvaluationResult<ClassificationOutcome>, classNames: string[]): ResultDocument {
  const provider = { requested: 'wasm', actual: 'wasm', label: 'WebAssembly (CPU)', threads: 1 };
  return toResultDocument(result, {
    id: 'run-1',
    createdAt: new Date('2026-11-26T12:00:00Z'),
    status: 'complete',
    environment: { host: 'node' },
    models: { float: { name: `float ${HOSTILE}.onnx`, provider }, quantized: { name: 'q.onnx', provider } },
    dataset: { id: 'd', name: `digits "${HOSTILE}"`, sampleCount: result.sampleCount, classNames },
    preprocess: { spec: loadDemo().manifest.preprocess },
    verdictSettings: { mode: 'points', threshold: 1 },
  });
}

describe('result document, CSV and HTML report', () => {
  const demo = loadDemo();
  let result: EvaluationResult<ClassificationOutcome>;
  beforeAll(async () => {
    const samples = demo.testSet.samples.slice(0, 300);
    result = (await evaluateInProcess({ floatModel: demo.floatModel, quantizedModel: demo.quantizedModel, samples, spec: demo.manifest.preprocess })).result!;
  });

  it('survives a JSON round trip unchanged', () => {
    const doc = documentOf(result, demo.testSet.classNames);
    const back = parseResultDocument(JSON.stringify(doc));
    expect(back).toEqual(doc);
    expect(back.classification!.samples.floatPrediction).toHaveLength(300);
    expect(back.metrics[0].counts!.float).toBe(result.task.float.classification.top1Correct);
  });

  it('rejects what is not a result, saying what is wrong', () => {
    expect(() => parseResultDocument('{not json')).toThrow(/not JSON/);
    expect(() => parseResultDocument('{"a":1}')).toThrow(/not a QuantLens result/);
    const doc = documentOf(result, demo.testSet.classNames);
    expect(() => parseResultDocument(JSON.stringify({ ...doc, version: 99 }))).toThrow(/format version 99/);
    const damaged = { ...doc, classification: { ...doc.classification!, samples: { ...doc.classification!.samples, label: [1] } } };
    try {
      parseResultDocument(JSON.stringify(damaged));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(QuantLensError);
      expect((error as Error).message).toMatch(/missing or wrong: classification\.samples/);
    }
  });

  it('writes one CSV row per sample, with outcomes that add up to the agreement counts', () => {
    const doc = documentOf(result, demo.testSet.classNames);
    const rows = perSampleCsv(doc).trim().split('\r\n');
    expect(rows).toHaveLength(301);
    expect(rows[0]).toBe('sample_index,sample_name,label,float_prediction,quantized_prediction,float_correct,quantized_correct,outcome');
    expect(rows.filter((r) => r.endsWith(',correct to wrong'))).toHaveLength(doc.classification!.agreement.correctToWrong);
    expect(rows.filter((r) => r.endsWith(',wrong to correct'))).toHaveLength(doc.classification!.agreement.wrongToCorrect);
  });

  it('CSV quotes and defuses user strings', () => {
    const doc = documentOf(result, ['=HYPERLINK("x")', 'a,b', ...demo.testSet.classNames.slice(2)]);
    const csv = perSampleCsv(doc);
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
    expect(csv).toContain('"a,b"');
  });

  it('the HTML report is self-contained, has no script, and shows hostile strings as text', () => {
    const names = [HOSTILE, ...demo.testSet.classNames.slice(1)];
    const html = renderHtmlReport(documentOf(result, names));
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain(HOSTILE);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/(src|href)=["']?https?:/i);
    expect(html).toMatch(/Within budget|Exceeds budget/);
  });
});

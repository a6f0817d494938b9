import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseCsv } from '../../../../../src/core/data/formats/csv.ts';
import { parseManifest } from '../../../../../src/core/data/formats/manifest.ts';
import { quantLensError } from './helpers.ts';

describe('CSV (RFC 4180)', () => {
  it('splits quoted fields with commas, doubled quotes and line breaks, and reports start lines', () => {
    const text = 'a,b,c\r\n"x, y","say ""hi""",3\r\n\r\n"multi\nline",,\nlast,"",z';
    expect([...parseCsv(text, 'm.csv')]).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['x, y', 'say "hi"', '3'] },
      { line: 4, fields: ['multi\nline', '', ''] },
      { line: 6, fields: ['last', '', 'z'] },
    ]);
  });

  it('an unterminated quote or text after a closing quote names the line', async () => {
    expect((await quantLensError(() => [...parseCsv('file,label\na.png,cat\n"b.png,dog\nc.png,cat', 'm.csv')])).message).toBe('m.csv: line 3: a quoted field is never closed (missing `"`).');
    expect((await quantLensError(() => [...parseCsv('file,label\n"a.png"x,cat', 'm.csv')])).message).toMatch(/^m.csv: line 2: unexpected text after a closing quote/);
  });
});

describe('CSV manifests', () => {
  const csv = ['file,label,tags,lighting', 'cat/1.png,cat,indoor;blur=2,night', './dog/1.png,dog,,day', 'cat/2.png,,,', 'dog\\2.png,dog,,'].join('\n');

  it('reads files, labels, a tags column and extra columns as tags', () => {
    const plan = parseManifest(csv, 'set.csv');
    expect(plan.classNames).toEqual(['cat', 'dog']);
    expect(plan.rows).toEqual([
      { line: 2, file: 'cat/1.png', label: 0, tags: { indoor: 'true', blur: '2', lighting: 'night' } },
      { line: 3, file: 'dog/1.png', label: 1, tags: { lighting: 'day' } },
      { line: 4, file: 'cat/2.png', label: null },
      { line: 5, file: 'dog/2.png', label: 1 },
    ]);
    expect(plan.issues).toEqual([]);
  });

  it('reports unknown labels, missing files, duplicates and unsafe paths per line, never fatally', () => {
    const text = 'File,Class\na.png,cat\nb.png,bird\nmissing.png,cat\na.png,dog\n../up.png,cat\n/abs.png,cat\n';
    const plan = parseManifest(new TextEncoder().encode('\uFEFF' + text), 'set.csv', { classNames: ['cat', 'dog'], files: new Set(['a.png', 'b.png', 'up.png']) });
    expect(plan.rows).toEqual([{ line: 2, file: 'a.png', label: 0 }]);
    expect(plan.issues).toEqual([
      { line: 3, file: 'b.png', reason: "unknown label 'bird' (not in the labels file)" },
      { line: 4, file: 'missing.png', reason: 'file not found next to the manifest' },
      { line: 5, file: 'a.png', reason: 'duplicate file (first listed on line 2)' },
      { line: 6, file: '../up.png', reason: "path leaves the manifest's folder ('..')" },
      { line: 7, file: '/abs.png', reason: 'absolute path (give it relative to the manifest)' },
    ]);
  });

  it('a line with the wrong number of fields fails naming it, or is reported when asked to go on', async () => {
    const text = 'file,label\na.png,cat\nb.png,cat,extra\nc.png,dog';
    expect((await quantLensError(() => parseManifest(text, 'm.csv'))).message).toBe('m.csv: line 3: has 3 fields, the header has 2.');
    const plan = parseManifest(text, 'm.csv', { skipMalformedLines: true });
    expect(plan.rows.map((r) => r.file)).toEqual(['a.png', 'c.png']);
    expect(plan.issues).toEqual([{ line: 3, reason: 'has 3 fields, the header has 2' }]);
  });

  it('a header without a file column, an empty file, non-UTF-8 bytes or an unknown extension are clear errors', async () => {
    expect((await quantLensError(() => parseManifest('name,label\na,b', 'm.csv'))).message).toMatch(/line 1: the header has no 'file' column \(found: name, label\)/);
    expect((await quantLensError(() => parseManifest('', 'm.csv'))).code).toBe('dataset-empty');
    expect((await quantLensError(() => parseManifest('file,label\n', 'm.csv'))).code).toBe('dataset-empty');
    expect((await quantLensError(() => parseManifest(new Uint8Array([0x66, 0xff, 0xfe]), 'm.csv'))).message).toMatch(/not UTF-8/);
    expect((await quantLensError(() => parseManifest('file\n', 'm.txt'))).message).toMatch(/must be a .csv or a .jsonl/);
  });
});

describe('JSONL manifests', () => {
  it('reads objects per line: number labels name a class, tags objects and lists, extra fields', () => {
    const text = '{"file":"a.png","label":3,"tags":{"site":"A","night":true}}\r\n\n{"path":"b.png","label":"10","split":"v2"}\n{"image":"c.png","tags":["blurry"]}\n';
    const plan = parseManifest(text, 'set.jsonl');
    expect(plan.classNames).toEqual(['3', '10']);
    expect(plan.rows).toEqual([
      { line: 1, file: 'a.png', label: 0, tags: { site: 'A', night: 'true' } },
      { line: 3, file: 'b.png', label: 1, tags: { split: 'v2' } },
      { line: 4, file: 'c.png', label: null, tags: { blurry: 'true' } },
    ]);
  });

  it('bad JSON on line N fails with that line, or is reported when asked to go on', async () => {
    const text = '{"file":"a.png","label":"cat"}\n{"file":"b.png", label:"cat"}\n[1,2]\n{"label":"cat"}\n{"file":"e.png","label":{"x":1}}\n';
    const error = await quantLensError(() => parseManifest(text, 'set.jsonl'));
    expect(error.message).toMatch(/^set.jsonl: line 2: not valid JSON \(/);
    const plan = parseManifest(text, 'set.jsonl', { skipMalformedLines: true });
    expect(plan.rows.map((r) => r.file)).toEqual(['a.png']);
    expect(plan.issues.map((i) => [i.line, i.reason.replace(/ \(.*/, '')])).toEqual([[2, 'not valid JSON'], [3, 'not a JSON object'], [4, "no 'file' field"], [5, "'label' is not a string or an integer"]]);
  });
});

describe('manifest parsers on random input', () => {
  it('never throw anything but QuantLensError, and stay fast', () => {
    const alphabet = fc.constantFrom('a', ',', '"', '\n', '\r', '{', '}', ':', 'file', 'label', '1', ' ', '\\', '[', ']');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 200 }).map((parts) => parts.join('')), fc.boolean(), fc.boolean(), (text, jsonl, skip) => {
        for (const input of [text, 'file,label\n' + text, '{"file":"x"}\n' + text]) {
          try {
            parseManifest(input, jsonl ? 'm.jsonl' : 'm.csv', { skipMalformedLines: skip, classNames: skip ? ['1'] : undefined });
          } catch (error) {
            expect(error).toMatchObject({ name: 'QuantLensError' });
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});

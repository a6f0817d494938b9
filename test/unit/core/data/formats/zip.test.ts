import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encode } from 'fast-png';
import { openZip, planZipImport, readZipSamples } from '../../../../../src/core/data/formats/zip.ts';
import { streamChunks } from '../../../../../src/core/data/formats/bytes.ts';
import { blobOf, collect, makeZip, quantLensError } from './helpers.ts';

const png = encode({ width: 2, height: 2, data: new Uint8Array([0, 50, 100, 150]), channels: 1, depth: 8 });

describe('zip of labelled folders', () => {
  it('lists files without inflating them and plans root/<class>/<img> like a folder', async () => {
    const zip = await makeZip({ 'pets/dog/1.png': png, 'pets/cat/2.png': png, 'pets/cat/1.png': png, 'pets/readme.txt': 'hi', '__MACOSX/pets/._x': 'junk' });
    const archive = await openZip(blobOf(zip), 'pets.zip');
    expect(archive.files.map((f) => f.path).sort()).toEqual(['pets/cat/1.png', 'pets/cat/2.png', 'pets/dog/1.png', 'pets/readme.txt']);
    const plan = planZipImport(archive);
    expect(plan.name).toBe('pets');
    expect(plan.classNames).toEqual(['cat', 'dog']);
    expect(plan.entries.map((e) => [e.entry.path, e.name, e.label])).toEqual([['pets/cat/1.png', 'cat/1.png', 0], ['pets/cat/2.png', 'cat/2.png', 0], ['pets/dog/1.png', 'dog/1.png', 1]]);
    expect(plan.skipped).toEqual([{ name: 'readme.txt', reason: 'not inside a class subfolder' }]);
    const samples = await collect(readZipSamples(archive, plan));
    expect(samples.map((s) => [s.index, s.name, s.label, s.mime])).toEqual([[0, 'cat/1.png', 0, 'image/png'], [1, 'cat/2.png', 0, 'image/png'], [2, 'dog/1.png', 1, 'image/png']]);
    expect(new Uint8Array(samples[0].bytes)).toEqual(png);
    await archive.close();
  });

  it('takes class folders at the top level, named after the zip, and skips content that is not an image', async () => {
    const zip = await makeZip({ '3/a.png': png, '10/b.png': 'not really a png' }, { level: 0 });
    const archive = await openZip(blobOf(zip), 'C:\\data\\digits.zip');
    const plan = planZipImport(archive);
    expect([plan.name, plan.classNames]).toEqual(['digits', ['3', '10']]);
    const skipped: { name: string; reason: string }[] = [];
    const samples = await collect(readZipSamples(archive, plan, (s) => skipped.push(s)));
    expect(samples.map((s) => s.name)).toEqual(['3/a.png']);
    expect(skipped).toEqual([{ name: '10/b.png', reason: expect.stringMatching(/not a PNG, JPEG/) }]);
  });

  it('skips encrypted entries with a reason and refuses to read them', async () => {
    const zip = await makeZip({ 'd/a/1.png': png }, { password: 'secret' });
    const archive = await openZip(blobOf(zip), 'd.zip');
    expect(archive.files[0].encrypted).toBe(true);
    await expect(quantLensError(() => planZipImport(archive))).resolves.toMatchObject({ code: 'dataset-empty' });
    expect((await quantLensError(() => archive.read('d/a/1.png'))).message).toMatch(/encrypted/);
  });

  it('an empty zip, a missing entry and an entry over the size limit are clear errors', async () => {
    const empty = await openZip(blobOf(await makeZip({})), 'empty.zip');
    expect((await quantLensError(() => planZipImport(empty))).message).toMatch(/empty.zip: the zip holds no readable files/);
    const archive = await openZip(blobOf(await makeZip({ 'a/b/c.png': png })), 'x.zip');
    expect((await quantLensError(() => archive.read('nope.png'))).message).toMatch(/'nope.png' is not in the zip/);
    expect((await quantLensError(() => archive.read('a/b/c.png', 10))).message).toMatch(/unpacks to \d+ bytes, more than the 10 allowed/);
  });
});

describe('damaged zips', () => {
  it('not a zip, or truncated before the central directory: names the file', async () => {
    const zip = await makeZip({ 'a/b/c.png': png });
    for (const bytes of [new TextEncoder().encode('hello, this is not a zip at all'), zip.slice(0, zip.length - 30), new Uint8Array(0)]) {
      const error = await quantLensError(() => openZip(blobOf(bytes), 'broken.zip'));
      expect(error.code).toBe('dataset-invalid');
      expect(error.message).toMatch(/^broken.zip: this is not a readable zip file/);
    }
  });

  it('a flipped byte inside an entry fails its CRC check, read whole or streamed', async () => {
    const content = Uint8Array.from({ length: 5000 }, (_, i) => (i * 31) % 256);
    for (const level of [0, 6]) {
      const zip = await makeZip({ 'a/b/data.bin': content }, { level });
      zip[30 + 'a/b/data.bin'.length + 40] ^= 0xff; // inside the first entry's data
      const archive = await openZip(blobOf(zip), 'flip.zip');
      expect((await quantLensError(() => archive.read('a/b/data.bin'))).message).toMatch(/flip.zip: 'a\/b\/data.bin' could not be unpacked/);
      await quantLensError(() => collect(streamChunks(archive.stream('a/b/data.bin'))));
    }
  });

  it('streams an entry in pieces and can stop early', async () => {
    const content = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7) % 251);
    const archive = await openZip(blobOf(await makeZip({ 'big.bin': content })), 'big.zip');
    let total = 0;
    for await (const chunk of streamChunks(archive.stream('big.bin'))) {
      total += chunk.length;
      if (total > 1000) break;
    }
    expect(total).toBeGreaterThan(1000);
    const whole = await collect(streamChunks(archive.stream('big.bin')));
    expect(whole.reduce((n, c) => n + c.length, 0)).toBe(content.length);
  });

  it('random bytes and mangled zips never throw anything but QuantLensError', async () => {
    const zip = await makeZip({ 'r/a/1.png': png, 'r/b/2.png': png });
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.tuple(fc.nat(zip.length - 1), fc.integer({ min: 1, max: 255 })).map(([at, x]) => {
        const copy = zip.slice();
        copy[at] ^= x;
        return copy;
      })), async (bytes) => {
        try {
          const archive = await openZip(blobOf(bytes), 'fuzz.zip');
          for (const file of archive.files) await archive.read(file.path, 1 << 20);
        } catch (error) {
          expect(error).toMatchObject({ name: 'QuantLensError' });
        }
      }),
      { numRuns: 150 },
    );
  });
});

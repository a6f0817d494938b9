import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseCocoJson, readCoco } from '../../../../../src/core/data/formats/coco.ts';
import { quantLensError } from './helpers.ts';

// Sparse category ids (as in COCO's 1..90) map to contiguous class indices in id order.
const coco = {
  images: [
    { id: 42, file_name: 'a.jpg', width: 640, height: 480 },
    { id: 7, file_name: 'b.jpg', width: 100, height: 50 },
  ],
  categories: [
    { id: 18, name: 'dog' },
    { id: 1, name: 'person' },
    { id: 90, name: 'toothbrush' },
  ],
  annotations: [
    { id: 1, image_id: 42, category_id: 18, bbox: [10, 20, 30.5, 40], area: 1000, iscrowd: 0 },
    { id: 2, image_id: 42, category_id: 1, bbox: [0, 0, 640, 480], iscrowd: 1 },
    { id: 3, image_id: 7, category_id: 90, bbox: [1, 2, 3, 4] },
  ],
};

describe('COCO detection JSON', () => {
  it('maps sparse category ids to class indices and groups boxes per image', () => {
    const dataset = parseCocoJson(JSON.stringify(coco), 'instances.json');
    expect(dataset.classNames).toEqual(['person', 'dog', 'toothbrush']);
    expect(dataset.categoryIds).toEqual([1, 18, 90]);
    expect(dataset.issues).toEqual([]);
    const [a, b] = dataset.images;
    expect([a.imageId, a.fileName, a.width, a.height]).toEqual([42, 'a.jpg', 640, 480]);
    expect(Array.from(a.boxes)).toEqual([10, 20, 30.5, 40, 0, 0, 640, 480]);
    expect(Array.from(a.classes)).toEqual([1, 0]);
    expect(Array.from(a.crowd)).toEqual([0, 1]);
    expect(Array.from(a.areas)).toEqual([1000, 640 * 480]);
    expect([b.imageId, Array.from(b.classes), Array.from(b.areas)]).toEqual([7, [2], [12]]);
  });

  it('leaves out malformed items with a report naming each, and keeps the rest', () => {
    const broken = {
      images: [...coco.images, { id: 7, file_name: 'dup.jpg', width: 1, height: 1 }, { id: 8, file_name: 'c.jpg', width: 0, height: 5 }, 'junk'],
      categories: [...coco.categories, { id: 18, name: 'again' }, { id: 3 }],
      annotations: [
        ...coco.annotations,
        { id: 10, image_id: 999, category_id: 1, bbox: [0, 0, 1, 1] },
        { id: 11, image_id: 42, category_id: 2, bbox: [0, 0, 1, 1] },
        { id: 12, image_id: 42, category_id: 1, bbox: [0, 0, 1] },
        { id: 13, image_id: 42, category_id: 1, bbox: [0, 0, -1, 5] },
        { id: 14, image_id: 7, category_id: 1, bbox: [0.1, 0.2, 0.3, 0.4], iscrowd: 2 },
        { id: 15, image_id: 7, category_id: 1, bbox: [200, 0, 10, 10] },
        { id: 16, image_id: 7, category_id: 1, bbox: [0, 0, 1, 1], area: 'big' },
        null,
      ],
    };
    const dataset = readCoco(broken, 'x.json');
    expect(dataset.images.map((i) => i.boxes.length / 4)).toEqual([2, 1]);
    expect(dataset.issues).toEqual([
      { where: 'categories[3] (id 18)', reason: 'duplicate category id' },
      { where: 'categories[4] (id 3)', reason: 'no "name"' },
      { where: 'images[2] (id 7)', reason: 'duplicate image id' },
      { where: 'images[3] (id 8)', reason: '"width" and "height" must be positive numbers' },
      { where: 'images[4]', reason: 'no integer "id"' },
      { where: 'annotations[3] (id 10)', reason: 'image_id 999 is not a (usable) image' },
      { where: 'annotations[4] (id 11)', reason: 'category_id 2 is not a (usable) category' },
      { where: 'annotations[5] (id 12)', reason: '"bbox" must be [x, y, width, height] (4 numbers)' },
      { where: 'annotations[6] (id 13)', reason: 'negative box size (-1 x 5)' },
      { where: 'annotations[7] (id 14)', reason: '"iscrowd" must be 0 or 1' },
      { where: 'annotations[8] (id 15)', reason: 'box [200, 0, 10, 10] lies outside the 100 x 50 image (are the coordinates normalised?)' },
      { where: 'annotations[9] (id 16)', reason: '"area" must be a number >= 0' },
      { where: 'annotations[10]', reason: 'not an object' },
    ]);
    expect(dataset.issueCount).toBe(13);
  });

  it('a file that is not COCO, not JSON, or has no usable category fails with the file name', async () => {
    expect((await quantLensError(() => parseCocoJson('{"images": [1,', 'i.json'))).message).toMatch(/^i.json: not valid JSON \(/);
    expect((await quantLensError(() => parseCocoJson('[1, 2]', 'i.json'))).message).toBe('i.json: this is not COCO detection JSON (no "images" and "categories" lists).');
    expect((await quantLensError(() => readCoco({ images: [], categories: [{ id: 'x' }] }, 'i.json'))).code).toBe('dataset-empty');
    expect((await quantLensError(() => readCoco({ images: [], categories: [{ id: 1, name: 'a' }], annotations: {} }, 'i.json'))).message).toMatch(/"annotations" is not a list/);
  });

  it('random JSON never throws anything but QuantLensError', () => {
    fc.assert(
      fc.property(fc.record({ images: fc.array(fc.anything(), { maxLength: 5 }), categories: fc.array(fc.oneof(fc.anything(), fc.record({ id: fc.integer(), name: fc.string() })), { maxLength: 5 }), annotations: fc.anything() }), (value) => {
        try {
          readCoco(value, 'fuzz.json');
        } catch (error) {
          expect(error).toMatchObject({ name: 'QuantLensError' });
        }
      }),
      { numRuns: 300 },
    );
  });
});

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encode } from 'fast-png';
import { checkMask, decodeMask, fileStem, pairMasksByStem } from '../../../../../src/core/data/formats/masks.ts';
import { expected, fixture, quantLensError } from './helpers.ts';

describe('segmentation masks', () => {
  it('reads a 2-bit palette PNG (Pillow) as palette indices, not colours', () => {
    const mask = decodeMask(fixture('mask_palette.png'), 'mask_palette.png');
    expect([mask.width, mask.height]).toEqual([5, 3]);
    expect(Array.from(mask.data)).toEqual(expected.masks.palette);
  });

  it('reads an 8-bit grayscale PNG (Pillow) with 255 kept as the ignore index', () => {
    const mask = decodeMask(fixture('mask_gray.png'), 'mask_gray.png');
    expect(Array.from(mask.data)).toEqual(expected.masks.gray);
    expect(checkMask(mask, 3)).toEqual([]);
    expect(checkMask(mask, 2, { width: 3, height: 3 })).toEqual(['the mask is 3 x 2 but its image is 3 x 3', 'class indices 2 are not below the 2 classes (use 255 for "ignore")']);
  });

  it('reads 16-bit and gray+alpha masks, and 4-bit grayscale', () => {
    const deep = encode({ width: 2, height: 1, data: new Uint16Array([3, 255]), channels: 1, depth: 16 });
    expect(Array.from(decodeMask(deep, 'd.png').data)).toEqual([3, 255]);
    const withAlpha = encode({ width: 2, height: 1, data: new Uint8Array([4, 255, 5, 0]), channels: 2, depth: 8 });
    expect(Array.from(decodeMask(withAlpha, 'a.png').data)).toEqual([4, 5]);
    const nibbles = encode({ width: 3, height: 2, data: new Uint8Array([0x12, 0x30, 0xf0, 0x00]), channels: 1, depth: 4 });
    expect(Array.from(decodeMask(nibbles, 'n.png').data)).toEqual([1, 2, 3, 15, 0, 0]);
  });

  it('refuses colour masks, class indices above 255, non-PNG and damaged PNG files', async () => {
    const rgb = encode({ width: 1, height: 1, data: new Uint8Array([1, 2, 3]), channels: 3, depth: 8 });
    expect((await quantLensError(() => decodeMask(rgb, 'rgb.png'))).message).toBe('rgb.png: the mask is a colour (RGB) image.');
    const big = encode({ width: 2, height: 1, data: new Uint16Array([1, 300]), channels: 1, depth: 16 });
    expect((await quantLensError(() => decodeMask(big, 'big.png'))).message).toMatch(/16-bit mask value 300 at pixel \(1, 0\)/);
    expect((await quantLensError(() => decodeMask(new Uint8Array([0xff, 0xd8, 0xff]), 'm.jpg'))).message).toBe('m.jpg: a mask must be a PNG image.');
    const huge = fixture('mask_gray.png');
    huge[16] = 0x7f;
    expect((await quantLensError(() => decodeMask(huge, 'huge.png'))).message).toMatch(/claims 2130706435 x 2 pixels/);
    const cut = fixture('mask_gray.png').slice(0, 40);
    expect((await quantLensError(() => decodeMask(cut, 'cut.png'))).message).toMatch(/^cut.png: the PNG could not be decoded/);
  });

  it('pairs images with masks by file stem and reports the rest', () => {
    expect(fileStem('a/b/0001.label.png')).toBe('0001.label');
    expect(fileStem('.hidden')).toBe('.hidden');
    const pairing = pairMasksByStem(['img/1.jpg', 'img/2.jpg', 'img/3.jpg', 'other/3.png', 'img/4.jpg'], ['masks/1.png', 'masks/2.png', 'masks/3.png', 'masks/9.png', 'masks/4.png', 'masks/x/4.png']);
    expect(pairing).toEqual({
      pairs: [{ image: 'img/1.jpg', mask: 'masks/1.png' }, { image: 'img/2.jpg', mask: 'masks/2.png' }],
      unpairedImages: [],
      unpairedMasks: ['masks/9.png'],
      ambiguous: [{ stem: '3', paths: ['img/3.jpg', 'other/3.png', 'masks/3.png'] }, { stem: '4', paths: ['img/4.jpg', 'masks/4.png', 'masks/x/4.png'] }],
    });
  });

  it('random bytes after a PNG signature never throw anything but QuantLensError', () => {
    const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
    const good = fixture('mask_palette.png');
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 120 }).map((b) => Uint8Array.from([...signature, ...b])), fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 1, max: 255 })).map(([at, x]) => {
        const copy = good.slice();
        copy[at] ^= x;
        return copy;
      })), (bytes) => {
        try {
          decodeMask(bytes, 'fuzz.png');
        } catch (error) {
          expect(error).toMatchObject({ name: 'QuantLensError' });
        }
      }),
      { numRuns: 500 },
    );
  });
});

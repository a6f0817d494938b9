#!/usr/bin/python3
"""Small committed images for the resize golden values and the EXIF orientation test.

Run from the repository root with Debian's Python (numpy 1.24, Pillow 9.4):

    /usr/bin/python3 tools/golden/make_image_fixtures.py

It (re)writes test/fixtures/images/. Deterministic (fixed seed): a re-run gives identical files.
- scene-40x30.png: RGB, smooth gradients, a diagonal edge, a 1-pixel checkerboard and noise: what
  aliases when shrunk without a filter.
- stripes-33x47.png: RGB portrait, odd sizes, thin coloured stripes.
- exif-orientation-{1,6}.jpg: the same 40x40 stored pixels (dark, one bright 12x12 block in the
  stored top-left corner); the second says EXIF orientation 6 ("rotate 90° clockwise to view"), so
  a decoder that honours it shows the block in the top-RIGHT corner.
Then run tools/golden/make_golden.py, which reads the PNGs.
"""
from pathlib import Path

import numpy as np
from PIL import Image

OUT_DIR = Path(__file__).resolve().parents[2] / 'test' / 'fixtures' / 'images'
ORIENTATION_TAG = 0x0112


def scene(rng):
    h, w = 30, 40
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    red = 255 * x / (w - 1)
    green = 255 * (0.5 + 0.5 * np.sin(y / 3.0))
    blue = np.where(x * 0.6 + y > 24, 220.0, 35.0)
    checker = ((x.astype(int) + y.astype(int)) % 2) * 255.0
    region = (x >= 26) & (y >= 14)
    red, green = np.where(region, checker, red), np.where(region, 255 - checker, green)
    rgb = np.stack([red, green, blue], axis=-1) + rng.normal(0, 6, size=(h, w, 3))
    return np.clip(np.round(rgb), 0, 255).astype(np.uint8)


def stripes(rng):
    h, w = 47, 33
    x = np.arange(w)
    rgb = np.zeros((h, w, 3))
    rgb[:, :, 0] = np.where(x % 3 == 0, 250, 10)[None, :]
    rgb[:, :, 1] = np.where(np.arange(h) % 4 < 2, 200, 40)[:, None]
    rgb[:, :, 2] = rng.integers(0, 256, size=(h, w))
    return rgb.astype(np.uint8)


def exif_block():
    pixels = np.full((40, 40, 3), 30, np.uint8)
    pixels[:12, :12] = 240
    return Image.fromarray(pixels, 'RGB')


def main():
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20240604)
    Image.fromarray(scene(rng), 'RGB').save(OUT_DIR / 'scene-40x30.png', optimize=False)
    Image.fromarray(stripes(rng), 'RGB').save(OUT_DIR / 'stripes-33x47.png', optimize=False)
    for orientation in (1, 6):
        exif = Image.Exif()
        exif[ORIENTATION_TAG] = orientation
        exif_block().save(OUT_DIR / f'exif-orientation-{orientation}.jpg', quality=95, exif=exif.tobytes())
    for path in sorted(OUT_DIR.iterdir()):
        print(f'wrote {path.relative_to(OUT_DIR.parents[2])} ({path.stat().st_size} bytes)')


if __name__ == '__main__':
    main()

#!/usr/bin/python3
"""Tiny dataset files written by the reference tools, and the hashes the TypeScript must reproduce.

Run from the repository root with Debian's Python (numpy 1.24, Pillow):

    /usr/bin/python3 tools/golden/make_dataset_fixtures.py

It (re)writes test/fixtures/datasets/ (a few KB in all):
- xy.npz               numpy.savez(x=float32 (3,2,2), y=int64 (3,))            stored, zip64 extras
- inputs_labels.npz    numpy.savez_compressed(inputs=uint8 (2,3), labels=int32)  deflated
- v2.npy, v3.npy       numpy.lib.format.write_array with format versions 2.0 and 3.0
- fortran.npy, big_endian.npy   arrays the reader must refuse with a clear message
- tiny-images-idx3-ubyte.gz, tiny-labels-idx1-ubyte   MNIST-style IDX (gzip with mtime 0)
- mask_palette.png (2-bit palette), mask_gray.png (8-bit grayscale with 255 = ignore)  via Pillow
- expected.json        what each must decode to, and SHA-256 values computed with hashlib
  (file hashes, tensor sample hashes, a dataset fingerprint, canonical-JSON fingerprints),
  and the first numbers of split.ts's mulberry32 PRNG for a few seeds.
The byte formats hashed are defined in src/core/data/fingerprint.ts. Zip timestamps are pinned
(time.time is fixed while writing), so a re-run gives byte-identical files: commit them together.
"""
import gzip
import hashlib
import json
import os
import struct
import time
from decimal import Decimal
from pathlib import Path

import numpy as np
from PIL import Image

OUT = Path(__file__).resolve().parents[2] / 'test' / 'fixtures' / 'datasets'


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def tensor_hash(array: np.ndarray, dtype_name: str) -> str:
    """fingerprint.ts: b'tensor:<dtype>:<dims joined by ,>\\n' + little-endian row-major values."""
    header = f"tensor:{dtype_name}:{','.join(str(d) for d in array.shape)}\n".encode('ascii')
    return sha(header + np.ascontiguousarray(array).astype(array.dtype.newbyteorder('<')).tobytes())


def js_number(x) -> str:
    """A number as JavaScript's Number.prototype.toString prints it (ECMA-262 Number::toString)."""
    if isinstance(x, bool):
        raise TypeError('bool is not a number here')
    x = float(x)
    if x == 0:
        return '0'
    if x < 0:
        return '-' + js_number(-x)
    sign, digits, exponent = Decimal(repr(x)).normalize().as_tuple()
    s = ''.join(map(str, digits))
    k = len(s)
    n = exponent + k  # value = 0.s * 10^n
    if k <= n <= 21:
        return s + '0' * (n - k)
    if 0 < n <= 21:
        return s[:n] + '.' + s[n:]
    if -6 < n <= 0:
        return '0.' + '0' * (-n) + s
    e = n - 1
    mantissa = s[0] + ('.' + s[1:] if k > 1 else '')
    return f"{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"


def canonical_json(value) -> str:
    """fingerprint.ts canonicalJson: sorted keys, no spaces, ASCII-escaped strings, JS numbers."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return js_number(value)
    if isinstance(value, str):
        return json.dumps(value)  # ensure_ascii=True
    if isinstance(value, list):
        return '[' + ','.join(canonical_json(v) for v in value) + ']'
    return '{' + ','.join(f'{json.dumps(k)}:{canonical_json(value[k])}' for k in sorted(value)) + '}'


def dataset_fingerprint(samples, class_names) -> str:
    lines = sorted(f"{h} {'null' if label is None else json.dumps(class_names[label])}\n" for h, label in samples)
    return sha(''.join(lines).encode('ascii'))


def mulberry32(seed: int, count: int) -> list:
    """split.ts's PRNG, re-implemented with explicit 32-bit arithmetic."""
    def imul(a, b):
        return (a * b) & 0xFFFFFFFF
    state, out = seed & 0xFFFFFFFF, []
    for _ in range(count):
        state = (state + 0x6D2B79F5) & 0xFFFFFFFF
        t = imul(state ^ (state >> 15), 1 | state)
        t = ((t + imul(t ^ (t >> 7), 61 | t)) & 0xFFFFFFFF) ^ t
        out.append(((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296)
    return out


def idx(array: np.ndarray) -> bytes:
    return struct.pack('>BBBB', 0, 0, 0x08, array.ndim) + struct.pack(f'>{array.ndim}I', *array.shape) + array.astype('u1').tobytes()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    os.environ['TZ'] = 'UTC'
    time.tzset()
    real_time = time.time
    time.time = lambda: 1577836800.0  # 2020-01-01: numpy's zip entries take their date from it
    try:
        x = (np.arange(12, dtype=np.float32).reshape(3, 2, 2) - 5.5) / 4
        y = np.array([2, 0, 1], dtype=np.int64)
        np.savez(OUT / 'xy.npz', x=x, y=y)
        inputs = np.array([[0, 127, 255], [1, 2, 3]], dtype=np.uint8)
        labels = np.array([1, 0], dtype=np.int32)
        np.savez_compressed(OUT / 'inputs_labels.npz', inputs=inputs, labels=labels)
    finally:
        time.time = real_time
    v = np.array([[0.5, -1.25, 3.0], [1e-3, 2.0, 1e10]], dtype=np.float64)
    for version in ((2, 0), (3, 0)):
        with open(OUT / f'v{version[0]}.npy', 'wb') as f:
            np.lib.format.write_array(f, v, version=version)
    np.save(OUT / 'fortran.npy', np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))
    np.save(OUT / 'big_endian.npy', np.arange(3, dtype='>f4'))

    images = (np.arange(3 * 4 * 5).reshape(3, 4, 5) * 4 % 256).astype(np.uint8)
    digit_labels = np.array([7, 0, 3], dtype=np.uint8)
    (OUT / 'tiny-images-idx3-ubyte.gz').write_bytes(gzip.compress(idx(images), mtime=0))
    (OUT / 'tiny-labels-idx1-ubyte').write_bytes(idx(digit_labels))

    palette_mask = np.array([[0, 1, 2, 3, 1], [3, 2, 1, 0, 0], [1, 1, 2, 2, 3]], dtype=np.uint8)
    image = Image.fromarray(palette_mask, mode='P')
    image.putpalette([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255])
    image.save(OUT / 'mask_palette.png', bits=2, optimize=False)
    gray_mask = np.array([[0, 255, 1], [2, 2, 255]], dtype=np.uint8)
    Image.fromarray(gray_mask, mode='L').save(OUT / 'mask_gray.png')

    spec = {'height': 224, 'width': 224, 'resize': 'shorter-side-crop', 'resizeShorterSide': 256, 'color': 'rgb', 'scale': '0..1',
            'mean': [0.485, 0.456, 0.406], 'std': [0.229, 0.224, 0.225], 'layout': 'NCHW', 'dtype': 'float32'}
    odd_numbers = {'z': [1e21, 1e-7, 123456789012345680000, 0.1, -0.0, 5e-324, 1.5e300, 1e-6, 2.5], 'a': 'caf\u00e9 \U0001F600 "q"\n\x7f', 'm': None, 'b': True}
    idx_hashes = [tensor_hash(image_row, 'uint8') for image_row in images]
    class_names = ['zero', 'un', 'caf\u00e9', '7 "seven"']
    fingerprint_samples = [(idx_hashes[0], 3), (idx_hashes[1], 0), (idx_hashes[2], None), (idx_hashes[0], 2)]
    expected = {
        'generatedBy': 'tools/golden/make_dataset_fixtures.py',
        'numpy': np.__version__,
        'files': {p.name: sha(p.read_bytes()) for p in sorted(OUT.iterdir()) if p.name != 'expected.json'},
        'npz': {'x': {'dims': list(x.shape), 'data': x.ravel().tolist()}, 'y': y.tolist(),
                'inputs': {'dims': list(inputs.shape), 'data': inputs.ravel().tolist()}, 'labels': labels.tolist(),
                'xRowHashes': [tensor_hash(row, 'float32') for row in x]},
        'v23': {'dims': list(v.shape), 'data': v.ravel().tolist()},
        'idx': {'dims': list(images.shape), 'data': images.ravel().tolist(), 'labels': digit_labels.tolist(), 'sampleHashes': idx_hashes},
        'masks': {'palette': palette_mask.ravel().tolist(), 'gray': gray_mask.ravel().tolist()},
        'fingerprint': {'classNames': class_names, 'samples': [{'sha256': h, 'label': label} for h, label in fingerprint_samples],
                        'value': dataset_fingerprint(fingerprint_samples, class_names)},
        'spec': {'value': spec, 'canonical': canonical_json(spec), 'sha256': sha(canonical_json(spec).encode('ascii'))},
        'mulberry32': {'42': mulberry32(42, 5), '0': mulberry32(0, 3), '4294967295': mulberry32(4294967295, 3)},
        'odd': {'value': odd_numbers, 'canonical': canonical_json(odd_numbers)},
    }
    (OUT / 'expected.json').write_text(json.dumps(expected, indent=1) + '\n')
    print(f'wrote {len(expected["files"]) + 1} files to {OUT}')


if __name__ == '__main__':
    main()

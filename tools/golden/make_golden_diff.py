#!/usr/bin/python3
"""Golden values for QuantLens's tensor difference measures (src/core/diff/measures.ts), by NumPy.

Run from the repository root with Debian's Python (numpy 1.24):

    /usr/bin/python3 tools/golden/make_golden_diff.py

It (re)writes test/golden/diff-golden.json; fixed seeds make a re-run byte-identical.
x = float reference, y = quantized, both flattened, float32 values computed on in float64:
  cosine   x.y / (|x| |y|), clipped to [-1, 1]; 1 when both are zero, 0 when only one is
  mse      mean((x - y)^2);  mae  mean(|x - y|);  maxAbsError  max |x - y|
  psnrDb   Qualcomm AI Hub: 20 log10((max|x| + 1e-5) / (sqrt(mse) + 1e-10))
  sqnrDb   ONNX Runtime qdq_loss_debug / PyTorch NS: 20 log10(norm(x) / norm(x - y)),
           +inf when x == y (numpy gives nan for 0/0 when both are zero: QuantLens says +inf)
  normalizedMse  NNCF: mse(x, y) / mse(x, 0); 0 when x == y
Non-finite numbers are written as the strings "Infinity", "-Infinity" and "NaN".
"""
import json
import math
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[2] / 'test' / 'golden' / 'diff-golden.json'
HIGHER_IS_BETTER = {'cosine', 'psnrDb', 'sqnrDb'}


def f32_list(array):
    """float32 values as the shortest decimals that round-trip to the same float32."""
    return [float(np.format_float_positional(v, unique=True)) for v in np.asarray(array, np.float32).ravel()]


def number(value):
    value = float(value)
    if math.isnan(value):
        return 'NaN'
    if math.isinf(value):
        return 'Infinity' if value > 0 else '-Infinity'
    return value


def measures(x32, y32):
    x = np.asarray(x32, np.float32).astype(np.float64).ravel()
    y = np.asarray(y32, np.float32).astype(np.float64).ravel()
    err = x - y
    nx, ny, ne = np.linalg.norm(x), np.linalg.norm(y), np.linalg.norm(err)
    if nx == 0 and ny == 0:
        cosine = 1.0
    elif nx == 0 or ny == 0:
        cosine = 0.0
    else:
        cosine = float(np.clip(np.dot(x, y) / (nx * ny), -1.0, 1.0))
    mse = float(np.mean(err ** 2))
    with np.errstate(divide='ignore', invalid='ignore'):
        sqnr = math.inf if ne == 0 else (-math.inf if nx == 0 else 20 * math.log10(nx / ne))
        nmse = 0.0 if ne == 0 else float(np.float64(mse) / np.mean(x ** 2))
    return {
        'count': int(x.size),
        'cosine': cosine,
        'mse': mse,
        'mae': float(np.mean(np.abs(err))),
        'maxAbsError': float(np.max(np.abs(err))),
        'psnrDb': float(20 * np.log10((np.max(np.abs(x)) + 1e-5) / (np.sqrt(mse) + 1e-10))),
        'sqnrDb': sqnr,
        'normalizedMse': nmse,
    }


def encode(m):
    return {k: (v if k == 'count' else number(v)) for k, v in m.items()}


def pair_cases(rng):
    n = 1000
    x = rng.normal(0, 1, n).astype(np.float32)
    scale = np.float32(np.abs(x).max() / 127)
    quantized = (np.clip(np.rint(x / scale), -127, 127) * scale).astype(np.float32)
    relu_like = np.maximum(rng.normal(0.5, 2, 257), 0).astype(np.float32)
    return [
        ('noisy normal', x, (x + rng.normal(0, 0.01, n)).astype(np.float32)),
        ('int8 fake-quantized', x, quantized),
        ('uint8 fake-quantized relu', relu_like,
         (np.rint(relu_like / np.float32(relu_like.max() / 255)) * np.float32(relu_like.max() / 255)).astype(np.float32)),
        ('exact match', x[:100], x[:100].copy()),
        ('both zero', np.zeros(64, np.float32), np.zeros(64, np.float32)),
        ('reference zero', np.zeros(64, np.float32), rng.normal(0, 1, 64).astype(np.float32)),
        ('quantized zero', x[:64], np.zeros(64, np.float32)),
        ('constants', np.full(50, 3.5, np.float32), np.full(50, 3.25, np.float32)),
        ('negated', x[:200], -x[:200]),
        ('large values', (x * 1e4).astype(np.float32), (x * 1e4 + rng.normal(0, 3, n)).astype(np.float32)),
        ('tiny values', (x * 1e-6).astype(np.float32), (x * 1e-6 * 1.01).astype(np.float32)),
        ('single element', np.array([2.0], np.float32), np.array([1.5], np.float32)),
    ]


def stream_case(name, samples):
    per = [measures(x, y) for x, y in samples]
    pooled = measures(np.concatenate([x for x, _ in samples]), np.concatenate([y for _, y in samples]))
    per_sample = {}
    for key in per[0]:
        if key == 'count':
            continue
        values = np.array([m[key] for m in per], np.float64)
        finite = values[np.isfinite(values)]
        worst_index = int(np.argmin(values) if key in HIGHER_IS_BETTER else np.argmax(values))
        per_sample[key] = {
            'mean': number(finite.mean()) if finite.size else 'NaN',
            'worst': number(values[worst_index]),
            'worstSample': worst_index,
            'nonFiniteCount': int(values.size - finite.size),
        }
    return {
        'name': name,
        'samples': [{'x': f32_list(x), 'y': f32_list(y)} for x, y in samples],
        'expected': {'sampleCount': len(samples), 'pooled': encode(pooled), 'perSample': per_sample},
    }


def main():
    rng = np.random.default_rng(20240905)
    pairs = [{'name': name, 'x': f32_list(x), 'y': f32_list(y), 'expected': encode(measures(x, y))}
             for name, x, y in pair_cases(rng)]
    samples = []
    for i in range(6):
        x = rng.normal(0, 1 + i, 40 + 7 * i).astype(np.float32)
        y = (x + rng.normal(0, 0.02 * (i + 1), x.size)).astype(np.float32)
        samples.append((x, y))
    with_exact = samples[:3] + [(samples[3][0], samples[3][0].copy())] + samples[4:]
    streams = [
        stream_case('six noisy samples of different sizes', samples),
        stream_case('one exact-match sample (SQNR +inf left out of the mean)', with_exact),
    ]
    document = {
        'generator': 'tools/golden/make_golden_diff.py',
        'numpy': np.__version__,
        'pairs': pairs,
        'streams': streams,
    }
    OUT.write_text(json.dumps(document, separators=(',', ':'), allow_nan=False) + '\n')
    print(f'wrote {OUT} ({len(pairs)} pairs, {len(streams)} streams)')


if __name__ == '__main__':
    main()

#!/usr/bin/python3
"""Golden values for QuantLens's calibration methods (src/core/quantize/histogram.ts, thresholds.ts), by NumPy.

Run from the repository root with Debian's Python (numpy 1.24, scipy 1.10):

    /usr/bin/python3 tools/golden/make_golden_calibration.py

It (re)writes test/golden/calibration-golden.json; fixed seeds make a re-run byte-identical.

What is transcribed (float64 throughout, as QuantLens computes):
  histogram   ONNX Runtime calibrate.py HistogramCollector.collect_value + merge_histogram: bins over
              [-t, t], t = max|x| of the first batch; a batch beyond t adds whole bins of the old
              width on both sides (np.histogram for the binning). Python's `//` is written
              math.floor(a / b) (what QuantLens computes).
  percentile  ORT compute_percentile on cdf = cumsum(hist / total): symmetric = the |x| cdf (folded
              from the signed histogram) reaching p/100, as [-t, t]; asymmetric = (100-p)/200 cut from
              each side; then clamped to [min, max].
  entropy     ORT get_entropy_threshold (TensorRT's KL search), with scipy.stats.entropy; ORT smooths in
              float32: `entropy_f32_threshold` is the threshold ORT's own float32 code picks, checked equal.
  mse         the clipping range minimising sum(count * (centre - qdq(centre))^2) over candidates
              [edges[z-i], edges[z+i]], i from quantizedBins/2 to z, scale/zero point by ORT's compute_scale_zp.
Data are float32, stored as base64 little-endian bytes per batch.
"""
import base64
import copy
import json
import math
from pathlib import Path

import numpy as np
from scipy.stats import entropy

OUT = Path(__file__).resolve().parents[2] / 'test' / 'golden' / 'calibration-golden.json'
BOUNDS = {'uint8': (0, 255), 'int8': (-128, 127), 'uint16': (0, 65535), 'int16': (-32768, 32767)}


class Histogram:
    def __init__(self, bins):
        self.bins = bins
        self.hist = None

    def observe(self, data):
        data = data.astype(np.float64)
        lo, hi = float(np.nanmin(data)), float(np.nanmax(data))
        t = max(abs(lo), abs(hi))
        if self.hist is None:
            self.hist, self.edges = np.histogram(data, self.bins, range=(-t, t))
            self.min, self.max, self.t = lo, hi, t
            return
        if t <= self.t:
            self.hist = self.hist + np.histogram(data, len(self.hist), range=(-self.t, self.t))[0]
        elif self.t == 0:
            hist, self.edges = np.histogram(data, len(self.hist), range=(-t, t))
            self.hist = hist + self.hist
            self.t = t
        else:
            n = len(self.hist)
            stride = 2 * self.t / n
            grow = int(math.floor((t - self.t) / stride) + 1)
            new_t = grow * stride + self.t
            hist, self.edges = np.histogram(data, n + 2 * grow, range=(-new_t, new_t))
            hist[grow:n + grow] += self.hist
            self.hist, self.t = hist, new_t
        self.min, self.max = min(self.min, lo), max(self.max, hi)


def clamp(h, lo, hi):
    return (h.min if lo < h.min else lo, h.max if hi > h.max else hi)


def percentile(h, p, symmetric):
    zero = len(h.hist) // 2
    if symmetric:
        folded = h.hist[zero:] + h.hist[:zero][::-1]
        cdf = np.cumsum(folded / folded.sum())
        t = h.edges[zero + np.searchsorted(cdf, p / 100.0)]
        return clamp(h, -t, t)
    cut = (100.0 - p) / 200.0
    cdf = np.cumsum(h.hist / h.hist.sum())
    return clamp(h, h.edges[np.searchsorted(cdf, cut)], h.edges[np.searchsorted(cdf, 1.0 - cut)])


def smooth(p, eps=0.0001, dtype=np.float64):
    is_zeros = (p == 0).astype(dtype)
    is_nonzeros = (p != 0).astype(dtype)
    n_zeros = is_zeros.sum()
    n_nonzeros = p.size - n_zeros
    if not n_nonzeros:
        return None
    eps1 = eps * float(n_zeros) / float(n_nonzeros)
    hist = p.astype(dtype)
    hist += eps * is_zeros + (-eps1) * is_nonzeros
    return hist


def entropy_search(h, num_quantized_bins, dtype=np.float64):
    hist, hist_edges = h.hist, h.edges
    num_bins = hist.size
    zero_bin_index = num_bins // 2
    num_half_quantized_bin = num_quantized_bins // 2
    kl = np.zeros(zero_bin_index - num_half_quantized_bin + 1)
    thresholds = [None] * kl.size
    for i in range(num_half_quantized_bin, zero_bin_index + 1):
        start_index = zero_bin_index - i
        end_index = min(zero_bin_index + i + 1, num_bins)
        thresholds[i - num_half_quantized_bin] = (hist_edges[start_index], hist_edges[end_index])
        sliced = copy.deepcopy(hist[start_index:end_index])
        p = sliced.copy()
        p[0] += sum(hist[:start_index])
        p[-1] += sum(hist[end_index:])
        nonzeros = (p != 0).astype(np.int64)
        quantized_bins = np.zeros(num_quantized_bins, dtype=np.int64)
        merged = sliced.size // num_quantized_bins
        for index in range(num_quantized_bins):
            quantized_bins[index] = sum(sliced[index * merged:(index + 1) * merged])
        quantized_bins[-1] += sum(sliced[num_quantized_bins * merged:])
        q = np.zeros(p.size, dtype=np.int64)
        for index in range(num_quantized_bins):
            start, end = index * merged, (index + 1) * merged
            norm = sum(nonzeros[start:end])
            if norm != 0:
                q[start:end] = quantized_bins[index] / norm
        p, q = smooth(p, dtype=dtype), smooth(q, dtype=dtype)
        kl[i - num_half_quantized_bin] = np.inf if p is None or q is None else entropy(p, q)
    best = int(np.argmin(kl))
    return clamp(h, *thresholds[best]), kl


def scale_zp(lo, hi, qtype, symmetric):
    qmin, qmax = BOUNDS[qtype]
    if symmetric and qtype.startswith('int'):
        qmin = -qmax
    rmin, rmax = min(float(np.float32(lo)), 0.0), max(float(np.float32(hi)), 0.0)
    if symmetric:
        absmax = max(abs(rmin), abs(rmax))
        rmin, rmax = -absmax, absmax
    scale = (rmax - rmin) / (qmax - qmin)
    if scale < np.finfo(np.float32).tiny:
        return 1.0, 0
    zp = round((qmin + qmax) / 2) if symmetric else round(qmin - rmin / scale)
    return float(np.float32(scale)), int(zp)


def mse_search(h, qtype, symmetric, num_quantized_bins=128):
    zero = len(h.hist) // 2
    qmin, qmax = BOUNDS[qtype]
    centres = (h.edges[:-1] + h.edges[1:]) * 0.5
    errors, ranges = [], []
    for i in range(num_quantized_bins // 2, zero + 1):
        lo, hi = clamp(h, h.edges[zero - i], h.edges[zero + i])
        scale, zp = scale_zp(lo, hi, qtype, symmetric)
        q = np.clip(np.rint(centres / scale) + zp, qmin, qmax)
        errors.append(float(np.sum(h.hist * ((q - zp) * scale - centres) ** 2)))
        ranges.append((lo, hi))
    best = int(np.argmin(errors))
    return ranges[best], errors


def b64(array):
    return base64.b64encode(np.asarray(array, '<f4').tobytes()).decode()


def sampled(values, count=24):
    """A few of a candidate curve's values (evenly spaced, plus its minimum) as [index, value] pairs."""
    values = np.asarray(values, np.float64)
    picks = sorted(set(np.linspace(0, len(values) - 1, count).astype(int).tolist() + [int(np.argmin(values))]))
    return [[i, float(values[i])] for i in picks]


def case(name, batches, bins, percentiles=(99.999, 99.9, 99.0)):
    h = Histogram(bins)
    for batch in batches:
        h.observe(batch)
    entropy_range, kl = entropy_search(h, 128)
    entropy_f32_range, _ = entropy_search(h, 128, np.float32)
    assert entropy_f32_range == entropy_range, (name, entropy_f32_range, entropy_range)
    mse = {}
    for qtype, symmetric in (('uint8', False), ('int8', True), ('uint8', True), ('int16', False)):
        (lo, hi), errors = mse_search(h, qtype, symmetric)
        mse[f'{qtype}{"-sym" if symmetric else ""}'] = {'type': qtype, 'symmetric': symmetric, 'min': lo, 'max': hi, 'errors': sampled(errors)}
    return {
        'name': name,
        'bins': bins,
        'batches': [b64(b) for b in batches],
        'histogram': {'counts': [int(c) for c in h.hist], 'first': float(h.edges[0]), 'last': float(h.edges[-1]),
                      'min': h.min, 'max': h.max, 'threshold': h.t},
        'percentile': [{'percentile': p, 'symmetric': s, 'min': float(r[0]), 'max': float(r[1])}
                       for p in percentiles for s in (True, False) for r in [percentile(h, p, s)]],
        'entropy': {'quantizedBins': 128, 'min': float(entropy_range[0]), 'max': float(entropy_range[1]),
                    'candidates': len(kl), 'divergences': sampled(kl)},
        'mse': mse,
    }


def main():
    rng = np.random.default_rng(20240611)
    f32 = lambda a: np.asarray(a, np.float32)
    gaussian = [f32(rng.normal(0.2, 1.0 + k, 3000)) for k in range(3)]  # the range grows: bins added
    heavy = [f32(np.maximum(rng.standard_t(3, 4000), -0.5) * 0.7) for _ in range(2)]  # skewed, long right tail
    relu = [f32(np.maximum(rng.normal(0, 1, 2500), 0) * rng.exponential(1.0, 2500)) for _ in range(3)]
    zeros_first = [f32(np.zeros(100)), f32(rng.uniform(-3, 1, 2000))]
    cases = [
        case('gaussian, growing range', gaussian, 2048),
        case('heavy tail, clipped below', heavy, 1024),
        case('relu-like, non-negative', relu, 2048),
        case('zeros first, then uniform', zeros_first, 512),
    ]
    OUT.write_text(json.dumps({'source': 'tools/golden/make_golden_calibration.py', 'cases': cases}, indent=None) + '\n')
    print(f'wrote {OUT} ({OUT.stat().st_size} bytes)')


if __name__ == '__main__':
    main()

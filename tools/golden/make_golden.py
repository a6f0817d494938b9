#!/usr/bin/python3
"""Golden values for QuantLens's metrics and preprocessing, computed by reference libraries.

Run from the repository root with Debian's Python (it has numpy 1.24, scikit-learn 1.2, torch 1.13):

    /usr/bin/python3 tools/golden/make_golden.py

It (re)writes test/golden/metrics-golden.json and test/golden/preprocess-golden.json. The output is
deterministic (fixed seeds), so a re-run must give a byte-identical file: commit both together.

Metrics: scikit-learn (accuracy_score, top_k_accuracy_score, confusion_matrix,
precision_recall_fscore_support, f1_score) and numpy (argmax, argsort, percentile, mean).
Preprocessing: torch.nn.functional.interpolate(mode='bilinear', align_corners=False), i.e. half-pixel
centers without antialiasing (specs with antialias false), plus torchvision's Resize(int)/CenterCrop
size and offset rules. Antialiased downscaling (the default): the committed images in
test/fixtures/images (tools/golden/make_image_fixtures.py) resized by torchvision 0.14
`transforms.functional.resize(float64 tensor, antialias=True)` and by Pillow's
`Image.resize(BILINEAR)` on uint8 (rounded to whole levels, so compared with a tolerance).
Needs python3-torchvision and python3-pil (apt).
"""
import json
import sys
from pathlib import Path

import numpy as np
import PIL
import sklearn
import torch
import torchvision
from PIL import Image
from torchvision.transforms import functional as tv_functional
from sklearn.metrics import (accuracy_score, confusion_matrix, f1_score,
                             precision_recall_fscore_support, top_k_accuracy_score)

OUT_DIR = Path(__file__).resolve().parents[2] / 'test' / 'golden'
IMAGE_DIR = Path(__file__).resolve().parents[2] / 'test' / 'fixtures' / 'images'


def f32_list(array):
    """float32 values as the shortest decimals that round-trip to the same float32."""
    return [float(np.format_float_positional(v, unique=True)) for v in np.asarray(array, np.float32).ravel()]


def make_logits(rng, labels, num_classes, signal):
    logits = rng.normal(0.0, 1.0, size=(len(labels), num_classes))
    labelled = labels >= 0
    logits[np.flatnonzero(labelled), labels[labelled]] += signal
    return logits.astype(np.float32)


def add_argmax_ties(rng, logits, count):
    """Copy each chosen row's max to another class, both below and above the argmax index."""
    rows = rng.choice(len(logits), size=count, replace=False)
    for row in rows:
        best = int(np.argmax(logits[row]))
        other = int(rng.choice([c for c in range(logits.shape[1]) if c != best]))
        logits[row, other] = logits[row, best]
    return sorted(int(r) for r in rows)


def add_kth_place_ties(rng, logits, labels, k, count):
    """Make the label's score equal to another score right at the k-th / (k+1)-th boundary."""
    candidates = np.flatnonzero(labels >= 0)
    rows = rng.choice(candidates, size=count, replace=False)
    for row in rows:
        order = np.argsort(-logits[row], kind='stable')
        label = labels[row]
        label_rank = int(np.flatnonzero(order == label)[0])
        partner = order[k] if label_rank < k else order[k - 1]
        logits[row, label] = logits[row, partner]
    return sorted(int(r) for r in rows)


def topk_hits_stable_descending(logits, labels, k):
    """QuantLens's convention: the first k of argsort(-scores, kind='stable') (ties: lower index first)."""
    top = np.argsort(-logits, axis=1, kind='stable')[:, :k]
    return (top == labels[:, None]).any(axis=1)


def classification_case(name, rng, num_classes, class_weights, n, k, signal, argmax_ties, kth_ties, unlabelled):
    labels = rng.choice(num_classes, size=n, p=np.asarray(class_weights) / np.sum(class_weights))
    labels[rng.choice(n, size=unlabelled, replace=False)] = -1
    logits = make_logits(rng, labels, num_classes, signal)
    tie_rows = add_argmax_ties(rng, logits, argmax_ties)
    kth_rows = add_kth_place_ties(rng, logits, labels, k, kth_ties) if num_classes > k else []
    quantized = (logits + rng.normal(0.0, 0.35, size=logits.shape)).astype(np.float32)
    add_argmax_ties(rng, quantized, argmax_ties // 2)

    mask = labels >= 0
    y_true, scores = labels[mask], logits[mask]
    predictions = np.argmax(logits, axis=1)
    y_pred = predictions[mask]
    all_classes = list(range(num_classes))
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=all_classes, zero_division=0)
    macro_p, macro_r, macro_f1, _ = precision_recall_fscore_support(y_true, y_pred, average='macro', zero_division=0)
    expected = {
        'sampleCount': n,
        'labelledCount': int(mask.sum()),
        'predictions': predictions.tolist(),
        'top1Correct': int(accuracy_score(y_true, y_pred, normalize=False)),
        'top1Accuracy': accuracy_score(y_true, y_pred),
        'confusionMatrix': confusion_matrix(y_true, y_pred, labels=all_classes).tolist(),
        'precision': precision.tolist(), 'recall': recall.tolist(), 'f1': f1.tolist(),
        'support': support.tolist(),
        'macroPrecision': macro_p, 'macroRecall': macro_r, 'macroF1': macro_f1,
        'macroF1FromF1Score': f1_score(y_true, y_pred, average='macro', zero_division=0),
        'weightedF1': f1_score(y_true, y_pred, average='weighted', zero_division=0),
        'averagedClassCount': len(np.union1d(y_true, y_pred)),
    }
    if num_classes > k:
        expected['topK'] = topk_expectations(scores, y_true, k, all_classes)
    float_pred, quant_pred = predictions, np.argmax(quantized, axis=1)
    differ = float_pred != quant_pred
    expected['agreement'] = {
        'top1Agree': int((~differ).sum()),
        'top1Agreement': float((~differ).mean()),
        'flippedToWrong': np.flatnonzero(differ & mask & (float_pred == labels)).tolist(),
        'flippedToCorrect': np.flatnonzero(differ & mask & (quant_pred == labels)).tolist(),
        'wrongToOtherWrong': int((differ & mask & (float_pred != labels) & (quant_pred != labels)).sum()),
    }
    return {
        'name': name, 'numClasses': num_classes, 'k': k,
        'labels': [None if v < 0 else int(v) for v in labels],
        'floatLogits': f32_list(logits), 'quantizedLogits': f32_list(quantized),
        'argmaxTieRows': tie_rows, 'kthPlaceTieRows': kth_rows,
        'expected': expected,
    }


def topk_expectations(scores, y_true, k, all_classes):
    ours = topk_hits_stable_descending(scores, y_true, k)
    ordered = -np.sort(-scores, axis=1)
    tie_free = ordered[:, k - 1] != ordered[:, k]
    sk_tie_free = top_k_accuracy_score(y_true[tie_free], scores[tie_free], k=k, labels=all_classes, normalize=False)
    assert int(ours[tie_free].sum()) == int(sk_tie_free), 'conventions must agree on tie-free rows'
    return {
        'k': k,
        'correct': int(ours.sum()), 'accuracy': float(ours.mean()),
        # Indices into the labelled samples (in order) whose k-th and (k+1)-th scores differ.
        'tieFreeLabelledIndices': np.flatnonzero(tie_free).tolist(),
        'sklearnTieFreeCorrect': int(sk_tie_free),
        'sklearnTieFreeAccuracy': top_k_accuracy_score(y_true[tie_free], scores[tie_free], k=k, labels=all_classes),
        # scikit-learn breaks k-th place ties towards the higher class index: documented, not matched.
        'sklearnAllRowsCorrect': int(top_k_accuracy_score(y_true, scores, k=k, labels=all_classes, normalize=False)),
    }


def latency_cases(rng):
    arrays = {
        'one': [5.0], 'two': [3.0, 1.0], 'seven': [4.0, 1.5, 9.25, 2.0, 2.0, 7.5, 3.0],
        'hundredLognormal': rng.lognormal(1.5, 0.6, size=100).tolist(),
        'hundredOneWithRepeats': np.round(rng.gamma(4.0, 2.5, size=101), 1).tolist(),
        'twentyUniform': rng.uniform(0.5, 80.0, size=20).tolist(),
    }
    return [{'name': name, 'ms': ms, 'expected': {
        'count': len(ms), 'medianMs': float(np.percentile(ms, 50)),
        'p95Ms': float(np.percentile(ms, 95)), 'meanMs': float(np.mean(ms))}} for name, ms in arrays.items()]


def resized_rgb(rgb_hwc, height, width, antialias=False):
    """float64 (H, W, 3) -> (height, width, 3): torch bilinear, half-pixel centers, without
    antialiasing, or torchvision's resize(antialias=True) (a triangle filter as wide as the scale)."""
    planes = torch.from_numpy(np.ascontiguousarray(rgb_hwc.transpose(2, 0, 1)))[None].double()
    if planes.shape[2:] == (height, width):
        return rgb_hwc.astype(np.float64)
    if antialias:
        out = tv_functional.resize(planes[0], [height, width], interpolation=tv_functional.InterpolationMode.BILINEAR,
                                   antialias=True)
        return out.numpy().transpose(1, 2, 0)
    out = torch.nn.functional.interpolate(planes, size=(height, width), mode='bilinear', align_corners=False)
    return out[0].numpy().transpose(1, 2, 0)


def resize_plan(h_img, w_img, spec):
    """Resized size and crop offsets: stretch, or torchvision Resize(int) then CenterCrop (Python round)."""
    if spec['resize'] == 'stretch':
        return spec['height'], spec['width'], 0, 0
    short = spec.get('resizeShorterSide', max(spec['height'], spec['width']))
    if h_img <= w_img:
        rh, rw = short, int(short * w_img / h_img)
    else:
        rh, rw = int(short * h_img / w_img), short
    return rh, rw, int(round((rh - spec['height']) / 2.0)), int(round((rw - spec['width']) / 2.0))


def preprocess_reference(rgba, spec):
    rgb = rgba[:, :, :3].astype(np.float64)
    rh, rw, top, left = resize_plan(rgb.shape[0], rgb.shape[1], spec)
    img = resized_rgb(rgb, rh, rw, spec.get('antialias', True))[top:top + spec['height'], left:left + spec['width']]
    if spec['color'] == 'bgr':
        img = img[:, :, ::-1]
    elif spec['color'] == 'grayscale':
        r, g, b = img[:, :, 0], img[:, :, 1], img[:, :, 2]
        gray = np.where((r == g) & (g == b), r, 0.299 * r + 0.587 * g + 0.114 * b)
        img = gray[:, :, None]
    if spec['scale'] == '0..1':
        img = img / 255.0
    img = (img - np.asarray(spec['mean'])) / np.asarray(spec['std'])
    if spec['layout'] == 'NCHW':
        img = img.transpose(2, 0, 1)
    return img.ravel().tolist(), [rh, rw, top, left]


def preprocess_cases(rng):
    # These five pin the two-tap resampler without antialiasing (downscaling ones would change with it).
    base = {'antialias': False, 'scale': '0..255', 'mean': [0, 0, 0], 'std': [1, 1, 1], 'layout': 'NCHW',
            'dtype': 'float32'}
    imagenet = {'scale': '0..1', 'mean': [0.485, 0.456, 0.406], 'std': [0.229, 0.224, 0.225]}
    specs = [
        ('upsample 2x2 to 4x4', (2, 2), {**base, 'height': 4, 'width': 4, 'resize': 'stretch', 'color': 'rgb'}),
        ('downsample 5x7 to 3x4, ImageNet, NHWC', (5, 7),
         {**base, **imagenet, 'height': 3, 'width': 4, 'resize': 'stretch', 'color': 'rgb', 'layout': 'NHWC'}),
        ('shorter side 5 then crop 4x4 from 6x9, bgr', (6, 9),
         {**base, 'height': 4, 'width': 4, 'resize': 'shorter-side-crop', 'resizeShorterSide': 5, 'color': 'bgr'}),
        ('portrait 9x6, default shorter side, grayscale 0..1', (9, 6),
         {**base, 'height': 4, 'width': 3, 'resize': 'shorter-side-crop', 'color': 'grayscale',
          'scale': '0..1', 'mean': [0.1307], 'std': [0.3081]}),
        ('upsample 3x3 to 7x5, grayscale', (3, 3),
         {**base, 'height': 7, 'width': 5, 'resize': 'stretch', 'color': 'grayscale', 'mean': [0], 'std': [1]}),
    ]
    cases = []
    for name, (h, w), spec in specs:
        rgba = rng.integers(0, 256, size=(h, w, 4), dtype=np.uint8)
        expected, plan = preprocess_reference(rgba, spec)
        cases.append({'name': name, 'image': {'width': w, 'height': h, 'data': rgba.ravel().tolist()},
                      'spec': spec, 'expected': expected, 'resizePlan': dict(zip(
                          ['resizedHeight', 'resizedWidth', 'cropTop', 'cropLeft'], plan))})
    return cases


def antialias_cases():
    """Committed PNGs shrunk with antialiasing: torchvision's values (float64) for the whole spec, and
    Pillow's resized-and-cropped uint8 RGB (HWC) for the same geometry."""
    base = {'scale': '0..255', 'mean': [0, 0, 0], 'std': [1, 1, 1], 'layout': 'NCHW', 'dtype': 'float32'}
    imagenet = {'scale': '0..1', 'mean': [0.485, 0.456, 0.406], 'std': [0.229, 0.224, 0.225]}
    specs = [
        ('scene 40x30 stretched to 12x9 (3.33x), ImageNet', 'scene-40x30.png',
         {**base, **imagenet, 'height': 9, 'width': 12, 'resize': 'stretch', 'color': 'rgb'}),
        ('scene 40x30 stretched to 20x15 (exactly 2x), NHWC', 'scene-40x30.png',
         {**base, 'height': 15, 'width': 20, 'resize': 'stretch', 'color': 'rgb', 'layout': 'NHWC'}),
        ('scene 40x30, shorter side 20 (1.5x) then crop 16x16, bgr', 'scene-40x30.png',
         {**base, 'height': 16, 'width': 16, 'resize': 'shorter-side-crop', 'resizeShorterSide': 20, 'color': 'bgr'}),
        ('scene 40x30 to 7x45: shrunk across, stretched down', 'scene-40x30.png',
         {**base, 'height': 45, 'width': 7, 'resize': 'stretch', 'color': 'rgb'}),
        ('stripes 33x47, default shorter side 10 then crop 10x10, grayscale 0..1', 'stripes-33x47.png',
         {**base, 'height': 10, 'width': 10, 'resize': 'shorter-side-crop', 'color': 'grayscale',
          'scale': '0..1', 'mean': [0.5], 'std': [0.25]}),
        ('stripes 33x47 stretched to 4x5 (8x, 9x)', 'stripes-33x47.png',
         {**base, 'height': 5, 'width': 4, 'resize': 'stretch', 'color': 'rgb'}),
    ]
    cases = []
    for name, file, spec in specs:
        image = Image.open(IMAGE_DIR / file).convert('RGB')
        rgb = np.asarray(image)
        rgba = np.concatenate([rgb, np.full(rgb.shape[:2] + (1,), 255, np.uint8)], axis=-1)
        expected, plan = preprocess_reference(rgba, spec)
        rh, rw, top, left = plan
        pil = np.asarray(image.resize((rw, rh), Image.BILINEAR))[top:top + spec['height'], left:left + spec['width']]
        torch_rgb = resized_rgb(rgb.astype(np.float64), rh, rw, True)[top:top + spec['height'], left:left + spec['width']]
        cases.append({'name': name, 'file': f'test/fixtures/images/{file}', 'spec': spec, 'expected': expected,
                      'resizePlan': dict(zip(['resizedHeight', 'resizedWidth', 'cropTop', 'cropLeft'], plan)),
                      'pilRgb': pil.ravel().tolist(),
                      'pilVsTorchMaxLevels': float(np.abs(pil - torch_rgb).max())})
        print(f'  {name}: |PIL - torchvision| <= {np.abs(pil - torch_rgb).max():.3f} levels')
    return cases


def write(name, payload):
    text = json.dumps(payload, indent=None, separators=(',', ':'), allow_nan=False)
    (OUT_DIR / name).write_text(text + '\n')
    print(f'wrote test/golden/{name} ({len(text) // 1024} KiB)')


def main():
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    versions = {'python': sys.version.split()[0], 'numpy': np.__version__, 'sklearn': sklearn.__version__,
                'torch': torch.__version__}
    rng = np.random.default_rng(20240601)
    # Ten classes: class 7 rare, class 9 never a label (it still may be predicted), ties on purpose.
    ten = classification_case('ten classes, rare and absent classes, ties', rng, 10,
                              [12, 10, 10, 9, 8, 8, 6, 0.6, 5, 0], 500, 5, 1.8, 40, 60, 0)
    three = classification_case('three classes, 20 unlabelled, ties', rng, 3, [6, 3, 1], 300, 2, 1.2, 25, 30, 20)
    three_default_k = classification_case('three classes, default k (no top-k)', rng, 3, [1, 1, 1], 60, 5, 1.0, 5, 0, 0)
    write('metrics-golden.json', {
        'generatedBy': 'tools/golden/make_golden.py', 'versions': versions,
        'classification': [ten, three, three_default_k], 'latency': latency_cases(rng)})
    write('preprocess-golden.json', {
        'generatedBy': 'tools/golden/make_golden.py', 'versions': {**versions, 'torchvision': torchvision.__version__,
                                                                    'pillow': PIL.__version__},
        'reference': "torch.nn.functional.interpolate(mode='bilinear', align_corners=False), float64",
        'cases': preprocess_cases(rng),
        'antialiasReference': "torchvision.transforms.functional.resize(float64, antialias=True); "
                              "PIL Image.resize(BILINEAR) on uint8 RGB",
        'antialiasCases': antialias_cases()})


if __name__ == '__main__':
    main()

#!/usr/bin/python3
"""Golden values for QuantLens's task metrics: detection, segmentation, embeddings / retrieval.

Run from the repository root with Debian's Python (numpy 1.24, scikit-learn 1.2, torch 1.13 and
python3-torchvision 0.14):

    /usr/bin/python3 tools/golden/make_golden_tasks.py

If python3-torchvision is not installed, `apt-get download python3-torchvision` and
`dpkg -x python3-torchvision_*.deb DIR`, then run with PYTHONPATH=DIR/usr/lib/python3/dist-packages.

It (re)writes test/golden/detection-golden.json, test/golden/segmentation-tasks-golden.json and
test/golden/retrieval-tasks-golden.json. Fixed seeds: a re-run gives byte-identical files.

Detection: pycocotools is not installable here, so coco_evaluate() below is a NumPy port of
pycocotools' COCOeval (cocodataset/cocoapi, PythonAPI/pycocotools/cocoeval.py: computeIoU,
evaluateImg and accumulate for iouType='bbox', area range 'all', maxDets 100) and of maskApi.c's
bbIou. It keeps their loops, their stable mergesorts, np.spacing(1) in the precision and the
searchsorted/try-except sampling of the 101 recall points. The port is checked here against values
pycocotools itself printed (torchmetrics' tests and docs), see check_port_against_published().
NMS: torchvision.ops.batched_nms in float64. Segmentation: numpy.bincount confusion matrix.
Retrieval: sklearn.metrics.ndcg_score, numpy for cosine / recall / MRR / percentiles.
"""
import json
from pathlib import Path

import numpy as np
import sklearn
import torch
import torchvision
from sklearn.metrics import ndcg_score
from torchvision.ops import batched_nms

OUT_DIR = Path(__file__).resolve().parents[2] / 'test' / 'golden'
IOU_THRS = np.linspace(.5, 0.95, int(np.round((0.95 - .5) / .05)) + 1, endpoint=True)
REC_THRS = np.linspace(.0, 1.00, int(np.round((1.00 - .0) / .01)) + 1, endpoint=True)


def f32_list(array):
    """float32 values as the shortest decimals that round-trip to the same float32."""
    return [float(np.format_float_positional(v, unique=True)) for v in np.asarray(array, np.float32).ravel()]


def nan_to_none(values):
    return [None if np.isnan(v) else float(v) for v in values]


# ---------------------------------------------------------------- detection: COCOeval port

def bb_iou(d, g, crowd):
    """maskApi.c bbIou for one pair of [x, y, w, h] boxes."""
    w = min(d[2] + d[0], g[2] + g[0]) - max(d[0], g[0])
    if w <= 0:
        return 0.0
    h = min(d[3] + d[1], g[3] + g[1]) - max(d[1], g[1])
    if h <= 0:
        return 0.0
    i = w * h
    da = d[2] * d[3]
    u = da if crowd else da + g[2] * g[3] - i
    return i / u


def evaluate_img(gt, dt, max_det):
    """COCOeval.evaluateImg for one image and category (area range 'all': ignore = iscrowd)."""
    if len(gt) == 0 and len(dt) == 0:
        return None
    for g in gt:
        g['_ignore'] = 1 if g['iscrowd'] else 0
    gtind = np.argsort([g['_ignore'] for g in gt], kind='mergesort')
    gt = [gt[i] for i in gtind]
    dtind = np.argsort([-d['score'] for d in dt], kind='mergesort')
    dt = [dt[i] for i in dtind[0:max_det]]
    iscrowd = [int(o['iscrowd']) for o in gt]
    ious = np.array([[bb_iou(d['bbox'], g['bbox'], c) for g, c in zip(gt, iscrowd)] for d in dt])
    T, G, D = len(IOU_THRS), len(gt), len(dt)
    gtm = np.zeros((T, G))
    dtm = np.zeros((T, D))
    gt_ig = np.array([g['_ignore'] for g in gt])
    dt_ig = np.zeros((T, D))
    if G > 0 and D > 0:
        for tind, t in enumerate(IOU_THRS):
            for dind, d in enumerate(dt):
                iou = min([t, 1 - 1e-10])
                m = -1
                for gind, g in enumerate(gt):
                    if gtm[tind, gind] > 0 and not iscrowd[gind]:
                        continue
                    if m > -1 and gt_ig[m] == 0 and gt_ig[gind] == 1:
                        break
                    if ious[dind, gind] < iou:
                        continue
                    iou = ious[dind, gind]
                    m = gind
                if m == -1:
                    continue
                dt_ig[tind, dind] = gt_ig[m]
                dtm[tind, dind] = gt[m]['id']
                gtm[tind, m] = d['id']
    return {'dtMatches': dtm, 'dtScores': [d['score'] for d in dt], 'gtIgnore': gt_ig, 'dtIgnore': dt_ig.astype(bool)}


def accumulate_class(evals, max_det):
    """COCOeval.accumulate for one category: precision [T, R] and recall [T], or None (-1 there)."""
    E = [e for e in evals if e is not None]
    if len(E) == 0:
        return None
    dt_scores = np.concatenate([e['dtScores'][0:max_det] for e in E])
    inds = np.argsort(-dt_scores, kind='mergesort')
    dtm = np.concatenate([e['dtMatches'][:, 0:max_det] for e in E], axis=1)[:, inds]
    dt_ig = np.concatenate([e['dtIgnore'][:, 0:max_det] for e in E], axis=1)[:, inds]
    gt_ig = np.concatenate([e['gtIgnore'] for e in E])
    npig = np.count_nonzero(gt_ig == 0)
    if npig == 0:
        return None
    tps = np.logical_and(dtm, np.logical_not(dt_ig))
    fps = np.logical_and(np.logical_not(dtm), np.logical_not(dt_ig))
    tp_sum = np.cumsum(tps, axis=1).astype(dtype=float)
    fp_sum = np.cumsum(fps, axis=1).astype(dtype=float)
    precision = np.zeros((len(IOU_THRS), len(REC_THRS)))
    recall = np.zeros(len(IOU_THRS))
    for t, (tp, fp) in enumerate(zip(tp_sum, fp_sum)):
        nd = len(tp)
        rc = tp / npig
        pr = tp / (fp + tp + np.spacing(1))
        q = np.zeros((len(REC_THRS),))
        recall[t] = rc[-1] if nd else 0
        pr = pr.tolist()
        q = q.tolist()
        for i in range(nd - 1, 0, -1):
            if pr[i] > pr[i - 1]:
                pr[i - 1] = pr[i]
        inds = np.searchsorted(rc, REC_THRS, side='left')
        try:
            for ri, pi in enumerate(inds):
                q[ri] = pr[pi]
        except IndexError:
            pass
        precision[t] = np.array(q)
    return precision, recall


def coco_evaluate(images, num_classes, max_det=100):
    """images: [{'dt': [(bbox, score, cls)], 'gt': [(bbox, cls, iscrowd)]}] in image-id order."""
    ann_id = 1
    per_class = []
    for k in range(num_classes):
        evals = []
        for image in images:
            gt, dt = [], []
            for bbox, cls, crowd in image['gt']:
                if cls == k:
                    gt.append({'bbox': bbox, 'iscrowd': int(crowd), 'id': ann_id})
                    ann_id += 1
            for bbox, score, cls in image['dt']:
                if cls == k:
                    dt.append({'bbox': bbox, 'score': score, 'id': ann_id})
                    ann_id += 1
            evals.append(evaluate_img(gt, dt, max_det))
        per_class.append(accumulate_class(evals, max_det))
    valid = [c for c in per_class if c is not None]
    t75 = int(np.where(IOU_THRS == .75)[0][0])

    def summary(select):
        values = np.concatenate([select(c).ravel() for c in valid]) if valid else np.array([])
        return float(np.mean(values)) if len(values) else None
    return {
        'map': summary(lambda c: c[0]),
        'map50': summary(lambda c: c[0][0]),
        'map75': summary(lambda c: c[0][t75]),
        'mar': summary(lambda c: c[1]),
        'evaluatedClassCount': len(valid),
        'ap': [None if c is None else float(np.mean(c[0])) for c in per_class],
        'ap50': [None if c is None else float(np.mean(c[0][0])) for c in per_class],
        'ap75': [None if c is None else float(np.mean(c[0][t75])) for c in per_class],
        'recall': [None if c is None else float(np.mean(c[1])) for c in per_class],
    }


def xyxy_to_xywh(box):
    return [box[0], box[1], box[2] - box[0], box[3] - box[1]]


# Lightning-AI/torchmetrics tests/unittests/detection/test_map.py: `_inputs4` (a subset of cocoapi's
# results/instances_val2014_fakebbox100_results.json, boxes xyxy) and `_compare_fn`, whose docstring
# holds pycocotools' printed summary: AP 0.706, AP50 0.901, AP75 0.846, per class
# [0.725, 0.800, 0.454, -1, 0.650, 0.900], AR@100 0.716. The same case is in the TypeScript test.
PUBLISHED_IMAGES = [
    {'dt': [([258.15, 41.29, 606.41, 285.07], 0.236, 4)],
     'gt': [([214.15, 41.29, 562.41, 285.07], 4, 0)]},
    {'dt': [([61.00, 22.75, 565.00, 632.42], 0.318, 3), ([12.66, 3.32, 281.26, 275.23], 0.726, 2)],
     'gt': [([13.00, 22.75, 548.98, 632.42], 2, 0), ([1.66, 3.32, 270.26, 275.23], 2, 0)]},
    {'dt': [([87.87, 276.25, 384.29, 379.43], 0.546, 4), ([0.00, 3.66, 142.15, 316.06], 0.3, 1),
            ([296.55, 93.96, 314.97, 152.79], 0.407, 0), ([328.94, 97.05, 342.49, 122.98], 0.611, 0),
            ([356.62, 95.47, 372.33, 147.55], 0.335, 0), ([464.08, 105.09, 495.74, 146.99], 0.805, 0),
            ([276.11, 103.84, 291.44, 150.72], 0.953, 0)],
     'gt': [([61.87, 276.25, 358.29, 379.43], 4, 0), ([2.75, 3.66, 162.15, 316.06], 1, 0),
            ([295.55, 93.96, 313.97, 152.79], 0, 0), ([326.94, 97.05, 340.49, 122.98], 0, 0),
            ([356.62, 95.47, 372.33, 147.55], 0, 0), ([462.08, 105.09, 493.74, 146.99], 0, 0),
            ([277.11, 103.84, 292.44, 150.72], 0, 0)]},
    {'dt': [([0.00, 2.87, 601.00, 421.52], 0.423, 5)],
     'gt': [([13.99, 2.87, 640.00, 421.52], 5, 0)]},
]


def check_port_against_published():
    images = [{'dt': [(xyxy_to_xywh(b), s, c) for b, s, c in im['dt']],
               'gt': [(xyxy_to_xywh(b), c, z) for b, c, z in im['gt']]} for im in PUBLISHED_IMAGES]
    result = coco_evaluate(images, 6)
    published = {'map': 0.706, 'map50': 0.901, 'map75': 0.846, 'mar': 0.716}
    for key, value in published.items():
        assert abs(result[key] - value) <= 5e-4, (key, result[key])
    for got, value in zip(result['ap'], [0.725, 0.800, 0.454, None, 0.650, 0.900]):
        assert (got is None) == (value is None) and (value is None or abs(got - value) <= 5e-4), (got, value)
    # torchmetrics MeanAveragePrecision docstring (src/torchmetrics/detection/mean_ap.py): map 0.6000, map_50 1.
    doc = coco_evaluate([{'dt': [(xyxy_to_xywh([258.0, 41.0, 606.0, 285.0]), 0.536, 0)],
                          'gt': [(xyxy_to_xywh([214.0, 41.0, 562.0, 285.0]), 0, 0)]}], 1)
    assert all(abs(doc[key] - value) < 1e-12 for key, value in [('map', 0.6), ('map50', 1), ('map75', 1)]), doc


def random_image(rng, num_classes, n_gt, n_fp, crowd_rate, tie_step=None, jitter=0.06):
    gt, dt = [], []
    for _ in range(n_gt):
        w, h = rng.uniform(8, 120, size=2)
        x, y = rng.uniform(0, 500, size=2)
        cls = int(rng.integers(num_classes))
        crowd = bool(rng.random() < crowd_rate)
        gt.append(([round(x, 2), round(y, 2), round(w, 2), round(h, 2)], cls, crowd))
        for _ in range(int(rng.integers(0, 3))):  # 0..2 detections near each object, some duplicates
            jx, jy = rng.normal(0, jitter * w), rng.normal(0, jitter * h)
            jw, jh = w * np.exp(rng.normal(0, jitter)), h * np.exp(rng.normal(0, jitter))
            wrong_class = rng.random() < 0.1
            dcls = int(rng.integers(num_classes)) if wrong_class else cls
            dt.append(([round(x + jx, 2), round(y + jy, 2), round(jw, 2), round(jh, 2)], score(rng, tie_step), dcls))
    for _ in range(n_fp):
        w, h = rng.uniform(5, 100, size=2)
        x, y = rng.uniform(0, 550, size=2)
        dt.append(([round(x, 2), round(y, 2), round(w, 2), round(h, 2)], score(rng, tie_step), int(rng.integers(num_classes))))
    order = rng.permutation(len(dt))
    return {'dt': [dt[i] for i in order], 'gt': gt}


def score(rng, tie_step):
    value = float(rng.random())
    return round(round(value / tie_step) * tie_step, 6) if tie_step else value


def coco_case(name, images, num_classes, max_det=100):
    expected = coco_evaluate(images, num_classes, max_det)
    payload_images = [{
        'detections': {'boxes': [v for b, _, _ in im['dt'] for v in b], 'scores': [s for _, s, _ in im['dt']],
                       'classes': [c for _, _, c in im['dt']]},
        'groundTruth': {'boxes': [v for b, _, _ in im['gt'] for v in b], 'classes': [c for _, c, _ in im['gt']],
                        'crowd': [bool(z) for _, _, z in im['gt']]},
    } for im in images]
    return {'name': name, 'numClasses': num_classes, 'maxDetections': max_det, 'images': payload_images, 'expected': expected}


def coco_cases(rng):
    cases = []
    small = [random_image(rng, 3, int(rng.integers(0, 6)), int(rng.integers(0, 4)), 0.15) for _ in range(10)]
    cases.append(coco_case('10 images, 3 classes, crowd regions', small, 3))
    ties = [random_image(rng, 2, int(rng.integers(1, 6)), int(rng.integers(0, 4)), 0.1, tie_step=0.1) for _ in range(12)]
    cases.append(coco_case('score ties within and across images', ties, 2))
    many = [random_image(rng, 5, int(rng.integers(0, 8)), int(rng.integers(0, 5)), 0.05, jitter=0.08) for _ in range(150)]
    cases.append(coco_case('150 images, 5 classes', many, 5))
    crowded = [random_image(rng, 1, 60, 40, 0.0, jitter=0.05), random_image(rng, 1, 10, 5, 0.0)]
    crowded[0]['dt'] += [([float(i), 1.0, 30.0, 30.0], float(rng.random()), 0) for i in range(60)]
    cases.append(coco_case('more than 100 detections of a class in one image', crowded, 1))
    cases.append(coco_case('maxDetections 5', crowded, 1, max_det=5))
    absent = [random_image(rng, 2, 4, 2, 0.0) for _ in range(4)]
    for image in absent:
        image['gt'] = [(b, 0, z) for b, _, z in image['gt']]
        image['dt'].append(([10.0, 10.0, 20.0, 20.0], 0.5, 2))
    cases.append(coco_case('a class with detections but no ground truth', absent, 3))
    only_crowd = [{'dt': [([0.0, 0.0, 10.0, 10.0], 0.9, 0), ([49.5, 49.5, 7.0, 7.0], 0.8, 0)],
                   'gt': [([0.0, 0.0, 20.0, 20.0], 0, True), ([49.0, 49.0, 8.0, 8.0], 0, False)]}]
    cases.append(coco_case('a detection inside a crowd region is ignored', only_crowd, 1))
    # IoU exactly 0.5 with both objects: evaluateImg's `<` keeps the later one, leaving the first to d2.
    equal = [{'dt': [([0.0, 0.0, 20.0, 10.0], 0.9, 0), ([0.0, 0.0, 10.0, 10.0], 0.8, 0)],
              'gt': [([0.0, 0.0, 10.0, 10.0], 0, False), ([10.0, 0.0, 10.0, 10.0], 0, False)]}]
    cases.append(coco_case('equal IoU with two objects', equal, 1))
    return cases


# ---------------------------------------------------------------- detection: NMS and decoders

def clustered_centers(rng, n, clusters, size):
    centers = rng.uniform(40, size - 40, size=(clusters, 2))
    pick = rng.integers(clusters, size=n)
    cxcy = centers[pick] + rng.normal(0, 6, size=(n, 2))
    wh = np.exp(rng.normal(np.log(60), 0.25, size=(n, 2)))
    return cxcy, wh


def torch_nms(corners, scores, classes, iou):
    keep = batched_nms(torch.tensor(np.asarray(corners, np.float64).reshape(-1, 4)),
                       torch.tensor(np.asarray(scores, np.float64)),
                       torch.tensor(np.asarray(classes, np.int64)), iou)
    return [int(i) for i in keep]


def nms_cases(rng):
    cases = []
    for name, n, clusters, classes, iou in [('40 boxes, 2 classes', 40, 5, 2, 0.5),
                                             ('300 boxes, 4 classes, IoU 0.3', 300, 20, 4, 0.3),
                                             ('1500 boxes, 3 classes, IoU 0.7 (torchvision per-class path)', 1500, 60, 3, 0.7)]:
        cxcy, wh = clustered_centers(rng, n, clusters, 640)
        corners = np.concatenate([cxcy - wh / 2, cxcy + wh / 2], axis=1).round(3)
        scores = unique_scores(rng, (n,)).round(6)
        labels = rng.integers(classes, size=n)
        assert len(set(scores.tolist())) == n  # torch's sort is not stable: no equal scores
        cases.append({'name': name, 'boxes': corners.ravel().tolist(), 'scores': scores.tolist(),
                      'classes': labels.tolist(), 'iouThreshold': iou,
                      'keep': torch_nms(corners, scores, labels, iou)})
    return cases


def unique_scores(rng, shape):
    """Scores in (0, 1), all different even as float32 (torch's sort is not stable on ties)."""
    total = int(np.prod(shape))
    return ((rng.permutation(total) + rng.uniform(0.1, 0.9)) / total).reshape(shape)


def finish_reference(cands, opts):
    """NMS (torchvision), top maxDetections, back to original pixels, clip, [x, y, w, h]."""
    assert len({c[4] for c in cands}) == len(cands), 'equal candidate scores'
    if not cands:
        return {'boxes': [], 'scores': [], 'classes': []}
    keep = torch_nms([c[:4] for c in cands], [c[4] for c in cands], [c[5] for c in cands], opts['iouThreshold'])
    keep = keep[:opts['maxDetections']]
    tf = opts['transform']
    clip = opts.get('clipTo')
    boxes = []
    for i in keep:
        x1, y1, x2, y2 = cands[i][:4]
        x1, x2 = [(v - tf['padX']) / tf['scaleX'] for v in (x1, x2)]
        y1, y2 = [(v - tf['padY']) / tf['scaleY'] for v in (y1, y2)]
        if clip:
            x1, x2 = [min(max(v, 0.0), clip['width']) for v in (x1, x2)]
            y1, y2 = [min(max(v, 0.0), clip['height']) for v in (y1, y2)]
        boxes += [x1, y1, x2 - x1, y2 - y1]
    return {'boxes': boxes, 'scores': [cands[i][4] for i in keep], 'classes': [cands[i][5] for i in keep]}


def add_candidates(cands, corners, class_scores, opts):
    thr = opts['scoreThreshold']
    if opts.get('multiLabel'):
        picks = [(float(s), c) for c, s in enumerate(class_scores)]
    else:
        best = int(np.argmax(class_scores))
        picks = [(float(class_scores[best]), best)]
    for s, c in picks:
        if s > thr:
            cands.append(list(corners) + [s, c])


def centered(cx, cy, w, h):
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def decode_cases(rng):
    cases = []
    # YOLOv5 [1, N, 5 + C], letterbox 640x480 -> 640x640.
    n, c = 300, 6
    cxcy, wh = clustered_centers(rng, n, 12, 640)
    out = np.concatenate([cxcy, wh, unique_scores(rng, (n, 1)), unique_scores(rng, (n, c))], axis=1).astype(np.float32)
    opts = {'scoreThreshold': 0.25, 'iouThreshold': 0.45, 'maxDetections': 100,
            'transform': {'scaleX': 1.0, 'scaleY': 1.0, 'padX': 0.0, 'padY': 80.0}, 'clipTo': {'width': 640, 'height': 480}}
    cands = []
    for row in out.astype(np.float64):
        if row[4] > opts['scoreThreshold']:
            add_candidates(cands, centered(*row[:4]), row[4] * row[5:], opts)
    cases.append({'name': 'YOLOv5 letterbox', 'layout': 'yolov5', 'dims': [1, n, 5 + c], 'output': f32_list(out),
                  'options': opts, 'expected': finish_reference(cands, opts)})
    # YOLOv8 [1, 4 + C, N], many candidates (torchvision's per-class NMS path), stretch, multi-label.
    for name, n, c, opts in [
        ('YOLOv8 stretch', 2100, 3, {'scoreThreshold': 0.001, 'iouThreshold': 0.7, 'maxDetections': 300,
                                     'transform': {'scaleX': 0.5, 'scaleY': 0.8, 'padX': 0.0, 'padY': 0.0}}),
        ('YOLOv8 multi-label', 400, 4, {'scoreThreshold': 0.3, 'iouThreshold': 0.5, 'maxDetections': 50, 'multiLabel': True,
                                        'transform': {'scaleX': 1.0, 'scaleY': 1.0, 'padX': 0.0, 'padY': 0.0}}),
    ]:
        cxcy, wh = clustered_centers(rng, n, 25, 640)
        out = np.concatenate([cxcy, wh, unique_scores(rng, (n, c))], axis=1).astype(np.float32).T.copy()
        cands = []
        for box in out.T.astype(np.float64):
            add_candidates(cands, centered(*box[:4]), box[4:], opts)
        cases.append({'name': name, 'layout': 'yolov8', 'dims': [1, 4 + c, n], 'output': f32_list(out),
                      'options': opts, 'expected': finish_reference(cands, opts)})
    # SSD: boxes [1, N, 4] normalized ymin, xmin, ymax, xmax; scores [1, N, 1 + C] with background.
    n, c = 500, 5
    cxcy, wh = clustered_centers(rng, n, 15, 300)
    yx_min = (cxcy - wh / 4)[:, ::-1] / 300
    yx_max = (cxcy + wh / 4)[:, ::-1] / 300
    boxes = np.concatenate([yx_min, yx_max], axis=1).astype(np.float32)
    scores = unique_scores(rng, (n, 1 + c)).astype(np.float32)
    opts = {'scoreThreshold': 0.5, 'iouThreshold': 0.6, 'maxDetections': 100, 'inputWidth': 300, 'inputHeight': 300,
            'scoresIncludeBackground': True, 'transform': {'scaleX': 300 / 640, 'scaleY': 300 / 427, 'padX': 0.0, 'padY': 0.0},
            'clipTo': {'width': 640, 'height': 427}}
    cands = []
    for b, s in zip(boxes.astype(np.float64), scores.astype(np.float64)):
        corners = (b[1] * 300, b[0] * 300, b[3] * 300, b[2] * 300)
        add_candidates(cands, corners, s[1:], opts)
    cases.append({'name': 'SSD with background column', 'layout': 'ssd', 'dims': [1, n, 4], 'output': f32_list(boxes),
                  'scoreDims': [1, n, 1 + c], 'scores': f32_list(scores), 'options': opts, 'expected': finish_reference(cands, opts)})
    return cases


# ---------------------------------------------------------------- segmentation

def segmentation_case(name, rng, num_classes, shapes, ignore_index, absent_class, noise):
    images = []
    conf = np.zeros((num_classes, num_classes), np.int64)
    ignored = 0
    for h, w in shapes:
        label = rng.integers(num_classes, size=(h, w))
        label[label == absent_class] = 0
        pred = label.copy()
        flip = rng.random((h, w)) < noise
        pred[flip] = rng.integers(num_classes, size=int(flip.sum()))
        pred[pred == absent_class] = 1
        label[rng.random((h, w)) < 0.1] = ignore_index
        images.append({'predicted': pred.ravel().tolist(), 'labels': label.ravel().tolist()})
        keep = label != ignore_index
        ignored += int((~keep).sum())
        conf += np.bincount(num_classes * label[keep] + pred[keep], minlength=num_classes ** 2).reshape(num_classes, num_classes)
    diag = np.diag(conf).astype(np.float64)
    with np.errstate(invalid='ignore', divide='ignore'):
        iou = diag / (conf.sum(1) + conf.sum(0) - diag)
        acc = diag / conf.sum(1)
    return {'name': name, 'numClasses': num_classes, 'ignoreIndex': ignore_index, 'images': images, 'expected': {
        'confusionMatrix': conf.tolist(), 'pixelCount': int(conf.sum()), 'ignoredPixelCount': ignored,
        'iou': nan_to_none(iou), 'accuracy': nan_to_none(acc), 'meanIou': float(np.nanmean(iou)),
        'meanClassAccuracy': float(np.nanmean(acc)), 'pixelAccuracy': float(diag.sum() / conf.sum()),
        'presentClassCount': int(np.count_nonzero(~np.isnan(iou))), 'absentClass': absent_class}}


def argmax_case(rng):
    c, h, w = 5, 6, 7
    logits = rng.normal(size=(c, h, w)).astype(np.float32)
    logits[3, 0, :3] = logits[1, 0, :3] = 9.0   # ties: the lower class wins
    logits[4, 1, 2] = np.nan                     # NaN wins, as numpy.argmax
    logits[0, 2, 0] = np.nan
    return {'numClasses': c, 'height': h, 'width': w, 'logits': [None if np.isnan(v) else v for v in f32_list(logits)],
            'classMap': np.argmax(logits, axis=0).ravel().tolist()}


# ---------------------------------------------------------------- embeddings and retrieval

def cosine_case(rng):
    dims, n = 16, 40
    floats = rng.normal(size=(n, dims)).astype(np.float32)
    quantized = (floats + rng.normal(0, 0.15, size=(n, dims))).astype(np.float32)
    floats[5] = 0
    quantized[5] = 0      # both zero: 1
    quantized[9] = 0      # one zero: 0
    f64, q64 = floats.astype(np.float64), quantized.astype(np.float64)
    norms = np.linalg.norm(f64, axis=1) * np.linalg.norm(q64, axis=1)
    with np.errstate(invalid='ignore', divide='ignore'):
        cos = np.clip(np.einsum('ij,ij->i', f64, q64) / norms, -1, 1)
    cos[5], cos[9] = 1.0, 0.0
    return {'float': f32_list(floats), 'quantized': f32_list(quantized), 'dims': dims, 'expected': {
        'cosines': cos.tolist(), 'meanCosine': float(cos.mean()), 'minCosine': float(cos.min()),
        'minSampleIndex': int(np.argmin(cos)), 'p1Cosine': float(np.percentile(cos, 1)),
        'p5Cosine': float(np.percentile(cos, 5)), 'medianCosine': float(np.percentile(cos, 50))}}


def retrieval_case(rng, ks):
    n_docs, n_queries, list_len = 60, 25, 15
    queries, recall, ndcg, rr = [], {k: [] for k in ks}, {k: [] for k in ks}, []
    sklearn_all_irrelevant = None
    for q in range(n_queries):
        graded = rng.choice(n_docs, size=int(rng.integers(0, 8)), replace=False)
        grades = rng.integers(0, 4, size=len(graded)) if q % 7 else np.zeros(len(graded), np.int64)
        relevance = {f'doc{d}': int(g) for d, g in zip(graded, grades)}
        pool = list(graded[rng.random(len(graded)) < 0.7]) + list(rng.choice(n_docs, size=list_len, replace=False))
        ranked = list(dict.fromkeys(f'doc{d}' for d in rng.permutation(pool)))[:list_len]
        queries.append({'ranked': ranked, 'relevance': [[d, g] for d, g in relevance.items()]})
        candidates = list(dict.fromkeys(ranked + list(relevance)))
        y_true = np.array([[relevance.get(d, 0) for d in candidates]], np.float64)
        y_score = np.array([[list_len - ranked.index(d) if d in ranked else -1 - j for j, d in enumerate(candidates)]], np.float64)
        relevant = int((y_true > 0).sum())
        if relevant == 0:
            if len(candidates) > 1:
                sklearn_all_irrelevant = float(ndcg_score(y_true, y_score, k=ks[0]))
            continue
        gains = [relevance.get(d, 0) for d in ranked]
        first = next((i for i, g in enumerate(gains) if g > 0), None)
        rr.append(0.0 if first is None else 1.0 / (first + 1))
        for k in ks:
            recall[k].append(sum(1 for g in gains[:k] if g > 0) / relevant)
            tied = ndcg_score(y_true, y_score, k=k)
            untied = ndcg_score(y_true, y_score, k=k, ignore_ties=True)
            assert abs(tied - untied) < 1e-15  # a ranked list has no ties, so both agree
            ndcg[k].append(float(tied))
    return {'ks': ks, 'queries': queries, 'expected': {
        'queryCount': n_queries, 'scoredQueryCount': len(rr), 'mrr': float(np.mean(rr)),
        'recallAtK': [float(np.mean(recall[k])) for k in ks], 'ndcgAtK': [float(np.mean(ndcg[k])) for k in ks],
        'sklearnScoreOfQueryWithoutRelevant': sklearn_all_irrelevant}}


def write(name, payload):
    text = json.dumps(payload, indent=None, separators=(',', ':'), allow_nan=False)
    (OUT_DIR / name).write_text(text + '\n')


def main():
    check_port_against_published()
    rng = np.random.default_rng(20240611)
    versions = {'numpy': np.__version__, 'sklearn': sklearn.__version__, 'torch': torch.__version__,
                'torchvision': torchvision.__version__}
    write('detection-golden.json', {'versions': versions, 'coco': coco_cases(rng), 'nms': nms_cases(rng),
                                    'decode': decode_cases(rng)})
    write('segmentation-tasks-golden.json', {'versions': versions, 'cases': [
        segmentation_case('3 images, 6 classes, one class absent', rng, 6, [(9, 11), (5, 5), (16, 8)], 255, 4, 0.2),
        segmentation_case('ignore index 250, 21 classes, one class absent', rng, 21, [(32, 32), (20, 40)], 250, 20, 0.4),
    ], 'argmax': argmax_case(rng)})
    write('retrieval-tasks-golden.json', {'versions': versions, 'cosine': cosine_case(rng),
                                          'retrieval': retrieval_case(rng, [1, 3, 5, 10])})


if __name__ == '__main__':
    main()

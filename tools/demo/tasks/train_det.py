#!/usr/bin/python3
"""Trains the detection demo: a tiny single-stage, anchor-free detector of MNIST digits pasted on
64x64 black canvases, exported with the YOLOv8 output layout.

    /usr/bin/python3 tools/demo/tasks/train_det.py

Canvases: 1-3 digits per canvas, each resized (bilinear, antialiased) to a random side of 16..32 px and
pasted (pixel-wise max) at a random place where its box does not touch another digit's box. The box is
the tight box of the pasted digit's non-zero pixels, [x, y, w, h] in canvas pixels. Everything is seeded.
Training canvases use only the MNIST demo's training digits (fresh canvases every epoch); the test
canvases only its test digits; the calibration canvases only its calibration digits.

Model: 5 conv layers (3 max-pools, stride 8) -> an 8x8 grid; each cell predicts one box (centre offset in the cell,
width and height as a share of 64 px) and 10 class scores, all through a sigmoid. The graph ends with
Reshape, Sigmoid, Mul, Add, so the output `output0` is [batch, 14, 64] = (cx, cy, w, h in input pixels,
10 class scores), the YOLOv8 layout. Training: the cell holding a box's centre predicts it
(class BCE over every cell, L1 + IoU box loss on assigned cells).

Writes  public/demo/tasks/mnist-det.float.onnx
        tools/demo/tasks/out/det-data.json   (test and calibration canvases + boxes, for pack-tasks.ts)
        tools/demo/tasks/out/det-report.json
"""

import base64
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import common

SIDE = 64
GRID = 8
STRIDE = SIDE // GRID
CLASSES = 10
EPOCHS = 20
TRAIN_CANVASES = 8000  # fresh every epoch
BATCH = 64
LR = 3e-3
TEST_CANVASES = 500
CALIB_CANVASES = 200
SIZES = (16, 32)
POSITIVE_WEIGHT = 4
ONNX_PATH = os.path.join(common.PUBLIC, 'mnist-det.float.onnx')


def resized(digit, size):
    t = torch.from_numpy(digit.astype(np.float32))[None, None]
    r = F.interpolate(t, size=(size, size), mode='bilinear', align_corners=False, antialias=True)
    return np.clip(np.rint(r[0, 0].numpy()), 0, 255).astype(np.uint8)


def make_canvases(items, count, rng):
    """uint8 [count,64,64] canvases and per canvas a list of (x, y, w, h, class) tight boxes."""
    canvases = np.zeros((count, SIDE, SIDE), dtype=np.uint8)
    truth = []
    for n in range(count):
        boxes = []
        for _ in range(int(rng.integers(1, 4))):
            label, _, pixels = items[int(rng.integers(len(items)))]
            size = int(rng.integers(SIZES[0], SIZES[1] + 1))
            patch = resized(pixels.reshape(28, 28), size)
            ys, xs = np.nonzero(patch)
            bx, by, bw, bh = xs.min(), ys.min(), xs.max() - xs.min() + 1, ys.max() - ys.min() + 1
            for _attempt in range(30):
                x0, y0 = int(rng.integers(0, SIDE - size + 1)), int(rng.integers(0, SIDE - size + 1))
                box = (x0 + bx, y0 + by, bw, bh)
                # Boxes may not touch (1 px gap), so every digit is fully visible.
                if all(box[0] > b[0] + b[2] or b[0] > box[0] + box[2] or box[1] > b[1] + b[3] or b[1] > box[1] + box[3] for b in boxes):
                    canvases[n, y0:y0 + size, x0:x0 + size] = np.maximum(canvases[n, y0:y0 + size, x0:x0 + size], patch)
                    boxes.append((int(box[0]), int(box[1]), int(box[2]), int(box[3]), int(label)))
                    break
        truth.append(boxes)
    return canvases, truth


class DetNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 8, 3, padding=1)
        self.c2 = nn.Conv2d(8, 16, 3, padding=1)
        self.c3 = nn.Conv2d(16, 32, 3, padding=1)
        self.c4 = nn.Conv2d(32, 48, 3, padding=1)
        self.c5 = nn.Conv2d(48, 48, 3, padding=1)
        self.head = nn.Conv2d(48, 4 + CLASSES, 1)
        gy, gx = np.meshgrid(np.arange(GRID), np.arange(GRID), indexing='ij')
        mul = np.ones((1, 4 + CLASSES, GRID * GRID), dtype=np.float32)
        add = np.zeros((1, 4 + CLASSES, GRID * GRID), dtype=np.float32)
        mul[0, 0:2] = STRIDE
        mul[0, 2:4] = SIDE
        add[0, 0] = gx.reshape(-1) * STRIDE
        add[0, 1] = gy.reshape(-1) * STRIDE
        self.register_buffer('mul', torch.from_numpy(mul))
        self.register_buffer('add', torch.from_numpy(add))

    def raw(self, x):
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        x = F.max_pool2d(F.relu(self.c3(x)), 2)
        x = F.relu(self.c5(F.relu(self.c4(x))))  # receptive field 54 px per cell
        return self.head(x).reshape(-1, 4 + CLASSES, GRID * GRID)

    def forward(self, x):
        return torch.sigmoid(self.raw(x)) * self.mul + self.add


def targets(truth):
    """Per canvas: class one-hot [14? no: 10,64], box target [4,64] in pixels, positive mask [64]."""
    n = len(truth)
    cls = np.zeros((n, CLASSES, GRID * GRID), dtype=np.float32)
    box = np.zeros((n, 4, GRID * GRID), dtype=np.float32)
    pos = np.zeros((n, GRID * GRID), dtype=bool)
    for i, boxes in enumerate(truth):
        # Larger boxes last, so they win a cell two centres share.
        for (x, y, w, h, c) in sorted(boxes, key=lambda b: b[2] * b[3]):
            cx, cy = x + w / 2, y + h / 2
            cell = min(int(cy // STRIDE), GRID - 1) * GRID + min(int(cx // STRIDE), GRID - 1)
            cls[i, :, cell] = 0
            cls[i, c, cell] = 1
            box[i, :, cell] = (cx, cy, w, h)
            pos[i, cell] = True
    return torch.from_numpy(cls), torch.from_numpy(box), torch.from_numpy(pos)


def iou_centered(a, b):
    """IoU of [4, K] centre-size boxes."""
    ax1, ay1, ax2, ay2 = a[0] - a[2] / 2, a[1] - a[3] / 2, a[0] + a[2] / 2, a[1] + a[3] / 2
    bx1, by1, bx2, by2 = b[0] - b[2] / 2, b[1] - b[3] / 2, b[0] + b[2] / 2, b[1] + b[3] / 2
    iw = (torch.min(ax2, bx2) - torch.max(ax1, bx1)).clamp(min=0)
    ih = (torch.min(ay2, by2) - torch.max(ay1, by1)).clamp(min=0)
    inter = iw * ih
    return inter / (a[2] * a[3] + b[2] * b[3] - inter + 1e-9)


def loss_of(model, x, cls, box, pos):
    raw = model.raw(x)
    decoded = torch.sigmoid(raw) * model.mul + model.add
    n_pos = max(int(pos.sum()), 1)
    # Class BCE over every cell; the assigned cells' terms weigh POSITIVE_WEIGHT times more, or the
    # many empty cells push every score down and the digit's class is learnt slowly.
    weight = 1 + (POSITIVE_WEIGHT - 1) * pos[:, None, :].float()
    cls_loss = (F.binary_cross_entropy_with_logits(raw[:, 4:], cls, reduction='none') * weight).sum() / n_pos
    p = decoded[:, :4].permute(1, 0, 2)[:, pos]  # [4, K]
    t = box.permute(1, 0, 2)[:, pos]
    box_loss = (F.l1_loss(p, t, reduction='sum') / STRIDE + (1 - iou_centered(p, t)).sum() * 2) / n_pos
    return cls_loss + box_loss


def to_input(canvases):
    return torch.from_numpy(canvases.astype(np.float32)[:, None] / 255.0)


def canvas_json(canvases, truth):
    return [{'pixels': base64.b64encode(c.tobytes()).decode('ascii'), 'boxes': [list(b) for b in t]} for c, t in zip(canvases, truth)]


def main():
    t_start = time.time()
    common.setup_torch()
    test, calib, train = common.mnist_splits()
    rng_test = np.random.default_rng(common.SEED + 1)
    rng_calib = np.random.default_rng(common.SEED + 2)
    rng_train = np.random.default_rng(common.SEED + 3)
    test_c, test_t = make_canvases(test, TEST_CANVASES, rng_test)
    calib_c, calib_t = make_canvases(calib, CALIB_CANVASES, rng_calib)
    common.log('det', f'canvases: test {len(test_c)} ({sum(map(len, test_t))} digits), calibration {len(calib_c)} ({time.time() - t_start:.1f} s)')

    model = DetNet()
    params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    steps = (TRAIN_CANVASES + BATCH - 1) // BATCH
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=LR, epochs=EPOCHS, steps_per_epoch=steps)
    gen = torch.Generator().manual_seed(common.SEED)
    t_train = time.time()
    for epoch in range(EPOCHS):
        canvases, truth = make_canvases(train, TRAIN_CANVASES, rng_train)
        x = to_input(canvases)
        cls, box, pos = targets(truth)
        model.train()
        perm = torch.randperm(len(x), generator=gen)
        total, n = 0.0, 0
        for i in range(0, len(x), BATCH):
            idx = perm[i:i + BATCH]
            loss = loss_of(model, x[idx], cls[idx], box[idx], pos[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
            n += len(idx)
        common.log('det', f'epoch {epoch + 1}/{EPOCHS} loss {total / n:.4f} ({time.time() - t_train:.1f} s)')
    train_s = time.time() - t_train

    # Reported only (nothing was chosen by it): class accuracy and box IoU at the test boxes' own cells.
    model.eval()
    with torch.no_grad():
        out = model(to_input(test_c))
    cls_t, box_t, pos_t = targets(test_t)
    at = lambda t: t.permute(1, 0, 2)[:, pos_t]
    class_acc = float((at(out[:, 4:]).argmax(0) == at(cls_t).argmax(0)).float().mean())
    ious = iou_centered(at(out[:, :4]), at(box_t))
    common.log('det', f'test boxes: class right at their cell {class_acc:.4f}, box IoU > 0.5 {float((ious > 0.5).float().mean()):.4f}, median IoU {float(ious.median()):.4f}')

    ops = common.export(model, torch.zeros(1, 1, SIDE, SIDE), ONNX_PATH, 'output0')
    common.log('det', f'wrote {ONNX_PATH} ({os.path.getsize(ONNX_PATH)} bytes), ops: {ops}')
    common.write_json('det-data.json', {
        'classNames': [str(d) for d in range(10)], 'side': SIDE,
        'test': canvas_json(test_c, test_t), 'calibration': canvas_json(calib_c, calib_t),
    })
    report = {
        'model': 'DetNet: Conv(1->8)+ReLU+MaxPool2, Conv(8->16)+ReLU+MaxPool2, Conv(16->32)+ReLU+MaxPool2, '
                 'Conv(32->48)+ReLU, Conv(48->48)+ReLU, Conv1x1(48->14), all 3x3 pad 1 but the head; Reshape [B,14,64], Sigmoid, Mul, Add (grid decode)',
        'parameters': params,
        'canvases': {'side': SIDE, 'digits_per_canvas': '1-3', 'digit_side_px': list(SIZES),
                     'test': TEST_CANVASES, 'test_digits': sum(map(len, test_t)), 'calibration': CALIB_CANVASES,
                     'train_per_epoch': TRAIN_CANVASES},
        'training': {'epochs': EPOCHS, 'batch': BATCH, 'optimizer': f'Adam, OneCycle max_lr {LR}',
                     'seconds': round(train_s, 1), 'torch': torch.__version__, 'threads': 1},
        'float_test_at_assigned_cells': {'class_accuracy': class_acc, 'box_iou_above_0_5': float((ious > 0.5).float().mean()), 'median_iou': float(ious.median())},
        'onnx_bytes': os.path.getsize(ONNX_PATH), 'ops': ops,
        'total_seconds': round(time.time() - t_start, 1),
    }
    common.write_json('det-report.json', report)
    common.log('det', f'done in {report["total_seconds"]} s')
    return 0


if __name__ == '__main__':
    sys.exit(main())

#!/usr/bin/python3
"""Trains the segmentation demo: a tiny fully-convolutional net that labels each pixel of a 28x28 digit
as background (class 0) or as its digit (classes 1..10 = digits 0..9).

    /usr/bin/python3 tools/demo/tasks/train_seg.py

Masks come from the 8-bit pixels themselves: >= 128 is the digit, < 32 background, the band between is
the stroke edge and is labelled 255 (ignored by the metrics). Training uses the MNIST demo's training
split only (with the demo's light random affine augmentation, masks recomputed after it).

Writes  public/demo/tasks/mnist-seg.float.onnx   (opset 13, input `input` [batch,1,28,28] pixel/255,
                                                  output `scores` [batch,11,28,28], raw scores)
        tools/demo/tasks/out/seg-data.json        (test subset: 100 digits per class, pixels + masks, for pack-tasks.ts)
        tools/demo/tasks/out/seg-report.json
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

EPOCHS = 12
BATCH = 64
LR = 3e-3
TEST_PER_CLASS = 100
FG, BG = 128, 32
IGNORE = 255
CLASSES = 11
ONNX_PATH = os.path.join(common.PUBLIC, 'mnist-seg.float.onnx')


def masks_of(pixels, labels):
    """pixels uint8 or float 0..255 [N,28,28]; labels [N] -> uint8 [N,28,28] class indices / 255."""
    m = np.full(pixels.shape, IGNORE, dtype=np.uint8)
    m[pixels < BG] = 0
    fg = pixels >= FG
    m[fg] = (np.broadcast_to(np.asarray(labels).reshape(-1, 1, 1), pixels.shape)[fg] + 1).astype(np.uint8)
    return m


class SegNet(nn.Module):
    """Per-pixel branch (two 3x3 convs at full resolution, receptive field 5x5) plus a global branch
    (pooled convs and two fully connected layers) that adds one score per class to every pixel."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 16, 3, padding=1)
        self.head = nn.Conv2d(16, CLASSES, 1)
        self.g1 = nn.Conv2d(16, 16, 3, padding=1)
        self.fc1 = nn.Linear(16 * 7 * 7, 48)
        self.fc2 = nn.Linear(48, CLASSES)

    def forward(self, x):
        a = F.relu(self.conv1(x))
        local = self.head(F.relu(self.conv2(a)))
        g = F.max_pool2d(a, 2)
        g = F.max_pool2d(F.relu(self.g1(g)), 2)
        g = self.fc2(F.relu(self.fc1(torch.flatten(g, 1))))
        return local + g.reshape(-1, CLASSES, 1, 1)


def confusion(pred, target):
    keep = target != IGNORE
    return np.bincount(target[keep].astype(np.int64) * CLASSES + pred[keep], minlength=CLASSES * CLASSES).reshape(CLASSES, CLASSES)


def miou(conf):
    inter = np.diag(conf).astype(np.float64)
    union = conf.sum(0) + conf.sum(1) - inter
    iou = np.where(union > 0, inter / np.maximum(union, 1), np.nan)
    return float(np.nanmean(iou)), iou


def main():
    t_start = time.time()
    common.setup_torch()
    test, calib, train = common.mnist_splits()
    test_subset = [s for c in range(10) for s in [t for t in test if t[0] == c][:TEST_PER_CLASS]]

    xtr = torch.from_numpy(common.images(train).astype(np.float32)[:, None] / 255.0)
    ytr = np.asarray([s[0] for s in train])
    xte_u8 = common.images(test_subset)
    yte = np.asarray([s[0] for s in test_subset])
    mte = masks_of(xte_u8, yte)

    model = SegNet()
    params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=LR, epochs=EPOCHS, steps_per_epoch=(len(xtr) + BATCH - 1) // BATCH)
    gen = torch.Generator().manual_seed(common.SEED)
    t_train = time.time()
    for epoch in range(EPOCHS):
        model.train()
        perm = torch.randperm(len(xtr), generator=gen)
        total, n = 0.0, 0
        for i in range(0, len(xtr), BATCH):
            idx = perm[i:i + BATCH]
            xb = common.mnist_demo.augment(xtr[idx], gen)
            # Masks from the augmented image, on the same 8-bit scale as the test masks.
            mb = torch.from_numpy(masks_of(np.rint(xb[:, 0].numpy() * 255.0), ytr[idx.numpy()]).astype(np.int64))
            loss = F.cross_entropy(model(xb), mb, ignore_index=IGNORE)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
            n += len(idx)
        common.log('seg', f'epoch {epoch + 1}/{EPOCHS} loss {total / n:.4f} ({time.time() - t_train:.1f} s)')
    train_s = time.time() - t_train

    # Reported only: the epoch count was fixed in advance, the test subset chose nothing.
    model.eval()
    with torch.no_grad():
        xte = torch.from_numpy(xte_u8.astype(np.float32)[:, None] / 255.0)
        pred = model(xte).argmax(1).numpy()
    conf = confusion(pred.reshape(-1), mte.reshape(-1))
    test_miou, iou = miou(conf)
    pixel_acc = float(np.diag(conf).sum() / conf.sum())
    common.log('seg', f'float test subset: mIoU {test_miou:.4f}, pixel accuracy {pixel_acc:.4f}, per-class IoU {np.round(iou, 3).tolist()}')

    ops = common.export(model, torch.zeros(1, 1, 28, 28), ONNX_PATH, 'scores')
    common.log('seg', f'wrote {ONNX_PATH} ({os.path.getsize(ONNX_PATH)} bytes), ops: {ops}')

    common.write_json('seg-data.json', {
        'classNames': ['background'] + [str(d) for d in range(10)],
        'thresholds': {'digit': FG, 'background': BG, 'ignore': IGNORE},
        'test': [{'label': int(s[0]), 'index': int(s[1]), 'pixels': base64.b64encode(s[2].tobytes()).decode('ascii'),
                  'mask': base64.b64encode(mte[i].tobytes()).decode('ascii')} for i, s in enumerate(test_subset)],
    })
    report = {
        'model': 'SegNet: conv1(1->16,3x3)+ReLU; local: conv2(16->16,3x3)+ReLU, conv1x1(16->11); global: MaxPool2, '
                 'conv(16->16,3x3)+ReLU, MaxPool2, Linear(784->48)+ReLU, Linear(48->11); scores = local + global per class',
        'parameters': params,
        'training': {'split': 'MNIST demo training split (7,500)', 'epochs': EPOCHS, 'batch': BATCH,
                     'optimizer': f'Adam, OneCycle max_lr {LR}', 'augmentation': 'MNIST demo affine (rotation +-10 deg, scale 0.9..1.1, shift +-2 px)',
                     'seconds': round(train_s, 1), 'torch': torch.__version__, 'threads': 1},
        'float_test_subset': {'samples': len(test_subset), 'miou': test_miou, 'pixel_accuracy': pixel_acc,
                              'iou_per_class': [None if np.isnan(v) else float(v) for v in iou]},
        'onnx_bytes': os.path.getsize(ONNX_PATH), 'ops': ops,
        'total_seconds': round(time.time() - t_start, 1),
    }
    common.write_json('seg-report.json', report)
    common.log('seg', f'done in {report["total_seconds"]} s')
    return 0


if __name__ == '__main__':
    sys.exit(main())

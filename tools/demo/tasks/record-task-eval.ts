/**
 * Records the task demos' evaluations in Node (onnxruntime-web, wasm, 1 thread) as the golden facts
 * that test/unit/demo/task-demos.test.ts (and later the browser test) must reproduce exactly.
 *
 *   npx tsx tools/demo/tasks/record-task-eval.ts
 *
 * Reads   public/demo/tasks.json and everything it names
 * Writes  test/golden/task-demos.json   { [demo id]: facts }
 */
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { GOLDEN, ROOT, loadManifest } from './lib.ts';
import { evaluateTaskDemo, taskFacts } from './task-demos.ts';

const golden: Record<string, unknown> = {};
const pct = (v: unknown) => (typeof v === 'number' ? `${(v * 100).toFixed(2)}%` : String(v));
for (const demo of loadManifest()) {
  const started = performance.now();
  const outcome = await evaluateTaskDemo(demo);
  const facts = taskFacts(outcome);
  golden[demo.id] = facts;
  const metrics = (facts.metrics as { id: string; float: number; quantized: number }[]).map((m) => `${m.id} ${pct(m.float)} -> ${pct(m.quantized)}`).join(', ');
  const agreement = (facts.agreement as { id: string; value: number }[]).map((a) => `${a.id} ${a.value.toFixed(4)}`).join(', ');
  console.log(`[record] ${demo.id} (${facts.sampleCount} samples, ${((performance.now() - started) / 1000).toFixed(1)} s): ${metrics}; ${agreement}`);
}
writeFileSync(GOLDEN, `${JSON.stringify(golden, null, 2)}\n`);
console.log(`[record] wrote ${relative(ROOT, GOLDEN)}`);

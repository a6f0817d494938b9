import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../helpers/demo.ts';

// Keeps `npm run bench` from rotting: its smoke mode runs and produces its table and JSON.
// The benchmark is not a test: no speed or memory figure is asserted here.
interface BenchJson {
  smoke: boolean;
  table: string;
  convnet: {
    app: {
      first: { source: string | null }[];
      cached: { source: string | null }[];
      memory: { samples: number; run: { source: string | null }; memory: { page: { total: { peak: number } }; workers: { seen: string[] }; renderer: { pss: { peak: number } } } }[];
      errors: string[];
    };
    derived: { nodeSameAsBrowser: boolean };
  };
}

describe('npm run bench -- --smoke', () => {
  it('prints the table and writes bench-results/bench.json', () => {
    const stdout = execFileSync(process.execPath, [`${PROJECT_ROOT}node_modules/tsx/dist/cli.mjs`, 'tools/bench/bench.ts', '--smoke'], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 150_000 });
    expect(stdout).toMatch(/\| 1\. limit/);
    expect(stdout).toMatch(/\| 7\. Node/);
    // The convnet pair on the generated shapes, in the app and in Node, and the memory sampling.
    expect(stdout).toMatch(/\| 2b\. convnet pair, first evaluation/);
    expect(stdout).toMatch(/\| 4\. peak memory/);
    expect(stdout).toMatch(/\| 7b\. Node, convnet pair/);
    const json = JSON.parse(readFileSync(`${PROJECT_ROOT}bench-results/bench.json`, 'utf8')) as BenchJson;
    expect(json.smoke).toBe(true);
    expect(json.table).toContain('time to first result');
    const app = json.convnet.app;
    expect([...app.first.map((r) => r.source), ...app.cached.map((r) => r.source)]).toEqual(['decoded', 'cache']);
    expect(app.memory.map((m) => [m.samples, m.run.source])).toEqual([[100, 'decoded'], [300, 'decoded']]);
    for (const m of app.memory) {
      expect(m.memory.page.total.peak).toBeGreaterThan(0);
      expect(m.memory.workers.seen).toContain('model.worker');
      expect(m.memory.renderer.pss.peak).toBeGreaterThan(0);
    }
    // Same images, same preprocessing, same predictions in Chromium and in Node.
    expect(json.convnet.derived.nodeSameAsBrowser).toBe(true);
    expect(json.convnet.app.errors).toEqual([]);
  });
});

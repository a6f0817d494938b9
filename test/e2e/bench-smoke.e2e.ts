import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../helpers/demo.ts';

// Keeps `npm run bench` from rotting: its smoke mode runs and produces its table and JSON.
// The benchmark is not a test: no speed is asserted here.
describe('npm run bench -- --smoke', () => {
  it('prints the table and writes bench-results/bench.json', () => {
    const stdout = execFileSync(process.execPath, [`${PROJECT_ROOT}node_modules/tsx/dist/cli.mjs`, 'tools/bench/bench.ts', '--smoke'], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 150_000 });
    expect(stdout).toMatch(/\| 1\. limit/);
    expect(stdout).toMatch(/\| 7\. Node/);
    const json = JSON.parse(readFileSync(`${PROJECT_ROOT}bench-results/bench.json`, 'utf8')) as { smoke: boolean; table: string };
    expect(json.smoke).toBe(true);
    expect(json.table).toContain('time to first result');
  });
});

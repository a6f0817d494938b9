// Issue 10: no high or critical advisories in production dependencies. Run by .ci/run after `npm ci`.
// Fails on real findings; when the registry's advisory endpoint cannot be reached (this project's
// registry mirror answers it with 405), says so loudly and goes on: there is then nothing to judge.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

// AUDIT_REPORT=<file>: judge a saved `npm audit --json` instead (to check this script).
const run = process.env.AUDIT_REPORT
  ? { stdout: readFileSync(process.env.AUDIT_REPORT, 'utf8'), stderr: '' }
  : spawnSync('npm', ['audit', '--omit=dev', '--json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
let report;
try {
  report = JSON.parse(run.stdout || '{}');
} catch {
  report = {};
}
const counts = report.metadata?.vulnerabilities;
if (!counts) {
  const why = report.error?.summary || report.message || (run.stderr || run.stdout || 'no answer').trim().split('\n')[0];
  console.warn(`npm audit: NOT CHECKED, the advisory database could not be reached (${why}). Production dependencies are pinned by package-lock.json.`);
  process.exit(0);
}
const serious = (counts.high ?? 0) + (counts.critical ?? 0);
console.log(`npm audit (production dependencies): ${JSON.stringify(counts)}`);
if (serious > 0) {
  for (const [name, v] of Object.entries(report.vulnerabilities ?? {})) {
    if (v.severity === 'high' || v.severity === 'critical') console.error(`  ${v.severity}: ${name} ${v.range ?? ''}`);
  }
  console.error('High or critical advisories in production dependencies: update them (npm audit fix --omit=dev) before landing.');
  process.exit(1);
}

#!/usr/bin/env node
// Runs the whole suite (vitest: unit, then end-to-end projects in one run), shows
// vitest's normal report, and ends with the one line CI reads: "N passed, N failed".
// Exits non-zero when anything failed or nothing ran. Extra arguments go to vitest.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const outDir = '.test-results';
const out = join(outDir, 'vitest.json');
mkdirSync(outDir, { recursive: true });
if (existsSync(out)) rmSync(out);

// Tests are TypeScript too: vitest strips types without checking them, so check first
// (source and tests together); a type error counts as one failure.
const tc = spawnSync('npx', ['tsc', '-p', 'tsconfig.test.json'], { stdio: 'inherit' });
const typeFailures = tc.status === 0 ? 0 : 1;
if (typeFailures) console.error('test: type check of sources and tests failed (npx tsc -p tsconfig.test.json)');

const args = ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...process.argv.slice(2)];
const res = spawnSync('npx', args, { stdio: 'inherit', env: { ...process.env, FORCE_COLOR: process.env.CI ? '0' : process.env.FORCE_COLOR } });

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(out)) {
  const r = JSON.parse(readFileSync(out, 'utf8'));
  passed = r.numPassedTests ?? 0;
  skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  // A file that failed to load has no failed test in it but is a failure all the same.
  const brokenFiles = (r.testResults ?? []).filter((f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed')).length;
  failed = (r.numFailedTests ?? 0) + brokenFiles;
} else {
  failed = 1;
  console.error('test: vitest wrote no report');
}
failed += typeFailures;
if (skipped) console.log(`${skipped} skipped (tests that apply only in another mode or without root)`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(res.status !== 0 || failed > 0 || passed === 0 ? 1 : 0);

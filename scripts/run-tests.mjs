#!/usr/bin/env node
// `npm test`: type-check, then run every test file under test/ with node's test runner.
// Tests that need the lab get it from here: when running as root, one lab is brought up
// for the whole run (HASF_TEST_LAB_DIR) and torn down afterwards, whatever happens.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

// Several checkouts can test at once on one machine when each picks its own lab names.
const LAB_PREFIX = process.env.HASF_TEST_LAB_PREFIX || 'hasft';
const LAB_SUBNET = process.env.HASF_TEST_LAB_SUBNET || '10.231.9';

const only = process.argv.slice(2);
const files = only.length
  ? only
  : readdirSync('test', { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => join('test', f))
      .sort();

// Incremental: a re-run after a small change type-checks in a third of the time.
const tsc = spawnSync(join(root, 'node_modules/.bin/tsc'), ['--noEmit', '-p', '.', '--incremental', '--tsBuildInfoFile', 'var/tsc-test.tsbuildinfo'], { stdio: 'inherit' });
if (tsc.status !== 0) {
  console.error('type check failed');
  process.exit(1);
}

const { register } = await import('tsx/esm/api');
register();
const env = { ...process.env };
let lab = null;
if (process.getuid?.() === 0 && !process.env.HASF_TEST_NO_LAB) {
  lab = await import('../src/lab/index.ts');
  const dir = join(root, 'var/test-lab');
  const started = Date.now();
  await lab.labUp({ dir, prefix: LAB_PREFIX, subnet: LAB_SUBNET });
  console.error(`[tests] lab up in ${((Date.now() - started) / 1000).toFixed(1)} s (${dir})`);
  env.HASF_TEST_LAB_DIR = dir;
}

let code = 1;
try {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
    { stdio: 'inherit', env },
  );
  const stop = () => child.kill('SIGTERM');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  code = await new Promise((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
} finally {
  if (lab) await lab.labDown({ dir: join(root, 'var/test-lab'), prefix: LAB_PREFIX });
}
process.exit(code);

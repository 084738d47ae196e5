#!/usr/bin/env node
// `npm run screenshots`: run the web console's browser test against the lab (as root),
// which writes its screenshots to var/ui-screenshots/, then copy the ones the README
// shows to docs/. Never edit docs/console-*.png by hand: run this again.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const shots = join(root, 'var/ui-screenshots');
const started = Date.now();
const run = spawnSync(process.execPath, [join(root, 'scripts/run-tests.mjs'), 'test/e2e/ui-lab.test.ts'], { cwd: root, stdio: 'inherit' });
if (run.status !== 0) {
  console.error('[screenshots] the browser test failed; docs/ left as it was');
  process.exit(run.status ?? 1);
}
mkdirSync(join(root, 'docs'), { recursive: true });
for (const name of ['cluster', 'job']) {
  const from = join(shots, `${name}.png`);
  if (!existsSync(from) || statSync(from).mtimeMs < started) {
    console.error(`[screenshots] ${from} was not written by this run (is the lab there? run as root)`);
    process.exit(1);
  }
  copyFileSync(from, join(root, 'docs', `console-${name}.png`));
  console.error(`[screenshots] docs/console-${name}.png`);
}

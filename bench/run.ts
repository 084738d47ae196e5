// `npm run bench`: every benchmark, one after the other (they would skew each other in
// parallel), each in its own process. As root a lab is brought up for the ones that need
// a cluster and taken down at the end. Figures and ratios are printed; nothing asserts.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { isRoot, labDown, labUp } from '../src/lab/index.ts';

const root = join(import.meta.dirname, '..');
const benches = ['status-parse.main.ts', 'corpus-check.main.ts', 'audit.main.ts', 'ssh-lab.main.ts', 'jobs.main.ts', 'migrate.main.ts', 'api.main.ts', 'slack.main.ts', 'ui.main.ts', 'footprint.main.ts', 'failover.main.ts'];
const only = process.argv.slice(2);
const dir = join(root, 'var/bench-lab');
const env = { ...process.env };
let lab = false;
// HASF_BENCH_LAB_PREFIX / _SUBNET: labs of their own when several checkouts bench at once.
const prefix = process.env.HASF_BENCH_LAB_PREFIX || 'hasfb';
if (isRoot()) {
  await labUp({ dir, prefix, subnet: process.env.HASF_BENCH_LAB_SUBNET || '10.231.13' });
  env.HASF_TEST_LAB_DIR = dir;
  lab = true;
}
let failed = 0;
// The footprint bench measures the compiled build: build it from these sources first.
if (!only.length || only.some((o) => 'footprint'.startsWith(o))) {
  if (spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' }).status !== 0) failed++;
}
try {
  for (const b of benches) {
    if (only.length && !only.some((o) => b.startsWith(o))) continue;
    console.log(`\n== ${b.replace('.main.ts', '')}`);
    const args = ['--expose-gc', '--import', 'tsx', join('bench', b)];
    const r = spawnSync(process.execPath, args, { cwd: root, env, stdio: 'inherit' });
    if (r.status !== 0) failed++;
  }
} finally {
  if (lab) await labDown({ dir, prefix });
}
process.exit(failed ? 1 : 0);

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { rollingSchema } from '../../src/config/rolling.ts';
import { isHasfError } from '../../src/errors/index.ts';
import { OPERATIONS } from '../../src/operations/index.ts';
import type { OperationContext } from '../../src/operations/types.ts';
import { cibFileContext } from '../helpers/cib-context.ts';

// cluster.rolling's refusals before approval, judged by the real scheduler (crm_simulate)
// on copies of a captured 2.1.5 CIB: no cluster needed. The lab test runs it for real.
const fixtures = join(import.meta.dirname, '../fixtures/pacemaker/2.1.5');
const work = mkdtempSync(join(tmpdir(), 'hasf-rolling-cib-'));
after(() => rmSync(work, { recursive: true, force: true }));
const rolling = rollingSchema.parse({ tasks: { patch: { argv: ['zypper', '-n', 'patch'], reboot: 'clean' } } });
const op = OPERATIONS['cluster.rolling'];
let n = 0;

/** A context whose driver runs the real tools on a copy of `shape`, after `edits` (crm_attribute argvs) on it. */
function ctxOn(shape: string, edits: string[][] = []): OperationContext {
  const file = join(work, `${shape}-${++n}.xml`);
  copyFileSync(join(fixtures, `${shape}.cib.xml`), file);
  for (const argv of edits) execFileSync(argv[0]!, argv.slice(1), { env: { ...process.env, CIB_file: file }, stdio: 'pipe' });
  return cibFileContext(file, { dialect: 'pacemaker-2', rolling });
}
const refused = (code: string, re: RegExp) => (e: unknown) => isHasfError(e, code as never) && re.test(e.message);

test('an unknown task is refused with the configured names', async () => {
  await assert.rejects(op.preflight(ctxOn('healthy'), { task: 'pach' }), refused('UNKNOWN_TASK', /did you mean patch/));
});

test('a drain that would stop and start a resource (no allow-migrate, a group) is refused unless allowRestart', async () => {
  await assert.rejects(op.preflight(ctxOn('healthy'), { task: 'patch' }), refused('NOT_MIGRATABLE', /Draining node1 would stop and start .*vm3/));
  await op.preflight(ctxOn('healthy'), { task: 'patch', allowRestart: true });
});

test("a drain the other nodes can't hold (utilization) is refused up front, naming the node and the resource", async () => {
  const edits = [
    ['crm_attribute', '--type', 'crm_config', '--name', 'placement-strategy', '--update', 'utilization'],
    ['crm_attribute', '--node', 'node1', '--utilization', '--name', 'memory', '--update', '8192'],
    ['crm_attribute', '--node', 'node2', '--utilization', '--name', 'memory', '--update', '2048'],
    ['crm_attribute', '--node', 'node3', '--utilization', '--name', 'memory', '--update', '2048'],
    ['crm_resource', '--resource', 'vm3', '--utilization', '--set-parameter', 'memory', '--parameter-value', '6144'],
  ];
  await assert.rejects(op.preflight(ctxOn('healthy', edits), { task: 'patch', allowRestart: true }), refused('RESOURCES_WOULD_STOP', /Draining node1 would leave vm3 with nowhere to run/));
  // Leaving node1 out, the rest can be done.
  await op.preflight(ctxOn('healthy', edits), { task: 'patch', nodes: ['node2', 'node3'], allowRestart: true });
});

test('an unsafe cluster (no quorum, a node in standby, a node listed twice) is refused', async () => {
  await assert.rejects(op.preflight(ctxOn('noquorum'), { task: 'patch', allowRestart: true }), (e) => isHasfError(e, 'UNSAFE_CLUSTER'));
  await assert.rejects(op.preflight(ctxOn('standby'), { task: 'patch', allowRestart: true }), refused('UNSAFE_CLUSTER', /in standby/));
  await assert.rejects(op.preflight(ctxOn('healthy'), { task: 'patch', nodes: ['node1', 'node1'], allowRestart: true }), (e) => isHasfError(e, 'INVALID_INPUT'));
});

test('the plan lists each node in order: standby, the task on the node, the clean reboot, online; and the predicted drains', async () => {
  const plan = await op.plan(ctxOn('healthy'), { task: 'patch', nodes: ['node3', 'node1'], allowRestart: true });
  const lines = plan.commands.map((c) => `${c.host}: ${c.argv.join(' ')}`);
  const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
  const order = [/standby --update on.*node3|node3.*standby --update on/, /^node3: zypper -n patch/, /^node3: systemctl reboot/, /node3.*standby --update off|standby --update off.*node3/, /node1.*standby --update on|standby --update on.*node1/, /^node1: zypper -n patch/];
  const idx = order.map(at);
  assert.ok(idx.every((i) => i >= 0), lines.join('\n'));
  assert.deepEqual([...idx].sort((a, b) => a - b), idx, lines.join('\n'));
  assert.ok(plan.prediction!.actions.some((a) => a.text.startsWith('node3 standby: vm2: migrate node3 →')), plan.prediction!.actions.map((a) => a.text).join('\n'));
  assert.match(plan.summary, /"patch" on node3, node1/);
});

import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { StackDialect } from '../../src/cluster/dialects.ts';
import type { VmTemplate } from '../../src/config/inventory.ts';
import { OPERATIONS } from '../../src/operations/index.ts';
import type { OperationContext } from '../../src/operations/types.ts';
import { LocalExecutor } from '../../src/ssh/local-executor.ts';
import { cibFileContext } from '../helpers/cib-context.ts';

// The weekly operations' preflight and plans with the real Pacemaker tools on copies of a
// captured CIB (CIB_file=): the scheduler's predictions are real, and each stack dialect's
// forms (or their absence) are judged by what the operation would run. Nothing here needs
// a cluster; the lab tests (test/e2e/weekly-ops-lab, vm-add-lab) run the same operations.
const fixtures = join(import.meta.dirname, '../fixtures/pacemaker/2.1.5');
const work = mkdtempSync(join(tmpdir(), 'hasf-weekly-it-'));
after(() => rmSync(work, { recursive: true, force: true }));

let n = 0;
function ctxOn(shape: string, dialect: StackDialect = 'pacemaker-2', vms?: VmTemplate): { ctx: OperationContext; file: string } {
  const file = join(work, `${shape}-${++n}.xml`);
  copyFileSync(join(fixtures, `${shape}.cib.xml`), file);
  return { ctx: ctxFor(file, dialect, vms), file };
}

const ctxFor = (file: string, dialect: StackDialect, vms?: VmTemplate): OperationContext => cibFileContext(file, { dialect, vms });
const argvs = (plan: { commands: { argv: string[] }[] }) => plan.commands.map((c) => c.argv.join(' '));
const op = (name: keyof typeof OPERATIONS) => OPERATIONS[name];

test('resource.stop of the file system clone: every VM ordered after it is named, from the prediction and the CIB', async () => {
  const { ctx, file } = ctxOn('healthy');
  await op('resource.stop').preflight(ctx, { resource: 'shared-fs-clone' });
  const plan = await op('resource.stop').plan(ctx, { resource: 'shared-fs-clone' });
  assert.deepEqual(argvs(plan), ['crm_resource --meta --resource shared-fs-clone --set-parameter target-role --parameter-value Stopped']);
  for (const vm of ['vm1', 'vm2', 'vm3']) assert.ok(plan.warnings.some((w) => w.startsWith(`${vm} (on node`) && w.includes(`fs-then-${vm} orders it after what stops`)), plan.warnings.join('\n'));
  assert.ok(plan.prediction!.actions.some((a) => a.action === 'stop' && a.resource === 'vm1'));
  assert.equal(plan.prediction!.placement.vm1?.length ?? 0, 0);
  // Its lines: its own and each VM's, so a migration of a VM and this stop never run at once.
  const lines = (await op('resource.stop').locks({ resource: 'shared-fs-clone' }, ctx)).map((l) => `${l.kind}:${l.name}`);
  for (const id of ['shared-fs-clone', 'vm1', 'vm2', 'vm3']) assert.ok(lines.includes(`resource:${id}`), lines.join());
  // A plan changes nothing: the file still has no target-role.
  assert.doesNotMatch(readFileSync(file, 'utf8'), /target-role/);
});

test('resource.start of a running resource is ALREADY_THERE; of a stopped one, the scheduler places it', async () => {
  const { ctx, file } = ctxOn('healthy');
  await assert.rejects(op('resource.start').preflight(ctx, { resource: 'vm1' }), { code: 'ALREADY_THERE' });
  // Stop it on the file (the tool an admin would use), then ask again.
  await new LocalExecutor().run(['crm_resource', '--meta', '--resource', 'vm1', '--set-parameter', 'target-role', '--parameter-value', 'Stopped'], { env: { CIB_file: file } });
  const ctx2 = ctxFor(file, 'pacemaker-2');
  await op('resource.start').preflight(ctx2, { resource: 'vm1' });
  const plan = await op('resource.start').plan(ctx2, { resource: 'vm1' });
  assert.deepEqual(argvs(plan), ['crm_resource --meta --resource vm1 --delete-parameter target-role']);
  assert.match(plan.summary, /^Start vm1 \(the scheduler places it on node\d\)$/);
});

test('resource.restart: crm_resource --restart on Pacemaker 2; stop then start on 1.1 (no --restart there)', async () => {
  const p2 = await op('resource.restart').plan(ctxOn('healthy').ctx, { resource: 'vm2' });
  assert.deepEqual(argvs(p2), ['crm_resource --restart --resource vm2']);
  const { ctx } = ctxOn('healthy', 'pacemaker-1.1');
  const p11 = await op('resource.restart').plan(ctx, { resource: 'vm2' });
  assert.deepEqual(argvs(p11), [
    'crm_resource --meta --resource vm2 --set-parameter target-role --parameter-value Stopped',
    'crm_resource --meta --resource vm2 --delete-parameter target-role',
  ]);
  assert.ok(p11.warnings.some((w) => /Pacemaker 1\.1 has no crm_resource --restart/.test(w)), p11.warnings.join('\n'));
});

test("each stack's forms: is-managed before Pacemaker 2, no node maintenance or ban on 1.0, no maintenance-mode on Heartbeat 2.1, no --expired on 1.1", async () => {
  const rm = await op('resource.maintenance').plan(ctxOn('healthy', 'pacemaker-1.1').ctx, { resource: 'vm1', state: 'on' });
  assert.deepEqual(argvs(rm), ['crm_resource --meta --resource vm1 --set-parameter is-managed --parameter-value false']);
  const rm2 = await op('resource.maintenance').plan(ctxOn('healthy').ctx, { resource: 'vm1', state: 'on' });
  assert.deepEqual(argvs(rm2), ['crm_resource --meta --resource vm1 --set-parameter maintenance --parameter-value true']);
  await assert.rejects(op('node.maintenance').preflight(ctxOn('healthy', 'pacemaker-1.0').ctx, { node: 'node1', state: 'on' }), { code: 'UNSUPPORTED_STACK' });
  await assert.rejects(op('resource.ban').preflight(ctxOn('healthy', 'pacemaker-1.0').ctx, { resource: 'vm1', node: 'node1' }), { code: 'UNSUPPORTED_STACK' });
  await assert.rejects(op('cluster.maintenance').preflight(ctxOn('healthy', 'heartbeat-2.1').ctx, { state: 'on' }), { code: 'UNSUPPORTED_STACK' });
  await assert.rejects(op('resource.clear').preflight(ctxOn('leftovers', 'pacemaker-1.1').ctx, { resource: 'vm1', expired: true }), { code: 'UNSUPPORTED_STACK' });
  // And where the form exists, the prediction of the maintenance change is the real scheduler's.
  const cm = await op('cluster.maintenance').plan(ctxOn('healthy').ctx, { state: 'on' });
  assert.deepEqual(argvs(cm), ['crm_attribute --type crm_config --name maintenance-mode --update true']);
  assert.ok(cm.prediction, cm.warnings.join('\n'));
  assert.deepEqual(cm.prediction!.actions.filter((a) => a.action !== 'monitor'), []);
});

test('resource.ban: the plan says where it goes; resource.clear of the leftovers shape names each constraint', async () => {
  const { ctx } = ctxOn('healthy');
  const s = await ctx.status();
  const at = s.resources.find((r) => r.id === 'vm1')!.nodes[0]!;
  await op('resource.ban').preflight(ctx, { resource: 'vm1', node: at });
  const ban = await op('resource.ban').plan(ctx, { resource: 'vm1', node: at, lifetime: 'PT2H' });
  assert.deepEqual(argvs(ban), [`crm_resource --ban --resource vm1 --node ${at} --lifetime PT2H`]);
  assert.match(ban.summary, new RegExp(`^Ban vm1 from ${at} for PT2H \\(it moves away to node\\d\\)$`));
  const { ctx: left } = ctxOn('leftovers');
  const ls = await left.status();
  const leftovers = ls.constraints.filter((c) => c.leftover);
  assert.ok(leftovers.length > 0);
  const r = leftovers[0]!.resource;
  const clear = await op('resource.clear').plan(left, { resource: r });
  for (const c of leftovers.filter((x) => x.resource === r)) assert.ok(clear.summary.includes(c.id), clear.summary);
  await assert.rejects(op('resource.clear').preflight(ctxOn('healthy').ctx, { resource: 'vm2' }), { code: 'ALREADY_THERE' });
});

test('vm.add on a CIB copy: NOT_CONFIGURED without a template; with one, the whole sequence predicted and vm7 started', async () => {
  await assert.rejects(op('vm.add').preflight(ctxOn('healthy').ctx, { vm: 'vm7', config: '/etc/xen/vm7.cfg' }), { code: 'NOT_CONFIGURED' });
  const configDir = join(work, 'vms');
  const template: VmTemplate = {
    agent: 'ocf:pacemaker:Dummy',
    configParam: 'state',
    configDir,
    params: {},
    sharedStorage: 'shared-fs-clone',
    allowMigrate: true,
    timeouts: { monitorInterval: '10s', monitor: '20s', start: '20s', stop: '20s', migrateTo: '60s', migrateFrom: '20s' },
  };
  const { ctx, file } = ctxOn('healthy', 'pacemaker-2', template);
  await assert.rejects(op('vm.add').preflight(ctx, { vm: 'vm7', config: join(configDir, 'vm7.cfg') }), { code: 'VM_CONFIG_MISSING' });
  await assert.rejects(op('vm.add').preflight(ctx, { vm: 'vm1', config: join(configDir, 'vm7.cfg') }), { code: 'ALREADY_THERE' });
  await assert.rejects(op('vm.add').preflight(ctx, { vm: 'vm7', config: '/etc/passwd' }), { code: 'INVALID_INPUT' });
  mkdirSync(configDir, { recursive: true });
  writeFileSync(join(configDir, 'vm7.cfg'), 'x');
  // First on node3, preferring node2 from then on (a preference on its first node needs no temporary one).
  await op('vm.add').preflight(ctx, { vm: 'vm7', config: join(configDir, 'vm7.cfg'), node: 'node3', prefer: 'node2' });
  const plan = await op('vm.add').plan(ctx, { vm: 'vm7', config: join(configDir, 'vm7.cfg'), node: 'node3', prefer: 'node2' });
  const a = argvs(plan);
  assert.equal(a.length, 7, a.join('\n'));
  assert.equal(a[4], 'cibadmin --create --scope constraints --xml-text <rsc_location id="location-vm7-starts-on-node3" rsc="vm7" node="node3" score="INFINITY"/>');
  assert.match(a[0]!, /^cibadmin --create --scope resources --xml-text <primitive id="vm7" class="ocf" provider="pacemaker" type="Dummy">/);
  assert.ok(a.includes('cibadmin --create --scope constraints --xml-text <rsc_location id="location-vm7-prefers-node2" rsc="vm7" node="node2" score="50"/>'), a.join('\n'));
  assert.equal(a[5], 'crm_resource --meta --resource vm7 --delete-parameter target-role');
  assert.equal(a[6], 'cibadmin --delete --xml-text <rsc_location id="location-vm7-starts-on-node3"/>');
  assert.deepEqual(plan.prediction!.placement.vm7, ['node3']);
  assert.doesNotMatch(readFileSync(file, 'utf8'), /vm7/, 'the plan changed nothing');
  // vm.remove's plan on the fixture: stop, each constraint naming vm1, the primitive.
  const rm = await op('vm.remove').plan(ctxOn('healthy').ctx, { vm: 'vm1' });
  const r = argvs(rm);
  assert.equal(r[0], 'crm_resource --meta --resource vm1 --set-parameter target-role --parameter-value Stopped');
  assert.equal(r.at(-1), 'cibadmin --delete --xml-text <primitive id="vm1"/>');
  assert.ok(r.includes('cibadmin --delete --xml-text <rsc_order id="fs-then-vm1"/>'), r.join('\n'));
});

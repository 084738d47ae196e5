import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CibFileExecutor, PacemakerDriver, flattenResources, type ClusterStatus } from '../../src/cluster/index.ts';
import { LocalExecutor } from '../../src/ssh/local-executor.ts';

// The real Pacemaker 2.1.5 tools on CIB files (CIB_file=): crm_resource, crm_attribute,
// crm_mon, cibadmin, crm_simulate. No cluster daemons are needed.
const fixtures = join(import.meta.dirname, '../fixtures/pacemaker/2.1.5');
const work = mkdtempSync(join(tmpdir(), 'hasf-cluster-it-'));
after(() => rmSync(work, { recursive: true, force: true }));

let n = 0;
/** A driver on a private copy of a captured CIB, and that copy's path. */
function driverOn(shape: string): { drv: PacemakerDriver; file: string } {
  const file = join(work, `${shape}-${++n}.xml`);
  copyFileSync(join(fixtures, `${shape}.cib.xml`), file);
  const exec = new CibFileExecutor(new LocalExecutor(), file);
  return { drv: new PacemakerDriver({ name: 'lab', exec }), file };
}
const where = (s: ClusterStatus, id: string) => flattenResources(s.resources).find((r) => r.id === id)?.nodes;

test('dialect detected from the installed tools', async () => {
  const { drv } = driverOn('healthy');
  const d = await drv.dialect();
  assert.equal(d.name, 'pacemaker-2');
  assert.match(d.version ?? '', /^2\.\d+\.\d+$/);
});

test('status() = crm_mon XML + CIB on the real tools', async () => {
  const { drv } = driverOn('healthy');
  const s = await drv.status();
  assert.equal(s.source, 'crm_mon-output-as-xml');
  assert.deepEqual(where(s, 'vm1'), ['node2']);
  assert.equal(flattenResources(s.resources).find((r) => r.id === 'vm1')?.allowMigrate, true);
  assert.equal(s.dcNode, 'node1');
});

test('move leaves a cli-prefer constraint that status flags; clear removes it', async () => {
  const { drv, file } = driverOn('healthy');
  const r = await drv.move('vm1', 'node3');
  assert.equal(r.exitCode, 0);
  assert.deepEqual(r.argv, ['crm_resource', '--move', '--resource', 'vm1', '--node', 'node3']);
  assert.match(readFileSync(file, 'utf8'), /<rsc_location id="cli-prefer-vm1" rsc="vm1"[^>]*node="node3"/);
  let s = await drv.status();
  assert.deepEqual(
    s.constraints.filter((c) => c.leftover).map((c) => [c.id, c.resource, c.node, c.leftover]),
    [['cli-prefer-vm1', 'vm1', 'node3', 'prefer']],
  );
  await drv.clear('vm1');
  assert.doesNotMatch(readFileSync(file, 'utf8'), /cli-prefer-vm1/);
  s = await drv.status();
  assert.deepEqual(s.constraints.filter((c) => c.leftover), []);
});

test('move with a lifetime becomes a rule, still flagged as leftover', async () => {
  const { drv } = driverOn('healthy');
  await drv.move('vm2', 'node1', { lifetime: 'PT1H' });
  const c = (await drv.status()).constraints.find((x) => x.id === 'cli-prefer-vm2');
  assert.deepEqual([c?.node, c?.hasRule, c?.leftover], ['node1', true, 'prefer']);
});

test('standby on/off changes the node', async () => {
  const { drv } = driverOn('healthy');
  await drv.standby('node2', true);
  assert.equal((await drv.status()).nodes.find((x) => x.name === 'node2')?.standby, true);
  await drv.standby('node2', false);
  assert.equal((await drv.status()).nodes.find((x) => x.name === 'node2')?.standby, false);
});

test('a failing tool is COMMAND_FAILED with its argv (unknown node)', async () => {
  const { drv } = driverOn('healthy');
  await assert.rejects(drv.move('vm1', 'node9'), (e: { code: string; details: { argv: string[] } }) => {
    assert.equal(e.code, 'COMMAND_FAILED');
    assert.equal(e.details.argv[0], 'crm_resource');
    return true;
  });
});

const tmpLeft = () => readdirSync(tmpdir()).filter((f) => f.startsWith('hasf-predict-')).length;

test('predict(move vm1 → node3): a live migration, placement after, input unchanged', async () => {
  const { drv, file } = driverOn('healthy');
  const before = readFileSync(file, 'utf8');
  const left = tmpLeft();
  const p = await drv.predict({ kind: 'move', resource: 'vm1', node: 'node3' });
  assert.equal(p.format, 'xml');
  assert.deepEqual(p.actions.map((a) => [a.action, a.resource, a.from, a.to]), [['migrate', 'vm1', 'node2', 'node3']]);
  assert.deepEqual(p.placement.vm1, ['node3']);
  assert.deepEqual(p.placement.vm2, ['node3']);
  assert.ok(p.after.constraints.some((c) => c.id === 'cli-prefer-vm1'), 'the copy carried the move');
  assert.equal(readFileSync(file, 'utf8'), before, 'the cluster CIB is unchanged');
  assert.equal(tmpLeft(), left, 'temporary directory removed');
});

test('predict(move vm3 → node2): no allow-migrate means stop and start (move)', async () => {
  const { drv } = driverOn('healthy');
  const p = await drv.predict({ kind: 'move', resource: 'vm3', node: 'node2' });
  assert.deepEqual(p.actions.map((a) => [a.action, a.resource, a.from, a.to]), [['move', 'vm3', 'node1', 'node2']]);
});

test('predict(fence node2): the fence, and its VM restarted elsewhere', async () => {
  const { drv, file } = driverOn('healthy');
  const before = readFileSync(file, 'utf8');
  const p = await drv.predict({ kind: 'fence', node: 'node2', action: 'reboot' });
  const fence = p.actions.find((a) => a.action === 'fence');
  assert.deepEqual([fence?.node, fence?.detail], ['node2', 'reboot']);
  assert.ok(p.actions.some((a) => a.action === 'move' && a.resource === 'vm1' && a.from === 'node2' && a.to !== 'node2'));
  assert.equal(p.placement.vm1?.length, 1);
  assert.notEqual(p.placement.vm1?.[0], 'node2');
  assert.ok(!p.placement['shared-fs']?.includes('node2'));
  assert.equal(p.after.nodes.find((x) => x.name === 'node2')?.online, false);
  assert.equal(readFileSync(file, 'utf8'), before);
});

test('predict(standby node3): resources move off the node', async () => {
  const { drv, file } = driverOn('healthy');
  const before = readFileSync(file, 'utf8');
  const p = await drv.predict({ kind: 'standby', node: 'node3', on: true });
  assert.ok(p.actions.some((a) => a.action === 'migrate' && a.resource === 'vm2' && a.from === 'node3'));
  assert.ok(p.actions.some((a) => a.action === 'stop' && a.node === 'node3'), 'the clone instance stops there');
  for (const [id, nodes] of Object.entries(p.placement)) assert.ok(!nodes.includes('node3'), `${id} left node3`);
  assert.equal(p.after.nodes.find((x) => x.name === 'node3')?.standby, true);
  assert.equal(readFileSync(file, 'utf8'), before);
});

test('predict(cleanup vm2) on the failed cluster: recovery no longer planned', async () => {
  const { drv, file } = driverOn('failed');
  const before = readFileSync(file, 'utf8');
  // Without the cleanup the scheduler recovers vm2; after it, nothing is left to do.
  const p = await drv.predict({ kind: 'cleanup', resource: 'vm2' });
  assert.deepEqual(p.actions, []);
  const after = flattenResources(p.after.resources).find((r) => r.id === 'vm2');
  assert.equal(after?.failed, false);
  assert.equal(readFileSync(file, 'utf8'), before);
});

test('predict through the remote workspace path (mktemp -d, sh -c cat) on a wrapped executor', async () => {
  const { file } = driverOn('healthy');
  const local = new LocalExecutor();
  // Not a LocalExecutor instance: the driver must use the remote workspace commands.
  const remoteLike = { name: 'remote-like', run: local.run.bind(local) };
  const drv = new PacemakerDriver({ name: 'lab', exec: new CibFileExecutor(remoteLike, file) });
  const before = readFileSync(file, 'utf8');
  const p = await drv.predict({ kind: 'move', resource: 'vm1', node: 'node3' });
  assert.deepEqual(p.actions.map((a) => [a.action, a.resource, a.from, a.to]), [['migrate', 'vm1', 'node2', 'node3']]);
  assert.match(p.simulated[0]![0]!, /crm_resource/);
  assert.ok(p.simulated.some((a) => a.includes('--xml-file') && a[a.indexOf('--xml-file') + 1]!.startsWith('/')));
  assert.equal(readFileSync(file, 'utf8'), before);
});

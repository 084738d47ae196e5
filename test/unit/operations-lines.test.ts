import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCrmMonXml } from '../../src/cluster/index.ts';
import { storageTargetSchema } from '../../src/config/inventory.ts';
import { getOperation } from '../../src/operations/index.ts';
import { linesCovered, uniqueLines } from '../../src/operations/lines.ts';
import type { LockScope } from '../../src/operations/types.ts';

// crm_mon as the lab's 2.1.5 printed it: vm1 runs on node2, every node online.
const status = parseCrmMonXml(readFileSync(join(import.meta.dirname, '../fixtures/pacemaker/2.1.5/healthy.crm_mon.xml'), 'utf8'));
const target = (name: string, host: string, driver: 'tgt' | 'iet' | 'lio') =>
  storageTargetSchema.parse({ name, host, driver, iqn: `iqn.2026-01.lab.hasf:${name}`, hostKeys: ['SHA256:' + 'A'.repeat(43)] });
const scope: LockScope = {
  status: async () => status,
  storageTargets: [target('iet-a', '10.0.0.5', 'iet'), target('iet-b', '10.0.0.5', 'iet'), target('tgt-c', '10.0.0.6', 'tgt')],
};
const lines = async (op: string, params: Record<string, unknown>) => uniqueLines(await getOperation(op).locks(params, scope));
const names = (ls: { kind: string; name: string }[]) => ls.map((l) => `${l.kind}:${l.name}`);

test('vm.migrate waits in the lines of its VM, the node it leaves and the node it goes to', async () => {
  assert.deepEqual(status.resources.find((r) => r.id === 'vm1')?.nodes, ['node2']);
  const migrate = await lines('vm.migrate', { vm: 'vm1', node: 'node3' });
  assert.deepEqual(names(migrate), ['node:node2', 'node:node3', 'resource:vm1']);
  // Alone on the VM; only sharing the nodes, with other migrations.
  assert.deepEqual(migrate.map((l) => l.mode ?? 'exclusive'), ['shared', 'shared', 'exclusive']);
  assert.ok(!linesCovered(await lines('node.standby', { node: 'node2' }), migrate), 'holding node2 shared does not cover a standby of it');
});

test('a migration shares the node lines of standby, online and fence of either node', async () => {
  const migrate = await lines('vm.migrate', { vm: 'vm1', node: 'node3' });
  for (const op of ['node.standby', 'node.online', 'node.fence']) {
    for (const node of ['node2', 'node3']) {
      const other = await lines(op, { node });
      assert.ok(other.some((l) => migrate.some((m) => m.kind === l.kind && m.name === l.name)), `${op} ${node} shares a line with the migration`);
    }
    const node1 = await lines(op, { node: 'node1' });
    assert.deepEqual(names(node1), ['cluster-disruptive:*', 'node:node1']);
    assert.ok(!node1.some((l) => migrate.some((m) => m.kind === l.kind && m.name === l.name)), `${op} node1 does not wait for the migration`);
  }
});

test('one line per Pacemaker id, whatever the operation: cleanup and migrate of vm1 share it', async () => {
  const cleanup = await lines('resource.cleanup', { resource: 'vm1' });
  assert.deepEqual(names(cleanup), ['resource:vm1']);
  assert.ok(linesCovered(cleanup, await lines('vm.migrate', { vm: 'vm1', node: 'node1' })));
});

test('storage lines are per daemon and host: two IET targets on one host share one, another host does not', async () => {
  const a = await lines('lun.add', { target: 'iet-a', sizeMiB: 8 });
  const b = await lines('lun.add', { target: 'iet-b', sizeMiB: 8 });
  const c = await lines('lun.add', { target: 'tgt-c', sizeMiB: 8 });
  assert.deepEqual(names(a), ['storage:iet@10.0.0.5']);
  assert.deepEqual(a, b);
  assert.deepEqual(names(c), ['storage:tgt@10.0.0.6']);
});

test('linesCovered and uniqueLines', () => {
  const n1 = { kind: 'node', name: 'node1' } as const;
  const r1 = { kind: 'resource', name: 'vm1' } as const;
  assert.deepEqual(uniqueLines([r1, n1, r1]), [n1, r1]);
  assert.ok(linesCovered([n1], [r1, n1]));
  assert.ok(!linesCovered([n1, { kind: 'node', name: 'node3' }], [r1, n1]));
  assert.ok(linesCovered([], []));
});

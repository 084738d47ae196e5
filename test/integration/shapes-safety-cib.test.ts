import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { OPERATIONS } from '../../src/operations/index.ts';
import type { OperationContext } from '../../src/operations/types.ts';
import { cibFileContext } from '../helpers/cib-context.ts';

// Safety rules for the shapes Pacemaker's corpus has and the lab doesn't, with the real
// 2.1.5 tools on a copy of the captured "shapes" CIB (remote1, guest1 inside vm-guest on
// node2, bundle replicas web-bundle-0/1 on node1/node3): the status is what crm_mon reads.
const fixtures = join(import.meta.dirname, '../fixtures/pacemaker/2.1.5');
const work = mkdtempSync(join(tmpdir(), 'hasf-shapes-it-'));
after(() => rmSync(work, { recursive: true, force: true }));

let n = 0;
function ctx(): OperationContext {
  const file = join(work, `shapes-${++n}.xml`);
  copyFileSync(join(fixtures, 'shapes.cib.xml'), file);
  return cibFileContext(file, { dialect: 'pacemaker-2' });
}

test('live status of the shapes cluster: remote and guest nodes with their hosts, bundle replicas, promoted roles', async () => {
  const s = await ctx().status();
  assert.equal(s.source, 'crm_mon-output-as-xml');
  assert.deepEqual(s.nodes.filter((x) => x.type !== 'member').map((x) => [x.name, x.type, x.online, x.host ?? null]).sort(), [
    ['guest1', 'guest', true, 'node2'],
    ['remote1', 'remote', true, null],
    ['web-bundle-0', 'guest', true, 'node1'],
    ['web-bundle-1', 'guest', true, 'node3'],
  ]);
});

test('vm.migrate onto a remote or a guest node is refused with TARGET_NOT_CLUSTER_NODE', async () => {
  for (const node of ['remote1', 'guest1', 'web-bundle-0']) {
    await assert.rejects(OPERATIONS['vm.migrate'].preflight(ctx(), { vm: 'vm-guest', node }), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'TARGET_NOT_CLUSTER_NODE', `${node}: ${e.message}`);
      assert.match(e.message, new RegExp(`${node} is a (guest node|Pacemaker Remote node)`));
      return true;
    });
  }
  // A cluster node is fine.
  await OPERATIONS['vm.migrate'].preflight(ctx(), { vm: 'vm-guest', node: 'node3' });
});

test('a fence of a node that hosts guest nodes says so in the plan', async () => {
  const plan = await OPERATIONS['node.fence'].plan(ctx(), { node: 'node2', action: 'reboot' });
  assert.ok(plan.warnings.some((w) => /node2 hosts guest node guest1 \(in vm-guest\)/.test(w)), plan.warnings.join('\n'));
  const plan1 = await OPERATIONS['node.fence'].plan(ctx(), { node: 'node1', action: 'reboot' });
  assert.ok(plan1.warnings.some((w) => /node1 hosts guest node web-bundle-0 \(in web-bundle-podman-0\)/.test(w)), plan1.warnings.join('\n'));
});

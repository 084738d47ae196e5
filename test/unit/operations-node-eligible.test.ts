import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClusterNode, ClusterStatus } from '../../src/cluster/model.ts';
import { nodeBack, requireEligibleNode } from '../../src/operations/status-helpers.ts';

// A node that has just rejoined (after a fence, a reboot) is online but still pending: the
// scheduler shows it in standby until its join completes. Neither "back" nor a target yet.
const node = (extra: Partial<ClusterNode>): ClusterNode => ({ name: 'node2', online: true, standby: false, unclean: false, ...extra }) as ClusterNode;
const statusOf = (n: ClusterNode) => ({ nodes: [n] }) as unknown as ClusterStatus;

test('a joining (pending) node is not back and not a target: TARGET_OFFLINE saying it is still joining', () => {
  const joining = node({ pending: true, standby: true });
  assert.equal(nodeBack(statusOf(joining), 'node2'), false);
  assert.throws(() => requireEligibleNode(joining), (e: { code: string; message: string }) => e.code === 'TARGET_OFFLINE' && /still joining/.test(e.message));
});

test('a joined node is back; a standby one is refused as TARGET_STANDBY, an offline one as TARGET_OFFLINE', () => {
  assert.equal(nodeBack(statusOf(node({})), 'node2'), true);
  assert.doesNotThrow(() => requireEligibleNode(node({})));
  assert.throws(() => requireEligibleNode(node({ standby: true })), { code: 'TARGET_STANDBY' });
  assert.throws(() => requireEligibleNode(node({ online: false })), { code: 'TARGET_OFFLINE' });
  assert.equal(nodeBack(statusOf(node({ online: false })), 'node2'), false);
});

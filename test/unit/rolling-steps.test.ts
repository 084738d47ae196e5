import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClusterResource, ClusterStatus } from '../../src/cluster/model.ts';
import { rollingSchema } from '../../src/config/rolling.ts';
import { instanceCounts, notDrained, notSettled, phasesFrom, readCheckpoint, resumePoint, stopReport } from '../../src/operations/cluster-rolling-steps.ts';
import { CONTROLS, TRANSITIONS } from '../../src/jobs/state-machine.ts';
import { LAB_ROLLING } from '../../src/lab/index.ts';

const vm = (id: string, nodes: string[], role = nodes.length ? 'Started' : 'Stopped'): ClusterResource => ({ id, kind: 'primitive', role, active: nodes.length > 0, managed: true, failed: false, nodes, isFenceDevice: false });
const clone = (id: string, child: string, nodes: string[]): ClusterResource => ({
  id,
  kind: 'clone',
  role: 'Started',
  active: true,
  managed: true,
  failed: false,
  nodes,
  isFenceDevice: false,
  children: nodes.map((n) => ({ ...vm(child, [n]), parent: id })),
});
function status(resources: ClusterResource[], standby: string[] = [], offline: string[] = []): ClusterStatus {
  return {
    source: 'crm_mon-output-as-xml',
    quorum: { hasQuorum: true },
    nodes: ['node1', 'node2', 'node3'].map((name) => ({ name, online: !offline.includes(name), standby: standby.includes(name), unclean: false, maintenance: false, isDc: name === 'node1', resourcesRunning: 0 })),
    resources,
    constraints: [],
    fenceDevices: [],
    readAt: new Date().toISOString(),
  };
}

test('resume point: a fresh job starts at the first node; a recovered one at the node and phase it checkpointed; done nodes are skipped', () => {
  const nodes = ['node1', 'node2', 'node3'];
  assert.deepEqual(resumePoint(nodes, readCheckpoint({})), { node: 'node1', phase: 'standby', fresh: true });
  assert.deepEqual(resumePoint(nodes, readCheckpoint({ done: ['node1'], node: 'node2', phase: 'back', bootId: 'b1' })), { node: 'node2', phase: 'back', fresh: false });
  // After node2 finished its checkpoint clears node/phase (null): the next node starts fresh, at a pause point.
  assert.deepEqual(resumePoint(nodes, readCheckpoint({ done: ['node1', 'node2'], node: null, phase: null })), { node: 'node3', phase: 'standby', fresh: true });
  assert.equal(resumePoint(nodes, readCheckpoint({ done: nodes })), undefined);
  // Garbage in a checkpoint is ignored, never trusted.
  assert.deepEqual(readCheckpoint({ done: ['node1', 7], phase: 'explode' }), { done: ['node1'], node: undefined, phase: undefined, bootId: undefined, rebootSentAt: undefined, baseline: undefined });
});

test('phases: a reboot adds reboot and back; a recovered job picks up where it was', () => {
  assert.deepEqual(phasesFrom('standby', 'clean'), ['standby', 'drain', 'task', 'reboot', 'back', 'online', 'settle']);
  assert.deepEqual(phasesFrom('standby', 'none'), ['standby', 'drain', 'task', 'online', 'settle']);
  assert.deepEqual(phasesFrom('back', 'fence'), ['back', 'online', 'settle']);
});

test('stop report: done, where it stopped, and the nodes never touched', () => {
  const cp = readCheckpoint({ done: ['node1'], node: 'node2', phase: 'task' });
  assert.deepEqual(stopReport(['node1', 'node2', 'node3'], cp, { node: 'node2', phase: 'task' }), { done: ['node1'], stoppedAt: { node: 'node2', phase: 'task' }, untouched: ['node3'] });
  // Aborted at the pause point before node2: node2 was not touched either.
  assert.deepEqual(stopReport(['node1', 'node2', 'node3'], readCheckpoint({ done: ['node1'] }), { node: 'node2' }).untouched, ['node2', 'node3']);
});

test('drained: standby, nothing on the node, every service still running elsewhere, nothing moving', () => {
  const before = status([vm('vm1', ['node1']), vm('vm2', ['node2']), clone('fs-clone', 'fs', ['node1', 'node2', 'node3'])]);
  const base = instanceCounts(before);
  assert.deepEqual(base, { vm1: 1, vm2: 1, fs: 3 });
  assert.match(notDrained(before, 'node1', base)!, /not in standby/);
  assert.match(notDrained(status([vm('vm1', ['node1'], 'Migrating'), vm('vm2', ['node2'])], ['node1']), 'node1', base)!, /vm1 still on node1/);
  assert.match(notDrained(status([vm('vm1', []), vm('vm2', ['node2'])], ['node1']), 'node1', base)!, /vm1 not running anywhere/);
  // The clone's instance on node1 stops with the drain: that is expected, not a failure.
  assert.equal(notDrained(status([vm('vm1', ['node3']), vm('vm2', ['node2']), clone('fs-clone', 'fs', ['node2', 'node3'])], ['node1']), 'node1', base), undefined);
});

test('settled: the node online and out of standby, every instance count back to what ran before', () => {
  const base = { vm1: 1, vm2: 1, fs: 3 };
  const back = [vm('vm1', ['node3']), vm('vm2', ['node2'])];
  assert.match(notSettled(status([...back, clone('fs-clone', 'fs', ['node2', 'node3'])], ['node1']), 'node1', base)!, /still in standby/);
  assert.match(notSettled(status([...back, clone('fs-clone', 'fs', ['node2', 'node3'])]), 'node1', base)!, /fs not back/);
  assert.match(notSettled(status([...back, clone('fs-clone', 'fs', ['node1', 'node2', 'node3'])], [], ['node1']), 'node1', base)!, /not online/);
  assert.equal(notSettled(status([...back, clone('fs-clone', 'fs', ['node1', 'node2', 'node3'])]), 'node1', base), undefined);
});

test('configuration: a bare argv is a task with the defaults; the lab config parses, with its clean reboot and boot id', () => {
  const c = rollingSchema.parse({ tasks: { patch: ['zypper', '-n', 'patch'] } });
  assert.deepEqual(c.tasks.patch, { argv: ['zypper', '-n', 'patch'], timeoutMs: 30 * 60_000, reboot: 'none' });
  assert.deepEqual(c.bootId, ['cat', '/proc/sys/kernel/random/boot_id']);
  const lab = rollingSchema.parse(LAB_ROLLING);
  assert.equal(lab.tasks.marker!.reboot, 'clean');
  assert.deepEqual(lab.cleanReboot, ['hasf-lab-reboot']);
  assert.throws(() => rollingSchema.parse({ tasks: { 'Bad Name': ['true'] } }));
  assert.throws(() => rollingSchema.parse({ tasks: { x: [] } }));
});

test('the state machine owns pause and resume: paused only from running, resumed to running; controls apply only while they can be obeyed', () => {
  assert.deepEqual(TRANSITIONS.pause, { from: ['running'], to: 'paused' });
  assert.deepEqual(TRANSITIONS.resume, { from: ['paused'], to: 'running' });
  assert.ok((TRANSITIONS.claim.from as readonly string[]).includes('paused'), 'a recovered paused job is claimed again');
  assert.ok((TRANSITIONS.fail.from as readonly string[]).includes('paused'), 'an abort ends a paused job');
  assert.ok(!(TRANSITIONS.succeed.from as readonly string[]).includes('paused'), 'a paused job never succeeds without resuming');
  assert.deepEqual(CONTROLS.abort.when, ['running', 'paused']);
  assert.ok(!(CONTROLS.pause.when as readonly string[]).includes('awaiting_approval'));
});

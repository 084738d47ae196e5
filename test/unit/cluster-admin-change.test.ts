import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { copyArgvs, checkAdminChange, liveArgvs } from '../../src/cluster/admin-change.ts';
import { DIALECTS, dependantsOf, parseDependencies, vmResourceXml, type PlannedChange } from '../../src/cluster/index.ts';
import type { ClusterStatus } from '../../src/cluster/model.ts';
import { stopsWith, stopsWithLines } from '../../src/operations/cluster-safety.ts';
import { criticalFindings, requireSafeCluster } from '../../src/operations/cluster-safety.ts';
import type { OperationContext } from '../../src/operations/types.ts';

const P2 = DIALECTS['pacemaker-2'];
const P11 = DIALECTS['pacemaker-1.1'];
const noCheck = () => undefined;

test('admin changes: the live argv, and on a copy a restart is its stop half', () => {
  const single = () => ['x'];
  assert.deepEqual(liveArgvs(P2, { kind: 'restart', resource: 'vm1' }, single), [['crm_resource', '--restart', '--resource', 'vm1']]);
  assert.deepEqual(copyArgvs(P2, { kind: 'restart', resource: 'vm1' }), [['crm_resource', '--meta', '--resource', 'vm1', '--set-parameter', 'target-role', '--parameter-value', 'Stopped']]);
  assert.throws(() => liveArgvs(P11, { kind: 'restart', resource: 'vm1' }, single), { code: 'UNSUPPORTED_STACK' });
  assert.deepEqual(liveArgvs(P2, { kind: 'cluster-maintenance', on: false }, single), [['crm_attribute', '--type', 'crm_config', '--name', 'maintenance-mode', '--delete']]);
  assert.deepEqual(liveArgvs(P2, { kind: 'ban', resource: 'vm1', node: 'node2', lifetime: 'PT1H' }, single), [['crm_resource', '--ban', '--resource', 'vm1', '--node', 'node2', '--lifetime', 'PT1H']]);
  assert.deepEqual(liveArgvs(P2, { kind: 'cib-delete', tag: 'rsc_order', id: 'o1' }, single), [['cibadmin', '--delete', '--xml-text', '<rsc_order id="o1"/>']]);
});

test('a sequence: every change in order, on the cluster and on the copy; fence and cleanup are not part of one', () => {
  const xml = vmResourceXml(P2, { vm: 'vm7', config: '/etc/xen/vm7.cfg', template: { agent: 'ocf:heartbeat:Xen', params: {}, allowMigrate: true, sharedStorage: 'fs-clone', timeouts: { monitorInterval: '10s', monitor: '30s', start: '90s', stop: '120s', migrateTo: '300s', migrateFrom: '60s' } } });
  const seq: PlannedChange = {
    kind: 'sequence',
    changes: [
      { kind: 'cib-create', element: xml.primitive },
      { kind: 'cib-create', element: xml.order! },
      { kind: 'target-role', resource: 'vm7', role: null },
      { kind: 'move', resource: 'vm7', node: 'node2' },
    ],
  };
  const argvs = copyArgvs(P2, seq);
  assert.equal(argvs.length, 4);
  assert.deepEqual(argvs[0]!.slice(0, 4), ['cibadmin', '--create', '--scope', 'resources']);
  assert.match(argvs[0]![5]!, /^<primitive id="vm7" class="ocf" provider="heartbeat" type="Xen">/);
  assert.deepEqual(argvs[2], ['crm_resource', '--meta', '--resource', 'vm7', '--delete-parameter', 'target-role']);
  assert.deepEqual(argvs[3], ['crm_resource', '--move', '--resource', 'vm7', '--node', 'node2']);
  assert.throws(() => copyArgvs(P2, { kind: 'sequence', changes: [{ kind: 'fence', node: 'node1', action: 'reboot' }] }), { code: 'INVALID_INPUT' });
});

test('admin changes are checked before any argv: names, roles, tags, what a created element is', () => {
  assert.throws(() => checkAdminChange({ kind: 'ban', resource: 'vm1; reboot', node: 'node1' }, noCheck), { code: 'INVALID_NAME' });
  assert.throws(() => checkAdminChange({ kind: 'ban', resource: 'vm1', node: 'node1', lifetime: '1 hour' }, noCheck), { code: 'INVALID_INPUT' });
  assert.throws(() => checkAdminChange({ kind: 'target-role', resource: 'vm1', role: 'Promoted' as never }, noCheck), { code: 'INVALID_INPUT' });
  assert.throws(() => checkAdminChange({ kind: 'cib-delete', tag: 'cib' as never, id: 'x' }, noCheck), { code: 'INVALID_INPUT' });
  assert.throws(() => checkAdminChange({ kind: 'cib-create', element: { scope: 'resources', tag: 'primitive', id: 'vm7', xml: '<rsc_order id="vm7"/>' } }, noCheck), { code: 'INVALID_INPUT' });
  assert.throws(() => checkAdminChange({ kind: 'node-maintenance', node: 'node1', on: 'yes' as never }, noCheck), { code: 'INVALID_INPUT' });
  assert.throws(() => checkAdminChange({ kind: 'sequence', changes: [] }, noCheck), { code: 'INVALID_INPUT' });
});

test('dependencies from the CIB: mandatory orders, INFINITY colocations and group members, transitively', () => {
  const cib = `<cib><configuration><resources>
    <clone id="fs-clone"><primitive id="fs"/></clone>
    <primitive id="vm1"/><primitive id="vm2"/><primitive id="vm3"/>
    <group id="web"><primitive id="ip"/><primitive id="svc"/><primitive id="log"/></group>
  </resources><constraints>
    <rsc_order id="fs-then-vm1" first="fs-clone" then="vm1" kind="Mandatory"/>
    <rsc_order id="fs-then-vm2" first="fs-clone" then="vm2"/>
    <rsc_order id="fs-then-vm3" first="fs-clone" then="vm3" kind="Optional"/>
    <rsc_colocation id="vm1-with-fs" rsc="vm1" with-rsc="fs-clone" score="INFINITY"/>
    <rsc_colocation id="svc-near-vm2" rsc="web" with-rsc="vm2" score="100"/>
    <rsc_colocation id="web-with-vm1" rsc="web" with-rsc="vm1" score="INFINITY"/>
    <rsc_location id="vm1-prefers-node1" rsc="vm1" node="node1" score="50"/>
  </constraints></configuration><status/></cib>`;
  const deps = parseDependencies(cib);
  const of = (ids: string[]) => dependantsOf(deps, ids).map((d) => `${d.resource}<${d.how}:${d.via}`);
  assert.deepEqual(of(['fs-clone']), ['vm1<order:fs-then-vm1', 'vm2<order:fs-then-vm2', 'web<colocation:web-with-vm1']);
  assert.deepEqual(of(['ip']), ['svc<group:web', 'log<group:web']);
  assert.deepEqual(of(['vm3']), []);
  assert.deepEqual(deps.constraintsOf.vm1!.map((c) => c.id).sort(), ['fs-then-vm1', 'vm1-prefers-node1', 'vm1-with-fs', 'web-with-vm1']);
  // The lab fixture's VMs are ordered after the shared file system clone.
  const fixture = readFileSync(join(import.meta.dirname, '../fixtures/pacemaker/2.1.5/healthy.cib.xml'), 'utf8');
  assert.ok(dependantsOf(parseDependencies(fixture), ['shared-fs-clone']).some((d) => d.resource === 'vm1' && d.how === 'order'));
});

const status = (over: Partial<ClusterStatus> = {}): ClusterStatus => ({
  source: 'crm_mon-output-as-xml',
  quorum: { hasQuorum: true, expectedVotes: 3 },
  stonithEnabled: true,
  nodes: ['node1', 'node2', 'node3'].map((name) => ({ name, online: true, standby: false, unclean: false, maintenance: false, isDc: name === 'node1', resourcesRunning: 1 })),
  resources: [
    { id: 'fence', kind: 'primitive', role: 'Started', active: true, managed: true, failed: false, nodes: ['node1'], isFenceDevice: true },
    { id: 'fs-clone', kind: 'clone', role: 'Started', active: true, managed: true, failed: false, nodes: ['node1', 'node2'], isFenceDevice: false, children: [{ id: 'fs', kind: 'primitive', role: 'Started', active: true, managed: true, failed: false, nodes: ['node1', 'node2'], isFenceDevice: false, parent: 'fs-clone' }] },
    { id: 'vm1', kind: 'primitive', role: 'Started', active: true, managed: true, failed: false, nodes: ['node2'], isFenceDevice: false },
  ],
  constraints: [],
  fenceDevices: [{ id: 'fence', kind: 'primitive', role: 'Started', active: true, managed: true, failed: false, nodes: ['node1'], isFenceDevice: true }],
  readAt: new Date(0).toISOString(),
  ...over,
});
const ctxOf = (s: ClusterStatus, cib = '<cib><configuration><resources/><constraints><rsc_order id="fs-then-vm1" first="fs-clone" then="vm1"/></constraints></configuration></cib>') =>
  ({ cluster: 'c', status: async () => s, pacemaker: { dialect: async () => ({ name: 'pacemaker-2', spec: P2 }), cib: async () => cib } }) as unknown as OperationContext;

test('safety: no critical finding passes; fencing disabled or no quorum refuses with UNSAFE_CLUSTER naming each finding', async () => {
  await requireSafeCluster(ctxOf(status()), 'stop vm1');
  assert.deepEqual(await criticalFindings(ctxOf(status())), []);
  await assert.rejects(requireSafeCluster(ctxOf(status({ stonithEnabled: false })), 'stop vm1'), (e: { code: string; message: string }) => e.code === 'UNSAFE_CLUSTER' && /^Refusing to stop vm1: .*FENCING_DISABLED/.test(e.message));
  const lost = status({ quorum: { hasQuorum: false, expectedVotes: 3 } });
  lost.nodes[0]!.unclean = true;
  const codes = (await criticalFindings(ctxOf(lost))).map((f) => f.code);
  assert.deepEqual(codes.sort(), ['NODE_UNCLEAN', 'NO_QUORUM']);
});

test('what stops with a resource: the prediction says what, the constraints say why; what starts again elsewhere is not listed', async () => {
  const s = status();
  const prediction = {
    actions: [
      { action: 'stop', resource: 'fs:0', node: 'node1', text: '' },
      { action: 'stop', resource: 'fs:1', node: 'node2', text: '' },
      { action: 'stop', resource: 'vm1', node: 'node2', text: '' },
      { action: 'stop', resource: 'other', node: 'node1', text: '' },
      { action: 'start', resource: 'other', node: 'node3', text: '' },
    ],
    placement: {},
  };
  const list = await stopsWith(ctxOf(s), s, 'fs-clone', prediction);
  assert.deepEqual(stopsWithLines(list), ['vm1 (on node2) stops too: fs-then-vm1 orders it after what stops.']);
  // Without a prediction: the constraints, for what runs now.
  assert.deepEqual(stopsWithLines(await stopsWith(ctxOf(s), s, 'fs-clone', undefined)), ['vm1 (on node2) stops too: fs-then-vm1 orders it after what stops.']);
});

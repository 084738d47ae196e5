import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  flattenResources,
  mergeCibIntoStatus,
  parseCib,
  parseCrmMonXml,
  parseFenceHistory,
  parseSimulateXml,
  parseTransitionSummary,
  findCompletedFence,
  type ClusterStatus,
} from '../../src/cluster/index.ts';

const dir = join(import.meta.dirname, '../fixtures/pacemaker');
const read = (p: string) => readFileSync(join(dir, p), 'utf8');
const SHAPES = ['healthy', 'standby', 'unclean', 'failed', 'leftovers', 'noquorum', 'maintenance'] as const;

/** The three sources of one captured shape, each parsed and merged as status() does. */
function sources(shape: string): Record<string, ClusterStatus> {
  const cib = parseCib(read(`2.1.5/${shape}.cib.xml`));
  return {
    'output-as-xml': mergeCibIntoStatus(parseCrmMonXml(read(`2.1.5/${shape}.crm_mon.xml`)), cib),
    'as-xml': mergeCibIntoStatus(parseCrmMonXml(read(`2.1.5/${shape}.crm_mon-as-xml.xml`)), cib),
    cibadmin: cib,
  };
}
const res = (s: ClusterStatus, id: string) => {
  const r = flattenResources(s.resources).find((x) => x.id === id);
  assert.ok(r, `resource ${id} present`);
  return r;
};
const node = (s: ClusterStatus, name: string) => {
  const n = s.nodes.find((x) => x.name === name);
  assert.ok(n, `node ${name} present`);
  return n;
};

for (const shape of SHAPES) {
  test(`2.1.5 ${shape}: the three sources agree on nodes and placement`, () => {
    const all = Object.values(sources(shape));
    const view = (s: ClusterStatus) => ({
      nodes: s.nodes.map((n) => [n.name, n.online, n.standby, n.unclean, n.resourcesRunning]),
      placement: flattenResources(s.resources).map((r) => [r.id, r.kind, r.nodes.join('+'), r.allowMigrate ?? null]),
      constraints: s.constraints.map((c) => [c.id, c.node, c.leftover]),
      quorum: s.quorum.hasQuorum,
      dc: s.dcNode,
    });
    for (const s of all.slice(1)) assert.deepEqual(view(s), view(all[0]!));
  });
}

test('healthy: nodes, DC, quorum, VMs with allow-migrate, group, clone and fence device', () => {
  for (const [src, s] of Object.entries(sources('healthy'))) {
    assert.equal(s.dcNode, 'node1', src);
    assert.equal(s.quorum.hasQuorum, true, src);
    assert.equal(s.stonithEnabled, true, src);
    assert.deepEqual(s.nodes.map((n) => n.name), ['node1', 'node2', 'node3']);
    assert.ok(s.nodes.every((n) => n.online && !n.standby && !n.unclean && !n.maintenance), src);
    assert.equal(node(s, 'node1').isDc, true);
    assert.equal(node(s, 'node1').resourcesRunning, 5, src);
    assert.deepEqual(res(s, 'vm1').nodes, ['node2']);
    assert.equal(res(s, 'vm1').role, 'Started');
    assert.equal(res(s, 'vm1').agent, 'ocf:heartbeat:Xen');
    assert.equal(res(s, 'vm1').allowMigrate, true, src);
    assert.equal(res(s, 'vm3').allowMigrate, false, src);
    assert.deepEqual(res(s, 'vm2').nodes, ['node3']);
    const web = res(s, 'web');
    assert.equal(web.kind, 'group');
    assert.deepEqual(web.children?.map((c) => [c.id, c.parent, c.nodes.join()]), [
      ['web-ip', 'web', 'node1'],
      ['web-server', 'web', 'node1'],
    ]);
    const clone = res(s, 'shared-fs-clone');
    assert.equal(clone.kind, 'clone');
    assert.deepEqual([...clone.nodes].sort(), ['node1', 'node2', 'node3']);
    assert.equal(clone.children?.length, 1, 'clone instances folded into one member');
    assert.deepEqual(s.fenceDevices.map((f) => [f.id, f.agent, f.nodes.join()]), [['fence-lab', 'stonith:fence_lab', 'node1']]);
    assert.deepEqual(s.constraints.map((c) => [c.id, c.resource, c.node, c.score, c.leftover]), [
      ['web-prefers-node1', 'web', 'node1', '50', null],
    ]);
    assert.ok(flattenResources(s.resources).every((r) => !r.failed && r.managed), src);
  }
});

test('standby: node3 drained, its VM moved away', () => {
  for (const [src, s] of Object.entries(sources('standby'))) {
    assert.equal(node(s, 'node3').standby, true, src);
    assert.equal(node(s, 'node3').online, true, src);
    assert.equal(node(s, 'node3').resourcesRunning, 0, src);
    assert.ok(!res(s, 'vm2').nodes.includes('node3'), src);
    assert.equal(res(s, 'vm2').nodes.length, 1);
  }
});

test('unclean: node3 offline and unclean, quorum kept', () => {
  for (const [src, s] of Object.entries(sources('unclean'))) {
    const n3 = node(s, 'node3');
    assert.equal(n3.online, false, src);
    assert.equal(n3.unclean, true, src);
    assert.equal(node(s, 'node1').unclean, false);
    assert.equal(s.quorum.hasQuorum, true);
  }
});

test('failed: vm2 failed on node3 with fail-count 1', () => {
  for (const [src, s] of Object.entries(sources('failed'))) {
    assert.equal(res(s, 'vm2').failed, true, src);
    assert.deepEqual(res(s, 'vm2').failCounts, { node3: 1 }, src);
    assert.equal(res(s, 'vm1').failed, false);
    assert.equal(res(s, 'vm1').failCounts, undefined);
  }
});

test('leftovers: cli-prefer and cli-ban flagged, with their nodes', () => {
  for (const [src, s] of Object.entries(sources('leftovers'))) {
    const left = s.constraints.filter((c) => c.leftover);
    assert.deepEqual(left.map((c) => [c.id, c.resource, c.node, c.score, c.leftover]), [
      ['cli-prefer-vm1', 'vm1', 'node3', 'INFINITY', 'prefer'],
      ['cli-ban-vm3-on-node1', 'vm3', 'node1', '-INFINITY', 'ban'],
    ], src);
    assert.deepEqual(res(s, 'vm1').nodes, ['node3']);
    assert.ok(!res(s, 'vm3').nodes.includes('node1'));
  }
});

test('noquorum: no quorum, two unclean nodes', () => {
  for (const [src, s] of Object.entries(sources('noquorum'))) {
    assert.equal(s.quorum.hasQuorum, false, src);
    assert.deepEqual(s.nodes.filter((n) => n.unclean).map((n) => n.name), ['node2', 'node3']);
  }
});

test('maintenance: cluster maintenance-mode and node2 in maintenance', () => {
  for (const [src, s] of Object.entries(sources('maintenance'))) {
    assert.equal(s.maintenanceMode, true, src);
    assert.equal(node(s, 'node2').maintenance, true, src);
    assert.equal(node(s, 'node1').maintenance, false);
  }
  // crm_mon marks every resource unmanaged under maintenance-mode.
  assert.equal(res(sources('maintenance')['output-as-xml']!, 'vm1').managed, false);
});

test('sources are named', () => {
  const s = sources('healthy');
  assert.equal(s['output-as-xml']!.source, 'crm_mon-output-as-xml');
  assert.equal(s['as-xml']!.source, 'crm_mon-as-xml');
  assert.equal(s.cibadmin!.source, 'cibadmin');
  assert.equal(s['as-xml']!.stackVersion, '2.1.5');
});

test('Heartbeat 2.1 hand-written CIB: old schema read into the same model', () => {
  const s = parseCib(read('heartbeat-2.1/xen-2node.hand-written.cib.xml'));
  assert.equal(s.stackVersion, '2.1.4');
  assert.equal(s.dcNode, 'xen1');
  assert.equal(s.quorum.hasQuorum, true);
  assert.deepEqual(s.nodes.map((n) => [n.name, n.online, n.standby, n.resourcesRunning]), [
    ['xen1', true, false, 3],
    ['xen2', true, false, 3],
    ['xen3', true, true, 0],
  ]);
  assert.deepEqual(res(s, 'vm1').nodes, ['xen1']);
  assert.equal(res(s, 'vm1').allowMigrate, true, 'allow_migrate read');
  assert.deepEqual(res(s, 'vm2').nodes, ['xen2'], 'migrate_from counts as running');
  assert.equal(res(s, 'vm3').role, 'Stopped');
  // The failed start was followed by a successful stop: as the scheduler reads it, no longer
  // FAILED (the stop cleared it), but the failed start is remembered as a failed action.
  assert.equal(res(s, 'vm3').failed, false);
  assert.deepEqual(s.failedActions?.filter((f) => f.resource === 'vm3').map((f) => [f.node, f.operation, f.rc]), [['xen2', 'start', 1]]);
  assert.deepEqual(res(s, 'vm3').failCounts, { xen2: 1_000_000 });
  assert.deepEqual([...res(s, 'ocfs2-clone').nodes].sort(), ['xen1', 'xen2']);
  assert.deepEqual(s.fenceDevices.map((f) => [f.id, f.agent]), [['stonith-ssh', 'stonith:external/ssh']]);
  assert.deepEqual(s.constraints.filter((c) => c.leftover).map((c) => [c.id, c.node, c.leftover]), [
    ['cli-prefer-vm2', 'xen2', 'prefer'],
    ['cli-standby-vm3', 'xen1', 'ban'],
  ]);
});

test('Pacemaker 1.1 --as-xml: double-colon agents and Master/Slave normalized', () => {
  const s = parseCrmMonXml(read('1.1/ms-drbd.hand-written.crm_mon-as-xml.xml'));
  assert.equal(s.source, 'crm_mon-as-xml');
  assert.equal(s.stackVersion, '1.1.16');
  assert.equal(res(s, 'vm-db').agent, 'ocf:heartbeat:VirtualDomain');
  const ms = res(s, 'ms-drbd0');
  assert.equal(ms.role, 'Promoted');
  assert.equal(ms.children?.[0]?.agent, 'ocf:linbit:drbd');
  assert.equal(res(s, 'vm-app').failed, true);
  assert.equal(res(s, 'vm-app').managed, false);
  assert.deepEqual(res(s, 'vm-app').failCounts, { kvm2: 2 });
  assert.equal(s.fenceDevices[0]?.id, 'fence-ipmi-kvm2');
});

test('malformed or foreign XML is PARSE_ERROR', () => {
  assert.throws(() => parseCrmMonXml('crm_mon: command not found'), { code: 'PARSE_ERROR' });
  assert.throws(() => parseCrmMonXml('<cib/>'), { code: 'PARSE_ERROR' });
  assert.throws(() => parseCib('<pacemaker-result/>'), { code: 'PARSE_ERROR' });
  assert.throws(() => parseCib('<cib><configuration>'), { code: 'PARSE_ERROR' });
  const cut = read('2.1.5/healthy.crm_mon.xml');
  assert.throws(() => parseCrmMonXml(cut.slice(0, cut.length / 2)), { code: 'PARSE_ERROR' });
});

test('crm_simulate XML: migrate with from/to; fence with reboot, stop and move', () => {
  const mv = parseSimulateXml(read('2.1.5/move-vm1.simulate.xml'));
  assert.deepEqual(mv.map((a) => [a.action, a.resource, a.from, a.to]), [['migrate', 'vm1', 'node2', 'node3']]);
  assert.equal(mv[0]!.text, 'vm1: migrate node2 → node3');
  const f = parseSimulateXml(read('2.1.5/fail-node2.simulate.xml'));
  assert.deepEqual(f.find((a) => a.action === 'fence'), { action: 'fence', node: 'node2', detail: 'reboot', text: 'fence (reboot) node2' });
  assert.ok(f.some((a) => a.action === 'move' && a.resource === 'vm1' && a.from === 'node2' && a.to === 'node3'));
});

test('crm_simulate text summary gives the same actions as its XML', () => {
  for (const name of ['move-vm1', 'fail-node2']) {
    const strip = (as: { action: string; resource?: string; node?: string; from?: string; to?: string }[]) =>
      as.map((a) => [a.action, a.resource ?? null, a.node ?? null, a.from ?? null, a.to ?? null]).sort((x, y) => String(x).localeCompare(String(y)));
    assert.deepEqual(strip(parseTransitionSummary(read(`2.1.5/${name}.simulate.txt`))), strip(parseSimulateXml(read(`2.1.5/${name}.simulate.xml`))));
  }
});

test('crm_simulate 1.1 text forms', () => {
  const text = [
    'Transition Summary:',
    ' * Fence node2',
    ' * Migrate    vm1     (Started node2 -> node3)',
    ' * Start      vm4     (node1)',
    ' * Promote    drbd0:1 (Slave -> Master kvm2)',
    '',
    'Executing cluster transition:',
    ' * Resource action: vm1 migrate_to on node2',
  ].join('\n');
  assert.deepEqual(parseTransitionSummary(text).map((a) => [a.action, a.resource ?? a.node, a.from, a.to, a.node]), [
    ['fence', 'node2', undefined, undefined, 'node2'],
    ['migrate', 'vm1', 'node2', 'node3', undefined],
    ['start', 'vm4', undefined, undefined, 'node1'],
    ['promote', 'drbd0:1', undefined, undefined, 'kvm2'],
  ]);
});

test('fence history: 2.x XML, 2.x text, 1.1 text', () => {
  const xml = `<pacemaker-result api-version="2.25" request="stonith_admin --history node2 --output-as=xml">
  <fence_history>
    <fence_event action="reboot" target="node2" client="stonith_admin.4051" origin="node1" status="success" delegate="node3" completed="2026-11-25 14:02:11 +01:00"/>
    <fence_event action="off" target="node2" client="pacemaker-controld.812" origin="node1" status="failed" exit-reason="timed out"/>
  </fence_history>
  <status code="0" message="OK"/>
</pacemaker-result>`;
  const x = parseFenceHistory(xml);
  assert.deepEqual(x[0], { target: 'node2', action: 'reboot', status: 'success', delegate: 'node3', origin: 'node1', client: 'stonith_admin.4051', completed: '2026-11-25 14:02:11 +01:00' });
  assert.equal(x[1]!.status, 'failed');
  const t2 = parseFenceHistory(
    "reboot of node2 successful: delegate=node3, client=stonith_admin.4051, origin=node1, completed='2026-11-25 14:02:11 +01:00'\n" +
      'off of node3 pending: client=pacemaker-controld.812, origin=node1\n',
  );
  assert.deepEqual(t2[0], { target: 'node2', action: 'reboot', status: 'success', delegate: 'node3', client: 'stonith_admin.4051', origin: 'node1', completed: '2026-11-25 14:02:11 +01:00' });
  assert.deepEqual([t2[1]!.action, t2[1]!.target, t2[1]!.status], ['off', 'node3', 'pending']);
  const t1 = parseFenceHistory('node3 was able to reboot node node2 on behalf of crmd.1234 from node1 at Wed Nov 25 14:02:11 2026\nWe failed to off node node3 on behalf of stonith_admin.77 from node1 at Wed Nov 25 14:05:00 2026\n');
  assert.deepEqual([t1[0]!.delegate, t1[0]!.action, t1[0]!.target, t1[0]!.status], ['node3', 'reboot', 'node2', 'success']);
  assert.deepEqual([t1[1]!.delegate, t1[1]!.status], [undefined, 'failed']);
  // Confirmation: a success for that node, after the request.
  assert.ok(findCompletedFence(x, 'node2', new Date('2026-11-25T13:00:00Z')));
  assert.equal(findCompletedFence(x, 'node2', new Date('2026-11-25T13:05:00Z')), undefined);
  assert.equal(findCompletedFence(x, 'node3'), undefined);
  assert.deepEqual(parseFenceHistory(''), []);
});

test('fence history as stonith_admin 2.1.5 really prints it (<list name="fencing history">, captured on the lab)', () => {
  const x = parseFenceHistory(read('2.1.5/fence-history.lab.xml'));
  assert.deepEqual(x, [
    { target: 'node3', action: 'reboot', status: 'success', delegate: 'node1', origin: 'node1', client: 'stonith_admin.5457', completed: '2026-11-25 14:49:03Z' },
  ]);
  assert.ok(findCompletedFence(x, 'node3', new Date('2026-11-25T14:49:00Z')));
});

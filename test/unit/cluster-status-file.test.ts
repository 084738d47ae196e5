import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flattenResources, type ClusterStatus } from '../../src/cluster/index.ts';
import { parseStatusDocument } from '../../src/cluster/parse-status-file.ts';
import { hasf } from '../helpers/cli.ts';

const fx = join(import.meta.dirname, '../fixtures/pacemaker');
const read = (f: string) => readFileSync(join(fx, f), 'utf8');
const work = mkdtempSync(join(tmpdir(), 'hasf-status-file-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** What crm_mon would show: node states and each active instance's node and role. */
function view(s: ClusterStatus) {
  const nodes = s.nodes.map((n) => `${n.name}:${n.online ? 'online' : 'offline'}${n.unclean ? ',unclean' : ''}${n.standby ? ',standby' : ''}:${n.type ?? 'member'}`).sort();
  const inBundle = new Set(flattenResources(s.resources).filter((r) => r.kind === 'bundle').flatMap((b) => flattenResources(b.children ?? []).map((c) => c.id)));
  const placements: string[] = [];
  for (const r of flattenResources(s.resources)) {
    if (r.kind === 'bundle') for (const i of r.instances ?? []) if (i.active) placements.push(`${r.id}@${i.nodes.join('+')}=${i.role}`);
    if (r.kind !== 'primitive' || inBundle.has(r.id)) continue;
    for (const i of r.instances ?? []) if (i.active) placements.push(`${r.id}@${i.nodes.join('+')}=${i.role}`);
  }
  return { nodes, placements: placements.sort() };
}
const res = (s: ClusterStatus, id: string) => flattenResources(s.resources).find((r) => r.id === id)!;

test('shapes the corpus taught, from the real 2.1.5 tools: the CIB reading agrees with crm_mon on every node and instance', () => {
  const cib = parseStatusDocument(read('2.1.5/shapes.cib.xml'));
  const mon = parseStatusDocument(read('2.1.5/shapes.crm_mon.xml'));
  assert.equal(cib.format, 'cib');
  assert.equal(mon.format, 'crm_mon-output-as-xml');
  const want = view(mon.status);
  // crm_mon also lists a guest's connection (guest1) as a resource; the CIB reading keeps it implicit.
  want.placements = want.placements.filter((p) => !p.startsWith('guest1@'));
  assert.deepEqual(view(cib.status), want);
  assert.deepEqual(want.nodes, [
    'guest1:online:guest',
    'node1:online:member',
    'node2:online:member',
    'node3:online:member',
    'remote1:online:remote',
    'web-bundle-0:online:guest',
    'web-bundle-1:online:guest',
  ]);
  for (const s of [cib.status, mon.status]) {
    assert.equal(s.nodes.find((n) => n.name === 'guest1')?.host, 'node2', 'a guest node knows its host');
    assert.deepEqual(res(s, 'web-bundle').instances?.map((i) => [i.id, i.nodes, i.role]), [
      ['web-bundle-0', ['node1'], 'Started'],
      ['web-bundle-1', ['node3'], 'Started'],
    ]);
    assert.deepEqual(res(s, 'db').instances?.filter((i) => i.active).map((i) => `${i.nodes[0]}=${i.role}`).sort(), ['node1=Promoted', 'node2=Unpromoted', 'node3=Unpromoted']);
    assert.equal(res(s, 'db-clone').promotable, true);
    assert.equal(s.tickets?.find((t) => t.id === 'ticket-site-a')?.granted, true);
  }
  assert.equal(res(cib.status, 'vm-guest').guestNode, 'guest1');
  assert.equal(res(cib.status, 'app-ip').template, 'dummy-tpl');
  assert.deepEqual(cib.status.tags, { 'web-things': ['web-bundle', 'app-grp'] });
  // The 1.1-format --as-xml of the same cluster, from the same tool, reads to the same nodes.
  const old = parseStatusDocument(read('2.1.5/shapes.crm_mon-as-xml.xml'));
  assert.equal(old.format, 'crm_mon-as-xml');
  assert.deepEqual(old.status.nodes.map((n) => n.name).sort(), mon.status.nodes.map((n) => n.name).sort());
});

test('a 3.0.2 crm_mon XML: fencing-enabled wins over stonith-enabled; remote, guest, bundle, promotable, removed, failure, ticket', () => {
  const d = parseStatusDocument(read('3.0.2/bundle-remote.hand-written.crm_mon.xml'));
  assert.equal(d.schema, 'api-version 2.42');
  const s = d.status;
  assert.equal(s.stonithEnabled, false);
  assert.equal(s.stackVersion, '3.0.2');
  assert.deepEqual(view(s).nodes, ['edge1:online:remote', 'rh10-a:online:member', 'rh10-b:online:member', 'web-bundle-0:online:guest', 'web-bundle-1:offline:guest']);
  assert.equal(s.nodes.find((n) => n.name === 'web-bundle-0')?.host, 'rh10-a');
  assert.deepEqual(res(s, 'web-bundle').instances?.map((i) => [i.id, i.active, i.nodes]), [
    ['web-bundle-0', true, ['rh10-a']],
    ['web-bundle-1', false, []],
  ]);
  assert.equal(res(s, 'old-vip').orphaned, true);
  assert.equal(res(s, 'edge-app').failed, true);
  assert.deepEqual(s.failedActions?.map((f) => [f.resource, f.node, f.operation, f.intervalMs, f.rc]), [['edge-app', 'edge1', 'monitor', 10000, 7]]);
  assert.deepEqual(res(s, 'edge-app').failCounts, { edge1: 1 });
  assert.deepEqual(s.tickets, [{ id: 'ticket-site-a', granted: true, standby: false }]);
});

test('a Heartbeat 2.1 CIB and a 1.1 --as-xml read through the same door', () => {
  const hb = parseStatusDocument(read('heartbeat-2.1/xen-2node.hand-written.cib.xml'));
  assert.equal(hb.format, 'cib');
  assert.match(hb.schema, /crm-1\.0/);
  assert.deepEqual(res(hb.status, 'vm1').nodes, ['xen1']);
  const p11 = parseStatusDocument(read('1.1/ms-drbd.hand-written.crm_mon-as-xml.xml'));
  assert.equal(p11.format, 'crm_mon-as-xml');
  assert.equal(res(p11.status, 'ms-drbd0').role, 'Promoted');
});

test('something else is refused with what to give instead', () => {
  assert.throws(() => parseStatusDocument('<html><body/></html>'), (e: Error & { code?: string }) => e.code === 'INVALID_INPUT' && /crm_mon --output-as=xml/.test(e.message));
});

test('hasf status --file: a Heartbeat-era CIB, a 1.1 --as-xml, a 3.0.2 crm_mon XML and a crm_report tarball (newest cib.xml)', async () => {
  const hb = await hasf(['status', '--file', join(fx, 'heartbeat-2.1/xen-2node.hand-written.cib.xml')], {});
  assert.equal(hb.code, 0, hb.stderr);
  assert.match(hb.stdout, /CIB, crm-1\.0/);
  assert.match(hb.stdout, /^vm1\s+primitive\s+Started\s+xen1/m);
  const p11 = await hasf(['status', '--file', join(fx, '1.1/ms-drbd.hand-written.crm_mon-as-xml.xml')], {});
  assert.equal(p11.code, 0, p11.stderr);
  assert.match(p11.stdout, /crm_mon --as-xml/);
  const p3 = await hasf(['status', '--file', join(fx, '3.0.2/bundle-remote.hand-written.crm_mon.xml'), '--json'], {});
  assert.equal(p3.code, 0, p3.stderr);
  const s3 = JSON.parse(p3.stdout) as ClusterStatus;
  assert.equal(s3.source, 'crm_mon-output-as-xml');
  assert.equal(s3.nodes.length, 5);

  // A crm_report-like tarball: each node's cib.xml, one of them older; the newest is read.
  const dir = join(work, 'pcmk-report-2026-12-01');
  for (const n of ['node1', 'node2']) mkdirSync(join(dir, n), { recursive: true });
  const cib = read('2.1.5/shapes.cib.xml');
  writeFileSync(join(dir, 'node1/cib.xml'), cib.replace(/(<cib\b[^>]*\bepoch=")\d+"/, '$1900"'));
  writeFileSync(join(dir, 'node2/cib.xml'), read('2.1.5/healthy.cib.xml'));
  writeFileSync(join(dir, 'description.txt'), 'made by hand for the test\n');
  const tarball = join(work, 'report.tar.bz2');
  execFileSync('tar', ['-cjf', tarball, '-C', work, 'pcmk-report-2026-12-01']);
  const t = await hasf(['status', '--file', tarball], {});
  assert.equal(t.code, 0, t.stderr);
  assert.match(t.stdout, /\(pcmk-report-2026-12-01\/node1\/cib\.xml\): CIB/);
  assert.match(t.stdout, /^web-bundle\s+bundle/m);

  const bad = await hasf(['status', '--file', join(work, 'missing.xml')], {});
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /no such file/);
  writeFileSync(join(work, 'junk.bin'), Buffer.from([0, 1, 2, 3]));
  const junk = await hasf(['status', '--file', join(work, 'junk.bin')], {});
  assert.equal(junk.code, 2);
  assert.match(junk.stderr, /neither XML nor an archive/);
});

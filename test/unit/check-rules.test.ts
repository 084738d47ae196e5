import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIALECTS, mergeCibIntoStatus, parseCib, parseCibDetail, parseCrmMonXml, type NodeProbe } from '../../src/cluster/index.ts';
import { clockSkews, evaluate, type CheckFacts } from '../../src/operations/check/index.ts';

const FIX = join(import.meta.dirname, '../fixtures/pacemaker/2.1.5');

/** A healthy node's probe: clock in step, every peer resolved, every corosync link up. */
function probe(node: string, id: string, peers: Record<string, string>, over: Partial<NodeProbe> = {}): NodeProbe {
  const others = Object.entries(peers).filter(([n]) => n !== node);
  return {
    node,
    reachable: true,
    clock: { offsetMs: 3, uncertaintyMs: 2 },
    resolves: Object.fromEntries(others),
    links: { localNodeId: id, transport: 'knet', links: [{ id: '0', faulty: false, peers: ['1', '2', '3'].filter((x) => x !== id).map((x) => ({ nodeId: x, connected: true, text: 'connected' })) }] },
    ...over,
  };
}

const ADDR = { node1: '10.0.0.11', node2: '10.0.0.12', node3: '10.0.0.13' };

/** Facts from a captured 2.1.5 shape (crm_mon + cibadmin of the same cluster), with healthy probes unless changed. */
function facts(shape: string, change: (p: NodeProbe[]) => void = () => undefined): CheckFacts {
  const cibXml = readFileSync(join(FIX, `${shape}.cib.xml`), 'utf8');
  const status = mergeCibIntoStatus(parseCrmMonXml(readFileSync(join(FIX, `${shape}.crm_mon.xml`), 'utf8')), parseCib(cibXml));
  const probes = ['node1', 'node2', 'node3'].map((n, i) => probe(n, String(i + 1), ADDR));
  change(probes);
  return { status, detail: parseCibDetail(cibXml), verify: { exitCode: 0, messages: [] }, probes, dialect: DIALECTS['pacemaker-2'], addresses: ADDR };
}

const codes = (f: CheckFacts) => evaluate(f).map((x) => `${x.severity} ${x.code} ${x.subject}`);

test('a healthy cluster has no findings', () => {
  assert.deepEqual(codes(facts('healthy')), []);
});

test('each captured shape gives the findings an admin would name, with their fixes', () => {
  assert.deepEqual(codes(facts('failed')), ['warning FAILED_ACTION vm2']);
  const failed = evaluate(facts('failed'))[0]!;
  assert.deepEqual(failed.fix.argv, ['crm_resource', '--cleanup', '--resource', 'vm2', '--node', 'node3']);
  assert.equal(failed.fix.hasf, 'cleanup vm2');
  assert.match(failed.message, /monitor \(every 10 s\) failed on node3 \(error: Simulated action result\)/);

  const left = evaluate(facts('leftovers')).filter((x) => x.code === 'LEFTOVER_CONSTRAINT');
  assert.deepEqual(left.map((x) => [x.subject, x.fix.argv?.join(' ')]), [
    ['cli-prefer-vm1', 'crm_resource --clear --resource vm1'],
    ['cli-ban-vm3-on-node1', 'crm_resource --clear --resource vm3'],
  ]);

  const m = codes(facts('maintenance'));
  assert.ok(m.includes('warning MAINTENANCE_MODE cluster'), m.join('\n'));
  assert.ok(m.some((x) => /NODE_MAINTENANCE/.test(x)), m.join('\n'));
  assert.deepEqual(evaluate(facts('maintenance')).find((x) => x.code === 'MAINTENANCE_MODE')!.fix.argv, ['crm_attribute', '--type', 'crm_config', '--name', 'maintenance-mode', '--delete']);

  assert.ok(codes(facts('noquorum')).includes('critical NO_QUORUM cluster'));
  assert.ok(codes(facts('unclean')).some((x) => /^critical NODE_UNCLEAN/.test(x)));
  const standby = evaluate(facts('standby')).find((x) => x.code === 'NODE_STANDBY')!;
  assert.equal(standby.fix.hasf, `online ${standby.subject}`);
});

test('fencing disabled and no fence device are critical; crm_verify errors are critical, warnings are warnings', () => {
  const f = facts('healthy');
  f.status = { ...f.status, stonithEnabled: false };
  f.verify = { exitCode: 78, messages: [{ level: 'error', message: 'No STONITH resources' }, { level: 'warning', message: 'op timeout too short' }] };
  const found = evaluate(f);
  assert.deepEqual(found.map((x) => `${x.severity} ${x.code}`), ['critical FENCING_DISABLED', 'critical VERIFY_ERROR', 'warning VERIFY_WARNING']);
  assert.deepEqual(found[0]!.fix.argv, ['crm_attribute', '--type', 'crm_config', '--name', 'stonith-enabled', '--update', 'true']);
  const g = facts('healthy');
  g.status = { ...g.status, fenceDevices: [] };
  assert.deepEqual(codes(g), ['critical NO_FENCE_DEVICE cluster']);
});

test('clock skew: the one node off is named; the uncertainty of the reading is taken off first', () => {
  assert.deepEqual(clockSkews({ a: { offsetMs: 0, uncertaintyMs: 3 }, b: { offsetMs: 10_000, uncertaintyMs: 3 }, c: { offsetMs: 5, uncertaintyMs: 3 } }, 1000).map((s) => [s.node, Math.round(s.skewMs)]), [['b', 9995]]);
  assert.deepEqual(clockSkews({ a: { offsetMs: 0, uncertaintyMs: 400 }, b: { offsetMs: 1500, uncertaintyMs: 400 }, c: { offsetMs: 0, uncertaintyMs: 1 } }, 1000), []);
  // Two nodes: no majority, both are named.
  assert.deepEqual(clockSkews({ a: { offsetMs: 0, uncertaintyMs: 1 }, b: { offsetMs: -8000, uncertaintyMs: 1 } }, 1000).map((s) => s.node), ['a', 'b']);
  const f = facts('healthy', (p) => (p[1]!.clock = { offsetMs: -10_003, uncertaintyMs: 4 }));
  const [skew] = evaluate(f);
  assert.equal(skew!.code, 'CLOCK_SKEW');
  assert.match(skew!.message, /^node2's clock is 10\.0 s behind the other nodes' \(node1, node3\)/);
  assert.equal(skew!.fix.on, 'node2');
});

test('names: a node that cannot resolve a peer gets the address the others agree on; disagreements are named', () => {
  const f = facts('healthy', (p) => (p[2]!.resolves.node1 = null));
  const [unresolved, ...rest] = evaluate(f);
  assert.deepEqual([unresolved!.code, unresolved!.subject, rest.length], ['NAME_UNRESOLVED', 'node3', 0]);
  assert.match(unresolved!.fix.summary, /^Add "10\.0\.0\.11 node1" to \/etc\/hosts on node3/);
  assert.equal(unresolved!.fix.on, 'node3');
  const g = facts('healthy', (p) => (p[1]!.resolves.node1 = '10.9.9.9'));
  assert.deepEqual(codes(g), ['warning NAME_MISMATCH node1']);
  assert.match(evaluate(g)[0]!.message, /node2 → 10\.9\.9\.9/);
});

test('links: a down link to an online peer is critical with no other link, a warning with one; offline peers are not a link fault', () => {
  const f = facts('healthy', (p) => {
    p[0]!.links!.links[0]!.peers[1]!.connected = false; // node1 → node3
  });
  assert.deepEqual(codes(f), ['critical LINK_DOWN node1']);
  const g = facts('healthy', (p) => {
    const l = p[0]!.links!.links;
    l.push({ id: '1', faulty: false, peers: l[0]!.peers.map((x) => ({ ...x })) });
    l[0]!.peers[1]!.connected = false;
  });
  assert.deepEqual(codes(g), ['warning LINK_DOWN node1']);
  const down = facts('unclean').status.nodes.find((n) => !n.online)!;
  const h = facts('unclean', (p) => {
    for (const x of p) for (const peer of x.links!.links[0]!.peers) if (peer.nodeId === down.id) peer.connected = false;
  });
  assert.equal(codes(h).filter((x) => /LINK_DOWN/.test(x)).length, 0, codes(h).join('\n'));
});

test('an unreachable node is named once with why; its probes are not guessed', () => {
  const f = facts('healthy', (p) => {
    p[2] = { node: 'node3', reachable: false, error: 'SSH_CONNECT_FAILED: connect ECONNREFUSED', resolves: { node1: null, node2: null } };
  });
  assert.deepEqual(codes(f), ['warning NODE_UNREACHABLE node3']);
});

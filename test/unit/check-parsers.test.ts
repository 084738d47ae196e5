import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCfgtool, parseCibDetail, parseCrmVerify, parseEpoch, parseGetent } from '../../src/cluster/index.ts';

const FIX = join(import.meta.dirname, '../fixtures/pacemaker/2.1.5');

test('corosync-cfgtool -s: corosync 3.1 knet links with one line per node', () => {
  // As printed on the lab's node1 (corosync 3.1.7), node3's link cut.
  const out = 'Local node ID 1, transport knet\nLINK ID 0 udp\n\taddr\t= 10.232.12.11\n\tstatus:\n\t\tnodeid:          1:\tlocalhost\n\t\tnodeid:          2:\tconnected\n\t\tnodeid:          3:\tdisconnected\n';
  const r = parseCfgtool(out);
  assert.equal(r.localNodeId, '1');
  assert.equal(r.transport, 'knet');
  assert.deepEqual(r.links, [
    { id: '0', address: '10.232.12.11', faulty: false, peers: [{ nodeId: '2', connected: true, text: 'connected' }, { nodeId: '3', connected: false, text: 'disconnected' }] },
  ]);
});

test('corosync-cfgtool -s: corosync 3.0 "link connected:N" and corosync 2 rings with faults', () => {
  const v30 = 'Printing link status.\nLocal node ID 2\nLINK ID 0\n\taddr\t= 192.168.1.2\n\tstatus:\n\t\tnodeid  1:\tlink enabled:1\tlink connected:1\n\t\tnodeid  2:\tlink enabled:1\tlink connected:1\n\t\tnodeid  3:\tlink enabled:1\tlink connected:0\n';
  const a = parseCfgtool(v30);
  assert.deepEqual(a.links[0]!.peers.map((p) => [p.nodeId, p.connected]), [['1', true], ['2', true], ['3', false]]);
  const v2 = 'Printing ring status.\nLocal node ID 1\nRING ID 0\n\tid\t= 10.0.0.1\n\tstatus\t= ring 0 active with no faults\nRING ID 1\n\tid\t= 10.0.1.1\n\tstatus\t= Marking ringid 1 interface 10.0.1.1 FAULTY\n';
  const b = parseCfgtool(v2);
  assert.deepEqual(b.links.map((l) => [l.id, l.address, l.faulty]), [['0', '10.0.0.1', false], ['1', '10.0.1.1', true]]);
});

test('crm_verify: 2.x "(func) error:" lines and 1.x "ERROR: func:" lines; summaries and repeats dropped', () => {
  // Pacemaker 2.1.5 on a CIB without a fence device (captured with crm_verify -x … -V).
  const v2 = '(unpack_resources) \terror: Resource start-up disabled since no STONITH resources have been defined\n(unpack_resources) \terror: Either configure some or disable STONITH with the stonith-enabled option\n(unpack_resources) \terror: Resource start-up disabled since no STONITH resources have been defined\ncrm_verify: Errors found during check: config not valid\n';
  assert.deepEqual(parseCrmVerify(78, '', v2), {
    exitCode: 78,
    messages: [
      { level: 'error', message: 'Resource start-up disabled since no STONITH resources have been defined' },
      { level: 'error', message: 'Either configure some or disable STONITH with the stonith-enabled option' },
    ],
  });
  const v1 = 'crm_verify[2114]: 2009/06/02_12:01:02 WARN: unpack_rsc_op: Processing failed op vm1_monitor_0 on node2: unknown error\ncrm_verify[2114]: 2009/06/02_12:01:02 ERROR: unpack_resources: No STONITH resources\nWarnings found during check: config may not be valid\n';
  assert.deepEqual(parseCrmVerify(0, '', v1).messages, [
    { level: 'warning', message: 'Processing failed op vm1_monitor_0 on node2: unknown error' },
    { level: 'error', message: 'No STONITH resources' },
  ]);
  assert.deepEqual(parseCrmVerify(0, '', '').messages, []);
});

test('CIB detail: the failed monitor of a captured 2.1.5 CIB, and resource meta', () => {
  const d = parseCibDetail(readFileSync(join(FIX, 'failed.cib.xml'), 'utf8'));
  assert.equal(d.failedActions.length, 1);
  assert.deepEqual(d.failedActions[0], {
    resource: 'vm2',
    node: 'node3',
    operation: 'monitor',
    intervalMs: 10000,
    rc: 1,
    rcText: 'error',
    exitReason: 'Simulated action result',
    at: new Date(1795616726 * 1000).toISOString(),
  });
  assert.deepEqual(parseCibDetail(readFileSync(join(FIX, 'healthy.cib.xml'), 'utf8')).failedActions, []);
  const meta = parseCibDetail('<cib><configuration><resources><group id="g"><meta_attributes id="m"><nvpair id="a" name="target-role" value="Stopped"/></meta_attributes><primitive id="p" class="ocf" provider="x" type="y"><meta_attributes id="n"><nvpair id="b" name="is_managed" value="false"/><nvpair id="c" name="maintenance" value="true"/></meta_attributes></primitive></group></resources></configuration><status/></cib>').meta;
  assert.deepEqual(meta, { g: { targetRole: 'Stopped' }, p: { isManaged: 'false', maintenance: 'true' } });
});

test('getent hosts: names matched in order, missing ones null, FQDN answers count', () => {
  assert.deepEqual(parseGetent(['node1', 'node2', 'node3'], '10.0.0.1       node1\n10.0.0.3       node3.example.com node3\n'), { node1: '10.0.0.1', node2: null, node3: '10.0.0.3' });
  assert.deepEqual(parseGetent(['a', 'b'], '10.0.0.2 b.lab\n'), { a: null, b: '10.0.0.2' });
  assert.deepEqual(parseGetent(['a'], ''), { a: null });
});

test('date +%s.%N with and without nanoseconds', () => {
  assert.deepEqual(parseEpoch('1796147222.848396727\n'), { ms: 1796147222848.3967, resolutionMs: 0 });
  assert.deepEqual(parseEpoch('1796147222.%N\n'), { ms: 1796147222000, resolutionMs: 1000 });
  assert.equal(parseEpoch('date: invalid'), undefined);
});

test('CIB detail: a probe that found the resource running is not a failure; a timeout is, whatever its rc', () => {
  const cib = (ops: string) => `<cib><configuration><resources/></configuration><status><node_state id="1" uname="node1"><lrm id="1"><lrm_resources><lrm_resource id="vm3" type="domU" class="ocf" provider="hasf">${ops}</lrm_resource></lrm_resources></lrm></node_state></status></cib>`;
  // Seen on the lab after a cleanup that followed maintenance-mode: probe expected 7, got 0.
  const probe = '<lrm_rsc_op id="vm3_last_failure_0" operation_key="vm3_monitor_0" operation="monitor" transition-key="3:12:7:aaaa" rc-code="0" op-status="0" interval="0" last-rc-change="1796148897"/>';
  assert.deepEqual(parseCibDetail(cib(probe)).failedActions, []);
  const timeout = '<lrm_rsc_op id="vm3_last_failure_0" operation_key="vm3_stop_0" operation="stop" transition-key="5:13:0:aaaa" rc-code="0" op-status="2" interval="0"/>';
  assert.deepEqual(parseCibDetail(cib(timeout)).failedActions.map((a) => [a.operation, a.status]), [['stop', 'timed out']]);
  const gone = '<lrm_rsc_op id="vm3_last_failure_0" operation_key="vm3_monitor_10000" operation="monitor" transition-key="7:14:0:aaaa" rc-code="7" op-status="0" interval="10000"/>';
  assert.deepEqual(parseCibDetail(cib(gone)).failedActions.map((a) => a.rcText), ['not running']);
});

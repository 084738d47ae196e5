import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cibCreateArgv, cibDeleteArgv, DIALECTS, targetRoleArgv } from '../../src/cluster/index.ts';
import { deletionXml, vmResourceXml } from '../../src/cluster/vm-xml.ts';
import { vmTemplateSchema } from '../../src/config/inventory.ts';

const FIX = join(import.meta.dirname, '../fixtures/pacemaker/2.1.5');
const P2 = DIALECTS['pacemaker-2'];
const lab = vmTemplateSchema.parse({ agent: 'ocf:hasf:domU', sharedStorage: 'shared-fs-clone', params: { migration_time_ms: '500' } });

/** Run a Pacemaker tool on a CIB file, as the prediction does. */
const onFile = (file: string, argv: string[]) => execFileSync(argv[0]!, argv.slice(1), { env: { ...process.env, CIB_file: file }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

test('Xen, VirtualDomain and the lab agent: the configuration parameter, fixed params, timeouts, allow-migrate, target-role Stopped', () => {
  const xen = vmResourceXml(P2, { vm: 'vm7', config: '/etc/xen/vm/vm7', template: vmTemplateSchema.parse({ agent: 'ocf:heartbeat:Xen', sharedStorage: 'ocfs2-clone' }) });
  assert.equal(
    xen.primitive.xml,
    '<primitive id="vm7" class="ocf" provider="heartbeat" type="Xen"><instance_attributes id="vm7-instance_attributes"><nvpair id="vm7-instance_attributes-xmfile" name="xmfile" value="/etc/xen/vm/vm7"/></instance_attributes>' +
      '<meta_attributes id="vm7-meta_attributes"><nvpair id="vm7-meta_attributes-target-role" name="target-role" value="Stopped"/><nvpair id="vm7-meta_attributes-allow-migrate" name="allow-migrate" value="true"/></meta_attributes>' +
      '<operations><op id="vm7-monitor-10s" name="monitor" interval="10s" timeout="30s"/><op id="vm7-start-0" name="start" interval="0" timeout="90s"/><op id="vm7-stop-0" name="stop" interval="0" timeout="120s"/>' +
      '<op id="vm7-migrate_to-0" name="migrate_to" interval="0" timeout="300s"/><op id="vm7-migrate_from-0" name="migrate_from" interval="0" timeout="60s"/></operations></primitive>',
  );
  assert.equal(xen.order!.xml, '<rsc_order id="order-ocfs2-clone-then-vm7" first="ocfs2-clone" then="vm7" kind="Mandatory"/>');
  assert.equal(xen.colocation!.xml, '<rsc_colocation id="colocation-vm7-with-ocfs2-clone" rsc="vm7" with-rsc="ocfs2-clone" score="INFINITY"/>');
  const kvm = vmResourceXml(P2, { vm: 'db1', config: '/etc/libvirt/qemu/db1.xml', template: vmTemplateSchema.parse({ agent: 'ocf:heartbeat:VirtualDomain', params: { hypervisor: 'qemu:///system' }, allowMigrate: false }) });
  assert.match(kvm.primitive.xml, /name="hypervisor" value="qemu:\/\/\/system"\/><nvpair id="db1-instance_attributes-config" name="config" value="\/etc\/libvirt\/qemu\/db1.xml"/);
  assert.doesNotMatch(kvm.primitive.xml, /migrate/);
  assert.equal(kvm.order, undefined);
  assert.throws(() => vmTemplateSchema.parse({ agent: 'ocf:heartbeat:VirtualDomain' }), /hypervisor/);
  assert.throws(() => vmResourceXml(DIALECTS['heartbeat-2.1'], { vm: 'vm7', config: '/x', template: lab }), { code: 'UNSUPPORTED_STACK' });
  assert.throws(() => vmResourceXml(P2, { vm: 'vm7"/><x', config: '/x', template: lab }), { code: 'INVALID_NAME' });
  assert.match(vmResourceXml(P2, { vm: 'vm7', config: '/a"b<c', template: lab }).primitive.xml, /value="\/a&quot;b&lt;c"/);
});

test('created in order on a copy of a real CIB, the VM is valid for crm_verify, starts only after its target-role goes, after the clone, on its preferred node; deleted, no trace is left', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hasf-vmxml-'));
  try {
    const file = join(dir, 'cib.xml');
    copyFileSync(join(FIX, 'healthy.cib.xml'), file);
    const x = vmResourceXml(P2, { vm: 'vm7', config: '/srv/vms/vm7.cfg', template: lab, prefer: { node: 'node2', score: 50 } });
    for (const el of [x.primitive, x.order!, x.colocation!, x.prefer!]) onFile(file, cibCreateArgv(P2, el.scope, el.xml));
    onFile(file, ['crm_verify', '--live-check', '-V']);
    const stopped = onFile(file, ['crm_simulate', '--live-check', '--simulate']);
    assert.doesNotMatch(stopped, /Start\s+vm7/);
    onFile(file, targetRoleArgv(P2, 'vm7', null));
    const started = onFile(file, ['crm_simulate', '--live-check', '--simulate']);
    assert.match(started, /\* Start\s+vm7\s+\(\s*node2\s*\)/);
    for (const el of [x.prefer!, x.colocation!, x.order!, x.primitive]) onFile(file, cibDeleteArgv(P2, deletionXml(el.tag, el.id)));
    assert.doesNotMatch(onFile(file, ['cibadmin', '-Q']), /vm7/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

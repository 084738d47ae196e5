// Pure parts of the lab: generated configs, the CIB (checked by the real crm_verify),
// crm_mon parsing, option checks. The running lab is tested in test/integration/lab.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labCib, labVmIds } from '../../src/lab/cib.ts';
import { corosyncConf, sshdConfig } from '../../src/lab/configs.ts';
import { fingerprint } from '../../src/lab/keys.ts';
import { labLayout } from '../../src/lab/layout.ts';
import { resolveLabOptions } from '../../src/lab/options.ts';
import { notSettledBecause, parseCrmMon, pendingActions } from '../../src/lab/readiness.ts';
import { SEED } from '../../src/lab/shapes.ts';

const layout = labLayout('/srv/lab', 'hasfu', '10.231.99');

test('layout keeps every interface/namespace name within 15 characters', () => {
  const long = labLayout('/x', 'abcdefgh', '10.0.0');
  for (const name of [long.bridgeNetns, long.hostIface, ...long.machines.map((m) => m.netns)]) {
    assert.ok(name.length <= 15, name);
  }
  assert.deepEqual(
    layout.nodes.map((n) => n.address),
    ['10.231.99.11', '10.231.99.12', '10.231.99.13'],
  );
  assert.equal(layout.storage.address, '10.231.99.20');
  assert.equal(layout.hostAddress, '10.231.99.1');
});

test('options: defaults, and bad prefix/subnet/dir refused with INVALID_INPUT', () => {
  const o = resolveLabOptions({ dir: 'var/x' });
  assert.equal(o.prefix, 'hasf');
  assert.equal(o.subnet, '10.231.7');
  assert.equal(o.migrationTimeMs, 2000);
  assert.equal(o.rebootDelayMs, 3000);
  assert.ok(o.dir.startsWith('/'));
  for (const bad of [
    { prefix: 'toolongprefix' },
    { prefix: 'Bad-' },
    { subnet: '10.1' },
    { subnet: '10.1.300' },
    { dir: '/run/lab' },
    { migrationTimeMs: -1 },
  ]) {
    assert.throws(
      () => resolveLabOptions({ dir: 'var/x', ...bad }),
      (e: { code?: string }) => e.code === 'INVALID_INPUT',
      JSON.stringify(bad),
    );
  }
});

test('corosync.conf: knet + crypto, node blocks over several lines, votequorum', () => {
  const conf = corosyncConf(layout, 1000);
  assert.match(conf, /transport: knet/);
  assert.match(conf, /crypto_cipher: aes256/);
  assert.match(conf, /token: 1000/);
  assert.match(conf, /provider: corosync_votequorum/);
  // corosync 3.1 rejects `node { name: x }` on one line.
  assert.doesNotMatch(conf, /node \{[^\n]/);
  assert.equal(conf.match(/ring0_addr: 10\.231\.99\.1[123]/g)?.length, 3);
});

test('sshd_config: own address only, root by key only, no PAM', () => {
  const c = sshdConfig(layout, layout.nodes[1]!);
  assert.match(c, /^ListenAddress 10\.231\.99\.12$/m);
  assert.match(c, /^PermitRootLogin prohibit-password$/m);
  assert.match(c, /^PasswordAuthentication no$/m);
  assert.match(c, /^UsePAM no$/m);
  assert.match(c, /^HostKey \/srv\/lab\/machines\/node2\/ssh_host_ed25519_key$/m);
});

test('the lab CIB passes the real crm_verify, and a broken one does not', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hasf-labcib-'));
  try {
    const cib = labCib(layout, { migrationTimeMs: 1500 });
    assert.match(cib, /name="migration_time_ms" value="1500"/);
    assert.equal(cib.match(/type="domU"/g)?.length, labVmIds().length);
    assert.match(cib, /name="pcmk_host_list" value="node1 node2 node3"/);
    assert.doesNotMatch(cib, /crm_feature_set/);
    writeFileSync(join(dir, 'cib.xml'), cib);
    const ok = spawnSync('crm_verify', ['--xml-file', join(dir, 'cib.xml')], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    writeFileSync(
      join(dir, 'bad.xml'),
      cib.replace('with-rsc="shared-fs-clone"', 'with-rsc="no-such-resource"'),
    );
    const bad = spawnSync('crm_verify', ['--xml-file', join(dir, 'bad.xml')], { encoding: 'utf8' });
    assert.notEqual(bad.status, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('fingerprint() equals what ssh-keygen -lf prints', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hasf-labkey-'));
  try {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'k')]);
    const printed = execFileSync('ssh-keygen', ['-lf', join(dir, 'k.pub')], {
      encoding: 'utf8',
    }).split(' ')[1];
    assert.equal(fingerprint(join(dir, 'k.pub')), printed);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const crmMon = (
  node3: string,
  vm2Role: string,
): string => `<pacemaker-result api-version="2.29" request="crm_mon --output-as=xml">
  <nodes>
    <node name="node1" id="1" online="true" standby="false" unclean="false" is_dc="true" resources_running="4" type="member"/>
    <node name="node2" id="2" online="true" standby="false" unclean="false" is_dc="false" resources_running="3" type="member"/>
    <node name="node3" id="3" ${node3} standby="false" is_dc="false" resources_running="3" type="member"/>
  </nodes>
  <resources>
    <resource id="fence-lab" resource_agent="stonith:fence_hasf_lab" role="Started" active="true" failed="false" nodes_running_on="1"><node name="node1" id="1" cached="true"/></resource>
    <clone id="shared-fs-clone" multi_state="false" unique="false" failed="false">
      <resource id="shared-fs" role="Started" active="true" failed="false" nodes_running_on="1"><node name="node1" id="1"/></resource>
      <resource id="shared-fs" role="Started" active="true" failed="false" nodes_running_on="1"><node name="node2" id="2"/></resource>
      <resource id="shared-fs" role="Started" active="true" failed="false" nodes_running_on="1"><node name="node3" id="3"/></resource>
    </clone>
    <resource id="vm1" role="Started" active="true" failed="false" nodes_running_on="1"><node name="node2" id="2"/></resource>
    <resource id="vm2" role="${vm2Role}" active="${vm2Role === 'Started'}" failed="false" nodes_running_on="1"><node name="node3" id="3"/></resource>
  </resources>
  <status code="0" message="OK"/>
</pacemaker-result>`;

test('crm_mon XML: settled only when all nodes online and all resources running', () => {
  const want = (running: string[], instances: Record<string, number> = { 'shared-fs': 3 }, promoted: string[] = []) => ({ running, instances, promoted });
  const ids = ['fence-lab', 'shared-fs', 'vm1', 'vm2'];
  const names = ['node1', 'node2', 'node3'];
  const view = parseCrmMon(crmMon('online="true" unclean="false"', 'Started'));
  assert.equal(view.nodes.length, 3);
  assert.deepEqual(view.resources.find((r) => r.id === 'vm1')?.nodes, ['node2']);
  assert.equal(notSettledBecause(view, names, want(ids)), undefined);
  assert.equal(notSettledBecause(parseCrmMon(crmMon('online="false" unclean="false"', 'Started')), names, want(ids)), 'node3 not online');
  assert.equal(notSettledBecause(parseCrmMon(crmMon('online="true" unclean="true"', 'Started')), names, want(ids)), 'node3 unclean');
  assert.equal(notSettledBecause(view, names, want([...ids, 'vm3'])), 'vm3 unknown');
  assert.equal(notSettledBecause(parseCrmMon(crmMon('online="true" unclean="false"', 'Starting')), names, want(ids)), 'vm2 Starting');
  assert.equal(notSettledBecause(view, names, want(ids, { 'shared-fs': 4 })), 'shared-fs running 3 of 4');
  // A promotable primitive counts as running Promoted or Unpromoted, and needs exactly one promoted instance.
  const promotable = (roles: string[]) =>
    crmMon('online="true" unclean="false"', 'Started').replace(
      '</resources>',
      `<clone id="db-clone" multi_state="true" unique="false" failed="false">${roles
        .map((r, i) => `<resource id="db" role="${r}" active="true" failed="false" nodes_running_on="1"><node name="node${i + 1}" id="${i + 1}"/></resource>`)
        .join('')}</clone></resources>`,
    );
  const dbWant = want([...ids, 'db'], { 'shared-fs': 3, db: 3 }, ['db']);
  assert.equal(notSettledBecause(parseCrmMon(promotable(['Promoted', 'Unpromoted', 'Unpromoted'])), names, dbWant), undefined);
  assert.equal(notSettledBecause(parseCrmMon(promotable(['Unpromoted', 'Unpromoted', 'Unpromoted'])), names, dbWant), 'db promoted on 0 nodes');
});

test('pendingActions counts what the live scheduler would still do', () => {
  assert.equal(pendingActions('<pacemaker-result><actions></actions><status code="0"/></pacemaker-result>'), 0);
  assert.equal(pendingActions('<pacemaker-result><actions><rsc_action action="start" resource="a" node="n1"/><node_action task="Fence (reboot)" node="n2"/></actions></pacemaker-result>'), 2);
});

test('the seed shape, by the real scheduler: everything starts, any one node can be drained, the big VM never fits the small node', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hasf-labshape-'));
  const f = (n: string) => join(dir, n);
  const sim = (args: string[]) => execFileSync('crm_simulate', args, { encoding: 'utf8' });
  const mon = (file: string) => parseCrmMon(execFileSync('crm_mon', ['--output-as=xml'], { encoding: 'utf8', env: { ...process.env, CIB_file: file } }));
  const onCopy = (file: string, argv: string[]) => execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8', env: { ...process.env, CIB_file: file } });
  try {
    const cib = labCib(layout, { migrationTimeMs: 2000, shape: 'seed' });
    writeFileSync(f('cib.xml'), cib);
    sim(['--xml-file', f('cib.xml'), '--node-up', 'node1', '--node-up', 'node2', '--node-up', 'node3', '--quorum', '1', '--simulate', '--save-output', f('up.xml')]);
    const up = mon(f('up.xml'));
    const running = (v: typeof up) => new Set(v.resources.filter((r) => r.active).map((r) => r.id));
    for (const id of ['fence-lab', 'shared-fs', ...labVmIds(), SEED.group.ip, SEED.group.service, SEED.promotable.primitive, SEED.failed.resource]) {
      assert.ok(running(up).has(id), `${id} started`);
    }
    assert.deepEqual(up.resources.filter((r) => r.id === 'db' && r.role === 'Promoted').map((r) => r.nodes[0]), [SEED.promotable.node]);
    for (const node of ['node1', 'node2', 'node3']) {
      const file = f(`standby-${node}.xml`);
      writeFileSync(file, execFileSync('cat', [f('up.xml')], { encoding: 'utf8' }));
      onCopy(file, ['crm_attribute', '--node', node, '--name', 'standby', '--update', 'on']);
      sim(['--xml-file', file, '--simulate', '--save-output', file]);
      const after = mon(file);
      for (const id of [...labVmIds(), SEED.group.ip, SEED.group.service, SEED.failed.resource]) {
        const r = after.resources.find((x) => x.id === id)!;
        assert.ok(r.active && !r.nodes.includes(node), `standby ${node}: ${id} runs elsewhere (${r.role} ${r.nodes.join(',')})`);
      }
    }
    const moved = f('big.xml');
    writeFileSync(moved, execFileSync('cat', [f('up.xml')], { encoding: 'utf8' }));
    onCopy(moved, ['crm_resource', '--move', '--resource', SEED.utilization.big.vm, '--node', SEED.utilization.small]);
    sim(['--xml-file', moved, '--simulate', '--save-output', moved]);
    assert.ok(!mon(moved).resources.find((r) => r.id === SEED.utilization.big.vm)!.nodes.includes(SEED.utilization.small));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

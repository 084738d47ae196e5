// The lab, for real: brings up a 3-node Corosync + Pacemaker cluster and a tgtd storage
// node in namespaces (prefix hasfl, 10.231.8.0/24), talks to it with the system ssh and
// iscsi-ls, fences a node through the cluster, reuses the lab, recovers from a crashed
// lab, and checks that labDown leaves nothing behind. Needs root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  mkdtempSync,
  readFileSync,
  readlinkSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { inventorySchema } from '../../src/config/inventory.ts';
import {
  labDown,
  labExec,
  labPower,
  labStatus,
  labUp,
  labVmIds,
  SEED,
  type LabInfo,
} from '../../src/lab/index.ts';
import { parseCrmMon } from '../../src/lab/readiness.ts';
import { isAlive, machineInitPid, netnsInode } from '../../src/lab/processes.ts';
import { findPowerSwitches } from '../../src/lab/power-control.ts';

const run = promisify(execFile);
const PREFIX = process.env.HASF_TEST_LAB2_PREFIX || 'hasfl';
const SUBNET = process.env.HASF_TEST_LAB2_SUBNET || '10.231.8';
const root = process.getuid?.() === 0;

/** Runs a command on a lab machine with the system ssh client, pinned known_hosts, no prompts. */
async function ssh(
  info: LabInfo,
  address: string,
  command: string,
  timeoutMs = 30_000,
): Promise<string> {
  const { stdout } = await run(
    'ssh',
    [
      '-i',
      info.identityFile,
      '-o',
      `UserKnownHostsFile=${info.knownHostsPath}`,
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      'BatchMode=yes',
      '-o',
      'ConnectTimeout=5',
      `root@${address}`,
      command,
    ],
    { timeout: timeoutMs, maxBuffer: 16 << 20 },
  );
  return stdout;
}

/** Every mount line, netns, interface and process a lab with PREFIX in `dir` could leave. */
function leftovers(dir: string, inodes: number[]): string[] {
  const found: string[] = [];
  for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
    if (line.includes(`${PREFIX}-`) || line.includes(dir)) found.push(`mount: ${line}`);
  }
  for (const ns of readdirSync('/run/netns', { withFileTypes: true }).map((d) => d.name)) {
    if (ns.startsWith(`${PREFIX}-`)) found.push(`netns: ${ns}`);
  }
  for (const iface of readdirSync('/sys/class/net')) {
    if (iface.startsWith(`${PREFIX}-`)) found.push(`interface: ${iface}`);
  }
  const wanted = new Set(inodes.map((i) => `net:[${i}]`));
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (wanted.has(readlinkSync(`/proc/${pid}/ns/net`)))
        found.push(`process ${pid} in a lab namespace`);
    } catch {
      // gone or zombie
    }
  }
  return found;
}

test(
  'lab: up, ssh, iSCSI, live migration, fencing, reuse, crash recovery, down',
  {
    skip: root ? false : 'the lab needs root (network namespaces, mounts, cluster daemons)',
    timeout: 240_000,
  },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'hasf-labtest-'));
    t.after(async () => {
      await labDown({ dir, prefix: PREFIX });
      rmSync(dir, { recursive: true, force: true });
    });

    const info = await labUp({ dir, prefix: PREFIX, subnet: SUBNET, migrationTimeMs: 1500 });
    t.diagnostic(`lab up in ${(info.elapsedMs / 1000).toFixed(1)} s`);
    assert.equal(info.reused, false);
    assert.ok(info.elapsedMs < 30_000, `lab up took ${info.elapsedMs} ms (target < 15 s)`);
    const node1 = `${SUBNET}.11`;

    await t.test("the inventory validates and pins each machine's real host key", async () => {
      const inv = inventorySchema.parse(parse(readFileSync(info.inventoryPath, 'utf8')));
      assert.deepEqual(inv, info.inventory);
      const cluster = inv.clusters[0]!;
      assert.equal(cluster.name, 'lab');
      assert.deepEqual(
        cluster.nodes.map((n) => [n.name, n.host, n.port, n.user]),
        [
          ['node1', `${SUBNET}.11`, 22, 'root'],
          ['node2', `${SUBNET}.12`, 22, 'root'],
          ['node3', `${SUBNET}.13`, 22, 'root'],
        ],
      );
      const store = inv.storage[0]!;
      assert.equal(store.name, 'store1');
      assert.equal(store.driver, 'tgt');
      assert.equal(store.iqn, 'iqn.2026-11.lab.hasf:store1');
      assert.equal(store.portal, `${SUBNET}.20:3260`);
      assert.equal(store.cluster, 'lab');
      assert.ok(store.backingDir.startsWith(dir));
      for (const h of [...cluster.nodes, store]) {
        assert.ok(h.identityFile?.startsWith('/'));
        // What the machine really offers, fingerprinted by OpenSSH itself.
        const { stdout: scan } = await run('ssh-keyscan', ['-t', 'ed25519', h.host], {
          timeout: 10_000,
        });
        const fp = await new Promise<string>((resolve, reject) => {
          const p = execFile('ssh-keygen', ['-lf', '-'], (err, out) =>
            err ? reject(err) : resolve(out.split(' ')[1]!),
          );
          p.stdin!.end(scan);
        });
        assert.deepEqual(h.hostKeys, [fp], h.name);
      }
    });

    await t.test(
      'ssh reaches every machine by its own name; crm_mon shows 3 nodes online and every VM started',
      async () => {
        for (const m of [...info.nodes, info.storage]) {
          assert.equal((await ssh(info, m.address, 'hostname')).trim(), m.name);
        }
        const view = parseCrmMon(await ssh(info, node1, 'crm_mon --output-as=xml'));
        assert.deepEqual(
          view.nodes
            .filter((n) => n.online)
            .map((n) => n.name)
            .sort(),
          ['node1', 'node2', 'node3'],
        );
        for (const vm of labVmIds()) {
          const r = view.resources.find((x) => x.id === vm);
          assert.equal(r?.role, 'Started', vm);
          assert.equal(r?.nodes.length, 1, vm);
        }
        assert.equal(
          view.resources.filter((r) => r.id === 'shared-fs' && r.role === 'Started').length,
          3,
        );
        assert.equal(view.resources.find((r) => r.id === 'fence-lab')?.role, 'Started');
      },
    );

    await t.test(
      'the seed shape: preferences, group, promotable clone, utilization, a failed resource, a leftover ban',
      async () => {
        const xml = await ssh(info, node1, 'crm_mon --output-as=xml');
        const view = parseCrmMon(xml);
        const on = (id: string) => view.resources.filter((r) => r.id === id).flatMap((r) => r.nodes);
        const config = await ssh(info, node1, 'cibadmin -Q -o configuration');
        // vm3 prefers node3 above stickiness; vm1 prefers node1 below it.
        assert.match(config, /<rsc_location id="vm3-prefers-node3" rsc="vm3" node="node3" score="200"\/>/);
        assert.match(config, /<rsc_location id="vm1-prefers-node1" rsc="vm1" node="node1" score="50"\/>/);
        assert.match(config, /name="resource-stickiness" value="100"/);
        assert.deepEqual(on(SEED.preference.vm), [SEED.preference.node]);
        // The IP + service group runs on one node, and vm2 is kept apart from it.
        const grp = on(SEED.group.ip);
        assert.equal(grp.length, 1);
        assert.deepEqual(on(SEED.group.service), grp);
        assert.ok(!on(SEED.apart.vm).includes(grp[0]!), 'vm2 shares a node with web-grp');
        // vm6 has no allow-migrate; the others do.
        assert.doesNotMatch(config, /id="vm6-meta_attributes-allow-migrate"/);
        assert.match(config, /id="vm5-meta_attributes-allow-migrate" name="allow-migrate" value="true"/);
        // One promoted db instance, on node1, two unpromoted.
        assert.deepEqual(view.resources.filter((r) => r.id === 'db').map((r) => r.role).sort(), ['Promoted', 'Unpromoted', 'Unpromoted']);
        assert.deepEqual(view.resources.filter((r) => r.id === 'db' && r.role === 'Promoted').flatMap((r) => r.nodes), [SEED.promotable.node]);
        // Utilization: the big VM is never on the small node.
        assert.match(config, /name="placement-strategy" value="utilization"/);
        assert.match(config, /<nvpair id="node3-utilization-memory" name="memory" value="32768"\/>/);
        assert.ok(!on(SEED.utilization.big.vm).includes(SEED.utilization.small));
        // legacy-app failed to start on node2 (fail count INFINITY there) and runs elsewhere.
        assert.match(xml, /<failure op_key="legacy-app_start_0" node="node2"/);
        assert.match(xml, /<resource_history id="legacy-app"[^>]*fail-count="1000000"/);
        assert.equal(on(SEED.failed.resource).length, 1);
        assert.ok(!on(SEED.failed.resource).includes(SEED.failed.node));
        // The hand-typed ban is there, and obeyed.
        assert.match(config, /<rsc_location id="cli-ban-vm5-on-node1" rsc="vm5" role="Started" node="node1" score="-INFINITY"\/>/);
        assert.ok(!on(SEED.leftoverBan.vm).includes(SEED.leftoverBan.node));
      },
    );

    await t.test('iscsi-ls from the host lists the target', async () => {
      const { stdout } = await run(
        'iscsi-ls',
        ['-s', `iscsi://${SUBNET}.20:3260/${info.storage.iqn}`],
        { timeout: 20_000 },
      );
      assert.match(stdout, /Target:iqn\.2026-11\.lab\.hasf:store1/);
      assert.match(stdout, /Lun:0/);
      // A file-backed LUN added over ssh on store1 (as the tgt driver will) shows up.
      const lunFile = join(info.inventory.storage[0]!.backingDir, 'test.img');
      await ssh(
        info,
        info.storage.address,
        `truncate -s 16M ${lunFile} && tgtadm --lld iscsi --mode logicalunit --op new --tid 1 --lun 1 --backing-store ${lunFile}`,
      );
      const { stdout: after } = await run(
        'iscsi-ls',
        ['-s', `iscsi://${SUBNET}.20:3260/${info.storage.iqn}`],
        { timeout: 20_000 },
      );
      // iscsi-ls rounds down: 16 MiB prints as 15M.
      assert.match(after, /Lun:1\s+Type:DIRECT_ACCESS \(Size:1[56]M\)/);
    });

    await t.test(
      'a VM live-migrates (migrate_to on the source, taking the migration time)',
      async () => {
        const where = (xml: string): string | undefined =>
          parseCrmMon(xml).resources.find((r) => r.id === 'vm1' && r.role === 'Started')?.nodes[0];
        const from = where(await ssh(info, node1, 'crm_mon --output-as=xml'))!;
        const to = ['node1', 'node2', 'node3'].find((n) => n !== from)!;
        const started = Date.now();
        await ssh(info, node1, `crm_resource --move --resource vm1 --node ${to}`);
        let now: string | undefined;
        while (Date.now() - started < 30_000) {
          now = where(await ssh(info, node1, 'crm_mon --output-as=xml'));
          if (now === to) break;
          await new Promise((r) => setTimeout(r, 300));
        }
        assert.equal(now, to);
        assert.ok(Date.now() - started >= 1500, 'the move took less than the migration time');
        await ssh(info, node1, 'crm_resource --clear --resource vm1');
        const source = info.nodes.find((n) => n.name === from)!;
        assert.match(
          await ssh(info, source.address, 'cat /var/log/pacemaker/domU.log'),
          new RegExp(`vm1: migrated to ${to}`),
        );
      },
    );

    await t.test(
      'fencing through the cluster power-cycles node3: offline, then back online',
      async () => {
        const node3 = info.nodes[2]!;
        const initBefore = machineInitPid(node3.netns);
        assert.ok(initBefore);
        // Watch node3's state from node1 itself, every ~0.1 s, while the fence runs.
        const watch = ssh(
          info,
          node1,
          `end=$((SECONDS+60)); seen=; while [ $SECONDS -lt $end ]; do
         s=$(crm_mon --output-as=xml 2>/dev/null | grep -o '<node name="node3"[^>]*' | grep -o 'online="[a-z]*"'); echo "$s"
         case "$seen:$s" in *off*:*'"true"'*) exit 0 ;; esac
         case "$s" in *'"false"'*) seen=off ;; esac
         sleep 0.1
       done`,
          70_000,
        );
        await new Promise((r) => setTimeout(r, 500));
        const t0 = Date.now();
        await ssh(info, node1, 'stonith_admin --reboot node3 --timeout 60', 70_000);
        const fenced = Date.now() - t0;
        const states = (await watch).split('\n').filter(Boolean);
        const back = Date.now() - t0;
        t.diagnostic(
          `stonith_admin returned after ${fenced} ms; node3 online again after ${back} ms`,
        );
        const firstOff = states.indexOf('online="false"');
        assert.ok(firstOff >= 0, `node3 never seen offline: ${states.join(' ')}`);
        assert.equal(states.at(-1), 'online="true"');
        const history = await ssh(info, node1, 'stonith_admin --history node3 --output-as=xml');
        assert.match(
          history,
          /<fence_event[^>]*action="reboot"[^>]*target="node3"[^>]*status="success"|<fence_event[^>]*status="success"[^>]*target="node3"/,
        );
        const initAfter = machineInitPid(node3.netns);
        assert.ok(initAfter && initAfter !== initBefore, 'node3 was not power-cycled');
        assert.equal(isAlive(initBefore), false);
      },
    );

    await t.test(
      'the power switch keeps a machine off until on; labExec runs inside a machine',
      async () => {
        assert.equal((await labExec({ dir }, 'node2', ['hostname'])).stdout.trim(), 'node2');
        const portal = `iscsi://${SUBNET}.20:3260/${info.storage.iqn}`;
        assert.equal(await labPower({ dir }, 'status', 'store1'), 'on');
        await labPower({ dir }, 'off', 'store1');
        assert.equal(await labPower({ dir }, 'status', 'store1'), 'off');
        assert.equal(machineInitPid(info.storage.netns), undefined);
        await new Promise((r) => setTimeout(r, 1000));
        assert.equal(machineInitPid(info.storage.netns), undefined, 'store1 came back by itself');
        await assert.rejects(run('iscsi-ls', ['-s', portal], { timeout: 10_000 }));
        await labPower({ dir }, 'on', 'store1');
        const deadline = Date.now() + 20_000;
        let listed = '';
        while (Date.now() < deadline && !listed.includes('Target:')) {
          listed = await run('iscsi-ls', ['-s', portal], { timeout: 10_000 }).then(
            (r) => r.stdout,
            () => '',
          );
          if (!listed) await new Promise((r) => setTimeout(r, 200));
        }
        assert.match(listed, /Target:iqn\.2026-11\.lab\.hasf:store1/);
      },
    );

    await t.test('labUp on the running lab reuses it (after it settles again)', async () => {
      const again = await labUp({ dir, prefix: PREFIX, subnet: SUBNET, migrationTimeMs: 1500 });
      assert.equal(again.reused, true);
      assert.deepEqual(again.inventory, info.inventory);
      assert.equal(readdirSync('/run/netns').filter((n) => n.startsWith(`${PREFIX}-`)).length, 5);
      assert.equal(findPowerSwitches(dir, PREFIX).length, 1);
      const s = await labStatus({ dir });
      assert.equal(s.running, true);
      assert.deepEqual(
        s.nodes.map((n) => [n.name, n.powered, n.online]),
        [
          ['node1', true, true],
          ['node2', true, true],
          ['node3', true, true],
        ],
      );
    });

    await t.test(
      'after a crash (power switch killed, lab.json lost) labUp clears the leftovers and builds afresh',
      async () => {
        const [sw] = findPowerSwitches(dir, PREFIX);
        const oldInits = info.nodes.map((n) => machineInitPid(n.netns)!);
        process.kill(sw!, 'SIGKILL');
        rmSync(join(dir, 'lab.json'));
        // Built afresh with the other shape: tidy has VMs and the file system clone only.
        const fresh = await labUp({ dir, prefix: PREFIX, subnet: SUBNET, shape: 'tidy' });
        t.diagnostic(`rebuilt in ${(fresh.elapsedMs / 1000).toFixed(1)} s`);
        assert.equal(fresh.reused, false);
        for (const pid of oldInits)
          assert.equal(isAlive(pid), false, `old machine init ${pid} still runs`);
        assert.notDeepEqual(
          fresh.inventory.clusters[0]!.nodes[0]!.hostKeys,
          info.inventory.clusters[0]!.nodes[0]!.hostKeys,
        );
        const view = parseCrmMon(await ssh(fresh, node1, 'crm_mon --output-as=xml'));
        assert.equal(view.nodes.filter((n) => n.online).length, 3);
        assert.deepEqual(
          [...new Set(view.resources.map((r) => r.id))].sort(),
          ['fence-lab', 'shared-fs', ...labVmIds()].sort(),
        );
        assert.doesNotMatch(await ssh(fresh, node1, 'cibadmin -Q -o constraints'), /rsc_location/);
      },
    );

    await t.test(
      'labDown leaves no namespace, process, interface, mount or power switch',
      async () => {
        const inodes = [...info.nodes, info.storage]
          .map((m) => netnsInode(m.netns)!)
          .concat(netnsInode(`${PREFIX}-br`)!);
        assert.ok(inodes.every((i) => i > 0));
        const switches = findPowerSwitches(dir, PREFIX);
        assert.equal(switches.length, 1);
        // Another live user of the lab (another test run) keeps it up; a dead one does not.
        const other = spawn('sleep', ['60'], { stdio: 'ignore' });
        const stat = readFileSync(`/proc/${other.pid}/stat`, 'utf8');
        const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
        writeFileSync(join(dir, 'holders', String(other.pid)), `${other.pid} ${start}\n`);
        await labDown({ dir, prefix: PREFIX });
        assert.equal(
          (await labStatus({ dir })).running,
          true,
          'labDown pulled the lab from under another user',
        );
        other.kill('SIGKILL');
        await once(other, 'exit');
        const started = Date.now();
        await labDown({ dir, prefix: PREFIX });
        t.diagnostic(`lab down in ${Date.now() - started} ms`);
        assert.deepEqual(leftovers(dir, inodes), []);
        for (const pid of switches) assert.equal(isAlive(pid), false);
        assert.equal((await labStatus({ dir })).running, false);
        await labDown({ dir, prefix: PREFIX }); // idempotent
      },
    );
  },
);

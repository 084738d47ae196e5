import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { storageTargetSchema } from '../../src/config/inventory.ts';
import type { CommandExecutor, CommandResult, RunOptions } from '../../src/ssh/types.ts';
import { createStorageDriver, parseTargetcliLs, type LioTree } from '../../src/storage/index.ts';
import { resolveAnswer } from '../helpers/fake-storage-host.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/storage/${name}`, import.meta.url), 'utf8');
const IQN = 'iqn.2003-01.org.linux-iscsi.store1.x8664:sn.4b2a9e1c7d0f';

/** `  | o- name ...... [desc]` padded like targetcli does (width 120). */
function line(guide: string, name: string, desc: string): string {
  const head = `${guide}o- ${name} `;
  return `${head}${'.'.repeat(Math.max(3, 118 - head.length - desc.length))} [${desc}]`;
}

/** Render a tree in targetcli-fb's `ls /` layout (so the parser is exercised on every read). */
function renderTree(t: LioTree): string {
  const out = [line('', '/', '...'), line('  ', 'backstores', '...')];
  for (const type of ['block', 'fileio']) {
    const objs = t.backstores.filter((b) => b.type === type);
    out.push(line('  | ', type, `Storage Objects: ${objs.length}`));
    for (const b of objs) out.push(line('  | | ', b.name, `${b.path} (${(b.sizeBytes ?? 0) / 2 ** 20}.0MiB) write-thru activated`));
  }
  out.push(line('  ', 'iscsi', `Targets: ${new Set(t.tpgs.map((x) => x.iqn)).size}`));
  for (const { iqn, tpg } of t.tpgs) {
    out.push(line('  | ', iqn, 'TPGs: 1'), line('  | | ', `tpg${tpg}`, 'no-gen-acls, no-auth'), line('  | |   ', 'acls', 'ACLs: 0'));
    const luns = t.luns.filter((l) => l.iqn === iqn && l.tpg === tpg);
    out.push(line('  | |   ', 'luns', `LUNs: ${luns.length}`));
    for (const l of luns) out.push(line('  | |   | ', `lun${l.lun}`, `${l.backstore} (${l.path}) (default_tg_pt_gp)`));
    out.push(line('  | |   ', 'portals', 'Portals: 1'), line('  | |     ', '0.0.0.0:3260', 'OK'));
  }
  out.push(line('  ', 'loopback', 'Targets: 0'));
  return `${out.join('\n')}\n`;
}

/** A storage host with LIO as far as the driver sees it: targetcli's tree and its create commands. */
class LioHost implements CommandExecutor {
  readonly name = 'store1';
  calls: string[][] = [];
  tree: LioTree = parseTargetcliLs(fixture('targetcli-ls-fb.txt'));
  files = new Map<string, string>([
    ['/dev/vg0/disk1', 'block special file|0'],
    ['/dev/vg0/vm5', 'block special file|0'],
    ['/var/lib/hasf/luns/spare.img', `regular file|${1.5 * 2 ** 30}`],
    ['/var/lib/hasf/luns/vm2disk.img', 'regular file|1048576'],
    ['/var/lib/hasf/luns/new/vm2disk.img', 'regular file|1048576'],
    ['/srv/vm2disk.img', 'regular file|1048576'],
  ]);
  saved = 0;

  async run(argv: string[], _o: RunOptions = {}): Promise<CommandResult> {
    this.calls.push(argv);
    const r = (exitCode: number, stdout = '', stderr = ''): CommandResult => ({ host: this.name, argv, exitCode, stdout, stderr, durationMs: 1, truncated: false });
    const [cmd, ...a] = argv;
    const resolved = resolveAnswer(argv, [...this.files].filter(([, f]) => f.startsWith('block')).map(([p]) => p));
    if (resolved) return r(...resolved);
    if (cmd === 'stat') {
      const f = this.files.get(a.at(-1)!);
      return f ? r(0, `${f}\n`) : r(1, '', `stat: cannot statx '${a.at(-1)}': No such file or directory\n`);
    }
    if (cmd === 'mkdir') return r(0);
    if (cmd === 'truncate') {
      this.files.set(a[2]!, `regular file|${Number(a[1]!.replace('M', '')) * 2 ** 20}`);
      return r(0);
    }
    if (cmd !== 'targetcli') return r(127, '', `${cmd}: command not found\n`);
    if (a.join(' ') === 'ls /') return r(0, renderTree(this.tree));
    if (a.join(' ') === 'saveconfig') {
      this.saved++;
      return r(0, 'Configuration saved to /etc/target/saveconfig.json\n');
    }
    const bs = /^\/backstores\/(block|fileio)$/.exec(a[0]!);
    if (bs && a[1] === 'create') {
      const name = a[2]!.replace(/^name=/, '');
      const path = a[3]!.replace(/^(dev|file_or_dev)=/, '');
      if (this.tree.backstores.some((b) => b.type === bs[1] && b.name === name)) return r(1, '', `Storage object ${bs[1]}/${name} exists\n`);
      this.tree.backstores.push({ type: bs[1]!, name, path, sizeBytes: 2 ** 20 });
      return r(0, `Created ${bs[1]} storage object ${name} using ${path}.\n`);
    }
    const luns = /^\/iscsi\/([^/]+)\/tpg(\d+)\/luns$/.exec(a[0]!);
    if (luns && a[1] === 'create') {
      const [, type, name] = /^\/backstores\/(\w+)\/(.+)$/.exec(a[2]!)!;
      const lun = Number(a[3]!.replace(/^lun=/, ''));
      const store = this.tree.backstores.find((b) => b.type === type && b.name === name);
      if (!store || this.tree.luns.some((l) => l.iqn === luns[1] && l.lun === lun)) return r(1, '', 'LUN creation failed\n');
      this.tree.luns.push({ iqn: luns[1]!, tpg: Number(luns[2]), lun, backstore: `${type}/${name}`, path: store.path });
      return r(0, `Created LUN ${lun}.\n`);
    }
    return r(1, '', `No such path ${a[0]}\n`);
  }
}

const target = () => storageTargetSchema.parse({ name: 'store1', host: 'store1', driver: 'lio', iqn: IQN, volumeGroup: 'vg0' });

describe('LIO driver (targetcli)', () => {
  it('lists the LUNs of its own TPG only (LUN 0 is a data LUN on LIO)', async () => {
    assert.deepEqual(await createStorageDriver(target(), new LioHost()).listLuns(), [
      { lun: 0, path: '/dev/vg0/disk1', sizeBytes: 10 * 2 ** 30 },
      { lun: 2, path: '/var/lib/hasf/luns/vm2disk.img', sizeBytes: 64 * 2 ** 20 },
    ]);
  });

  it('plans a block backstore, the LUN mapping and saveconfig for a device', async () => {
    assert.deepEqual(await createStorageDriver(target(), new LioHost()).plan({ path: '/dev/vg0/vm5' }), [
      ['readlink', '-f', '--', '/dev/vg0/vm5'],
      ['targetcli', '/backstores/block', 'create', 'name=vm5', 'dev=/dev/vg0/vm5'],
      ['targetcli', `/iscsi/${IQN}/tpg1/luns`, 'create', '/backstores/block/vm5', 'lun=1'],
      ['targetcli', 'saveconfig'],
    ]);
  });

  it('reuses an unmapped backstore that already points at the path', async () => {
    assert.deepEqual(await createStorageDriver(target(), new LioHost()).plan({ path: '/var/lib/hasf/luns/spare.img', lun: 7 }), [
      ['readlink', '-f', '--', '/var/lib/hasf/luns/spare.img'],
      ['targetcli', `/iscsi/${IQN}/tpg1/luns`, 'create', '/backstores/fileio/spare', 'lun=7'],
      ['targetcli', 'saveconfig'],
    ]);
  });

  it('creates a file, a uniquely named fileio backstore and the LUN; a re-run is a no-op', async () => {
    const host = new LioHost();
    const d = createStorageDriver(target(), host);
    // vm2disk is taken as a backstore name (another path), so the new one gets a suffix.
    const res = await d.addLun({ path: '/var/lib/hasf/luns/new/vm2disk.img' });
    assert.deepEqual([res.lun, res.created, res.noop], [1, false, false]);
    assert.ok(host.calls.some((c) => c.join(' ') === 'targetcli /backstores/fileio create name=vm2disk-1 file_or_dev=/var/lib/hasf/luns/new/vm2disk.img'));
    // A file outside the backing directory is never exported.
    await assert.rejects(d.addLun({ path: '/srv/vm2disk.img' }), { code: 'BACKING_STORE_NOT_ALLOWED' });
    const made = await d.addLun({ sizeMiB: 16, name: 'vm8' });
    assert.deepEqual([made.lun, made.path, made.created], [3, '/var/lib/hasf/luns/vm8.img', true]);
    const again = await d.addLun({ sizeMiB: 16, name: 'vm8' });
    assert.deepEqual([again.lun, again.noop], [3, true]);
    assert.equal(host.calls.filter((c) => c[2] === 'create').length, 4);
    assert.equal(host.saved, 3);
  });

  it('refuses a taken LUN, a store mapped by another target, and an unknown target', async () => {
    const host = new LioHost();
    await assert.rejects(createStorageDriver(target(), host).addLun({ path: '/dev/vg0/vm5', lun: 2 }), { code: 'LUN_EXISTS' });
    host.files.set('/dev/vg0/other1', 'block special file|0');
    await assert.rejects(createStorageDriver(target(), host).addLun({ path: '/dev/vg0/other1' }), { code: 'BACKING_STORE_CONFLICT' });
    await assert.rejects(createStorageDriver({ ...target(), iqn: 'iqn.2026-11.x:absent' }, host).listLuns(), { code: 'NOT_FOUND' });
    assert.equal(host.calls.filter((c) => c[2] === 'create').length, 0);
  });

  it('builds lvcreate for a sized LUN on an LV target', async () => {
    const t = storageTargetSchema.parse({ name: 'store1', host: 'store1', driver: 'lio', iqn: IQN, create: 'lv', volumeGroup: 'vg0' });
    assert.deepEqual(await createStorageDriver(t, new LioHost()).plan({ sizeMiB: 1024, name: 'vm9' }), [
      ['lvcreate', '--yes', '-L', '1024m', '-n', 'vm9', 'vg0'],
      ['readlink', '-f', '--', '/dev/vg0/vm9'],
      ['targetcli', '/backstores/block', 'create', 'name=vm9', 'dev=/dev/vg0/vm9'],
      ['targetcli', `/iscsi/${IQN}/tpg1/luns`, 'create', '/backstores/block/vm9', 'lun=1'],
      ['targetcli', 'saveconfig'],
    ]);
    await assert.rejects(createStorageDriver({ ...t, volumeGroup: undefined }, new LioHost()).plan({ sizeMiB: 8, name: 'x' }), { code: 'CONFIG_INVALID' });
  });
});

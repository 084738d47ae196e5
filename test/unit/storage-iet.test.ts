import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { storageTargetSchema } from '../../src/config/inventory.ts';
import type { CommandExecutor, CommandResult, RunOptions } from '../../src/ssh/types.ts';
import { createStorageDriver, parseIetVolume, upsertIetLun, type IetTarget } from '../../src/storage/index.ts';
import { resolveAnswer } from '../helpers/fake-storage-host.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/storage/${name}`, import.meta.url), 'utf8');
const IQN = 'iqn.2006-01.de.example:sles10.xen';
const CONF = '/etc/ietd.conf';
const WRITE = 'cat > "$1.hasf-new" && mv -f "$1.hasf-new" "$1"';

/**
 * A SLES 10 storage host as far as the IET driver sees it (no IET kernel module can run
 * here): /proc/net/iet/volume, ietd.conf, files, and ietadm changing the volume list.
 */
class IetHost implements CommandExecutor {
  readonly name = 'store1';
  calls: string[][] = [];
  targets: IetTarget[] = parseIetVolume(fixture('iet-volume-0.4.txt'));
  files = new Map<string, { kind: string; size: number }>([
    ['/dev/sdb1', { kind: 'block special file', size: 0 }],
    ['/srv/xen/vm1.img', { kind: 'regular file', size: 1 << 30 }],
    ['/dev/vg0/vm2', { kind: 'block special file', size: 0 }],
  ]);
  conf = fixture('ietd-sles10.conf');

  async run(argv: string[], o: RunOptions = {}): Promise<CommandResult> {
    this.calls.push(argv);
    const r = (exitCode: number, stdout = '', stderr = ''): CommandResult => ({ host: this.name, argv, exitCode, stdout, stderr, durationMs: 1, truncated: false });
    const [cmd, ...a] = argv;
    const resolved = resolveAnswer(argv, [...this.files].filter(([, f]) => f.kind.startsWith('block')).map(([p]) => p));
    if (resolved) return r(...resolved);
    if (cmd === 'cat' && a[0] === '/proc/net/iet/volume') {
      return r(0, this.targets.map((t) => `tid:${t.tid} name:${t.iqn}\n${t.luns.map((l) => `\tlun:${l.lun} state:0 iotype:${l.iotype} iomode:wt path:${l.path}\n`).join('')}`).join(''));
    }
    if (cmd === 'cat' && a[0] === '--' && a[1] === CONF) return r(0, this.conf);
    if (cmd === 'stat') {
      const f = this.files.get(a.at(-1)!);
      return f ? r(0, `${f.kind}|${f.size}\n`) : r(1, '', `stat: cannot statx '${a.at(-1)}': No such file or directory\n`);
    }
    if (cmd === 'mkdir') return r(0);
    if (cmd === 'truncate') {
      this.files.set(a[2]!, { kind: 'regular file', size: Number(a[1]!.replace('M', '')) * 2 ** 20 });
      return r(0);
    }
    if (cmd === 'ietadm') {
      const tid = Number(/^--tid=(\d+)$/.exec(a[2]!)![1]);
      const lun = Number(/^--lun=(\d+)$/.exec(a[3]!)![1]);
      const m = /^Path=([^,]+),Type=(fileio|blockio)$/.exec(a[5]!)!;
      const t = this.targets.find((x) => x.tid === tid);
      if (!t || t.luns.some((l) => l.lun === lun)) return r(1, '', 'File exists.\n');
      t.luns.push({ lun, iotype: m[2], path: m[1] });
      return r(0);
    }
    if (cmd === 'sh' && a[0] === '-c' && a[1] === WRITE && a[3] === CONF) {
      this.conf = o.stdin ?? '';
      return r(0);
    }
    return r(127, '', `${cmd}: command not found\n`);
  }
}

const target = (extra: Record<string, unknown> = {}) =>
  storageTargetSchema.parse({ name: 'store1', host: 'store1', driver: 'iet', iqn: IQN, backingDir: '/srv/xen', volumeGroup: 'vg0', ...extra });

describe('IET driver (ietadm, /proc/net/iet/volume, ietd.conf)', () => {
  it('lists the LUNs of its target only', async () => {
    const d = createStorageDriver(target(), new IetHost());
    assert.deepEqual(await d.listLuns(), [
      { lun: 0, path: '/dev/sdb1', sizeBytes: undefined },
      { lun: 1, path: '/srv/xen/vm1.img', sizeBytes: undefined },
    ]);
  });

  it('plans ietadm with blockio for a device, then the ietd.conf rewrite', async () => {
    const d = createStorageDriver(target(), new IetHost());
    assert.deepEqual(await d.plan({ path: '/dev/vg0/vm2' }), [
      ['readlink', '-f', '--', '/dev/vg0/vm2'],
      ['ietadm', '--op', 'new', '--tid=1', '--lun=2', '--params', 'Path=/dev/vg0/vm2,Type=blockio'],
      ['mkdir', '-p', '/etc'],
      ['sh', '-c', WRITE, 'sh', CONF],
    ]);
  });

  it('adds a created file as fileio, persists exactly one Lun line, and a re-run is a no-op', async () => {
    const host = new IetHost();
    const d = createStorageDriver(target(), host);
    const res = await d.addLun({ sizeMiB: 64, name: 'vm7' });
    assert.deepEqual([res.lun, res.path, res.created, res.noop], [2, '/srv/xen/vm7.img', true, false]);
    assert.ok(host.calls.some((c) => c.join(' ') === 'truncate -s 64M /srv/xen/vm7.img'));
    assert.ok(host.calls.some((c) => c.join(' ') === 'ietadm --op new --tid=1 --lun=2 --params Path=/srv/xen/vm7.img,Type=fileio'));
    assert.match(host.conf, /\tLun 1 Path=\/srv\/xen\/vm1\.img,Type=fileio\n\tLun 2 Path=\/srv\/xen\/vm7\.img,Type=fileio\n\t# Alias/);
    const conf = host.conf;
    const again = await d.addLun({ sizeMiB: 64, name: 'vm7' });
    assert.deepEqual([again.lun, again.noop, again.created], [2, true, false]);
    assert.equal(host.conf, conf);
    assert.equal(host.calls.filter((c) => c[0] === 'ietadm').length, 1);
  });

  it('refuses a taken LUN number, a missing store, and a store of the other target', async () => {
    const host = new IetHost();
    host.targets.push({ tid: 2, iqn: 'iqn.2006-01.de.example:sles10.other', luns: [{ lun: 0, iotype: 'blockio', path: '/dev/vg0/other' }] });
    host.files.set('/dev/vg0/other', { kind: 'block special file', size: 0 });
    const d = createStorageDriver(target(), host);
    await assert.rejects(d.addLun({ path: '/dev/vg0/vm2', lun: 1 }), { code: 'LUN_EXISTS' });
    await assert.rejects(d.addLun({ path: '/dev/vg0/absent' }), { code: 'BACKING_STORE_MISSING' });
    await assert.rejects(d.addLun({ path: '/dev/vg0/other' }), { code: 'BACKING_STORE_CONFLICT' });
    // A disk that is not an LV of vg0 is never exported, whoever else exports it.
    await assert.rejects(d.addLun({ path: '/dev/sdb1' }), { code: 'BACKING_STORE_NOT_ALLOWED' });
    assert.equal(host.calls.filter((c) => c[0] === 'ietadm' || (c[0] === 'sh' && c[2] === WRITE)).length, 0);
  });

  it('uses the configured ietd.conf path', async () => {
    const d = createStorageDriver(target(), new IetHost(), { ietConfPath: '/etc/iet/ietd.conf' });
    const plan = await d.plan({ path: '/dev/vg0/vm2' });
    assert.deepEqual(plan.at(-1), ['sh', '-c', WRITE, 'sh', '/etc/iet/ietd.conf']);
  });
});

describe('upsertIetLun', () => {
  const conf = fixture('ietd-sles10.conf');

  it('inserts after the last Lun line of the right target and keeps everything else', () => {
    const out = upsertIetLun(conf, 'iqn.2006-01.de.example:sles10.other', 4, '/dev/sdd', 'blockio');
    assert.equal(out, conf.replace('\tLun 0 Path=/dev/sdc,Type=blockio\n', '\tLun 0 Path=/dev/sdc,Type=blockio\n\tLun 4 Path=/dev/sdd,Type=blockio\n'));
  });

  it('is idempotent and replaces a stale line for the same LUN', () => {
    const once = upsertIetLun(conf, IQN, 1, '/srv/xen/vm1.img', 'fileio');
    assert.equal(once, conf);
    const replaced = upsertIetLun(conf, IQN, 1, '/dev/vg0/vm1', 'blockio');
    assert.match(replaced, /\tLun 1 Path=\/dev\/vg0\/vm1,Type=blockio\n/);
    assert.doesNotMatch(replaced, /vm1\.img/);
  });

  it('appends a missing target section, and starts an empty file', () => {
    assert.match(upsertIetLun(conf, 'iqn.2026-11.x:new', 0, '/dev/sde', 'blockio'), /\n\nTarget iqn\.2026-11\.x:new\n\tLun 0 Path=\/dev\/sde,Type=blockio\n$/);
    assert.equal(upsertIetLun('', 'iqn.2026-11.x:new', 0, '/dev/sde', 'blockio'), 'Target iqn.2026-11.x:new\n\tLun 0 Path=/dev/sde,Type=blockio\n');
  });

  it('ignores a commented-out Target line', () => {
    const out = upsertIetLun('#Target iqn.2026-11.x:new\n', 'iqn.2026-11.x:new', 0, '/dev/sde', 'blockio');
    assert.equal(out, '#Target iqn.2026-11.x:new\n\nTarget iqn.2026-11.x:new\n\tLun 0 Path=/dev/sde,Type=blockio\n');
  });
});

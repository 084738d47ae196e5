import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storageTargetSchema } from '../../src/config/inventory.ts';
import { LocalExecutor } from '../../src/ssh/local-executor.ts';
import type { CommandExecutor, CommandResult, RunOptions } from '../../src/ssh/types.ts';
import { createStorageDriver, type StorageDriver, type TgtDriver } from '../../src/storage/index.ts';
import { iscsiLs, startTgtd, type TestTgtd } from '../helpers/tgtd.ts';

// lun.add's backing-store rules against the real tools: a real tgtd, real symlinks, and
// the real LVM tools on loop devices this test creates and removes. Only files under
// backingDir and LVs of the volume group are ever exported.
const IQN = 'iqn.2026-11.test.hasf:backing';
const VG = `hasft${process.pid}`;
const root = process.getuid?.() === 0;
const lvm = existsSync('/usr/sbin/lvs');
const skip = root && lvm ? false : 'needs root and lvm2 (loop devices, a volume group)';
const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8', env: { ...process.env, LVM_SUPPRESS_FD_WARNINGS: '1' }, stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/** Counts commands, and can act on the host right before one of them runs. */
class Watched implements CommandExecutor {
  readonly name = 'store1';
  calls: string[][] = [];
  before?: (argv: string[]) => void;
  private readonly inner = new LocalExecutor('store1');
  run(argv: string[], o?: RunOptions): Promise<CommandResult> {
    this.calls.push(argv);
    this.before?.(argv);
    return this.inner.run(argv, o);
  }
}

describe('lun.add backing stores: only backingDir files and LVs of the volume group', { skip }, () => {
  let tgtd: TestTgtd;
  let dir: string;
  let luns: string;
  const loops: string[] = [];
  let pv: string;
  let lvDevice: string;
  let exec: Watched;
  let driver: StorageDriver;
  const target = (extra: Record<string, unknown> = {}) =>
    storageTargetSchema.parse({ name: 'store1', host: '127.0.0.1', driver: 'tgt', iqn: IQN, backingDir: luns, volumeGroup: VG, ...extra });
  const build = (t = target()) => createStorageDriver(t, exec, { controlPort: tgtd.controlPort, tgtConfDir: join(dir, 'conf.d') });
  const loop = (name: string, mib: number) => {
    const f = join(dir, name);
    writeFileSync(f, '');
    truncateSync(f, mib * 2 ** 20);
    const dev = sh('losetup', ['-f', '--show', f]);
    loops.push(dev);
    return dev;
  };
  const refused = async (req: Parameters<StorageDriver['addLun']>[0], what: string) => {
    const before = (await driver.listLuns()).length;
    await assert.rejects(driver.plan(req), { code: 'BACKING_STORE_NOT_ALLOWED' }, `plan: ${what}`);
    await assert.rejects(driver.addLun(req), { code: 'BACKING_STORE_NOT_ALLOWED' }, `add: ${what}`);
    assert.equal((await driver.listLuns()).length, before, `nothing added: ${what}`);
    assert.equal(exec.calls.filter((c) => c.includes('logicalunit')).length, 0, `no tgtadm: ${what}`);
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hasf-backing-'));
    luns = join(dir, 'luns');
    mkdirSync(luns);
    tgtd = await startTgtd();
    await tgtd.createTarget(1, IQN);
    // A volume group on a loop device, with one LV. This kernel has no device-mapper, so
    // LVM can't activate the LV: a second loop device stands in for its dm node, linked
    // where udev would link it (/dev/VG/LV → the device), exactly as the rules see an LV.
    pv = loop('pv.img', 64);
    sh('pvcreate', ['-q', pv]);
    sh('vgcreate', ['-q', VG, pv]);
    sh('lvcreate', ['--driverloaded', 'n', '-an', '-Zn', '-q', '-L', '8m', '-n', 'lv1', VG]);
    lvDevice = loop('lv1.img', 8);
    mkdirSync(`/dev/${VG}`);
    symlinkSync(lvDevice, `/dev/${VG}/lv1`);
    exec = new Watched();
    driver = build();
  });
  after(async () => {
    await tgtd?.stop();
    rmSync(`/dev/${VG}`, { recursive: true, force: true });
    try {
      sh('vgremove', ['-q', '-f', '--driverloaded', 'n', VG]);
      if (pv) sh('pvremove', ['-q', pv]);
    } catch {
      /* best effort: the loop devices go below either way */
    }
    for (const l of loops) execFileSync('losetup', ['-d', l]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses /etc/shadow, and any file outside backingDir', async () => {
    await refused({ path: '/etc/shadow' }, '/etc/shadow');
    writeFileSync(join(dir, 'beside.img'), 'x');
    await refused({ path: join(dir, 'beside.img') }, 'a file beside backingDir');
  });

  it('refuses ".." in any position before running anything', async () => {
    exec.calls = [];
    for (const path of [`${luns}/../../../etc/shadow`, `${luns}/..`, `/../etc/shadow`, `${luns}/a/../../beside.img`]) {
      await assert.rejects(driver.plan({ path }), { code: 'BACKING_STORE_NOT_ALLOWED' }, path);
      await assert.rejects(driver.addLun({ path }), { code: 'BACKING_STORE_NOT_ALLOWED' }, path);
      await assert.rejects(driver.checkBackingStore(path), { code: 'BACKING_STORE_NOT_ALLOWED' }, path);
    }
    assert.deepEqual(exec.calls, []);
  });

  it('refuses a symlink in backingDir that leads out of it (file, directory, dangling to be created)', async () => {
    symlinkSync('/etc/shadow', join(luns, 'shadow.img'));
    await refused({ path: join(luns, 'shadow.img') }, 'symlink to /etc/shadow');
    await assert.rejects(driver.checkBackingStore(join(luns, 'shadow.img')), (e: Error) => /leads to \/etc\/shadow/.test(e.message));
    symlinkSync('/etc', join(luns, 'etc'));
    await refused({ path: join(luns, 'etc', 'shadow') }, 'a path through a symlinked directory');
    // Creating by size through a dangling symlink would create (or truncate) its target.
    symlinkSync(join(dir, 'elsewhere.img'), join(luns, 'new.img'));
    await refused({ path: join(luns, 'new.img'), sizeMiB: 8 }, 'a dangling symlink to create through');
    assert.equal(existsSync(join(dir, 'elsewhere.img')), false);
  });

  it('refuses block devices that are not LVs of the volume group, and any device without one', async () => {
    await refused({ path: pv }, 'the PV itself (a loop device)');
    const stray = loop('stray.img', 8);
    await refused({ path: stray }, 'a loop device');
    const noVg = build(target({ volumeGroup: undefined }));
    await assert.rejects(noVg.addLun({ path: `/dev/${VG}/lv1` }), { code: 'BACKING_STORE_NOT_ALLOWED' });
  });

  it('a file in backingDir is exported, and a symlink inside it as the file it leads to', async () => {
    const file = join(luns, 'disk1.img');
    writeFileSync(file, '');
    truncateSync(file, 16 * 2 ** 20);
    const res = await driver.addLun({ path: file });
    assert.deepEqual([res.lun, res.path, res.noop], [1, file, false]);
    symlinkSync(file, join(luns, 'alias.img'));
    // The same store through an alias is the same LUN: a no-op, never a second export.
    const again = await driver.addLun({ path: join(luns, 'alias.img') });
    assert.deepEqual([again.lun, again.path, again.noop], [1, file, true]);
    writeFileSync(join(luns, 'disk2.img'), '');
    truncateSync(join(luns, 'disk2.img'), 8 * 2 ** 20);
    symlinkSync(join(luns, 'disk2.img'), join(luns, 'link2.img'));
    const viaLink = await driver.addLun({ path: join(luns, 'link2.img') });
    assert.deepEqual([viaLink.lun, viaLink.path], [2, join(luns, 'disk2.img')]);
    assert.deepEqual((await iscsiLs(tgtd.portal, IQN)).map((l) => l.lun), [0, 1, 2]);
  });

  it('an LV of the volume group is exported as /dev/VG/LV and persisted so', async () => {
    const lv = `/dev/${VG}/lv1`;
    assert.deepEqual(await driver.checkBackingStore(lv), { path: lv, kind: 'block' });
    const res = await driver.addLun({ path: lv });
    assert.deepEqual([res.lun, res.path], [3, lv]);
    const seen = await iscsiLs(tgtd.portal, IQN);
    // The LV's device (8 MiB), as the initiator floors it from the last LBA.
    const size = seen.find((l) => l.lun === 3)?.sizeBytes ?? 0;
    assert.ok(size >= 7 * 2 ** 20 && size <= 8 * 2 ** 20, String(size));
    assert.match(readFileSync((driver as TgtDriver).confPath, 'utf8'), new RegExp(`<backing-store ${lv}>\\n\\s+lun 3\\n`));
  });

  it('checks again right before the add: a store swapped for a symlink meanwhile is refused', async () => {
    const file = join(luns, 'swap.img');
    writeFileSync(file, '');
    truncateSync(file, 8 * 2 ** 20);
    const plan = await driver.plan({ path: file });
    const recheck = plan.findIndex((a) => a[0] === 'readlink');
    assert.ok(recheck >= 0 && plan[recheck + 1]!.includes('logicalunit'), JSON.stringify(plan));
    // Someone with write access to backingDir swaps the file in the window before the add.
    exec.before = (argv) => {
      if (argv[0] === 'readlink' && argv.at(-1) === file && exec.calls.some((c) => c[0] === 'stat' && c.at(-1) === file)) {
        unlinkSync(file);
        symlinkSync('/etc/shadow', file);
        exec.before = undefined;
      }
    };
    const before = await driver.listLuns();
    exec.calls = [];
    await assert.rejects(driver.addLun({ path: file }), (e: Error & { code?: string }) => e.code === 'BACKING_STORE_NOT_ALLOWED' && /changed/.test(e.message));
    assert.deepEqual(await driver.listLuns(), before);
  });
});

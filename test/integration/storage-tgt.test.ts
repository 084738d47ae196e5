import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { storageTargetSchema } from '../../src/config/inventory.ts';
import { LocalExecutor } from '../../src/ssh/local-executor.ts';
import { createStorageDriver, TgtDriver, type StorageDriver } from '../../src/storage/index.ts';
import { iscsiLs, startTgtd, type TestTgtd } from '../helpers/tgtd.ts';

const run = promisify(execFile);
const IQN = 'iqn.2026-11.test.hasf:t1';
const MiB = 1024 * 1024;

describe('tgt driver against a real tgtd', () => {
  let tgtd: TestTgtd;
  let dir: string;
  let confDir: string;
  let driver: StorageDriver;
  const target = () =>
    storageTargetSchema.parse({ name: 'store1', host: '127.0.0.1', driver: 'tgt', iqn: IQN, backingDir: join(dir, 'luns') });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hasf-tgt-'));
    confDir = join(dir, 'conf.d');
    tgtd = await startTgtd();
    await tgtd.createTarget(1, IQN);
    driver = createStorageDriver(target(), new LocalExecutor('store1'), { controlPort: tgtd.controlPort, tgtConfDir: confDir });
  });
  after(async () => {
    await tgtd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts with no data LUN (the controller, LUN 0, is not listed)', async () => {
    assert.deepEqual(await driver.listLuns(), []);
  });

  it('plan shows the exact commands and changes nothing', async () => {
    const argvs = await driver.plan({ sizeMiB: 64, name: 'vm7' });
    const path = join(dir, 'luns', 'vm7.img');
    assert.deepEqual(argvs.slice(0, 4), [
      ['mkdir', '-p', join(dir, 'luns')],
      ['truncate', '-s', '64M', path],
      // The store is checked again right before it is exported.
      ['readlink', '-f', '--', path],
      ['tgtadm', '-C', String(tgtd.controlPort), '--lld', 'iscsi', '--mode', 'logicalunit', '--op', 'new', '--tid', '1', '--lun', '1', '--backing-store', path],
    ]);
    assert.equal(argvs[5]![0], 'sh');
    assert.equal(argvs[5]!.at(-1), join(confDir, 'hasf-iqn.2026-11.test.hasf_t1.conf'));
    assert.equal(existsSync(path), false);
    assert.deepEqual(await driver.listLuns(), []);
  });

  it('adds a 64 MiB LUN by size: a sparse file, seen by a real initiator', async () => {
    const res = await driver.addLun({ sizeMiB: 64, name: 'vm7' });
    const path = join(dir, 'luns', 'vm7.img');
    assert.deepEqual({ lun: res.lun, path: res.path, created: res.created, noop: res.noop }, { lun: 1, path, created: true, noop: false });
    const st = statSync(path);
    assert.equal(st.size, 64 * MiB);
    assert.ok(st.blocks * 512 < MiB, 'the backing file is sparse');
    assert.ok(res.commands.some((c) => c.argv[0] === 'truncate'));
    // Only the look at the not-yet-created file (its directory is new too) may fail.
    assert.deepEqual(res.commands.filter((c) => c.exitCode !== 0).map((c) => c.argv[0]), ['readlink']);
    const seen = await iscsiLs(tgtd.portal, IQN);
    const lun1 = seen.find((l) => l.lun === 1);
    assert.equal(lun1?.type, 'DIRECT_ACCESS');
    // iscsi-ls floors to whole MiB from the last LBA, so 64 MiB shows as 63M or 64M.
    assert.ok(lun1!.sizeBytes! >= 63 * MiB && lun1!.sizeBytes! <= 64 * MiB, `size ${lun1!.sizeBytes}`);
    assert.deepEqual(await driver.listLuns(), [{ lun: 1, path, sizeBytes: 67_000_000 }]);
  });

  it('re-running with the same backing store is a no-op, never a second LUN', async () => {
    const res = await driver.addLun({ sizeMiB: 64, name: 'vm7' });
    assert.equal(res.noop, true);
    assert.equal(res.created, false);
    assert.equal(res.lun, 1);
    assert.equal(res.commands.filter((c) => c.argv.includes('logicalunit')).length, 0);
    const byPath = await driver.addLun({ path: join(dir, 'luns', 'vm7.img') });
    assert.equal(byPath.noop, true);
    assert.deepEqual((await iscsiLs(tgtd.portal, IQN)).map((l) => l.lun), [0, 1]);
  });

  it('refuses a path that does not exist (BACKING_STORE_MISSING) and adds nothing', async () => {
    const before = await driver.listLuns();
    await assert.rejects(driver.addLun({ path: join(dir, 'luns', 'nope.img') }), { code: 'BACKING_STORE_MISSING' });
    assert.deepEqual(await driver.listLuns(), before);
    assert.equal(await driver.backingStoreExists(join(dir, 'luns', 'nope.img')), false);
    assert.equal(await driver.backingStoreExists(join(dir, 'luns', 'vm7.img')), true);
  });

  it('refuses a LUN number taken by another store (LUN_EXISTS)', async () => {
    const other = join(dir, 'luns', 'other.img');
    writeFileSync(other, '');
    truncateSync(other, 8 * MiB);
    await assert.rejects(driver.addLun({ path: other, lun: 1 }), { code: 'LUN_EXISTS' });
    assert.equal((await driver.listLuns()).length, 1);
  });

  it('refuses the same store under another LUN number, and an existing file of another size', async () => {
    await assert.rejects(driver.addLun({ path: join(dir, 'luns', 'vm7.img'), lun: 9 }), { code: 'BACKING_STORE_CONFLICT' });
    await assert.rejects(driver.addLun({ sizeMiB: 32, name: 'vm7' }), { code: 'BACKING_STORE_CONFLICT' });
  });

  it('numbers LUNs with the lowest free number, filling gaps', async () => {
    const mk = (n: string) => {
      const p = join(dir, 'luns', `${n}.img`);
      writeFileSync(p, '');
      truncateSync(p, 4 * MiB);
      return p;
    };
    assert.equal((await driver.addLun({ path: mk('c'), lun: 3 })).lun, 3);
    assert.equal((await driver.addLun({ path: mk('d') })).lun, 2);
    assert.equal((await driver.addLun({ path: mk('e') })).lun, 4);
    assert.deepEqual((await driver.listLuns()).map((l) => l.lun), [1, 2, 3, 4]);
    assert.deepEqual((await iscsiLs(tgtd.portal, IQN)).map((l) => l.lun), [0, 1, 2, 3, 4]);
  });

  it('refuses a store another target on the same tgtd exports', async () => {
    const iqn2 = 'iqn.2026-11.test.hasf:t2';
    await tgtd.createTarget(2, iqn2);
    const d2 = createStorageDriver({ ...target(), iqn: iqn2 }, new LocalExecutor('store1'), { controlPort: tgtd.controlPort, tgtConfDir: confDir });
    await assert.rejects(d2.addLun({ path: join(dir, 'luns', 'c.img') }), { code: 'BACKING_STORE_CONFLICT' });
    assert.deepEqual(await d2.listLuns(), []);
  });

  it('reports an unknown IQN as NOT_FOUND', async () => {
    const d = createStorageDriver({ ...target(), iqn: 'iqn.2026-11.test.hasf:absent' }, new LocalExecutor('store1'), { controlPort: tgtd.controlPort, tgtConfDir: confDir });
    await assert.rejects(d.listLuns(), { code: 'NOT_FOUND' });
  });

  it('CHAP: an account bound only at runtime is refused (its password is nowhere to persist); with its line in the file it survives a restart', async () => {
    const chap = { user: 'tgtchap1', password: 'Chap-Secret-4711' };
    await tgtd.tgtadm('--lld', 'iscsi', '--mode', 'account', '--op', 'new', '--user', chap.user, '--password', chap.password);
    await tgtd.tgtadm('--lld', 'iscsi', '--mode', 'account', '--op', 'bind', '--tid', '1', '--user', chap.user);
    const file = join(dir, 'luns', 'chap.img');
    writeFileSync(file, '');
    truncateSync(file, 4 * MiB);
    const before = await driver.listLuns();
    await assert.rejects(driver.plan({ path: file }), { code: 'CHAP_NOT_PERSISTABLE' });
    await assert.rejects(driver.addLun({ path: file }), (e: Error & { code?: string }) => e.code === 'CHAP_NOT_PERSISTABLE' && e.message.includes(`incominguser ${chap.user} PASSWORD`));
    assert.deepEqual(await driver.listLuns(), before);

    // The admin writes the password once into HASF's file, as the refusal says.
    const confPath = (driver as TgtDriver).confPath;
    const conf = readFileSync(confPath, 'utf8').replace('</target>', `    incominguser ${chap.user} ${chap.password}\n</target>`);
    writeFileSync(confPath, conf);
    const res = await driver.addLun({ path: file });
    assert.equal(res.noop, false);
    // Kept when HASF rewrote the file; and nothing HASF keeps shows the password.
    assert.match(readFileSync(confPath, 'utf8'), new RegExp(`^ {4}incominguser ${chap.user} ${chap.password}$`, 'm'));
    assert.ok(res.commands.every((c) => !JSON.stringify(c.argv).includes(chap.password)));

    // A "reboot": a fresh tgtd from the file alone still demands CHAP.
    const fresh = await startTgtd();
    try {
      await run('tgt-admin', ['-C', String(fresh.controlPort), '-c', confPath, '-e', '--force']);
      assert.match(await fresh.tgtadm('--lld', 'iscsi', '--mode', 'target', '--op', 'show'), new RegExp(`Account information:\\n\\s+${chap.user}\\n`));
      await assert.rejects(iscsiLs(fresh.portal, IQN), 'no login without CHAP');
      assert.ok((await iscsiLs(fresh.portal, IQN, chap)).some((l) => l.lun === res.lun));
    } finally {
      await fresh.stop();
    }
    // Unbound again: the line goes with it at the next rewrite.
    await tgtd.tgtadm('--lld', 'iscsi', '--mode', 'account', '--op', 'unbind', '--tid', '1', '--user', chap.user);
    await tgtd.tgtadm('--lld', 'iscsi', '--mode', 'account', '--op', 'delete', '--user', chap.user);
    await driver.addLun({ path: file });
    assert.doesNotMatch(readFileSync(confPath, 'utf8'), /^\s+incominguser/m);
  });

  it('persists a conf.d file that tgt-admin restores with the same LUN numbers', async () => {
    const confPath = (driver as TgtDriver).confPath;
    const conf = readFileSync(confPath, 'utf8');
    assert.match(conf, new RegExp(`^<target ${IQN.replaceAll('.', '\\.')}>$`, 'm'));
    for (const [lun, file] of [[1, 'luns/vm7.img'], [2, 'luns/d.img'], [3, 'luns/c.img'], [4, 'luns/e.img'], [5, 'luns/chap.img']] as const) {
      assert.ok(conf.includes(`    <backing-store ${join(dir, file)}>\n        lun ${lun}\n    </backing-store>`), `LUN ${lun} in\n${conf}`);
    }
    assert.match(conf, /^ {4}initiator-address ALL$/m);
    assert.match(conf, /^<\/target>$/m);

    // A "reboot": a fresh tgtd configured only from the file by tgt-admin.
    const fresh = await startTgtd();
    try {
      // --force: the first tgtd still holds the files open.
      const { stdout } = await run('tgt-admin', ['-C', String(fresh.controlPort), '-c', confPath, '-e', '--force']);
      assert.doesNotMatch(stdout, /error|not supported/i);
      const restored = createStorageDriver(target(), new LocalExecutor('store1'), { controlPort: fresh.controlPort, tgtConfDir: join(dir, 'unused') });
      const strip = (l: { lun: number; path: string }[]) => l.map(({ lun, path }) => ({ lun, path }));
      assert.deepEqual(strip(await restored.listLuns()), strip(await driver.listLuns()));
      assert.deepEqual((await iscsiLs(fresh.portal, IQN)).map((l) => l.lun), [0, 1, 2, 3, 4, 5]);
    } finally {
      await fresh.stop();
    }
  });
});

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storageTargetSchema } from '../../src/config/inventory.ts';
import { SshPool } from '../../src/ssh/index.ts';
import { createStorageDriver, TgtDriver } from '../../src/storage/index.ts';
import { startSshd, type TestSshd } from '../helpers/sshd.ts';
import { iscsiLs, startTgtd, type TestTgtd } from '../helpers/tgtd.ts';

const IQN = 'iqn.2026-11.test.hasf:ssh1';

// The same driver over the product's SSH pool: commands and the config file (stdin)
// travel through a real sshd with a pinned host key.
describe('tgt driver over real SSH', () => {
  let tgtd: TestTgtd;
  let sshd: TestSshd;
  let pool: SshPool;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hasf-tgt-ssh-'));
    tgtd = await startTgtd();
    await tgtd.createTarget(1, IQN);
    sshd = await startSshd();
    pool = new SshPool();
  });
  after(async () => {
    await pool?.close();
    await sshd?.stop();
    await tgtd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('adds a LUN by size, persists the conf file, and a re-run is a no-op', async () => {
    const target = storageTargetSchema.parse({
      name: 'store1', host: '127.0.0.1', port: sshd.port, hostKeys: [sshd.hostKeyFingerprint],
      identityFile: sshd.identityFile, driver: 'tgt', iqn: IQN, backingDir: join(dir, 'luns'),
    });
    const driver = createStorageDriver(target, pool.executor(target), { controlPort: tgtd.controlPort, tgtConfDir: join(dir, 'conf.d') });
    const t0 = performance.now();
    const res = await driver.addLun({ sizeMiB: 32, name: 'vm1-disk' });
    const addMs = performance.now() - t0;
    assert.deepEqual([res.lun, res.created, res.noop], [1, true, false]);
    assert.ok(res.commands.every((c) => c.host === 'store1'));
    assert.equal(statSync(join(dir, 'luns', 'vm1-disk.img')).size, 32 * 1024 * 1024);
    const conf = readFileSync((driver as TgtDriver).confPath, 'utf8');
    assert.ok(conf.includes(`<backing-store ${join(dir, 'luns', 'vm1-disk.img')}>\n        lun 1\n`), conf);
    assert.deepEqual((await iscsiLs(tgtd.portal, IQN)).map((l) => l.lun), [0, 1]);
    const again = await driver.addLun({ sizeMiB: 32, name: 'vm1-disk' });
    assert.deepEqual([again.lun, again.noop], [1, true]);
    await assert.rejects(driver.addLun({ path: join(dir, 'missing.img') }), { code: 'BACKING_STORE_MISSING' });
    assert.equal((await driver.listLuns()).length, 1);
    console.log(`# lun.add over ssh: ${Math.round(addMs)} ms, ${res.commands.length} commands`);
  });
});

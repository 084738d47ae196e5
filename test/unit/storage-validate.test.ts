import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { storageTargetSchema } from '../../src/config/inventory.ts';
import type { CommandExecutor, CommandResult, RunOptions } from '../../src/ssh/types.ts';
import { createStorageDriver, nextFreeLun, validateAddLunRequest, validatePath, type AddLunRequest } from '../../src/storage/index.ts';

/** An executor that only counts: hostile input must be refused before any command runs. */
class CountingExecutor implements CommandExecutor {
  readonly name = 'store1';
  calls: string[][] = [];
  async run(argv: string[], _o?: RunOptions): Promise<CommandResult> {
    this.calls.push(argv);
    return { host: this.name, argv, exitCode: 99, stdout: '', stderr: 'should not run', durationMs: 0, truncated: false };
  }
}

const hostile: [string, unknown, string][] = [
  ['shell metacharacters', { path: '/tmp/x;rm -rf /' }, 'INVALID_INPUT'],
  ['command substitution', { path: '/tmp/$(reboot)' }, 'INVALID_INPUT'],
  ['backticks', { path: '/tmp/`id`' }, 'INVALID_INPUT'],
  ['spaces', { path: '/tmp/a b' }, 'INVALID_INPUT'],
  ['newline', { path: '/tmp/a\n/etc/passwd' }, 'INVALID_INPUT'],
  ['relative path', { path: 'luns/a.img' }, 'INVALID_INPUT'],
  ['option-looking path', { path: '--help' }, 'INVALID_INPUT'],
  ['dot-dot', { path: '/var/lib/hasf/../../etc/shadow' }, 'BACKING_STORE_NOT_ALLOWED'],
  ['trailing dot-dot', { path: '/var/lib/hasf/luns/..' }, 'BACKING_STORE_NOT_ALLOWED'],
  ['leading dot-dot', { path: '/../etc/shadow' }, 'BACKING_STORE_NOT_ALLOWED'],
  ['dot segment', { path: '/var/./a.img' }, 'INVALID_INPUT'],
  ['double slash', { path: '/var//a.img' }, 'INVALID_INPUT'],
  ['trailing slash', { path: '/var/a/' }, 'INVALID_INPUT'],
  ['too long', { path: `/${'a'.repeat(255)}` }, 'INVALID_INPUT'],
  ['comma (ietd params)', { path: '/tmp/a,Type=blockio' }, 'INVALID_INPUT'],
  ['not a string', { path: 42 }, 'INVALID_INPUT'],
  ['size zero', { sizeMiB: 0, name: 'a' }, 'INVALID_INPUT'],
  ['size too big', { sizeMiB: 16_777_217, name: 'a' }, 'INVALID_INPUT'],
  ['size fraction', { sizeMiB: 1.5, name: 'a' }, 'INVALID_INPUT'],
  ['size as string', { sizeMiB: '64', name: 'a' }, 'INVALID_INPUT'],
  ['lun too big', { path: '/tmp/a.img', lun: 256 }, 'INVALID_INPUT'],
  ['negative lun', { path: '/tmp/a.img', lun: -1 }, 'INVALID_INPUT'],
  ['lun fraction', { path: '/tmp/a.img', lun: 1.5 }, 'INVALID_INPUT'],
  ['name with slash', { sizeMiB: 8, name: '../etc/x' }, 'INVALID_NAME'],
  ['name like an option', { sizeMiB: 8, name: '-rf' }, 'INVALID_NAME'],
  ['name with space', { sizeMiB: 8, name: 'a b' }, 'INVALID_NAME'],
  ['name too long', { sizeMiB: 8, name: 'a'.repeat(65) }, 'INVALID_NAME'],
  ['size without name or path', { sizeMiB: 8 }, 'INVALID_INPUT'],
  ['nothing', {}, 'INVALID_INPUT'],
  ['unknown field', { path: '/tmp/a.img', bstype: 'sg' }, 'INVALID_INPUT'],
];

describe('lun.add input allow-lists', () => {
  for (const driver of ['tgt', 'lio', 'iet'] as const) {
    it(`${driver}: hostile input is refused before any command runs`, async () => {
      const exec = new CountingExecutor();
      const d = createStorageDriver(
        storageTargetSchema.parse({ name: 'store1', host: '127.0.0.1', driver, iqn: 'iqn.2026-11.test.hasf:t1' }),
        exec,
      );
      for (const [what, req, code] of hostile) {
        await assert.rejects(d.addLun(req as AddLunRequest), { code }, what);
        await assert.rejects(d.plan(req as AddLunRequest), { code }, what);
      }
      await assert.rejects(d.backingStoreExists('/tmp/$(id)'), { code: 'INVALID_INPUT' });
      assert.deepEqual(exec.calls, []);
    });
  }

  it('tgt reserves LUN 0 (the controller); LIO and IET accept it', () => {
    assert.throws(() => validateAddLunRequest({ path: '/tmp/a.img', lun: 0 }, 1), { code: 'INVALID_INPUT' });
    assert.deepEqual(validateAddLunRequest({ path: '/tmp/a.img', lun: 0 }, 0), { path: '/tmp/a.img', lun: 0 });
  });

  it('a malformed IQN in the configuration is refused when the driver is built', () => {
    const target = storageTargetSchema.parse({ name: 's', host: 'h', driver: 'tgt', iqn: 'iqn.2026-11.test.hasf:t1' });
    assert.throws(() => createStorageDriver({ ...target, iqn: 'iqn.2026-11.x:t1;reboot' }, new CountingExecutor()), { code: 'INVALID_NAME' });
  });

  it('accepts ordinary paths and sizes', () => {
    assert.equal(validatePath('/dev/vg0/lv_vm1-disk.0'), '/dev/vg0/lv_vm1-disk.0');
    assert.deepEqual(validateAddLunRequest({ sizeMiB: 16_777_216, name: 'vm1.disk-0' }), { sizeMiB: 16_777_216, name: 'vm1.disk-0' });
  });

  it('next free LUN: lowest gap from the first usable number, undefined when full', () => {
    assert.equal(nextFreeLun([], 1), 1);
    assert.equal(nextFreeLun([1, 3], 1), 2);
    assert.equal(nextFreeLun([0, 1, 2], 0), 3);
    assert.equal(nextFreeLun(Array.from({ length: 255 }, (_, i) => i + 1), 1), undefined);
  });
});

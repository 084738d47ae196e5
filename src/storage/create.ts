import { HasfError } from '../errors/index.ts';
import type { StorageTargetConfig } from '../config/inventory.ts';
import type { CommandExecutor } from '../ssh/types.ts';
import { IetDriver } from './iet.ts';
import { LioDriver } from './lio.ts';
import { TgtDriver } from './tgt.ts';
import type { StorageDriver, StorageDriverOptions } from './types.ts';

/**
 * The driver for one inventory storage target, running its commands through `exec`
 * (an SSH executor for the target host, or a LocalExecutor).
 * @example createStorageDriver(inventory.storage[0], pool.executor('store1')).addLun({ sizeMiB: 64, name: 'vm7' })
 */
export function createStorageDriver(
  target: StorageTargetConfig,
  exec: CommandExecutor,
  opts: StorageDriverOptions = {},
): StorageDriver {
  switch (target.driver) {
    case 'tgt':
      return new TgtDriver(target, exec, opts);
    case 'lio':
      return new LioDriver(target, exec, opts);
    case 'iet':
      return new IetDriver(target, exec, opts);
    default:
      throw new HasfError('CONFIG_INVALID', `Unknown storage driver ${String((target as { driver: unknown }).driver)}; use tgt, lio or iet.`);
  }
}

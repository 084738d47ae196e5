import { HasfError } from '../errors/index.ts';
import type { StorageTargetConfig } from '../config/inventory.ts';
import type { CommandExecutor, CommandResult } from '../ssh/types.ts';
import { commandFailed, type Step } from './steps.ts';
import { validateName, validatePath } from './validate.ts';
import type { AddLunRequest } from './types.ts';

/** What a backing store path is on the target host. */
export interface BackingStat {
  exists: boolean;
  /** `file` for a regular file, `block` for a block device, `other` for anything else (a directory …). */
  kind?: 'file' | 'block' | 'other';
  sizeBytes?: number;
}

/** stat(1) a path on the target host, following symlinks (LVs are /dev/vg/lv → ../dm-N). */
export async function statBackingStore(
  exec: CommandExecutor,
  path: string,
  log: CommandResult[],
  timeoutMs?: number,
): Promise<BackingStat> {
  const res = await exec.run(['stat', '-L', '-c', '%F|%s', '--', path], { timeoutMs });
  log.push(res);
  if (res.exitCode !== 0) {
    if (/No such file or directory/i.test(res.stderr)) return { exists: false };
    throw commandFailed(res);
  }
  const [type = '', size = ''] = res.stdout.trim().split('|');
  const kind = type.startsWith('regular') ? 'file' : type === 'block special file' ? 'block' : 'other';
  return { exists: true, kind, sizeBytes: Number(size) };
}

/** Where the backing store of a request lives, and how it would be created. */
export interface BackingPlan {
  path: string;
  /** The kind the store will have once created (file or LV). */
  createKind: 'file' | 'block';
  /** Commands that create it (empty when it cannot be created: no size given). */
  createSteps: Step[];
}

/**
 * Resolve a (validated) request to a backing store path: the given path, or a name in the
 * target's backingDir (file) / volume group (LV). With a size, also the commands that
 * create it: a sparse file with truncate (no data written, instant), or lvcreate.
 */
export function planBackingStore(target: StorageTargetConfig, req: AddLunRequest): BackingPlan {
  const size = req.sizeMiB;
  if (target.create === 'lv' && req.path === undefined) {
    const vg = target.volumeGroup;
    if (vg === undefined) {
      throw new HasfError('CONFIG_INVALID', `Storage target ${target.name} creates LVs but has no volumeGroup; set storage[].volumeGroup.`, {
        target: target.name,
      });
    }
    validateName(vg, 'volumeGroup');
    const name = validateName(req.name);
    return {
      path: `/dev/${vg}/${name}`,
      createKind: 'block',
      createSteps: size === undefined ? [] : [{ argv: ['lvcreate', '--yes', '-L', `${size}m`, '-n', name, vg] }],
    };
  }
  const path = req.path ?? `${validatePath(target.backingDir, 'backingDir')}/${validateName(req.name)}.img`;
  const dir = path.slice(0, path.lastIndexOf('/')) || '/';
  return {
    path,
    createKind: 'file',
    // truncate's M is MiB; a sparse file costs no space until written. An LV target
    // only creates LVs by name: a given path must already exist there.
    createSteps: size === undefined || target.create === 'lv' ? [] : [{ argv: ['mkdir', '-p', dir] }, { argv: ['truncate', '-s', `${size}M`, path] }],
  };
}

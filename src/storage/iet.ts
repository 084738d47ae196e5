import { HasfError } from '../errors/index.ts';
import type { CommandResult } from '../ssh/types.ts';
import { DriverBase, type LunSpec, type TargetSnapshot } from './driver-base.ts';
import { upsertIetLun } from './iet-conf.ts';
import { parseIetVolume, type IetTarget } from './parse-iet.ts';
import { readRemoteFile, runChecked, writeFileSteps, type Step } from './steps.ts';
import { validatePath } from './validate.ts';

interface IetSnapshot extends TargetSnapshot {
  target: IetTarget;
}

/**
 * iSCSI Enterprise Target (the seed's SLES 10 `iscsitarget`): `ietadm --op new` at
 * runtime, read back from /proc/net/iet/volume, persisted as a `Lun` line in ietd.conf.
 */
export class IetDriver extends DriverBase<IetSnapshot> {
  readonly kind = 'iet' as const;
  // IET numbers data LUNs from 0.
  protected readonly firstLun = 0;

  private get confPath(): string {
    return validatePath(this.opts.ietConfPath ?? '/etc/ietd.conf', 'ietConfPath');
  }

  protected async snapshot(log: CommandResult[]): Promise<IetSnapshot> {
    const res = await runChecked(this.exec, ['cat', '/proc/net/iet/volume'], log, { timeoutMs: this.opts.timeoutMs });
    const all = parseIetVolume(res.stdout);
    const target = all.find((t) => t.iqn === this.iqn);
    if (!target) {
      throw new HasfError('NOT_FOUND', `ietd on ${this.exec.name} has no target ${this.iqn}; create it or fix the inventory's iqn.`, {
        iqn: this.iqn,
        targets: all.map((t) => t.iqn),
      });
    }
    const luns = target.luns.flatMap((l) => (l.path === undefined ? [] : [{ lun: l.lun, path: l.path, sizeBytes: l.sizeBytes }]));
    const foreignPaths = new Set(all.filter((t) => t !== target).flatMap((t) => t.luns.flatMap((l) => (l.path ? [l.path] : []))));
    return { target, luns, foreignPaths };
  }

  private ioType(snap: IetSnapshot, spec: LunSpec): 'fileio' | 'blockio' {
    // Keep what the live LUN uses (a re-persist); else blockio for devices, fileio for files.
    const live = snap.target.luns.find((l) => l.lun === spec.lun && l.path === spec.path)?.iotype;
    if (live === 'fileio' || live === 'blockio') return live;
    return spec.kind === 'block' ? 'blockio' : 'fileio';
  }

  protected addSteps(snap: IetSnapshot, spec: LunSpec): Step[] {
    return [
      {
        argv: [
          'ietadm', '--op', 'new', `--tid=${snap.target.tid}`, `--lun=${spec.lun}`,
          '--params', `Path=${spec.path},Type=${this.ioType(snap, spec)}`,
        ],
      },
    ];
  }

  protected persistSteps(snap: IetSnapshot, spec: LunSpec): Step[] {
    const path = this.confPath;
    const type = this.ioType(snap, spec);
    return writeFileSteps(path, async (log) =>
      upsertIetLun(await readRemoteFile(this.exec, path, log, this.opts.timeoutMs), this.iqn, spec.lun, spec.path, type),
    );
  }
}

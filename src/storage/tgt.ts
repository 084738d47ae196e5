import { HasfError } from '../errors/index.ts';
import type { CommandResult } from '../ssh/types.ts';
import { DriverBase, type LunSpec, type TargetSnapshot } from './driver-base.ts';
import { parseTgtadmShow, type TgtTarget } from './parse-tgtadm.ts';
import { runChecked, writeFileSteps, type Step } from './steps.ts';
import { chapLinesToKeep, definedElsewhere, FILE_MARK, targetInFiles, type ChapLine } from './tgt-files.ts';
import { renderTgtConf, tgtConfFileName } from './tgt-conf.ts';
import { validatePath } from './validate.ts';

interface TgtSnapshot extends TargetSnapshot {
  target: TgtTarget;
}

/**
 * Linux SCSI target framework (tgt, `tgtadm`): adds LUNs at runtime and persists the
 * target as `<tgtConfDir>/hasf-<iqn>.conf`, regenerated from the live target.
 */
export class TgtDriver extends DriverBase<TgtSnapshot> {
  readonly kind = 'tgt' as const;
  protected readonly firstLun = 1;

  /** `tgtadm` plus the control port option when a private tgtd is addressed. */
  private tgtadm(...args: string[]): string[] {
    const port = this.opts.controlPort;
    if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 32767)) {
      throw new HasfError('CONFIG_INVALID', 'controlPort must be a whole number from 0 to 32767 (tgtd refuses more).', { controlPort: port });
    }
    return port === undefined ? ['tgtadm', ...args] : ['tgtadm', '-C', String(port), ...args];
  }

  /** Path of the persisted configuration of this target. */
  get confPath(): string {
    return `${validatePath(this.opts.tgtConfDir ?? '/etc/tgt/conf.d', 'tgtConfDir')}/${tgtConfFileName(this.iqn)}`;
  }

  protected async snapshot(log: CommandResult[]): Promise<TgtSnapshot> {
    const res = await runChecked(this.exec, this.tgtadm('--lld', 'iscsi', '--mode', 'target', '--op', 'show'), log, {
      timeoutMs: this.opts.timeoutMs,
    });
    const all = parseTgtadmShow(res.stdout);
    const target = all.find((t) => t.iqn === this.iqn);
    if (!target) {
      throw new HasfError('NOT_FOUND', `tgtd on ${this.exec.name} has no target ${this.iqn}; create it or fix the inventory's iqn.`, {
        iqn: this.iqn,
        targets: all.map((t) => t.iqn),
      });
    }
    const foreignPaths = new Set(
      all.filter((t) => t !== target).flatMap((t) => t.luns.flatMap((l) => (l.path === undefined ? [] : [l.path]))),
    );
    const luns = target.luns
      .filter((l) => l.lun !== 0 && l.path !== undefined)
      .map((l) => ({ lun: l.lun, path: l.path!, sizeBytes: l.sizeBytes }));
    return { target, luns, foreignPaths };
  }

  protected addSteps(snap: TgtSnapshot, spec: LunSpec): Step[] {
    return [
      {
        argv: this.tgtadm(
          '--lld', 'iscsi', '--mode', 'logicalunit', '--op', 'new',
          '--tid', String(snap.target.tid), '--lun', String(spec.lun), '--backing-store', spec.path,
        ),
      },
    ];
  }

  /** tgt-admin's configuration as loaded at boot: targets.conf and every conf.d file, each under a `### PATH` header. */
  private async readConfig(log: CommandResult[]): Promise<string> {
    const confDir = this.confPath.slice(0, this.confPath.lastIndexOf('/'));
    const targetsConf = `${confDir.slice(0, confDir.lastIndexOf('/')) || ''}/targets.conf`;
    const script = `for f in "$1" "$2"/*.conf; do [ -f "$f" ] || continue; printf '${FILE_MARK}%s\\n' "$f"; cat -- "$f"; echo; done`;
    return (await runChecked(this.exec, ['sh', '-c', script, 'sh', targetsConf, confDir], log, { timeoutMs: this.opts.timeoutMs })).stdout;
  }

  /**
   * What HASF's file must say beside the live target: the CHAP lines to keep (refused,
   * CHAP_NOT_PERSISTABLE, when a bound account's password is in no file), and what other
   * files already set for the target (not to be repeated).
   */
  private async fromConfig(t: TgtTarget, log: CommandResult[]): Promise<{ chap: ChapLine[]; elsewhere: ReturnType<typeof definedElsewhere> }> {
    const byFile = targetInFiles(await this.readConfig(log), this.iqn);
    const chapByFile = new Map([...byFile].map(([f, x]) => [f, x.chap]));
    const chap = t.accounts.length ? chapLinesToKeep(t, chapByFile, this.confPath, this.exec.name) : [];
    return { chap, elsewhere: definedElsewhere(byFile, this.confPath) };
  }

  protected override async precheck(snap: TgtSnapshot, log: CommandResult[]): Promise<void> {
    // Before anything changes: a target whose CHAP can't be persisted is not touched.
    if (snap.target.accounts.length) await this.fromConfig(snap.target, log);
  }

  protected persistSteps(): Step[] {
    // Rendered when the step runs, from the target as it is after the add.
    return writeFileSteps(this.confPath, async (log) => {
      const { target } = await this.snapshot(log);
      const { chap, elsewhere } = await this.fromConfig(target, log);
      return renderTgtConf(target, chap, elsewhere);
    });
  }
}

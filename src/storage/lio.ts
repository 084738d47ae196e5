import { HasfError } from '../errors/index.ts';
import type { CommandResult } from '../ssh/types.ts';
import { DriverBase, type LunSpec, type TargetSnapshot } from './driver-base.ts';
import { parseTargetcliLs, type LioTree } from './parse-targetcli.ts';
import { runChecked, type Step } from './steps.ts';

interface LioSnapshot extends TargetSnapshot {
  tree: LioTree;
}

/** A backstore name for `path`: its file name without `.img`, made unique among `taken`. */
export function lioBackstoreName(path: string, lun: number, taken: Set<string>): string {
  const base = (path.slice(path.lastIndexOf('/') + 1).replace(/\.img$/, '').replace(/[^A-Za-z0-9_-]/g, '_') || 'lun').slice(0, 48);
  if (!taken.has(base)) return base;
  for (let i = lun; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}

/**
 * Linux-IO (LIO) through `targetcli`: a storage object under /backstores/fileio or
 * /backstores/block (reused when one already points at the path), mapped as a LUN in
 * the target's TPG, then `targetcli saveconfig` (else it is lost at reboot).
 */
export class LioDriver extends DriverBase<LioSnapshot> {
  readonly kind = 'lio' as const;
  // On LIO, LUN 0 is an ordinary data LUN.
  protected readonly firstLun = 0;

  private get tpg(): number {
    const tpg = this.opts.lioTpg ?? 1;
    if (!Number.isInteger(tpg) || tpg < 1 || tpg > 65535) {
      throw new HasfError('CONFIG_INVALID', 'lioTpg must be a whole number from 1 to 65535.', { lioTpg: tpg });
    }
    return tpg;
  }

  protected async snapshot(log: CommandResult[]): Promise<LioSnapshot> {
    const res = await runChecked(this.exec, ['targetcli', 'ls', '/'], log, { timeoutMs: this.opts.timeoutMs });
    const tree = parseTargetcliLs(res.stdout);
    const tpg = this.tpg;
    if (!tree.tpgs.some((t) => t.iqn === this.iqn && t.tpg === tpg)) {
      throw new HasfError('NOT_FOUND', `targetcli on ${this.exec.name} has no /iscsi/${this.iqn}/tpg${tpg}; create it or fix the inventory's iqn.`, {
        iqn: this.iqn,
        tpg,
      });
    }
    const pathOf = (backstore: string, path?: string): string | undefined =>
      path ?? tree.backstores.find((b) => `${b.type}/${b.name}` === backstore)?.path;
    const sizeOf = (backstore: string): number | undefined =>
      tree.backstores.find((b) => `${b.type}/${b.name}` === backstore)?.sizeBytes;
    const luns = tree.luns
      .filter((l) => l.iqn === this.iqn && l.tpg === tpg)
      .flatMap((l) => {
        const path = pathOf(l.backstore, l.path);
        return path === undefined ? [] : [{ lun: l.lun, path, sizeBytes: sizeOf(l.backstore) }];
      });
    const foreignPaths = new Set(
      tree.luns
        .filter((l) => !(l.iqn === this.iqn && l.tpg === tpg))
        .flatMap((l) => {
          const p = pathOf(l.backstore, l.path);
          return p === undefined ? [] : [p];
        }),
    );
    return { tree, luns, foreignPaths };
  }

  protected addSteps(snap: LioSnapshot, spec: LunSpec): Step[] {
    const type = spec.kind === 'block' ? 'block' : 'fileio';
    const steps: Step[] = [];
    let store = snap.tree.backstores.find((b) => b.path === spec.path && b.type === type);
    if (!store) {
      const taken = new Set(snap.tree.backstores.filter((b) => b.type === type).map((b) => b.name));
      store = { type, name: lioBackstoreName(spec.path, spec.lun, taken), path: spec.path };
      const dev = type === 'block' ? `dev=${spec.path}` : `file_or_dev=${spec.path}`;
      steps.push({ argv: ['targetcli', `/backstores/${type}`, 'create', `name=${store.name}`, dev] });
    }
    steps.push({
      argv: ['targetcli', `/iscsi/${this.iqn}/tpg${this.tpg}/luns`, 'create', `/backstores/${type}/${store.name}`, `lun=${spec.lun}`],
    });
    return steps;
  }

  protected persistSteps(): Step[] {
    return [{ argv: ['targetcli', 'saveconfig'] }];
  }
}

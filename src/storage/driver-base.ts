import { HasfError } from '../errors/index.ts';
import type { StorageTargetConfig } from '../config/inventory.ts';
import type { CommandExecutor, CommandResult } from '../ssh/types.ts';
import { planBackingStore, statBackingStore } from './backing.ts';
import { BackingRules, refuseDotDot } from './backing-rules.ts';
import { runSteps, type Step } from './steps.ts';
import type {
  AddLunRequest,
  AddLunResult,
  LunInfo,
  StorageDriver,
  StorageDriverOptions,
  StorageKind,
} from './types.ts';
import { MAX_LUN, validateAddLunRequest, validateIqn, validatePath } from './validate.ts';

/** What a driver reads from its target before planning: its LUNs, and paths other targets export. */
export interface TargetSnapshot {
  luns: LunInfo[];
  /** Backing stores exported by other targets of the same daemon: never exported twice. */
  foreignPaths: Set<string>;
}

/** The LUN a plan adds (or found), with the store's kind for drivers that care (fileio/blockio). */
export interface LunSpec {
  lun: number;
  path: string;
  kind: 'file' | 'block';
}

interface AddPlan {
  lun: number;
  path: string;
  created: boolean;
  noop: boolean;
  steps: Step[];
}

/** The lowest LUN number >= first not in use, or undefined when all up to 255 are taken. */
export function nextFreeLun(used: Iterable<number>, first: number): number | undefined {
  const taken = new Set(used);
  for (let l = first; l <= MAX_LUN; l++) if (!taken.has(l)) return l;
  return undefined;
}

/**
 * The lun.add algorithm shared by tgt, LIO and IET: validate, read the target, decide
 * (no-op, conflict, next free number, create or require the store), then run the
 * driver's commands, persist, and verify the LUN is listed. Subclasses only say how to
 * read their target and which commands add and persist a LUN.
 */
export abstract class DriverBase<S extends TargetSnapshot> implements StorageDriver {
  abstract readonly kind: StorageKind;
  /** The lowest LUN number a data LUN may have (tgt: 1, LUN 0 is the controller). */
  protected abstract readonly firstLun: number;
  protected readonly iqn: string;

  constructor(
    protected readonly target: StorageTargetConfig,
    protected readonly exec: CommandExecutor,
    protected readonly opts: StorageDriverOptions = {},
  ) {
    this.iqn = validateIqn(target.iqn);
  }

  /** Read the target's state (read-only commands, logged into `log`). */
  protected abstract snapshot(log: CommandResult[]): Promise<S>;
  /** Commands that export `spec` as a LUN. */
  protected abstract addSteps(snap: S, spec: LunSpec): Step[];
  /** Commands that persist the configuration so `spec` survives a restart of the target. */
  protected abstract persistSteps(snap: S, spec: LunSpec): Step[];
  /** Refuses, before anything runs, a target whose configuration can't be persisted safely. Default: none. */
  protected async precheck(_snap: S, _log: CommandResult[]): Promise<void> {}

  async listLuns(): Promise<LunInfo[]> {
    return (await this.snapshot([])).luns;
  }

  async backingStoreExists(path: string): Promise<boolean> {
    const stat = await statBackingStore(this.exec, validatePath(path), [], this.opts.timeoutMs);
    return stat.exists;
  }

  async checkBackingStore(path: string, opts: { create?: boolean } = {}): Promise<{ path: string; kind: 'file' | 'block' }> {
    const creating = opts.create && this.target.create !== 'lv' ? 'file' : undefined;
    const store = await this.rules().check(path, [], { creating });
    return { path: store.path, kind: store.kind };
  }

  private rules(): BackingRules {
    return new BackingRules(this.target, this.exec, this.opts.timeoutMs);
  }

  async plan(req: AddLunRequest): Promise<string[][]> {
    const { steps } = await this.decide(req, []);
    return steps.map((s) => s.argv);
  }

  async addLun(req: AddLunRequest): Promise<AddLunResult> {
    const log: CommandResult[] = [];
    const plan = await this.decide(req, log);
    await runSteps(this.exec, plan.steps, log, this.opts.timeoutMs);
    const after = await this.snapshot(log);
    const found = after.luns.find((l) => l.lun === plan.lun);
    if (!found || found.path !== plan.path) {
      throw new HasfError('VERIFY_FAILED', `LUN ${plan.lun} with ${plan.path} is not listed by ${this.iqn} after adding it; check the target daemon.`, {
        lun: plan.lun,
        path: plan.path,
        listed: after.luns,
      });
    }
    return { lun: plan.lun, path: plan.path, created: plan.created, noop: plan.noop, commands: log };
  }

  private async decide(raw: AddLunRequest, log: CommandResult[]): Promise<AddPlan> {
    refuseDotDot((raw as { path?: unknown } | null)?.path, this.target);
    const req = validateAddLunRequest(raw, this.firstLun);
    const backing = planBackingStore(this.target, req);
    const snap = await this.snapshot(log);
    await this.precheck(snap, log);
    // Only a file under backingDir or an LV of the volume group, as the host resolves it.
    const rules = this.rules();
    const store = await rules.check(backing.path, log, { creating: backing.createSteps.length ? backing.createKind : undefined });
    const { path, stat } = store;
    if (stat.exists && stat.kind === 'file' && req.sizeMiB !== undefined && stat.sizeBytes !== req.sizeMiB * 1024 * 1024) {
      throw new HasfError(
        'BACKING_STORE_CONFLICT',
        `${path} already exists with ${stat.sizeBytes} bytes, not ${req.sizeMiB} MiB; leave out the size to export it as it is, or pick another name.`,
        { path, sizeBytes: stat.sizeBytes, sizeMiB: req.sizeMiB },
      );
    }

    const existing = snap.luns.find((l) => l.path === path || l.path === backing.path);
    if (existing) {
      if (req.lun !== undefined && req.lun !== existing.lun) {
        throw new HasfError('BACKING_STORE_CONFLICT', `${path} is already LUN ${existing.lun} of ${this.iqn}, not LUN ${req.lun}; one store is never exported twice.`, {
          path,
          lun: existing.lun,
          requested: req.lun,
        });
      }
      // Already exported: re-persist only (a crashed earlier run may have stopped before it).
      const spec: LunSpec = { lun: existing.lun, path: existing.path, kind: stat.kind === 'block' ? 'block' : 'file' };
      return { lun: existing.lun, path: existing.path, created: false, noop: true, steps: this.persistSteps(snap, spec) };
    }
    if (snap.foreignPaths.has(path) || snap.foreignPaths.has(backing.path)) {
      throw new HasfError('BACKING_STORE_CONFLICT', `${path} is already exported by another target on ${this.exec.name}; two targets writing one store corrupt it.`, { path });
    }

    const used = snap.luns.map((l) => l.lun);
    let lun: number;
    if (req.lun !== undefined) {
      const holder = snap.luns.find((l) => l.lun === req.lun);
      if (holder) {
        throw new HasfError('LUN_EXISTS', `LUN ${req.lun} of ${this.iqn} is already ${holder.path}; pick another number or leave it out.`, {
          lun: req.lun,
          path: holder.path,
          usedLuns: used,
        });
      }
      lun = req.lun;
    } else {
      const free = nextFreeLun(used, this.firstLun);
      if (free === undefined) {
        throw new HasfError('LUN_EXISTS', `Every LUN number of ${this.iqn} up to ${MAX_LUN} is in use; use another target.`, { usedLuns: used });
      }
      lun = free;
    }

    const spec: LunSpec = { lun, path, kind: stat.exists ? (stat.kind === 'block' ? 'block' : 'file') : backing.createKind };
    const create = stat.exists ? [] : backing.createSteps;
    return {
      lun,
      path,
      created: create.length > 0,
      noop: false,
      // Checked again right before the add: a symlink swapped since the check stops it.
      steps: [...create, rules.recheckStep(store), ...this.addSteps(snap, spec), ...this.persistSteps(snap, spec)],
    };
  }
}

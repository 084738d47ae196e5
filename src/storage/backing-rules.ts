import { HasfError } from '../errors/index.ts';
import type { StorageTargetConfig } from '../config/inventory.ts';
import type { CommandExecutor, CommandResult } from '../ssh/types.ts';
import { statBackingStore, type BackingStat } from './backing.ts';
import type { Step } from './steps.ts';
import { validateName, validatePath } from './validate.ts';

/**
 * Where a backing store may live: a file under the target's backingDir, or a logical
 * volume of its volumeGroup. Nothing else is ever exported (not /etc/shadow, not a disk
 * or a loop device, not a symlink in backingDir that leads out of it). Judged ON THE
 * TARGET HOST, after resolving symlinks there, because only the host knows where a path
 * really leads; judged again right before the add (a symlink can be swapped meanwhile).
 */
export interface AllowedStore {
  /** What is exported and persisted: the resolved file, or the LV's /dev/VG/LV path. */
  path: string;
  /** The fully resolved path on the host (a file, or the LV's device node). */
  resolved: string;
  kind: 'file' | 'block';
  stat: BackingStat;
}

/** One host command for the rules; its output, or COMMAND_FAILED. */
async function read(exec: CommandExecutor, argv: string[], log: CommandResult[], timeoutMs?: number): Promise<CommandResult> {
  const res = await exec.run(argv, { timeoutMs });
  log.push(res);
  return res;
}

/**
 * `readlink -f` (coreutils since SLES 10, busybox too; `realpath` is younger): the path
 * with every symlink resolved. Undefined when a directory on the way does not exist.
 */
async function resolve(exec: CommandExecutor, path: string, log: CommandResult[], timeoutMs?: number): Promise<string | undefined> {
  const res = await read(exec, ['readlink', '-f', '--', path], log, timeoutMs);
  const out = res.stdout.trim();
  if (res.exitCode !== 0 || !out.startsWith('/')) return undefined;
  return out;
}

const notAllowed = (message: string, details: Record<string, unknown>) => new HasfError('BACKING_STORE_NOT_ALLOWED', message, details);

/** Refuse a path with a `..` segment (in any position) before anything runs: its own code, not bad input. */
export function refuseDotDot(path: unknown, target: StorageTargetConfig): void {
  if (typeof path === 'string' && path.split('/').includes('..')) {
    throw notAllowed(
      `The backing store path ${path.slice(0, 255)} holds a ".." segment; give the plain path of a file under ${target.backingDir}${target.volumeGroup ? ` or an LV of ${target.volumeGroup} (/dev/${target.volumeGroup}/NAME)` : ''}.`,
      { path: path.slice(0, 300), backingDir: target.backingDir, volumeGroup: target.volumeGroup },
    );
  }
}

/** The rules of one storage target, run through its executor. */
export class BackingRules {
  private dir: string | undefined;

  constructor(
    private readonly target: StorageTargetConfig,
    private readonly exec: CommandExecutor,
    private readonly timeoutMs?: number,
  ) {}

  /** The backing directory with its symlinks resolved on the host (as configured while it doesn't exist yet). */
  private async backingDir(log: CommandResult[]): Promise<string> {
    const configured = validatePath(this.target.backingDir, 'backingDir');
    this.dir ??= (await resolve(this.exec, configured, log, this.timeoutMs)) ?? configured;
    return this.dir;
  }

  /** The LVs of the volume group: their /dev/VG/LV paths and what each resolves to. */
  private async logicalVolumes(log: CommandResult[]): Promise<Array<{ path: string; resolved?: string }>> {
    const vg = this.target.volumeGroup;
    if (vg === undefined) return [];
    validateName(vg, 'volumeGroup');
    const res = await read(this.exec, ['lvs', '--noheadings', '--separator', '|', '-o', 'lv_path', '--', vg], log, this.timeoutMs);
    if (res.exitCode !== 0) {
      throw notAllowed(`Volume group ${vg} cannot be read on ${this.exec.name} (lvs exit ${res.exitCode}: ${res.stderr.trim().split('\n').slice(-1)[0] ?? ''}); fix storage[].volumeGroup or the host's LVM.`, {
        volumeGroup: vg,
        host: this.exec.name,
      });
    }
    const paths = res.stdout
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => /^\/dev\/[A-Za-z0-9._+/-]+$/.test(l));
    if (paths.length === 0) return [];
    // One call for every LV, each resolved on its own line ('' when it is not active).
    const r = await read(this.exec, ['sh', '-c', 'for p; do readlink -f -- "$p" || echo; done', 'sh', ...paths], log, this.timeoutMs);
    const lines = r.stdout.split('\n');
    return paths.map((path, i) => ({ path, resolved: lines[i]?.trim() || undefined }));
  }

  /**
   * Decide whether `path` may be exported, from what it resolves to on the host. With
   * `creating`, the path may not exist yet (a file to create in backingDir, an LV to
   * create in the volume group). Throws BACKING_STORE_NOT_ALLOWED or
   * BACKING_STORE_MISSING; returns what to export.
   */
  async check(path: string, log: CommandResult[], opts: { creating?: 'file' | 'block' } = {}): Promise<AllowedStore> {
    refuseDotDot(path, this.target);
    validatePath(path);
    const host = this.exec.name;
    const resolved = await resolve(this.exec, path, log, this.timeoutMs);
    const stat: BackingStat = resolved ? await statBackingStore(this.exec, resolved, log, this.timeoutMs) : { exists: false };
    if (!stat.exists) {
      if (opts.creating === 'block') return { path, resolved: path, kind: 'block', stat };
      if (opts.creating === 'file') {
        // A path not resolved yet is judged as written: nothing on the way exists to lead elsewhere.
        return this.fileInBackingDir(path, resolved ?? path, stat, log);
      }
      throw new HasfError('BACKING_STORE_MISSING', `${path} does not exist on ${host}; create it first, or give a sizeMiB to have it created.`, { path, host });
    }
    if (stat.kind === 'file') return this.fileInBackingDir(path, resolved!, stat, log);
    if (stat.kind === 'block') {
      const lv = (await this.logicalVolumes(log)).find((l) => l.resolved === resolved);
      if (lv) return { path: lv.path, resolved: resolved!, kind: 'block', stat };
      const vg = this.target.volumeGroup;
      throw notAllowed(
        vg
          ? `${path}${resolved !== path ? ` (${resolved})` : ''} is a block device on ${host} but not a logical volume of volume group ${vg}; only ${vg}'s LVs may be exported (create one with lvcreate, or give a size).`
          : `${path}${resolved !== path ? ` (${resolved})` : ''} is a block device, and storage target ${this.target.name} has no volumeGroup: only files under ${this.target.backingDir} may be exported.`,
        { path, resolved, host, volumeGroup: vg },
      );
    }
    throw notAllowed(`${path} on ${host} is neither a file nor a block device; give a file under ${this.target.backingDir}.`, { path, resolved, host });
  }

  private async fileInBackingDir(path: string, resolved: string, stat: BackingStat, log: CommandResult[]): Promise<AllowedStore> {
    const dir = await this.backingDir(log);
    if (!resolved.startsWith(`${dir}/`)) {
      throw notAllowed(
        `${path}${resolved !== path ? ` leads to ${resolved}, which` : ''} is not under ${this.target.name}'s backing directory ${dir}${dir !== this.target.backingDir ? ` (${this.target.backingDir})` : ''} on ${this.exec.name}; only files there${this.target.volumeGroup ? ` and LVs of ${this.target.volumeGroup}` : ''} may be exported.`,
        { path, resolved, backingDir: dir, host: this.exec.name },
      );
    }
    return { path: resolved, resolved, kind: 'file', stat };
  }

  /**
   * The step that checks the store again right before it is added, after any create
   * step: it must still resolve where it did (files), or to an LV of the group (LVs).
   * Shown in the plan like every other command.
   */
  recheckStep(store: AllowedStore): Step {
    return {
      argv: ['readlink', '-f', '--', store.path],
      check: async (res, log) => {
        const now = res.stdout.trim();
        if (store.kind === 'file' && now === store.resolved) return;
        // A file created just now in a backing directory that did not exist at planning
        // time: judged against the directory as it resolves now.
        if (store.kind === 'file' && !store.stat.exists && now !== '') {
          this.dir = undefined;
          if (now.startsWith(`${await this.backingDir(log)}/`)) return;
        }
        if (store.kind === 'block' && (await this.logicalVolumes(log)).some((l) => l.path === store.path && l.resolved === now && now !== '')) return;
        throw notAllowed(`${store.path} changed on ${this.exec.name} since it was checked (it now leads to ${now || 'nothing'}); nothing was added. Check who else writes ${this.target.backingDir}.`, {
          path: store.path,
          expected: store.resolved,
          now,
          host: this.exec.name,
        });
      },
    };
  }
}

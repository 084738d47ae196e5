import type { CommandResult } from '../ssh/types.ts';

/** Which iSCSI target implementation a driver speaks to. */
export type StorageKind = 'tgt' | 'lio' | 'iet';

/** One LUN as the target reports it. */
export interface LunInfo {
  lun: number;
  /** Backing store (file or block device) path, exactly as the target prints it. */
  path: string;
  /**
   * Size as the target reports it: tgt prints decimal MB rounded down (so this is a
   * multiple of 10^6), LIO prints a rounded binary size, IET blocks × block size.
   */
  sizeBytes?: number;
}

/** What lun.add asks for. Give `path` (an existing backing store), or `sizeMiB` with `name` or `path` to create one. */
export interface AddLunRequest {
  /** Absolute path of the backing store on the target host. */
  path?: string;
  /** Size of a backing store to create when it does not exist yet (1..16777216 MiB). */
  sizeMiB?: number;
  /** Explicit LUN number; default the lowest free one. */
  lun?: number;
  /**
   * Names a created file (`<backingDir>/<name>.img`) or LV (`/dev/<vg>/<name>`). Needed
   * with a size and no path, so that a re-run finds the same backing store (idempotence).
   */
  name?: string;
}

/** What lun.add did. */
export interface AddLunResult {
  lun: number;
  path: string;
  /** True when the backing store was created by this call. */
  created: boolean;
  /** True when the backing store was already exported: nothing was added. */
  noop: boolean;
  /** Every command run, in order (reads included), for the audit log. */
  commands: CommandResult[];
}

/** One iSCSI target on one host. */
export interface StorageDriver {
  readonly kind: StorageKind;
  /** The LUNs of this target (LUN 0, tgt's controller, is left out). */
  listLuns(): Promise<LunInfo[]>;
  /** The exact argvs addLun would run now (shown to approvers); reads only, changes nothing. */
  plan(req: AddLunRequest): Promise<string[][]>;
  /** Add a LUN (idempotent by backing store), persist the configuration, verify it is listed. */
  addLun(req: AddLunRequest): Promise<AddLunResult>;
  /** Whether a file or block device exists at `path` on the target host. */
  backingStoreExists(path: string): Promise<boolean>;
  /**
   * Whether `path` may be exported: a file under backingDir or an LV of volumeGroup, as the
   * target host resolves it (symlinks followed). Returns what would be exported; throws
   * BACKING_STORE_NOT_ALLOWED, or BACKING_STORE_MISSING (unless `create`: a file to create).
   */
  checkBackingStore(path: string, opts?: { create?: boolean }): Promise<{ path: string; kind: 'file' | 'block' }>;
}

/** Options shared by all drivers; each is documented where it applies. */
export interface StorageDriverOptions {
  /** tgt only: tgtd's management control port (`tgtadm -C`); tests use it to run a private tgtd. Default: none (tgtd's default socket). */
  controlPort?: number;
  /** tgt only: directory of the generated `hasf-<iqn>.conf`. Default /etc/tgt/conf.d (included by Debian's targets.conf). */
  tgtConfDir?: string;
  /** IET only: the configuration file holding `Target`/`Lun` lines. Default /etc/ietd.conf (SLES 10; Debian uses /etc/iet/ietd.conf). */
  ietConfPath?: string;
  /** LIO only: target portal group to map LUNs in. Default 1. */
  lioTpg?: number;
  /** Timeout for each command, ms. Default: the executor's (60 s). */
  timeoutMs?: number;
}

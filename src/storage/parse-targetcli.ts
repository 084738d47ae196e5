import { HasfError } from '../errors/index.ts';

/** One LIO storage object under /backstores. */
export interface LioBackstore {
  /** `block`, `fileio`, `pscsi`, `ramdisk`, … */
  type: string;
  name: string;
  /** File or device path; undefined for ramdisks. */
  path?: string;
  /** Size as printed (rounded, binary units). */
  sizeBytes?: number;
}

/** One LUN of one LIO target portal group. */
export interface LioLun {
  iqn: string;
  tpg: number;
  lun: number;
  /** `type/name` of the storage object, e.g. `block/disk1`. */
  backstore: string;
  path?: string;
}

/** What `targetcli ls /` shows that the driver needs. */
export interface LioTree {
  backstores: LioBackstore[];
  luns: LioLun[];
  /** Every target portal group seen, so an empty target is still known to exist. */
  tpgs: { iqn: string; tpg: number }[];
}

const LINE = /^([ |]*)o- (\S+)(?: \.+)?(?: \[(.*)\])?\s*$/;
const UNITS: Record<string, number> = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40, P: 2 ** 50 };

/** `10.0GiB`, `100.0M`, `512.0KiB` → bytes (approximate: targetcli rounds to one decimal). */
export function parseLioSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([KMGTP]?)(?:i?B)?$/.exec(text.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * UNITS[m[2]!]!);
}

/**
 * Parse `targetcli ls /` (targetcli-fb 2.1.x, and the older targetcli 2.0 of RHEL 6 /
 * SLES 11, whose descriptions differ: `[1 LUN]`, sizes `100.0M`, no ALUA group). The
 * tree depth is read from the column of `o-`; each level indents by two.
 */
export function parseTargetcliLs(text: string): LioTree {
  const tree: LioTree = { backstores: [], luns: [], tpgs: [] };
  const stack: string[] = [];
  let sawRoot = false;
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    const m = LINE.exec(raw);
    if (!m) continue;
    const depth = m[1]!.length / 2;
    const name = m[2]!;
    const desc = m[3] ?? '';
    stack.length = depth;
    stack[depth] = name;
    if (depth === 0) sawRoot = name === '/';
    const [, top, a, b, c, d] = stack;
    if (top === 'backstores' && depth === 3 && a && b) {
      // "[/dev/vg0/disk1 (10.0GiB) write-thru activated]"
      const dm = /^\s*(\S+) \(([^)]+)\)/.exec(desc);
      const path = dm?.[1]?.startsWith('/') ? dm[1] : undefined;
      tree.backstores.push({ type: a, name: b, path, sizeBytes: dm ? parseLioSize(dm[2]!) : undefined });
    } else if (top === 'iscsi' && depth === 3 && a && /^tpg\d+$/.test(name)) {
      tree.tpgs.push({ iqn: a, tpg: Number(name.slice(3)) });
    } else if (top === 'iscsi' && depth === 5 && a && b && c === 'luns' && d) {
      // "[block/disk1 (/dev/vg0/disk1) (default_tg_pt_gp)]"
      const lm = /^lun(\d+)$/.exec(d);
      const tm = /^tpg(\d+)$/.exec(b);
      const dm = /^(\S+?)(?: \(([^)]*)\))?(?: \(.*\))?$/.exec(desc.trim());
      if (lm && tm && dm) {
        tree.luns.push({ iqn: a, tpg: Number(tm[1]), lun: Number(lm[1]), backstore: dm[1]!, path: dm[2]?.startsWith('/') ? dm[2] : undefined });
      }
    }
  }
  if (!sawRoot) {
    throw new HasfError('PARSE_ERROR', 'targetcli ls printed no tree rooted at /; check targetcli on the target host.', {
      head: text.slice(0, 200),
    });
  }
  return tree;
}

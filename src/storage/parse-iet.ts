/** One LUN of an IET target, from /proc/net/iet/volume. */
export interface IetLun {
  lun: number;
  /** `fileio` or `blockio`. */
  iotype?: string;
  path?: string;
  /** blocks × blocksize (IET 1.4+; the 0.4 of SLES 10 prints no size). */
  sizeBytes?: number;
}

/** One IET target. */
export interface IetTarget {
  tid: number;
  iqn: string;
  luns: IetLun[];
}

/** `key:value key:value …` → record (values hold no spaces in this file). */
function fields(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of line.trim().split(/\s+/)) {
    const i = part.indexOf(':');
    if (i > 0) out[part.slice(0, i)] = part.slice(i + 1);
  }
  return out;
}

/**
 * Parse /proc/net/iet/volume: `tid:N name:IQN` lines, each followed by indented
 * `lun:L state:S iotype:T iomode:M [blocks:B blocksize:S] path:P` lines.
 */
export function parseIetVolume(text: string): IetTarget[] {
  const targets: IetTarget[] = [];
  let cur: IetTarget | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const f = fields(line);
    if (f.tid !== undefined && f.name !== undefined) {
      cur = { tid: Number(f.tid), iqn: f.name, luns: [] };
      targets.push(cur);
    } else if (cur && f.lun !== undefined) {
      const blocks = f.blocks === undefined ? undefined : Number(f.blocks);
      const bs = f.blocksize === undefined ? undefined : Number(f.blocksize);
      cur.luns.push({
        lun: Number(f.lun),
        iotype: f.iotype,
        path: f.path,
        sizeBytes: blocks !== undefined && bs !== undefined ? blocks * bs : undefined,
      });
    }
  }
  return targets;
}

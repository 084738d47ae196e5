import { HasfError } from '../errors/index.ts';

/** One LUN of a tgt target, from `tgtadm --mode target --op show`. */
export interface TgtLun {
  lun: number;
  /** `controller` for LUN 0, `disk` for data LUNs. */
  type: string;
  /** Backing store path, or undefined for `None` (the controller). */
  path?: string;
  /** `rdwr`, `aio`, `null`, … */
  bsType?: string;
  /** tgt prints decimal MB rounded down; this is that × 10^6. */
  sizeBytes?: number;
}

/** One tgt target. */
export interface TgtTarget {
  tid: number;
  iqn: string;
  luns: TgtLun[];
  /** Initiator addresses allowed (`ALL`, `192.168.1.0/24`, …). */
  acl: string[];
  /** Bound CHAP account names (passwords are never printed). */
  accounts: string[];
}

const TARGET = /^Target (\d+): (\S+)\s*$/;

/**
 * Parse the text of `tgtadm --lld iscsi --mode target --op show` (tgt 1.0.x; the format
 * has been stable since 2008). Sections are recognised by their headers, fields by
 * their `Name: value` labels, so extra fields in newer versions are ignored.
 */
export function parseTgtadmShow(text: string): TgtTarget[] {
  const targets: TgtTarget[] = [];
  let cur: TgtTarget | undefined;
  let lun: TgtLun | undefined;
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (line === '') continue;
    const t = TARGET.exec(line);
    if (t) {
      cur = { tid: Number(t[1]), iqn: t[2]!, luns: [], acl: [], accounts: [] };
      targets.push(cur);
      lun = undefined;
      section = '';
      continue;
    }
    if (!cur) {
      throw new HasfError('PARSE_ERROR', 'tgtadm printed something other than a target list; check the tgt version on the target host.', {
        line: line.slice(0, 200),
      });
    }
    const body = line.trim();
    if (/^[A-Za-z_ ]+information:$/.test(body) && raw.startsWith('    ') && !raw.startsWith('     ')) {
      section = body;
      lun = undefined;
      continue;
    }
    if (section === 'LUN information:') {
      const m = /^LUN: (\d+)$/.exec(body);
      if (m) {
        lun = { lun: Number(m[1]), type: '' };
        cur.luns.push(lun);
        continue;
      }
      if (!lun) continue;
      const [label, ...rest] = body.split(': ');
      const value = rest.join(': ').trim();
      if (label === 'Type') lun.type = value;
      else if (label === 'Backing store path') lun.path = value === 'None' ? undefined : value;
      else if (label === 'Backing store type') lun.bsType = value;
      else if (label === 'Size') {
        const s = /^(\d+) MB/.exec(value);
        if (s) lun.sizeBytes = Number(s[1]) * 1_000_000;
      }
    } else if (section === 'ACL information:') {
      cur.acl.push(body);
    } else if (section === 'Account information:') {
      cur.accounts.push(body);
    }
  }
  return targets;
}

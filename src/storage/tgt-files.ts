import { HasfError } from '../errors/index.ts';
import type { TgtTarget } from './parse-tgtadm.ts';

/** One CHAP account line of a tgt-admin configuration block. */
export interface ChapLine {
  kind: 'incominguser' | 'outgoinguser';
  user: string;
  /** The whole line as written (it holds the password; never logged unredacted). */
  line: string;
}

/** An account bound to the live target, from `tgtadm --op show` ("alice", "tgtout (outgoing)"). */
export interface BoundAccount {
  kind: 'incominguser' | 'outgoinguser';
  user: string;
}

/** The accounts bound to a live target. */
export function boundAccounts(t: TgtTarget): BoundAccount[] {
  return t.accounts.map((a) => {
    const [user = '', flag] = a.trim().split(/\s+/);
    return { kind: flag === '(outgoing)' ? 'outgoinguser' : 'incominguser', user };
  });
}

/** Separates the files of the configuration dump the driver reads (`### hasf-file PATH` headers). */
export const FILE_MARK = '### hasf-file ';

/** What one configuration file says about one target. */
export interface TargetInFile {
  /** `initiator-address` values. */
  acl: string[];
  /** Backing (and direct) store paths. */
  stores: string[];
  chap: ChapLine[];
}

/**
 * What each configuration file says about target `iqn`, from the concatenation
 * `### hasf-file PATH` + content the driver reads. tgt-admin merges every `<target IQN>`
 * block of the same IQN across files (Config::General, MergeDuplicateBlocks), so a
 * setting in any file counts — and a setting in two files is applied twice, which tgt-admin
 * refuses ("this access control rule already exists") and a restart then fails.
 */
export function targetInFiles(dump: string, iqn: string): Map<string, TargetInFile> {
  const out = new Map<string, TargetInFile>();
  let file = '';
  let inTarget = false;
  for (const raw of dump.split('\n')) {
    if (raw.startsWith(FILE_MARK)) {
      file = raw.slice(FILE_MARK.length).trim();
      out.set(file, { acl: [], stores: [], chap: [] });
      inTarget = false;
      continue;
    }
    const line = raw.replace(/#.*$/, '').trim();
    const open = /^<target\s+(\S+?)\s*>$/i.exec(line);
    if (open) {
      inTarget = open[1] === iqn;
      continue;
    }
    if (/^<\/target>$/i.test(line)) {
      inTarget = false;
      continue;
    }
    const t = out.get(file);
    if (!inTarget || !t) continue;
    const chap = /^(incominguser|outgoinguser)\s+(\S+)\s+\S+/i.exec(line);
    if (chap) t.chap.push({ kind: chap[1]!.toLowerCase() as ChapLine['kind'], user: chap[2]!, line });
    const acl = /^initiator-address\s+(\S+)/i.exec(line);
    if (acl) t.acl.push(acl[1]!);
    const store = /^<?(?:backing|direct)-store\s+([^\s>]+)>?$/i.exec(line);
    if (store) t.stores.push(store[1]!);
  }
  return out;
}

/** The CHAP lines of target `iqn` in each configuration file. */
export function chapLinesByFile(dump: string, iqn: string): Map<string, ChapLine[]> {
  return new Map([...targetInFiles(dump, iqn)].map(([f, t]) => [f, t.chap]));
}

/** Settings of the target that files other than HASF's own already make (so HASF's must not repeat them). */
export function definedElsewhere(byFile: Map<string, TargetInFile>, ownFile: string): { acl: Set<string>; stores: Set<string> } {
  const others = [...byFile].filter(([f]) => f !== ownFile).map(([, t]) => t);
  return { acl: new Set(others.flatMap((t) => t.acl)), stores: new Set(others.flatMap((t) => t.stores)) };
}

/**
 * What HASF's own file must carry so every CHAP account bound to the live target comes
 * back after a restart: the lines of its previous version (an admin puts the password
 * there once), for accounts still bound and not defined in another file (which tgt-admin
 * merges in itself). tgtd never tells a password (tgt-admin --dump prints
 * PLEASE_CORRECT_THE_PASSWORD), so an account bound only at runtime can't be persisted:
 * refused (CHAP_NOT_PERSISTABLE) rather than bring the target back open to anyone.
 */
export function chapLinesToKeep(t: TgtTarget, byFile: Map<string, ChapLine[]>, ownFile: string, host: string): ChapLine[] {
  const bound = boundAccounts(t);
  const same = (a: BoundAccount) => (l: ChapLine) => l.kind === a.kind && l.user === a.user;
  const elsewhere = [...byFile].filter(([f]) => f !== ownFile).flatMap(([, lines]) => lines);
  const own = byFile.get(ownFile) ?? [];
  const keep: ChapLine[] = [];
  const missing: BoundAccount[] = [];
  for (const a of bound) {
    if (elsewhere.some(same(a))) continue;
    const line = own.find(same(a));
    if (line) keep.push(line);
    else missing.push(a);
  }
  if (missing.length) {
    const names = missing.map((a) => `${a.user}${a.kind === 'outgoinguser' ? ' (outgoing)' : ''}`).join(', ');
    throw new HasfError(
      'CHAP_NOT_PERSISTABLE',
      `Target ${t.iqn} on ${host} has CHAP account(s) ${names} bound, but no configuration file there holds the password (tgtd never tells it), so persisting the target would bring it back after a restart without CHAP, open to anyone. Add "${missing[0]!.kind} ${missing[0]!.user} PASSWORD" inside <target ${t.iqn}> in ${ownFile} (HASF keeps it when it rewrites the file) or in targets.conf, then retry.`,
      { iqn: t.iqn, host, accounts: missing, file: ownFile },
    );
  }
  return keep;
}

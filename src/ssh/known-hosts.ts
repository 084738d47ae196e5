import { createHmac } from 'node:crypto';
import { keyTypeOf } from './fingerprint.ts';

/** One usable line of an OpenSSH known_hosts file. */
export interface KnownHostEntry {
  /** 1-based line number, for messages. */
  line: number;
  /** `@revoked` lines list keys that must never be accepted; `@cert-authority` lines are kept but never match (certificates are not supported). */
  marker?: 'revoked' | 'cert-authority';
  /** Comma-separated host patterns (`node1`, `[10.0.0.1]:2222`, `*.example`, `!bad`), when not hashed. */
  patterns?: string[];
  /** `|1|salt|hash` entries: HMAC-SHA1 over the host name keyed by salt. */
  hashed?: { salt: Buffer; hash: Buffer };
  keyType: string;
  /** The public key blob (base64-decoded). */
  key: Buffer;
}

/** Result of parsing: the entries, and lines that were skipped as malformed (with why). */
export interface ParsedKnownHosts {
  entries: KnownHostEntry[];
  skipped: { line: number; reason: string }[];
}

/**
 * Parse an OpenSSH known_hosts file. Malformed lines are reported in `skipped`, never
 * guessed at: a line we cannot read is a line that pins nothing.
 */
export function parseKnownHosts(text: string): ParsedKnownHosts {
  const entries: KnownHostEntry[] = [];
  const skipped: { line: number; reason: string }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const fields = trimmed.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (fields[0]?.startsWith('@')) {
      const m = fields.shift();
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else return void skipped.push({ line, reason: `unknown marker ${m}` });
    }
    const [hosts, keyType, b64] = fields;
    if (!hosts || !keyType || !b64) return void skipped.push({ line, reason: 'too few fields' });
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return void skipped.push({ line, reason: 'key is not base64' });
    const key = Buffer.from(b64, 'base64');
    if (keyTypeOf(key) !== keyType) {
      return void skipped.push({ line, reason: `key blob is not of type ${keyType}` });
    }
    const entry: KnownHostEntry = { line, keyType, key, ...(marker ? { marker } : {}) };
    if (hosts.startsWith('|')) {
      const m = /^\|1\|([A-Za-z0-9+/=]+)\|([A-Za-z0-9+/=]+)$/.exec(hosts);
      if (!m) return void skipped.push({ line, reason: 'unsupported hashed host format' });
      entry.hashed = { salt: Buffer.from(m[1]!, 'base64'), hash: Buffer.from(m[2]!, 'base64') };
    } else {
      entry.patterns = hosts.split(',').filter((p) => p !== '');
    }
    entries.push(entry);
  });
  return { entries, skipped };
}

/** The name OpenSSH files a host under: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port = 22): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** OpenSSH glob: `*` any run, `?` one character; case-insensitive like OpenSSH's match_pattern. */
function globMatch(pattern: string, name: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.');
  return new RegExp(`^${re}$`, 'i').test(name);
}

/** Whether one entry's host field names `name` (negated patterns veto the whole entry). */
export function entryMatches(entry: KnownHostEntry, name: string): boolean {
  if (entry.hashed) {
    const h = createHmac('sha1', entry.hashed.salt).update(name).digest();
    return h.equals(entry.hashed.hash);
  }
  let positive = false;
  for (const p of entry.patterns ?? []) {
    if (p.startsWith('!')) {
      if (globMatch(p.slice(1), name)) return false;
    } else if (globMatch(p, name)) {
      positive = true;
    }
  }
  return positive;
}

/** The keys a parsed known_hosts file holds for host:port, split into accepted and revoked. */
export function keysForHost(
  parsed: ParsedKnownHosts,
  host: string,
  port = 22,
): { accepted: KnownHostEntry[]; revoked: KnownHostEntry[] } {
  const name = knownHostsName(host, port);
  const accepted: KnownHostEntry[] = [];
  const revoked: KnownHostEntry[] = [];
  for (const e of parsed.entries) {
    if (e.marker === 'revoked') {
      // A revoked key is refused for every host, whatever its host field says (as OpenSSH does).
      revoked.push(e);
    } else if (e.marker !== 'cert-authority' && entryMatches(e, name)) {
      accepted.push(e);
    }
  }
  return { accepted, revoked };
}

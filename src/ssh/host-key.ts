import { readFile } from 'node:fs/promises';
import { HasfError } from '../errors/index.ts';
import { fingerprintOf, keyTypeOf } from './fingerprint.ts';
import { keysForHost, knownHostsName, parseKnownHosts } from './known-hosts.ts';
import type { HostSpec } from './types.ts';

/** What a host may present: the pinned fingerprints, and the revoked ones. */
export interface HostKeyPolicy {
  /** Accepted `SHA256:…` fingerprints (from hostKeys and the known_hosts file). */
  accepted: Set<string>;
  /** Fingerprints that are `@revoked` in the known_hosts file. */
  revoked: Set<string>;
  /** Key types known from known_hosts, asked for first (as OpenSSH does) so the pinned key is the one offered. */
  preferredKeyTypes: string[];
  /** Where the pins came from, for messages. */
  source: string;
}

/** Why a presented key was refused. */
export type HostKeyVerdict =
  | { ok: true; fingerprint: string }
  | { ok: false; fingerprint: string; keyType: string; reason: 'unpinned' | 'mismatch' | 'revoked' };

/**
 * Build the policy for one host from its inventory entry. The known_hosts file is read on
 * every call so an edited file takes effect at the next connection.
 */
export async function loadHostKeyPolicy(host: HostSpec): Promise<HostKeyPolicy> {
  const accepted = new Set(host.hostKeys ?? []);
  const revoked = new Set<string>();
  const preferredKeyTypes: string[] = [];
  const sources: string[] = [];
  if (host.hostKeys?.length) sources.push('hostKeys');
  if (host.knownHostsFile) {
    let text: string;
    try {
      text = await readFile(host.knownHostsFile, 'utf8');
    } catch (e) {
      throw new HasfError(
        'CONFIG_INVALID',
        `Host ${host.name}: cannot read its known_hosts file ${host.knownHostsFile} (${(e as Error).message}); fix knownHostsFile in the inventory.`,
        { host: host.name, knownHostsFile: host.knownHostsFile },
        { cause: e },
      );
    }
    const keys = keysForHost(parseKnownHosts(text), host.host, host.port ?? 22);
    for (const e of keys.accepted) {
      accepted.add(fingerprintOf(e.key));
      if (!preferredKeyTypes.includes(e.keyType)) preferredKeyTypes.push(e.keyType);
    }
    for (const e of keys.revoked) revoked.add(fingerprintOf(e.key));
    sources.push(`${host.knownHostsFile} (${knownHostsName(host.host, host.port ?? 22)})`);
  }
  return { accepted, revoked, preferredKeyTypes, source: sources.join(' and ') || 'nothing' };
}

/** Check a presented host key blob against the policy. Unpinned hosts are refused. */
export function verifyHostKey(policy: HostKeyPolicy, keyBlob: Buffer): HostKeyVerdict {
  const fingerprint = fingerprintOf(keyBlob);
  const keyType = keyTypeOf(keyBlob) ?? 'unknown';
  if (policy.revoked.has(fingerprint)) return { ok: false, fingerprint, keyType, reason: 'revoked' };
  if (policy.accepted.has(fingerprint)) return { ok: true, fingerprint };
  return { ok: false, fingerprint, keyType, reason: policy.accepted.size === 0 ? 'unpinned' : 'mismatch' };
}

// ssh2's default host key algorithm order; ssh-rsa (SHA-1) stays last for old (SLES 10 era) hosts.
const DEFAULT_HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

/** Host key algorithms to offer: those matching pinned key types first, then the defaults. */
export function hostKeyAlgorithms(policy: HostKeyPolicy): string[] {
  const first = policy.preferredKeyTypes.flatMap((t) =>
    t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t],
  );
  return [...new Set([...first, ...DEFAULT_HOST_KEY_ALGORITHMS])];
}

/** The HOST_KEY_MISMATCH error for a refused key: names the host and the offered fingerprint. */
export function hostKeyError(host: HostSpec, policy: HostKeyPolicy, verdict: Extract<HostKeyVerdict, { ok: false }>): HasfError {
  const where = `${host.name} (${host.host}:${host.port ?? 22})`;
  const why =
    verdict.reason === 'unpinned'
      ? `has no pinned host key in the inventory; it offered ${verdict.keyType} key ${verdict.fingerprint}: check it out of band, then add it to hostKeys or knownHostsFile`
      : verdict.reason === 'revoked'
        ? `offered ${verdict.keyType} key ${verdict.fingerprint}, which is marked @revoked; the host may be compromised, investigate before reconnecting`
        : `offered ${verdict.keyType} key ${verdict.fingerprint}, which is not the key pinned in ${policy.source}; if the host was reinstalled, verify the new key out of band and update the inventory, otherwise treat it as an attack`;
  return new HasfError('HOST_KEY_MISMATCH', `Refused to connect: host ${where} ${why}.`, {
    host: host.name,
    address: host.host,
    port: host.port ?? 22,
    offeredFingerprint: verdict.fingerprint,
    keyType: verdict.keyType,
    reason: verdict.reason,
    pinned: [...policy.accepted],
  });
}

import { createHash } from 'node:crypto';

/**
 * The OpenSSH SHA256 fingerprint of a public key blob (the raw wire-format key, as in a
 * known_hosts line after base64 decoding): `SHA256:` + unpadded base64, like
 * `ssh-keygen -lf` prints.
 */
export function fingerprintOf(keyBlob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '');
}

/** The key type named inside a public key blob (`ssh-ed25519`, `ssh-rsa`, …), or undefined if malformed. */
export function keyTypeOf(keyBlob: Buffer): string | undefined {
  if (keyBlob.length < 4) return undefined;
  const len = keyBlob.readUInt32BE(0);
  if (len === 0 || len > 64 || 4 + len > keyBlob.length) return undefined;
  return keyBlob.subarray(4, 4 + len).toString('latin1');
}

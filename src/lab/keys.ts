import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { HasfError } from '../errors/index.ts';
import { run } from './run.ts';

/** Creates an ed25519 key pair at `path` (and `path.pub`), replacing any old one. */
export async function makeEd25519Key(path: string, comment: string): Promise<void> {
  rmSync(path, { force: true });
  rmSync(`${path}.pub`, { force: true });
  await run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path]);
}

/** The `type base64` part of an OpenSSH public key file. */
export function publicKeyLine(pubPath: string): string {
  const [type, blob] = readFileSync(pubPath, 'utf8').trim().split(/\s+/);
  if (!type || !blob)
    throw new HasfError(
      'LAB_FAILED',
      `Public key file ${pubPath} is not an OpenSSH public key; delete the lab dir and bring the lab up again.`,
      { pubPath },
    );
  return `${type} ${blob}`;
}

/** `SHA256:…` fingerprint of an OpenSSH public key file, exactly as `ssh-keygen -lf` prints it. */
export function fingerprint(pubPath: string): string {
  const blob = publicKeyLine(pubPath).split(' ')[1]!;
  const digest = createHash('sha256').update(Buffer.from(blob, 'base64')).digest('base64');
  return `SHA256:${digest.replace(/=+$/, '')}`;
}

/** Writes a corosync authkey (random bytes, as `corosync-keygen` makes) unless one exists. */
export function ensureCorosyncKey(path: string): void {
  if (existsSync(path)) return;
  writeFileSync(path, randomBytes(256), { mode: 0o400 });
}

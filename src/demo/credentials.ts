import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { generateToken, isTokenFormat, roleSchema } from '../auth/index.ts';
import { HasfError } from '../errors/index.ts';
import { DEMO_PEOPLE } from './people.ts';

/** var/demo/credentials.json: what the demo's people log in with (plain tokens; the config holds only hashes). */
export const credentialsSchema = z.object({
  people: z
    .array(
      z.object({
        name: z.string(),
        roles: z.array(roleSchema),
        token: z.string().refine(isTokenFormat, 'a hasf_… token'),
        slackUserId: z.string(),
      }),
    )
    .min(1),
  slackSigningSecret: z.string().min(16),
  apiUrl: z.string().url(),
  /** Secrets the demo server needs and the people don't: kept so a restart keeps the audit chain verifiable. */
  server: z.object({ auditKey: z.string().min(16), callbackSecret: z.string().min(16) }),
});

/** The demo credentials file's content. */
export type DemoCredentials = z.infer<typeof credentialsSchema>;

/** Fresh credentials: a token per demo person, a Slack signing secret, server keys. */
export function generateCredentials(apiUrl: string): DemoCredentials {
  return {
    people: DEMO_PEOPLE.map((p) => ({ name: p.name, roles: [...p.roles], token: generateToken(), slackUserId: p.slackUserId })),
    slackSigningSecret: randomBytes(16).toString('hex'),
    apiUrl,
    server: { auditKey: randomBytes(24).toString('base64url'), callbackSecret: randomBytes(24).toString('base64url') },
  };
}

/** Read and check a credentials file; CONFIG_INVALID naming the file when it is not one. */
export function readCredentials(path: string): DemoCredentials {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new HasfError('CONFIG_INVALID', `Cannot read the demo credentials ${path}: ${(err as Error).message}. Delete it to have new ones generated.`, { file: path });
  }
  const p = credentialsSchema.safeParse(raw);
  if (!p.success) {
    const issue = p.error.issues[0]!;
    throw new HasfError('CONFIG_INVALID', `${path}: ${issue.path.join('.') || '(top level)'}: ${issue.message}. Delete the file to have new credentials generated.`, { file: path });
  }
  return p.data;
}

/**
 * The demo credentials: the existing file when there is one (so tokens survive a
 * restart), else new ones written with mode 0600. `apiUrl` is refreshed either way.
 */
export function loadOrCreateCredentials(path: string, apiUrl: string): { credentials: DemoCredentials; created: boolean } {
  const created = !existsSync(path);
  const credentials = created ? generateCredentials(apiUrl) : { ...readCredentials(path), apiUrl };
  writeFileSync(path, JSON.stringify(credentials, null, 2) + '\n', { mode: 0o600 });
  return { credentials, created };
}

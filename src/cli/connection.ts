import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { PACKAGE_ROOT } from '../util/package-root.ts';
import { ApiClient } from './client.ts';
import { UsageError } from './errors.ts';
import type { CliIo } from './io.ts';
import { str, type Values } from './parse.ts';

/** The default API address: the demo's (and `hasf serve`'s default listen). */
export const DEFAULT_API_URL = 'http://127.0.0.1:8080';

/** The package root (where `npm start` writes var/demo). */
export { PACKAGE_ROOT };

/** The demo credentials file: --credentials, $HASF_CREDENTIALS, else var/demo/credentials.json under cwd or the package. */
export function credentialsPath(values: Values, io: Pick<CliIo, 'env' | 'cwd'>): string | undefined {
  const given = str(values, 'credentials') ?? io.env.HASF_CREDENTIALS;
  if (given) return isAbsolute(given) ? given : resolve(io.cwd, given);
  return [join(io.cwd, 'var/demo/credentials.json'), join(PACKAGE_ROOT, 'var/demo/credentials.json')].find((p) => existsSync(p));
}

/** Where to send requests and with which token, and where each came from (for messages). */
export interface Connection {
  baseUrl: string;
  token?: string;
  /** Who the token belongs to when chosen with --as. */
  as?: string;
}

/**
 * Resolve the API address and token. Precedence, highest first: --api-url / --token,
 * --as NAME (that person's token in the demo credentials, and the demo's apiUrl),
 * $HASF_API_URL / $HASF_TOKEN, the default URL.
 */
export async function resolveConnection(values: Values, io: Pick<CliIo, 'env' | 'cwd'>): Promise<Connection> {
  let token = str(values, 'token');
  let baseUrl = str(values, 'api-url');
  const as = str(values, 'as');
  if (as && token) throw new UsageError('Give either --token or --as, not both.');
  if (as) {
    const path = credentialsPath(values, io);
    if (!path || !existsSync(path)) {
      throw new UsageError(`--as ${as} needs the demo credentials (var/demo/credentials.json, written by npm start); none found. Use --token or HASF_TOKEN instead.`);
    }
    // Loaded for --as only: the credentials checker brings zod and the auth module.
    const { readCredentials } = await import('../demo/credentials.ts');
    const creds = readCredentials(path);
    const person = creds.people.find((p) => p.name === as);
    if (!person) throw new UsageError(`No demo person "${as}" in ${path}; known: ${creds.people.map((p) => p.name).join(', ')}.`);
    token = person.token;
    baseUrl ??= io.env.HASF_API_URL || creds.apiUrl;
  }
  token ??= io.env.HASF_TOKEN || undefined;
  baseUrl ??= io.env.HASF_API_URL || DEFAULT_API_URL;
  if (!/^https?:\/\//.test(baseUrl)) throw new UsageError(`--api-url ${baseUrl}: give an http:// or https:// URL, e.g. ${DEFAULT_API_URL}.`);
  return { baseUrl, token, as };
}

/** An API client for the resolved connection. */
export async function clientFor(values: Values, io: Pick<CliIo, 'env' | 'cwd'>): Promise<ApiClient> {
  const c = await resolveConnection(values, io);
  return new ApiClient({ baseUrl: c.baseUrl, token: c.token });
}

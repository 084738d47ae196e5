import { HasfError } from '../errors/index.ts';

/** What decides where callbacks may go (config.callbacks). */
export interface CallbackPolicy {
  allowedHosts: string[];
  allowHttp: boolean;
  secret?: string;
}

/** True when `host` is one of `allowed`: exact, or `*.suffix` for any subdomain of suffix. */
export function hostAllowed(host: string, allowed: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return allowed.some((a) => {
    const p = a.toLowerCase();
    return p.startsWith('*.') ? h.endsWith(p.slice(1)) && h.length > p.length - 1 : h === p;
  });
}

/**
 * Refuse a callback URL the configuration does not allow (CALLBACK_NOT_ALLOWED): its host
 * must be listed, its scheme https (http only with allowHttp), no credentials in it, and
 * a secret must exist to sign deliveries. This keeps callbacks from becoming a way into
 * the management network.
 */
export function checkCallbackUrl(url: string, policy: CallbackPolicy): URL {
  const refuse = (why: string) => new HasfError('CALLBACK_NOT_ALLOWED', `callbackUrl ${why}.`, { allowedHosts: policy.allowedHosts });
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw refuse('is not a URL');
  }
  if (!policy.secret) throw refuse('cannot be used: no callback secret is configured to sign deliveries (set HASF_CALLBACK_SECRET)');
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && policy.allowHttp)) throw refuse(`must use https${policy.allowHttp ? ' or http' : ''}`);
  if (u.username || u.password) throw refuse('must not carry credentials');
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (!hostAllowed(host, policy.allowedHosts)) throw refuse(`points at ${host}, which is not in callbacks.allowedHosts; ask an admin to allow it`);
  return u;
}

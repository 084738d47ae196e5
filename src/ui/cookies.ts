import type { Request, Response } from 'express';

/** The console's cookies: the session, and the sign-in form's token before a session exists. */
export const SESSION_COOKIE = 'hasf_session';
export const SIGNIN_COOKIE = 'hasf_signin';

/** Cookie values of a request (the first of each name; no decoding beyond %xx). */
export function readCookies(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const name = part.slice(0, i).trim();
    if (!name || name in out) continue;
    try {
      out[name] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      /* a malformed value is no value */
    }
  }
  return out;
}

/**
 * Set a console cookie: HttpOnly (scripts never see it), SameSite=Strict (no other site's
 * page sends it), Path=/ui, and Secure when the console is reached over https.
 */
export function setCookie(res: Response, name: string, value: string, o: { secure: boolean; maxAgeSeconds?: number }): void {
  const parts = [`${name}=${encodeURIComponent(value)}`, 'Path=/ui', 'HttpOnly', 'SameSite=Strict'];
  if (o.secure) parts.push('Secure');
  if (o.maxAgeSeconds !== undefined) parts.push(`Max-Age=${o.maxAgeSeconds}`);
  res.append('Set-Cookie', parts.join('; '));
}

/** Remove a console cookie. */
export function clearCookie(res: Response, name: string, o: { secure: boolean }): void {
  setCookie(res, name, '', { ...o, maxAgeSeconds: 0 });
}

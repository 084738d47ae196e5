import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Permission } from '../auth/index.ts';
import { HasfError, isHasfError } from '../errors/index.ts';
import { clearCookie, readCookies, SESSION_COOKIE } from './cookies.ts';
import { isSecure, viewerOf, type UiContext } from './context.ts';

/** Equal strings in constant time (CSRF tokens). */
export function sameSecret(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Where a browser that must sign in first goes, coming back to `path` afterwards. */
export function signInUrl(path: string, ended = false): string {
  return `/ui/signin?${new URLSearchParams({ next: path, ...(ended ? { ended: '1' } : {}) })}`;
}

/** True when the request is a page load a browser can follow a redirect for. */
export function wantsPage(req: Request): boolean {
  return req.method === 'GET' && req.accepts(['text/html', 'application/json', 'text/event-stream']) === 'text/html';
}

/**
 * The console's session guard: a live session cookie whose token still authenticates
 * (checked on every request, so revoking or expiring the token ends the session at once),
 * the per-token rate limit, then the permission. A browser without a session is sent to
 * sign in; anything else gets 401.
 */
export function requireViewer(ctx: UiContext, permission: Permission = 'read'): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const sid = readCookies(req)[SESSION_COOKIE];
    const session = await ctx.sessions.get(sid);
    if (!session) {
      if (sid) clearCookie(res, SESSION_COOKIE, { secure: isSecure(ctx, req) });
      if (wantsPage(req)) return res.redirect(303, signInUrl(req.originalUrl, !!sid));
      return next(new HasfError('UNAUTHENTICATED', 'Sign in to the console first (your session may have ended).', {}));
    }
    let principal;
    try {
      principal = await ctx.services.auth.fromTokenHash(session.tokenHash, 'web');
    } catch (err) {
      if (!isHasfError(err, 'UNAUTHENTICATED')) return next(err);
      // The token was revoked, expired, or its person removed: the session ends with it.
      await ctx.sessions.destroy(sid);
      await ctx.services.audit
        .append({ actor: session.person, channel: 'web', event: 'session.ended', details: { why: 'credential', message: err.message } })
        .catch(() => undefined);
      clearCookie(res, SESSION_COOKIE, { secure: isSecure(ctx, req) });
      if (wantsPage(req)) return res.redirect(303, signInUrl(req.originalUrl, true));
      return next(new HasfError('UNAUTHENTICATED', `Your console session ended: ${err.message}`, {}));
    }
    try {
      await ctx.limiter.hit(principal.identity);
      ctx.services.auth.require(principal, permission);
    } catch (err) {
      if (isHasfError(err, 'FORBIDDEN')) await ctx.refusals.record(req, principal.person.name, err.code, err.message, { identity: principal.identity, permission });
      return next(err);
    }
    res.locals.viewer = { principal, session, sid: sid! };
    next();
  };
}

/**
 * Every state-changing request carries the session's CSRF token (form field `_csrf`),
 * and, when the browser says where it comes from, comes from the console's own origin.
 */
export function requireCsrf(ctx: UiContext): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const { session, principal } = viewerOf(res);
    const sent = typeof req.body?._csrf === 'string' ? (req.body._csrf as string) : undefined;
    const site = req.headers['sec-fetch-site'];
    let why: string | undefined;
    if (!sameSecret(sent, session.csrf)) why = sent ? 'The form token is wrong (an old page, or not from this console).' : 'The form token is missing.';
    else if (site === 'cross-site' || site === 'same-site') why = `The request came from another site (Sec-Fetch-Site: ${site}).`;
    else if (req.headers.origin && !sameOrigin(ctx, req, req.headers.origin)) why = `The request came from ${req.headers.origin.slice(0, 100)}, not from this console.`;
    if (!why) return next();
    const err = new HasfError('CSRF_REJECTED', `${why} Reload the page and try again; nothing was done.`, {});
    await ctx.refusals.record(req, principal.person.name, err.code, err.message, { identity: principal.identity });
    next(err);
  };
}

/** True when `origin` is where this console is served from (its public URL, or the Host it was reached at). */
function sameOrigin(ctx: UiContext, req: Request, origin: string): boolean {
  if (ctx.publicUrl) {
    try {
      if (new URL(ctx.publicUrl).origin === origin) return true;
    } catch {
      /* a bad publicUrl is caught by config validation */
    }
  }
  return origin === `${req.protocol}://${req.headers.host ?? ''}`;
}

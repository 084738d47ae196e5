import { randomBytes } from 'node:crypto';
import type { Express, Request, Response } from 'express';
import { hashToken } from '../../auth/index.ts';
import { isHasfError } from '../../errors/index.ts';
import { clearCookie, readCookies, SESSION_COOKIE, setCookie, SIGNIN_COOKIE } from '../cookies.ts';
import { isSecure, viewerOf, type UiContext } from '../context.ts';
import { requireCsrf, requireViewer, sameSecret } from '../guard.ts';
import { signInBody } from '../pages/signin.ts';
import { sendPage } from '../render.ts';

/** Only paths of the console itself are followed after sign-in (no open redirect). */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/ui(\/[^\\]*)?$/.test(next) && !next.startsWith('//') && !/[\r\n]/.test(next) ? next : '/ui/';
}

/**
 * GET/POST /ui/signin and POST /ui/signout. Sign-in takes an API token (or a demo
 * person's, in the demo) and turns it into a session cookie; the form carries a token of
 * its own (login CSRF) bound to a short-lived cookie.
 */
export function sessionRoutes(app: Express, ctx: UiContext): void {
  const { services } = ctx;

  const form = (req: Request, res: Response, o: { status?: number; error?: string; next?: string } = {}) => {
    const csrf = randomBytes(24).toString('base64url');
    setCookie(res, SIGNIN_COOKIE, csrf, { secure: isSecure(ctx, req), maxAgeSeconds: 3600 });
    sendPage(ctx, res, {
      title: 'Sign in',
      status: o.status,
      body: signInBody({ csrf, next: o.next ?? safeNext(req.query.next), error: o.error, ended: req.query.ended === '1', signedOut: req.query.out === '1', demoPeople: ctx.demoPeople }),
    });
  };

  app.get('/ui/signin', (req: Request, res: Response) => form(req, res));

  app.post('/ui/signin', async (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const next = safeNext(body.next);
    if (!sameSecret(readCookies(req)[SIGNIN_COOKIE], typeof body._csrf === 'string' ? body._csrf : undefined)) {
      await ctx.refusals.record(req, 'anonymous', 'CSRF_REJECTED', 'sign-in form token missing or wrong');
      return form(req, res, { status: 403, next, error: 'The sign-in form expired or did not come from this console; it has been renewed, try again.' });
    }
    let token: string;
    let via: 'token' | 'demo' = 'token';
    if (typeof body.demo === 'string' && body.demo) {
      const p = ctx.demoPeople.find((d) => d.name === body.demo);
      if (!p) return form(req, res, { status: 400, next, error: 'There is no such demo person.' });
      token = p.token;
      via = 'demo';
    } else {
      token = typeof body.token === 'string' ? body.token.trim() : '';
    }
    try {
      const principal = await services.auth.fromBearer(`Bearer ${token}`);
      services.auth.require(principal, 'read');
      const { sid } = await ctx.sessions.create({ person: principal.person.name, tokenHash: hashToken(token), via });
      await services.audit.append({ actor: principal.person.name, channel: 'web', event: 'session.started', details: { identity: principal.identity, via, ip: req.ip } });
      clearCookie(res, SIGNIN_COOKIE, { secure: isSecure(ctx, req) });
      setCookie(res, SESSION_COOKIE, sid, { secure: isSecure(ctx, req) });
      res.redirect(303, next);
    } catch (err) {
      if (!isHasfError(err) || !['UNAUTHENTICATED', 'FORBIDDEN'].includes(err.code)) throw err;
      await ctx.refusals.record(req, 'anonymous', err.code, err.message, { signIn: true });
      form(req, res, { status: err.code === 'FORBIDDEN' ? 403 : 401, next, error: err.message });
    }
  });

  app.post('/ui/signout', requireViewer(ctx), requireCsrf(ctx), async (req: Request, res: Response) => {
    const v = viewerOf(res);
    await ctx.sessions.destroy(v.sid);
    await services.audit.append({ actor: v.principal.person.name, channel: 'web', event: 'session.ended', details: { why: 'signed out', identity: v.principal.identity } }).catch(() => undefined);
    clearCookie(res, SESSION_COOKIE, { secure: isSecure(ctx, req) });
    res.redirect(303, '/ui/signin?out=1');
  });
}

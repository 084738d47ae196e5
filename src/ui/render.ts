import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import { problemOf, sendProblem } from '../api/problem.ts';
import { isHasfError } from '../errors/index.ts';
import type { UiContext, Viewer } from './context.ts';
import { html, type Part } from './html.ts';
import { page, type PageOptions } from './pages/layout.ts';

/**
 * The console's Content-Security-Policy: its own script and stylesheet only, no inline
 * script or style, no outside origin for anything, forms only to itself, never framed.
 */
export const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** Security headers of every console answer. */
export function securityHeaders(): RequestHandler {
  return (_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    next();
  };
}

/** Send a console page (the shell around `body`). */
export function sendPage(ctx: UiContext, res: Response, o: Omit<PageOptions, 'css' | 'js' | 'icon' | 'viewer' | 'clusters' | 'body'> & { body: Part; viewer?: Viewer; status?: number }): void {
  const text = page({
    ...o,
    css: ctx.assets.url('console.css'),
    js: ctx.assets.url('console.mjs'),
    icon: ctx.assets.url('favicon.svg'),
    viewer: o.viewer ? { principal: o.viewer.principal, csrf: o.viewer.session.csrf } : undefined,
    clusters: o.viewer ? ctx.services.access.clusters() : [],
  }).text;
  res.status(o.status ?? 200).type('text/html; charset=utf-8').send(text);
}

/** True when the client wants an HTML page rather than a problem document. */
function wantsHtml(req: Request): boolean {
  return req.accepts(['application/json', 'application/problem+json', 'text/html', 'text/event-stream']) === 'text/html';
}

/**
 * Errors of console requests: a page saying what was wrong and what to do (browsers),
 * or application/problem+json with the stable code (scripts, the console's own fetches).
 */
export function uiErrorHandler(ctx: UiContext): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) return void res.end();
    if (!wantsHtml(req)) return sendProblem(res, err, req.originalUrl.split('?')[0]);
    if (!isHasfError(err)) console.error(`[ui] ${req.method} ${req.path}: ${(err as Error)?.stack ?? String(err)}`);
    const p = problemOf(err, req.originalUrl.split('?')[0]);
    const viewer = res.locals.viewer as Viewer | undefined;
    sendPage(ctx, res, {
      title: p.title,
      status: p.status,
      viewer,
      body: html`<h1>${p.title}</h1>
<p class="error" role="alert">${p.detail}</p>
<p><small>HTTP ${p.status} · code <code>${p.code}</code></small></p>
<p><a href="/ui/">Back to the overview</a></p>`,
    });
    void next;
  };
}

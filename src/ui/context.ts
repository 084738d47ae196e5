import type { Request, Response } from 'express';
import type { RefusalAuditor } from '../api/auth.ts';
import type { RateLimiter } from '../api/rate-limit.ts';
import type { Services } from '../app/services.ts';
import type { Principal, Role } from '../auth/index.ts';
import type { Assets } from './assets.ts';
import type { LiveHub } from './live.ts';
import type { Session } from './session-store.ts';
import type { SessionStore } from './session-store.ts';
import type { StreamRegistry } from './sse.ts';

/** Where the console lives. */
export const UI_PATH = '/ui';

/** A demo person the sign-in page offers (only `hasf start` passes these: it holds their tokens). */
export interface DemoPerson {
  name: string;
  roles: readonly Role[];
  token: string;
}

/** What every console route needs, built once by mountUi. */
export interface UiContext {
  services: Services;
  sessions: SessionStore;
  refusals: RefusalAuditor;
  limiter: RateLimiter;
  live: LiveHub;
  streams: StreamRegistry;
  assets: Assets;
  demoPeople: readonly DemoPerson[];
  /** api.publicUrl without its trailing slash, or '' */
  publicUrl: string;
}

/** The signed-in viewer of a request (set by the session guard). */
export interface Viewer {
  principal: Principal;
  session: Session;
  sid: string;
}

/** The viewer of a guarded request. */
export function viewerOf(res: Response): Viewer {
  return res.locals.viewer as Viewer;
}

/**
 * Whether cookies must be Secure: the console's public URL is https, or this request came
 * over TLS (directly, or via a proxy trusted with api.trustProxy).
 */
export function isSecure(ctx: UiContext, req: Request): boolean {
  return ctx.publicUrl.startsWith('https:') || req.secure;
}

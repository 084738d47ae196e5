import type { NextFunction, Request, Response } from 'express';
import { HasfError } from '../errors/index.ts';

/** Largest console form accepted (a comment of 500 characters needs far less). */
export const FORM_LIMIT = 16 * 1024;

/**
 * The body parser of console POSTs: application/x-www-form-urlencoded only (what forms
 * and the console's script send), at most 16 KiB, each field once (the first wins) into
 * a plain object without a prototype. Anything else is a 4xx before a route runs.
 */
export async function formBody(req: Request, _res: Response, next: NextFunction): Promise<void> {
  if (req.method !== 'POST') return next();
  try {
    const type = String(req.headers['content-type'] ?? '');
    if (!/^application\/x-www-form-urlencoded\s*(;.*)?$/i.test(type)) {
      throw new HasfError('UNSUPPORTED_MEDIA_TYPE', `Console forms are sent as application/x-www-form-urlencoded, not ${JSON.stringify(type.slice(0, 80) || 'no content type')}.`, {});
    }
    if (Number(req.headers['content-length'] ?? 0) > FORM_LIMIT) throw tooLarge();
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req as AsyncIterable<Buffer>) {
      size += c.length;
      if (size > FORM_LIMIT) throw tooLarge();
      chunks.push(c);
    }
    const body: Record<string, string> = Object.create(null);
    for (const [k, v] of new URLSearchParams(Buffer.concat(chunks).toString('utf8'))) if (!(k in body)) body[k] = v;
    req.body = body;
    next();
  } catch (err) {
    next(err);
  }
}

function tooLarge(): HasfError {
  return new HasfError('BODY_TOO_LARGE', `The form is larger than ${FORM_LIMIT / 1024} KiB; send less.`, { limit: FORM_LIMIT });
}

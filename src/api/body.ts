import type { NextFunction, Request, Response } from 'express';
import { HasfError } from '../errors/index.ts';

/** Largest request body accepted (bytes). */
export const BODY_LIMIT = 64 * 1024;
/** Deepest JSON nesting accepted; real requests need 4. */
export const MAX_DEPTH = 16;

/** Nesting depth of a parsed JSON value (stops counting past `limit`). */
export function jsonDepth(v: unknown, limit = MAX_DEPTH + 1, d = 0): number {
  if (d > limit || v === null || typeof v !== 'object') return d;
  let max = d + 1;
  for (const x of Array.isArray(v) ? v : Object.values(v)) {
    max = Math.max(max, jsonDepth(x, limit, d + 1));
    if (max > limit) break;
  }
  return max;
}

function readBody(req: Request): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > BODY_LIMIT) {
        reject(new HasfError('BODY_TOO_LARGE', `The request body is larger than ${BODY_LIMIT / 1024} KiB; send less.`, { limit: BODY_LIMIT }));
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * The JSON body parser of the /v1 routes (never global: the Slack door needs raw bodies).
 * 415 unless application/json, 413 past 64 KiB, 400 for malformed or too deeply nested
 * JSON. An empty body leaves req.body undefined; the route's schema decides if that is ok.
 */
export async function jsonBody(req: Request, _res: Response, next: NextFunction): Promise<void> {
  try {
    const len = req.headers['content-length'];
    const chunked = req.headers['transfer-encoding'] !== undefined;
    if (!chunked && (len === undefined || len === '0')) {
      req.body = undefined;
      return next();
    }
    if (len !== undefined && Number(len) > BODY_LIMIT) {
      throw new HasfError('BODY_TOO_LARGE', `The request body is larger than ${BODY_LIMIT / 1024} KiB; send less.`, { limit: BODY_LIMIT });
    }
    const type = String(req.headers['content-type'] ?? '');
    if (!/^application\/json\s*(;\s*charset=("?)utf-8\2\s*)?$/i.test(type)) {
      throw new HasfError('UNSUPPORTED_MEDIA_TYPE', `Send the body as application/json (UTF-8), not ${JSON.stringify(type.slice(0, 80) || 'no content type')}.`, { contentType: type.slice(0, 80) });
    }
    const raw = await readBody(req);
    if (raw.length === 0) {
      req.body = undefined;
      return next();
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new HasfError('INVALID_INPUT', 'The request body is not valid JSON; check quoting and commas.', {});
    }
    if (jsonDepth(parsed) > MAX_DEPTH) throw new HasfError('INVALID_INPUT', `The JSON body is nested deeper than ${MAX_DEPTH} levels; no request needs that.`, { maxDepth: MAX_DEPTH });
    req.body = parsed;
    next();
  } catch (err) {
    next(err);
  }
}

import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { HasfError } from '../errors/index.ts';
import { describeAjvError, requestValidators } from './spec.ts';

/**
 * Middleware checking a request against its operation in openapi.yaml: path parameters,
 * query string (unknown parameters refused), declared headers and the JSON body
 * (unknown fields refused). Validators are compiled once, when the route is built.
 * The checked query lands in res.locals.query (Express 5's req.query is read-only).
 */
export function validateRequest(operationId: string): RequestHandler {
  const v = requestValidators(operationId);
  return (req: Request, res: Response, next: NextFunction) => {
    const fail = (where: string, errors: typeof v.query.errors) => {
      const { field, message } = describeAjvError(errors![0]!, where);
      return next(new HasfError('INVALID_INPUT', message, { in: where.toLowerCase(), field }));
    };
    if (!v.path({ ...req.params })) return fail('Path', v.path.errors);
    const query = { ...(req.query as Record<string, unknown>) };
    if (!v.query(query)) return fail('Query', v.query.errors);
    res.locals.query = query;
    for (const h of v.headers) {
      const value = req.headers[h.name];
      if (value !== undefined && !h.validate(value)) return fail(`Header ${h.name}`, h.validate.errors);
    }
    if (req.body === undefined) {
      if (v.bodyRequired) return next(new HasfError('INVALID_INPUT', 'This request needs a JSON body; see /docs.', { in: 'body' }));
    } else if (!v.body) {
      return next(new HasfError('INVALID_INPUT', 'This request takes no body; send none.', { in: 'body' }));
    } else if (!v.body(req.body)) {
      return fail('Body', v.body.errors);
    }
    next();
  };
}

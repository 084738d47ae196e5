import type { Express, Request, Response } from 'express';
import { parseDuration } from '../../approvals/duration.ts';
import { HasfError } from '../../errors/index.ts';
import { principalOf } from '../auth.ts';
import type { components } from '../openapi-types.ts';
import { guard, type RouteContext } from './context.ts';

/** Token administration for the CLI: POST/GET /v1/tokens, DELETE /v1/tokens/{id} (admin). */
export function tokenRoutes(app: Express, ctx: RouteContext): void {
  const { services } = ctx;
  // Anyone may mint their own token; minting for someone else is an admin's (and delegated).
  app.post('/v1/tokens', ...guard(ctx, 'read', 'createToken'), async (req: Request, res: Response) => {
    const b = req.body as components['schemas']['TokenRequest'];
    const actor = principalOf(res);
    if (b.person !== actor.person.name) services.auth.require(actor, 'admin');
    const person = await services.directory.byName(b.person);
    if (!person) throw new HasfError('INVALID_INPUT', `No person named "${b.person}" is configured; add them to the people configuration first.`, { field: 'person' });
    const ttlMs = b.ttl === undefined ? undefined : parseDuration(b.ttl);
    if (ttlMs !== undefined && ttlMs <= 0) throw new HasfError('INVALID_INPUT', 'ttl must be a positive duration such as 90d or 12h.', { field: 'ttl' });
    const createdBy = { person: actor.person.name, identity: actor.identity, personal: actor.credential?.personal !== false };
    const personal = createdBy.person === person.name && createdBy.personal;
    const created = await services.tokens.create(person.name, { ttlMs, label: b.label, createdBy });
    // Fail closed on the audit: a token nobody can trace is revoked again.
    try {
      await services.audit.append({
        actor: actor.person.name,
        channel: 'rest',
        event: 'token.created',
        details: { tokenId: created.id, person: person.name, label: b.label, expiresAt: created.expiresAt, createdBy: createdBy.person, createdWith: actor.identity, personal },
      });
    } catch (err) {
      await services.tokens.revoke(created.id).catch(() => undefined);
      throw err;
    }
    res.status(201).json({
      id: created.id,
      person: person.name,
      token: created.token,
      ...(b.label ? { label: b.label } : {}),
      ...(created.expiresAt ? { expiresAt: created.expiresAt } : {}),
      createdBy: createdBy.person,
      personal,
    });
  });

  app.get('/v1/tokens', ...guard(ctx, 'admin', 'listTokens'), async (_req: Request, res: Response) => {
    const q = res.locals.query as { person?: string };
    const list = await services.tokens.list(q.person);
    res.json({ tokens: list.map(({ personName, ...t }) => ({ ...t, person: personName })) });
  });

  app.delete('/v1/tokens/:id', ...guard(ctx, 'admin', 'revokeToken'), async (req: Request, res: Response) => {
    const id = String(req.params.id);
    const actor = principalOf(res);
    if (!(await services.tokens.revoke(id))) throw new HasfError('NOT_FOUND', `There is no live token ${id}; list them with GET /v1/tokens.`, { tokenId: id });
    await services.audit.append({ actor: actor.person.name, channel: 'rest', event: 'token.revoked', details: { tokenId: id } });
    res.status(204).end();
  });
}

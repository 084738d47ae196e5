import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import type { Express } from 'express';
import { createApiApp } from '../../src/api/index.ts';
import { bearer, conforms, startCibHarness } from '../helpers/api.ts';
import type { Harness } from '../helpers/harness.ts';

// api.metricsAuth: token puts /metrics behind a bearer token with read access.
let h: Harness & { cibFile: string };
let app: Express;
before(async () => {
  h = await startCibHarness({ api: { metricsAuth: 'token' } });
  app = createApiApp(h.services);
});
after(async () => {
  await h.stop();
});

test('/metrics with metricsAuth: token refuses anonymous scrapes (401, audited) and serves a viewer token', async () => {
  const anon = await request(app).get('/metrics');
  assert.equal(anon.status, 401);
  assert.equal(conforms('metrics', anon).code, 'UNAUTHENTICATED');
  const ok = await request(app).get('/metrics').set(bearer(h.tokens.vera));
  assert.equal(ok.status, 200);
  assert.match(ok.text, /^# HELP hasf_http_requests_total/m);
  const refused = (await h.services.audit.query({ event: 'access.refused' })).records.map((r) => r.details as { path: string });
  assert.ok(refused.some((d) => d.path === '/metrics'));
  // Health and readiness stay open for the orchestrator's probes.
  assert.equal((await request(app).get('/healthz')).status, 200);
});

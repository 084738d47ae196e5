import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import type { Express } from 'express';
import { createApiApp } from '../../src/api/index.ts';
import { startCibHarness, conforms, bearer } from '../helpers/api.ts';
import type { Harness } from '../helpers/harness.ts';

// The whole REST contract through supertest on a real Redis, with a cluster whose
// Pacemaker tools act on a captured CIB (real preflight and crm_simulate predictions).
let h: Harness & { cibFile: string };
let app: Express;
let T: Harness['tokens'];
const MIGRATE = { operation: 'vm.migrate', params: { vm: 'vm1', node: 'node3' }, reason: 'patching node2', ticket: 'CHG0001' };

before(async () => {
  h = await startCibHarness({ callbacks: { allowedHosts: ['hooks.example.com', '*.tickets.example'], secret: 'cb-secret-0123456789' } });
  app = createApiApp(h.services);
  T = h.tokens;
});
after(async () => {
  await h.stop();
});

const post = (path: string, token: string, body?: unknown) => {
  const r = request(app).post(path).set(bearer(token));
  return body === undefined ? r : r.send(body as object);
};

test('POST /v1/jobs: operator gets 202, Location, plan with the predicted transition and approvals needed', async () => {
  const res = await post('/v1/jobs', T.otto, MIGRATE);
  const job = conforms('createJob', res);
  assert.equal(res.status, 202);
  assert.equal(res.headers.location, `/v1/jobs/${job.id}`);
  assert.equal(job.state, 'awaiting_approval');
  assert.equal(job.approvalsRequired, 1);
  assert.equal(job.approvalsRemaining, 1);
  assert.equal(job.requester, 'otto');
  assert.ok(job.plan.prediction.actions.some((a: { text: string }) => /vm1/.test(a.text)), JSON.stringify(job.plan.prediction));
  assert.deepEqual(job.plan.prediction.placement.vm1, ['node3']);
  assert.equal('checkpoint' in job, false);
  const audit = await h.services.audit.query({ jobId: job.id });
  const events = audit.records.map((r) => r.event);
  assert.ok(events.includes('job.created'), events.join(' '));
  // The API's own commands while planning (status, the CIB copy, crm_simulate) are
  // audited before the job record, each start before its result, by the requester.
  const commands = audit.records.filter((r) => r.event === 'command.start' || r.event === 'command.result');
  assert.ok(events.indexOf('command.start') < events.indexOf('job.created'));
  const argvs = commands.filter((r) => r.event === 'command.start').map((r) => (r.details as { argv: string[] }).argv[0]);
  assert.ok(argvs.includes('crm_simulate'), argvs.join(' '));
  assert.equal(commands.filter((r) => r.event === 'command.start').length, commands.filter((r) => r.event === 'command.result').length);
  assert.ok(commands.every((r) => r.actor === 'otto' && (r.details as { purpose: string }).purpose === 'plan'));
});

test('dry run: 200 with the plan, nothing created', async () => {
  const before = (await h.services.jobs.list({})).jobs.length;
  const res = await post('/v1/jobs', T.otto, { ...MIGRATE, dryRun: true });
  const body = conforms('createJob', res);
  assert.equal(res.status, 200);
  assert.equal(body.dryRun, true);
  assert.match(body.plan.summary, /vm1/);
  assert.equal((await h.services.jobs.list({})).jobs.length, before);
});

test('preflight refusals carry their code and status from describe.ts', async () => {
  let res = await post('/v1/jobs', T.otto, { ...MIGRATE, params: { vm: 'vm1', node: 'node2' } });
  assert.equal(conforms('createJob', res).code, 'ALREADY_THERE');
  assert.equal(res.status, 409);
  res = await post('/v1/jobs', T.otto, { ...MIGRATE, params: { vm: 'nosuchvm', node: 'node3' } });
  assert.equal(conforms('createJob', res).code, 'UNKNOWN_OBJECT');
  assert.equal(res.status, 422);
  res = await post('/v1/jobs', T.otto, { ...MIGRATE, cluster: 'nocluster' });
  assert.equal(conforms('createJob', res).code, 'UNKNOWN_CLUSTER');
  assert.equal(res.status, 404);
});

test('roles: viewer and approver may not request; no token / bad token is 401 and audited', async () => {
  for (const who of ['vera', 'anna'] as const) {
    const res = await post('/v1/jobs', T[who], MIGRATE);
    assert.equal(res.status, 403);
    assert.equal(conforms('createJob', res).code, 'FORBIDDEN');
  }
  let res = await request(app).post('/v1/jobs').send(MIGRATE);
  assert.equal(res.status, 401);
  assert.equal(conforms('createJob', res).code, 'UNAUTHENTICATED');
  res = await request(app).get('/v1/jobs').set('Authorization', 'Bearer hasf_' + 'x'.repeat(43));
  assert.equal(res.status, 401);
  conforms('listJobs', res);
  const refused = await h.services.audit.query({ event: 'access.refused' });
  assert.ok(refused.records.some((r) => r.actor === 'vera' && (r.details as { code: string }).code === 'FORBIDDEN'));
  assert.ok(refused.records.some((r) => r.actor === 'anonymous'));
});

test('approve with anna: job queued; requester cannot approve own job; viewer cannot approve', async () => {
  const job = conforms('createJob', await post('/v1/jobs', T.otto, { ...MIGRATE, params: { vm: 'vm2', node: 'node1' } }));
  let res = await post(`/v1/jobs/${job.id}/approvals`, T.vera, { decision: 'approve' });
  assert.equal(res.status, 403, res.text);
  conforms('decideJob', res);
  res = await post(`/v1/jobs/${job.id}/approvals`, T.anna, { decision: 'approve', comment: 'ok' });
  const after = conforms('decideJob', res);
  assert.equal(res.status, 200);
  assert.equal(after.state, 'queued');
  assert.equal(after.approvals[0].person, 'anna');
  res = await post(`/v1/jobs/${job.id}/approvals`, T.bert, { decision: 'approve' });
  assert.equal(res.status, 409);
  assert.equal(conforms('decideJob', res).code, 'JOB_NOT_PENDING');
  // ada is admin (request + approve): her own job never counts her approval
  const own = conforms('createJob', await post('/v1/jobs', T.ada, { ...MIGRATE, params: { vm: 'vm1', node: 'node1' } }));
  res = await post(`/v1/jobs/${own.id}/approvals`, T.ada, { decision: 'approve' });
  assert.equal(res.status, 403);
  assert.equal(conforms('decideJob', res).code, 'SELF_APPROVAL');
});

test('reject ends the request; cancel by the requester; cancel twice is 409', async () => {
  const a = conforms('createJob', await post('/v1/jobs', T.otto, { ...MIGRATE, params: { vm: 'vm1', node: 'node1' } }));
  const r = conforms('decideJob', await post(`/v1/jobs/${a.id}/approvals`, T.bert, { decision: 'reject', comment: 'not now' }));
  assert.equal(r.state, 'rejected');
  const b = conforms('createJob', await post('/v1/jobs', T.otto, { ...MIGRATE, params: { vm: 'vm2', node: 'node2' } }));
  let res = await post(`/v1/jobs/${b.id}/cancel`, T.vera);
  assert.equal(res.status, 403);
  conforms('cancelJob', res);
  res = await post(`/v1/jobs/${b.id}/cancel`, T.otto, { comment: 'changed my mind' });
  assert.equal(conforms('cancelJob', res).state, 'cancelled');
  res = await post(`/v1/jobs/${b.id}/cancel`, T.otto);
  assert.equal(res.status, 409);
  assert.equal(conforms('cancelJob', res).code, 'JOB_NOT_PENDING');
});

test('emergency (admin) runs without approvals, then an approver reviews it', async () => {
  let res = await post('/v1/jobs', T.otto, { ...MIGRATE, params: { vm: 'vm1', node: 'node1' }, emergency: true });
  assert.equal(res.status, 403);
  conforms('createJob', res);
  const job = conforms('createJob', await post('/v1/jobs', T.ada, { operation: 'resource.cleanup', params: { resource: 'vm3' }, reason: 'outage INC42: vm3 failed', emergency: true }));
  assert.equal(job.state, 'queued');
  assert.equal(job.reviewPending, true);
  res = await post(`/v1/jobs/${job.id}/review`, T.vera, { comment: 'seen' });
  assert.equal(res.status, 403);
  conforms('reviewJob', res);
  res = await post(`/v1/jobs/${job.id}/review`, T.anna, { comment: 'justified' });
  const reviewed = conforms('reviewJob', res);
  assert.equal(reviewed.reviewPending, false);
  assert.equal(reviewed.review.person, 'anna');
});

test('GET /v1/jobs: filters and cursor pagination; GET /v1/jobs/{id} with steps and deliveries', async () => {
  const all = conforms('listJobs', await request(app).get('/v1/jobs').set(bearer(T.vera)));
  assert.ok(all.jobs.length >= 5);
  const page1 = conforms('listJobs', await request(app).get('/v1/jobs?limit=2').set(bearer(T.vera)));
  assert.equal(page1.jobs.length, 2);
  const page2 = conforms('listJobs', await request(app).get(`/v1/jobs?limit=2&cursor=${page1.nextCursor}`).set(bearer(T.vera)));
  assert.notDeepEqual(page2.jobs.map((j: { id: string }) => j.id), page1.jobs.map((j: { id: string }) => j.id));
  const rejected = conforms('listJobs', await request(app).get('/v1/jobs?state=rejected&operation=vm.migrate&requester=otto&cluster=cib').set(bearer(T.vera)));
  assert.ok(rejected.jobs.length >= 1 && rejected.jobs.every((j: { state: string }) => j.state === 'rejected'));
  const future = conforms('listJobs', await request(app).get(`/v1/jobs?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`).set(bearer(T.vera)));
  assert.equal(future.jobs.length, 0);
  const one = conforms('getJob', await request(app).get(`/v1/jobs/${all.jobs[0].id}`).set(bearer(T.vera)));
  assert.deepEqual(one.steps, []);
  assert.deepEqual(one.callbackDeliveries, []);
  let res = await request(app).get('/v1/jobs/jzzzzzzzzzzzz').set(bearer(T.vera));
  assert.equal(res.status, 404);
  conforms('getJob', res);
  res = await request(app).get('/v1/jobs/not-a-job').set(bearer(T.vera));
  assert.equal(res.status, 400);
  conforms('getJob', res);
  res = await request(app).get('/v1/jobs?state=bogus').set(bearer(T.vera));
  assert.equal(res.status, 400);
  res = await request(app).get('/v1/jobs?unknown=1').set(bearer(T.vera));
  assert.equal(res.status, 400);
  assert.equal(conforms('listJobs', res).details.field, 'unknown');
});

test('Idempotency-Key: same body → the original job (200); other body → 409; concurrent duplicates → one job', async () => {
  const key = `key-${Date.now()}`;
  const body = { ...MIGRATE, params: { vm: 'vm2', node: 'node1' } };
  const first = await post('/v1/jobs', T.otto, body).set('Idempotency-Key', key);
  assert.equal(first.status, 202);
  const again = await post('/v1/jobs', T.otto, { reason: body.reason, ticket: body.ticket, params: body.params, operation: body.operation }).set('Idempotency-Key', key);
  assert.equal(again.status, 200);
  assert.equal(conforms('createJob', again).id, first.body.id);
  const other = await post('/v1/jobs', T.otto, { ...body, reason: 'something else' }).set('Idempotency-Key', key);
  assert.equal(other.status, 409);
  assert.equal(conforms('createJob', other).code, 'IDEMPOTENCY_CONFLICT');
  // A different person's same key is a different key.
  const ada = await post('/v1/jobs', T.ada, body).set('Idempotency-Key', key);
  assert.equal(ada.status, 202);
  const k2 = `burst-${Date.now()}`;
  const burst = await Promise.all(Array.from({ length: 8 }, () => post('/v1/jobs', T.otto, { ...body, params: { vm: 'vm1', node: 'node1' } }).set('Idempotency-Key', k2)));
  const ids = new Set(burst.map((r) => r.body.id));
  assert.equal(ids.size, 1, JSON.stringify(burst.map((r) => [r.status, r.body.code])));
  assert.deepEqual(burst.map((r) => r.status).sort(), [200, 200, 200, 200, 200, 200, 200, 202]);
  const bad = await post('/v1/jobs', T.otto, body).set('Idempotency-Key', 'has space');
  assert.equal(bad.status, 400);
});

test('callbackUrl must be an allowed host over https (else 422 CALLBACK_NOT_ALLOWED)', async () => {
  for (const url of ['https://10.0.0.1/hook', 'http://hooks.example.com/x', 'https://evil.com/?h=hooks.example.com', 'https://user:pw@hooks.example.com/', 'https://tickets.example.evil.com/']) {
    const res = await post('/v1/jobs', T.otto, { ...MIGRATE, callbackUrl: url, dryRun: true });
    assert.equal(res.status, 422, url);
    assert.equal(conforms('createJob', res).code, 'CALLBACK_NOT_ALLOWED');
  }
  for (const url of ['https://hooks.example.com/x', 'https://jira.tickets.example/cb']) {
    const res = await post('/v1/jobs', T.otto, { ...MIGRATE, callbackUrl: url, dryRun: true });
    assert.equal(res.status, 200, url);
  }
  // Refused before the job service, and audited all the same, naming the URL.
  const refused = (await h.services.audit.query({ event: 'job.refused', actor: 'otto', limit: 1000 })).records.filter((r) => (r.details as { code: string }).code === 'CALLBACK_NOT_ALLOWED');
  assert.deepEqual(
    refused.map((r) => (r.details as { callbackUrl: string }).callbackUrl).slice(-5),
    // The one with credentials in it is redacted in the record, as everywhere.
    ['https://10.0.0.1/hook', 'http://hooks.example.com/x', 'https://evil.com/?h=hooks.example.com', 'https://user:[REDACTED]@hooks.example.com/', 'https://tickets.example.evil.com/'],
  );
});

test('refusals before the job service are audited: bad params, bad body fields, on other routes too', async () => {
  const since = new Date();
  let res = await post('/v1/jobs', T.otto, { ...MIGRATE, params: { vm: 'vm1', node: 'node3', force: true } });
  assert.equal(res.status, 400);
  res = await post('/v1/jobs', T.otto, { ...MIGRATE, ticket: 'x'.repeat(500) });
  assert.equal(res.status, 400);
  res = await post('/v1/jobs/jzzzzzzzzzzz/approvals', T.anna, { decision: 'maybe' });
  assert.equal(res.status, 400);
  const recs = (await h.services.audit.query({ from: since, limit: 1000 })).records.filter((r) => r.event === 'job.refused' || r.event === 'request.refused');
  const seen = recs.map((r) => [r.event, r.actor, (r.details as { code: string }).code, (r.details as { operationId: string }).operationId]);
  assert.deepEqual(seen, [
    ['job.refused', 'otto', 'INVALID_INPUT', 'createJob'],
    ['job.refused', 'otto', 'INVALID_INPUT', 'createJob'],
    ['request.refused', 'anna', 'INVALID_INPUT', 'decideJob'],
  ]);
  assert.deepEqual((recs[0]!.details as { params: unknown }).params, { vm: 'vm1', node: 'node3', force: true });
});

test('body errors: 413, 415, malformed JSON, deep JSON, unknown fields, wrong types, unknown operation', async () => {
  const big = { ...MIGRATE, reason: 'x'.repeat(70 * 1024) };
  let res = await post('/v1/jobs', T.otto, big);
  assert.equal(res.status, 413);
  assert.equal(conforms('createJob', res).code, 'BODY_TOO_LARGE');
  res = await request(app).post('/v1/jobs').set(bearer(T.otto)).set('Content-Type', 'text/plain').send('hello');
  assert.equal(res.status, 415);
  assert.equal(conforms('createJob', res).code, 'UNSUPPORTED_MEDIA_TYPE');
  res = await request(app).post('/v1/jobs').set(bearer(T.otto)).set('Content-Type', 'application/json').send('{"operation": ');
  assert.equal(res.status, 400);
  assert.equal(conforms('createJob', res).code, 'INVALID_INPUT');
  let deep: unknown = 1;
  for (let i = 0; i < 200; i++) deep = { a: deep };
  res = await post('/v1/jobs', T.otto, { ...MIGRATE, params: deep });
  assert.equal(res.status, 400);
  assert.match(conforms('createJob', res).detail, /nested/);
  res = await post('/v1/jobs', T.otto, { ...MIGRATE, extra: 1 });
  assert.equal(res.status, 400);
  assert.equal(conforms('createJob', res).details.field, 'extra');
  res = await post('/v1/jobs', T.otto, { ...MIGRATE, params: { vm: 'vm1', node: 'node3', force: true } });
  assert.equal(res.status, 400);
  res = await post('/v1/jobs', T.otto, { ...MIGRATE, params: { vm: 7, node: 'node3' } });
  assert.equal(res.status, 400);
  res = await post('/v1/jobs', T.otto, { ...MIGRATE, dryRun: 'yes' });
  assert.equal(res.status, 400);
  res = await post('/v1/jobs', T.otto, { ...MIGRATE, operation: 'vm.migrat' });
  assert.equal(res.status, 400);
  conforms('createJob', res);
  res = await post('/v1/jobs', T.otto, [MIGRATE]);
  assert.equal(res.status, 400);
  res = await post('/v1/jobs', T.otto);
  assert.equal(res.status, 400);
});

test('hostile strings in every field: 4xx problem documents, no job, no command', async () => {
  const hostile = ["vm1; rm -rf /", '$(reboot)', '`id`', '../../etc/passwd', "' OR 1=1 --", '<script>alert(1)</script>', '-rf', 'vm1\nnode2', '\u0000', 'ｖｍ１', '%0d%0aSet-Cookie: x', '{{7*7}}', 'a'.repeat(300)];
  const before = (await h.services.jobs.list({ limit: 500 })).jobs.length;
  for (const s of hostile) {
    const bodies = [
      { ...MIGRATE, params: { vm: s, node: 'node3' } },
      { ...MIGRATE, params: { vm: 'vm1', node: s } },
      { ...MIGRATE, operation: s },
      { ...MIGRATE, ticket: s },
      { ...MIGRATE, cluster: s },
      { ...MIGRATE, callbackUrl: s },
      { operation: 'lun.add', params: { target: 'store1', path: s }, reason: 'x' },
      { operation: 'resource.cleanup', params: { resource: s }, reason: 'x' },
    ];
    for (const b of bodies) {
      const res = await post('/v1/jobs', T.ada, b);
      assert.ok(res.status >= 400 && res.status < 500, `${res.status} for ${JSON.stringify(b).slice(0, 120)}: ${res.text.slice(0, 200)}`);
      conforms('createJob', res);
    }
    for (const path of [`/v1/jobs/${encodeURIComponent(s)}`, `/v1/clusters/${encodeURIComponent(s)}/status`, `/v1/jobs?requester=${encodeURIComponent(s)}`, `/v1/audit?event=${encodeURIComponent(s)}`]) {
      const res = await request(app).get(path).set(bearer(T.vera));
      assert.ok(res.status >= 400 && res.status < 500, `${res.status} for ${path}`);
    }
  }
  assert.equal((await h.services.jobs.list({ limit: 500 })).jobs.length, before);
});

test('clusters: list and live status with leftover constraints flagged', async () => {
  const list = conforms('listClusters', await request(app).get('/v1/clusters').set(bearer(T.vera)));
  assert.deepEqual(list.clusters, [{ name: 'cib', nodes: ['node1', 'node2', 'node3'], dialect: 'auto', storageTargets: [] }]);
  const st = conforms('clusterStatus', await request(app).get('/v1/clusters/cib/status').set(bearer(T.vera)));
  assert.equal(st.cluster, 'cib');
  assert.equal(st.quorum.hasQuorum, true);
  assert.deepEqual(st.nodes.map((n: { name: string }) => n.name).sort(), ['node1', 'node2', 'node3']);
  assert.ok(st.fenceDevices.length >= 1);
  assert.deepEqual(st.leftoverConstraints, []);
  const res = await request(app).get('/v1/clusters/nope/status').set(bearer(T.vera));
  assert.equal(res.status, 404);
  assert.equal(conforms('clusterStatus', res).code, 'UNKNOWN_CLUSTER');
});

test('audit: pages, filters, NDJSON and CSV exports, verify', async () => {
  const page = conforms('queryAudit', await request(app).get('/v1/audit?limit=3&event=job.created').set(bearer(T.vera)));
  assert.equal(page.records.length, 3);
  assert.ok(page.nextCursor);
  const next = conforms('queryAudit', await request(app).get(`/v1/audit?limit=3&event=job.created&cursor=${page.nextCursor}`).set(bearer(T.vera)));
  assert.ok(next.records[0].seq > page.records[2].seq);
  const nd = await request(app).get('/v1/audit?event=job.created').set(bearer(T.vera)).set('Accept', 'application/x-ndjson');
  assert.equal(nd.status, 200);
  assert.match(String(nd.headers['content-type']), /application\/x-ndjson/);
  const lines = nd.text.trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(lines.length >= 5 && lines.every((r) => r.event === 'job.created'));
  const csv = await request(app).get('/v1/audit').set(bearer(T.vera)).set('Accept', 'text/csv');
  assert.equal(csv.status, 200);
  assert.match(csv.text.split('\n')[0]!, /seq/);
  const v = conforms('verifyAudit', await request(app).get('/v1/audit/verify').set(bearer(T.vera)));
  assert.equal(v.ok, true);
  assert.ok(v.count > 10);
  const bad = await request(app).get('/v1/audit?from=yesterday').set(bearer(T.vera));
  assert.equal(bad.status, 400);
  conforms('queryAudit', bad);
});

test('tokens: admin creates (plain token once, audited), the token works, list, revoke (audited), then 401', async () => {
  let res = await post('/v1/tokens', T.otto, { person: 'vera' });
  assert.equal(res.status, 403);
  conforms('createToken', res);
  res = await post('/v1/tokens', T.ada, { person: 'nobody' });
  assert.equal(res.status, 400);
  conforms('createToken', res);
  res = await post('/v1/tokens', T.ada, { person: 'vera', ttl: '1d', label: 'jira' });
  const created = conforms('createToken', res);
  assert.equal(res.status, 201);
  assert.match(created.token, /^hasf_/);
  assert.ok(created.expiresAt);
  conforms('listJobs', await request(app).get('/v1/jobs?limit=1').set(bearer(created.token)).expect(200));
  const list = conforms('listTokens', await request(app).get('/v1/tokens?person=vera').set(bearer(T.ada)));
  assert.deepEqual(list.tokens.map((t: { id: string }) => t.id), [created.id]);
  assert.equal(JSON.stringify(list).includes(created.token), false);
  res = await request(app).delete(`/v1/tokens/${created.id}`).set(bearer(T.ada));
  assert.equal(res.status, 204);
  res = await request(app).delete(`/v1/tokens/${created.id}`).set(bearer(T.ada));
  assert.equal(res.status, 404);
  conforms('revokeToken', res);
  res = await request(app).get('/v1/jobs').set(bearer(created.token));
  assert.equal(res.status, 401);
  const events = (await h.services.audit.query({ event: ['token.created', 'token.revoked'] })).records.map((r) => r.event);
  assert.deepEqual(events, ['token.created', 'token.revoked']);
});

test('health, readiness, metrics, openapi.yaml, docs; unknown paths are problem documents', async () => {
  conforms('healthz', await request(app).get('/healthz').expect(200));
  let res = await request(app).get('/readyz');
  assert.equal(res.status, 503);
  assert.equal(conforms('readyz', res).checks.worker.ok, false);
  await h.services.redis.hset('hasf:workers:heartbeat', 'w1', String(Date.now()));
  res = await request(app).get('/readyz');
  assert.equal(res.status, 200);
  conforms('readyz', res);
  await h.services.redis.hdel('hasf:workers:heartbeat', 'w1');
  res = await request(app).get('/metrics').expect(200);
  assert.match(res.text, /hasf_http_requests_total\{method="POST",route="\/v1\/jobs",status="202"\} \d+/);
  assert.match(res.text, /hasf_jobs\{operation="vm.migrate",state="awaiting_approval"\} \d+/);
  assert.match(res.text, /hasf_queue_depth\{queue="jobs-cib"\} \d+/);
  assert.doesNotMatch(res.text, /route="\/v1\/jobs\/j[0-9a-z]+"/, 'routes are templates');
  res = await request(app).get('/openapi.yaml').expect(200);
  assert.match(res.text, /^openapi: 3\.1/);
  res = await request(app).get('/docs').expect(200);
  assert.match(String(res.headers['content-type']), /text\/html/);
  assert.match(res.text, /id="op-createJob"/);
  assert.match(res.text, /id="problem-CALLBACK_NOT_ALLOWED"/);
  assert.doesNotMatch(res.text, /<script|https?:\/\/cdn/i);
  res = await request(app).get('/v2/nothing');
  assert.equal(res.status, 404);
  assert.match(String(res.headers['content-type']), /problem\+json/);
});

test('mount: the Slack door gets its raw body (no JSON parser on /slack)', async () => {
  const mounted = createApiApp(h.services, {
    mount: (a) => a.post('/slack/events', (req, res) => {
      let raw = '';
      req.setEncoding('utf8');
      req.on('data', (c) => (raw += c));
      req.on('end', () => res.json({ raw, parsed: req.body !== undefined }));
    }),
  });
  const res = await request(mounted).post('/slack/events').set('Content-Type', 'application/x-www-form-urlencoded').send('payload=%7B%7D&x=1');
  assert.deepEqual(res.body, { raw: 'payload=%7B%7D&x=1', parsed: false });
});

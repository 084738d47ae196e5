import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import type { Express } from 'express';
import { createApiApp } from '../../src/api/index.ts';
import { startCibHarness, conforms, bearer } from '../helpers/api.ts';
import type { Harness } from '../helpers/harness.ts';

// Four-eyes through the REST API on a real Redis: one human must never count twice,
// however many people's tokens they hold.
let h: Harness & { cibFile: string };
let app: Express;
let T: Harness['tokens'];
const FENCE = { operation: 'node.fence', params: { node: 'node3', action: 'reboot' }, reason: 'node3 hangs on I/O', ticket: 'CHG0420' };

before(async () => {
  h = await startCibHarness();
  app = createApiApp(h.services);
  T = h.tokens;
});
after(async () => {
  await h.stop();
});

const post = (path: string, token: string, body: object) => request(app).post(path).set(bearer(token)).send(body);
const mint = async (by: string, person: string) => {
  const res = await post('/v1/tokens', by, { person, label: `for ${person}` });
  assert.equal(res.status, 201, res.text);
  return conforms('createToken', res) as { id: string; token: string; createdBy: string; personal: boolean };
};

test('an admin holding tokens minted for two approvers cannot move a 2-approval fence; the audit names the minter', async () => {
  const forAnna = await mint(T.ada, 'anna');
  const forBert = await mint(T.ada, 'bert');
  assert.deepEqual([forAnna.createdBy, forAnna.personal, forBert.personal], ['ada', false, false]);

  const created = await post('/v1/jobs', T.otto, FENCE);
  const job = conforms('createJob', created);
  assert.equal(job.approvalsRequired, 2);
  for (const tok of [forAnna, forBert]) {
    const res = await post(`/v1/jobs/${job.id}/approvals`, tok.token, { decision: 'approve' });
    assert.equal(res.status, 403);
    assert.equal(conforms('decideJob', res).code, 'DELEGATED_TOKEN');
    assert.match(res.body.detail, /minted by ada/);
  }
  const after = conforms('getJob', await request(app).get(`/v1/jobs/${job.id}`).set(bearer(T.vera)));
  assert.equal(after.state, 'awaiting_approval');
  assert.deepEqual(after.approvals, []);
  assert.equal(after.approvalsRemaining, 2);

  const recs = (await h.services.audit.query({ jobId: job.id })).records;
  const refused = recs.filter((r) => r.event === 'approval.refused');
  assert.deepEqual(
    refused.map((r) => [r.actor, (r.details as any).code, (r.details as any).credential.id, (r.details as any).credential.createdBy]),
    [
      ['anna', 'DELEGATED_TOKEN', forAnna.id, 'ada'],
      ['bert', 'DELEGATED_TOKEN', forBert.id, 'ada'],
    ],
  );
  assert.equal(recs.filter((r) => r.event === 'approval.granted').length, 0);
  // The minting itself is on record too, with who minted and that it is not personal.
  const minted = (await h.services.audit.query({ event: 'token.created' })).records.map((r) => r.details as any);
  assert.ok(minted.some((d) => d.tokenId === forAnna.id && d.person === 'anna' && d.createdBy === 'ada' && d.personal === false));

  // A delegated token still reads and requests (a ticketing system's use).
  assert.equal((await request(app).get(`/v1/jobs/${job.id}`).set(bearer(forAnna.token))).status, 200);

  // The approvers themselves: anna with her declared token, bert with one he minted himself.
  const own = await mint(T.bert, 'bert');
  assert.deepEqual([own.createdBy, own.personal], ['bert', true]);
  let res = await post(`/v1/jobs/${job.id}/approvals`, T.anna, { decision: 'approve' });
  assert.equal(conforms('decideJob', res).state, 'awaiting_approval');
  res = await post(`/v1/jobs/${job.id}/approvals`, own.token, { decision: 'approve' });
  assert.equal(conforms('decideJob', res).state, 'queued');
  const granted = (await h.services.audit.query({ jobId: job.id, event: 'approval.granted' })).records;
  assert.deepEqual(
    granted.map((r) => [r.actor, (r.details as any).credential.kind, (r.details as any).credential.createdBy ?? null, (r.details as any).credential.personal]),
    [
      ['anna', 'declared-token', null, true],
      ['bert', 'token', 'bert', true],
    ],
  );
});

test('only admins mint for others; a token minted with a delegated token stays delegated', async () => {
  let res = await post('/v1/tokens', T.otto, { person: 'anna' });
  assert.equal(res.status, 403);
  assert.equal(conforms('createToken', res).code, 'FORBIDDEN');
  const delegated = await mint(T.ada, 'bert');
  const laundered = await mint(delegated.token, 'bert');
  assert.deepEqual([laundered.createdBy, laundered.personal], ['bert', false]);
  const job = conforms('createJob', await post('/v1/jobs', T.otto, FENCE));
  res = await post(`/v1/jobs/${job.id}/approvals`, laundered.token, { decision: 'reject', comment: 'no' });
  assert.equal(conforms('decideJob', res).code, 'DELEGATED_TOKEN');
  await post(`/v1/jobs/${job.id}/cancel`, T.otto, {});
});

test('approval.granted is written only for a decision that counted: two racing approvals by one person', async () => {
  const job = conforms('createJob', await post('/v1/jobs', T.otto, FENCE));
  const answers = await Promise.all([0, 1, 2].map(() => post(`/v1/jobs/${job.id}/approvals`, T.anna, { decision: 'approve' })));
  assert.deepEqual(answers.map((r) => r.status).sort(), [200, 409, 409]);
  const recs = (await h.services.audit.query({ jobId: job.id })).records;
  assert.equal(recs.filter((r) => r.event === 'approval.granted').length, 1);
  assert.deepEqual(
    recs.filter((r) => r.event === 'approval.refused').map((r) => (r.details as any).code),
    ['ALREADY_DECIDED', 'ALREADY_DECIDED'],
  );
  const stored = conforms('getJob', await request(app).get(`/v1/jobs/${job.id}`).set(bearer(T.vera)));
  assert.equal(stored.approvals.length, 1);
  await post(`/v1/jobs/${job.id}/cancel`, T.otto, {});
});

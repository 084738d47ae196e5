import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import type { Express } from 'express';
import { createApiApp } from '../../src/api/index.ts';
import { startCallbackNotifier } from '../../src/callbacks/index.ts';
import { OutboxConsumer } from '../../src/callbacks/outbox.ts';
import { callbackOutboxKey } from '../../src/jobs/store.ts';
import { bearer, conforms, startCibHarness } from '../helpers/api.ts';
import { startReceiver } from '../helpers/callback-receiver.ts';
import type { Harness } from '../helpers/harness.ts';

// Callbacks can't be lost: each state change is written to the callback outbox in the
// same Redis step as the change itself, and notifiers deliver from there — also changes
// made while none ran, and changes a notifier died holding.
const SECRET = 'callback-secret-for-outbox';
let h: Harness & { cibFile: string };
let app: Express;
let rx: Awaited<ReturnType<typeof startReceiver>>;
const MIGRATE = { operation: 'vm.migrate', params: { vm: 'vm1', node: 'node3' }, reason: 'outbox test' };

before(async () => {
  h = await startCibHarness({ callbacks: { allowedHosts: ['127.0.0.1'], allowHttp: true, secret: SECRET } });
  rx = await startReceiver(SECRET);
  app = createApiApp(h.services);
});
after(async () => {
  await rx.close();
  await h.stop();
});

const states = (jobId: string) => rx.got.filter((g) => g.json.jobId === jobId).map((g) => g.json.state as string);

test('a job that changes state while no notifier runs gets every callback once when notifiers start', async () => {
  const job = conforms('createJob', await request(app).post('/v1/jobs').set(bearer(h.tokens.otto)).send({ ...MIGRATE, callbackUrl: rx.url }));
  conforms('decideJob', await request(app).post(`/v1/jobs/${job.id}/approvals`).set(bearer(h.tokens.anna)).send({ decision: 'approve' }));
  conforms('cancelJob', await request(app).post(`/v1/jobs/${job.id}/cancel`).set(bearer(h.tokens.otto)));
  // No notifier ran: all three changes are owed, in order.
  const owed = await h.services.redis.xrange(callbackOutboxKey('hasf'), '-', '+');
  assert.deepEqual(owed.map(([, f]) => JSON.parse(f[f.indexOf('to') + 1]!)), ['awaiting_approval', 'queued', 'cancelled']);
  assert.deepEqual(states(job.id), []);

  // Two notifier replicas start at once: each change is delivered once.
  const n1 = await startCallbackNotifier(h.services, { baseDelayMs: 100, pollMs: 200, onError: () => undefined });
  const n2 = await startCallbackNotifier(h.services, { baseDelayMs: 100, pollMs: 200, onError: () => undefined });
  try {
    await rx.until(() => states(job.id).length >= 3);
    await new Promise((r) => setTimeout(r, 600));
    assert.deepEqual(states(job.id).sort(), ['awaiting_approval', 'cancelled', 'queued']);
    const got = rx.got.filter((g) => g.json.jobId === job.id);
    assert.ok(got.every((g) => g.valid && g.headers['x-hasf-delivery'] === `${job.id}-${g.json.state}`));
    assert.equal(got.find((g) => g.json.state === 'queued')!.json.from, 'awaiting_approval');
    assert.equal(await h.services.redis.xlen(callbackOutboxKey('hasf')), 0, 'nothing owed any more');
  } finally {
    await n1.close();
    await n2.close();
  }
});

test('a change a notifier took and died holding is delivered by another', async () => {
  const job = conforms('createJob', await request(app).post('/v1/jobs').set(bearer(h.tokens.otto)).send({ ...MIGRATE, callbackUrl: rx.url }));
  // A notifier reads the change, then dies before queueing it (never acknowledges).
  const dead = new OutboxConsumer(h.services.newRedis(), callbackOutboxKey('hasf'), { consumer: 'dead-notifier', blockMs: 100 });
  const taken = await dead.next();
  assert.deepEqual(taken.map((c) => [c.jobId, c.state]), [[job.id, 'awaiting_approval']]);
  const n = await startCallbackNotifier(h.services, { baseDelayMs: 100, pollMs: 200, claimIdleMs: 300, onError: () => undefined });
  try {
    await rx.until(() => states(job.id).includes('awaiting_approval'));
    assert.deepEqual(states(job.id), ['awaiting_approval']);
    // Later changes flow at once while the notifier runs.
    conforms('cancelJob', await request(app).post(`/v1/jobs/${job.id}/cancel`).set(bearer(h.tokens.otto)));
    await rx.until(() => states(job.id).includes('cancelled'));
    assert.deepEqual(states(job.id), ['awaiting_approval', 'cancelled']);
  } finally {
    await n.close();
  }
});

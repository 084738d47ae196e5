import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer } from '../../src/api/index.ts';
import { startCallbackNotifier } from '../../src/callbacks/index.ts';
import { startCibHarness, conforms, bearer } from '../helpers/api.ts';
import { startReceiver } from '../helpers/callback-receiver.ts';
import type { Harness } from '../helpers/harness.ts';
import request from 'supertest';

// Signed callbacks over real HTTP on loopback: API server, notifier (BullMQ queue
// 'callbacks' on a real Redis) and a receiver that fails first attempts.
const SECRET = 'callback-secret-for-tests';
let h: Harness & { cibFile: string };
let api: Awaited<ReturnType<typeof startApiServer>>;
let notifier: Awaited<ReturnType<typeof startCallbackNotifier>>;
let rx: Awaited<ReturnType<typeof startReceiver>>;

before(async () => {
  h = await startCibHarness({ callbacks: { allowedHosts: ['127.0.0.1'], allowHttp: true, secret: SECRET } });
  // Every delivery's first attempt gets a 503, so each one is retried once.
  rx = await startReceiver(SECRET, (n) => (n === 1 ? 503 : 204));
  api = await startApiServer(h.services, { listen: '127.0.0.1:0' });
  notifier = await startCallbackNotifier(h.services, { baseDelayMs: 100, onError: () => undefined });
});
after(async () => {
  await notifier.close();
  await api.close();
  await rx.close();
  await h.stop();
});

test('each state change is POSTed signed, retried after a failure, and the attempts show on the job', async () => {
  const created = await request(api.url)
    .post('/v1/jobs')
    .set(bearer(h.tokens.otto))
    .send({ operation: 'vm.migrate', params: { vm: 'vm1', node: 'node3' }, reason: 'move for patching', ticket: 'CHG42', callbackUrl: rx.url });
  const job = conforms('createJob', created);
  assert.equal(created.status, 202);
  await rx.until((g) => g.some((x) => x.json.state === 'awaiting_approval' && x.answered === 204));
  conforms('cancelJob', await request(api.url).post(`/v1/jobs/${job.id}/cancel`).set(bearer(h.tokens.otto)));
  await rx.until((g) => g.some((x) => x.json.state === 'cancelled' && x.answered === 204));
  for (const g of rx.got) {
    assert.equal(g.valid, true, 'signature verifies');
    assert.equal(g.headers['x-hasf-event'], 'job.state');
    assert.equal(g.headers['x-hasf-delivery'], `${job.id}-${g.json.state}`);
    assert.equal(g.json.job.ticket, 'CHG42');
  }
  // A retry resends the same body (only timestamp and signature change).
  const firsts = rx.got.filter((g) => g.json.state === 'cancelled');
  assert.equal(firsts.length, 2);
  assert.equal(firsts[0]!.body, firsts[1]!.body);
  // Give the notifier a moment to record the last attempt.
  let view: any;
  for (let i = 0; i < 40; i++) {
    view = conforms('getJob', await request(api.url).get(`/v1/jobs/${job.id}`).set(bearer(h.tokens.vera)));
    if (view.callbackDeliveries.length >= 4) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const seen = view.callbackDeliveries.map((d: any) => [d.state, d.attempt, d.status, !!d.final]);
  assert.deepEqual(seen, [
    ['awaiting_approval', 1, 503, false],
    ['awaiting_approval', 2, 204, true],
    ['cancelled', 1, 503, false],
    ['cancelled', 2, 204, true],
  ]);
});

test('a callback host removed from the allow-list after the request is not contacted', async () => {
  const created = await request(api.url)
    .post('/v1/jobs')
    .set(bearer(h.tokens.otto))
    .send({ operation: 'vm.migrate', params: { vm: 'vm2', node: 'node1' }, reason: 'x', callbackUrl: rx.url });
  const job = conforms('createJob', created);
  const before = rx.got.length;
  const saved = h.services.config.callbacks.allowedHosts;
  h.services.config.callbacks.allowedHosts = [];
  try {
    await request(api.url).post(`/v1/jobs/${job.id}/cancel`).set(bearer(h.tokens.otto)).expect(200);
    let view: any;
    for (let i = 0; i < 60; i++) {
      view = conforms('getJob', await request(api.url).get(`/v1/jobs/${job.id}`).set(bearer(h.tokens.vera)));
      if (view.callbackDeliveries.some((d: any) => d.state === 'cancelled')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const c = view.callbackDeliveries.find((d: any) => d.state === 'cancelled');
    assert.equal(c.final, true);
    assert.equal(c.status, null);
    assert.match(c.error, /not in callbacks.allowedHosts/);
    assert.equal(rx.got.filter((g) => g.json.jobId === job.id && g.json.state === 'cancelled').length, 0);
  } finally {
    h.services.config.callbacks.allowedHosts = saved;
  }
  assert.ok(rx.got.length >= before);
});

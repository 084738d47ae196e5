import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { startApiServer } from '../../src/api/index.ts';
import { startCallbackNotifier } from '../../src/callbacks/index.ts';
import { flattenResources } from '../../src/cluster/index.ts';
import { startWorker, type RunningWorker } from '../../src/app/worker.ts';
import { conforms, bearer } from '../helpers/api.ts';
import { startReceiver } from '../helpers/callback-receiver.ts';
import { labDir, NO_LAB, startHarness, type Harness } from '../helpers/harness.ts';

// End to end over HTTP on the real lab cluster: request → approve → worker → verify →
// signed callbacks; idempotent retry; hostile input never runs anything.
const SECRET = 'lab-callback-secret-0123';
const skip = labDir() ? false : NO_LAB;
let h: Harness;
let api: Awaited<ReturnType<typeof startApiServer>>;
let worker: RunningWorker;
let notifier: Awaited<ReturnType<typeof startCallbackNotifier>>;
let rx: Awaited<ReturnType<typeof startReceiver>>;

before(async () => {
  if (skip) return;
  h = await startHarness({ callbacks: { allowedHosts: ['127.0.0.1'], allowHttp: true, secret: SECRET } });
  rx = await startReceiver(SECRET);
  api = await startApiServer(h.services, { listen: '127.0.0.1:0' });
  notifier = await startCallbackNotifier(h.services, { baseDelayMs: 200 });
  worker = await startWorker(h.services, { onError: () => undefined });
});
after(async () => {
  if (skip) return;
  await worker?.close();
  await notifier?.close();
  await api?.close();
  await rx?.close();
  await h?.stop();
});

async function whereIs(vm: string): Promise<string[]> {
  const s = await h.services.access.pacemaker('lab').status();
  return flattenResources(s.resources).find((r) => r.id === vm)?.nodes ?? [];
}

test('vm.migrate: otto requests, anna approves, the worker moves it, callbacks arrive signed', { skip, timeout: 240_000 }, async () => {
  const from = (await whereIs('vm1'))[0]!;
  const to = ['node1', 'node2', 'node3'].find((n) => n !== from)!;
  const body = { operation: 'vm.migrate', params: { vm: 'vm1', node: to }, reason: 'e2e: drain for patching', ticket: 'CHG-E2E-1', callbackUrl: rx.url };
  const key = `e2e-${Date.now()}`;
  const first = await request(api.url).post('/v1/jobs').set(bearer(h.tokens.otto)).set('Idempotency-Key', key).send(body);
  const job = conforms('createJob', first);
  assert.equal(first.status, 202);
  assert.equal(job.state, 'awaiting_approval');
  assert.ok(job.plan.prediction.actions.length > 0);
  // The first answer was "lost": the ticketing system retries with the same key.
  const retry = await request(api.url).post('/v1/jobs').set(bearer(h.tokens.otto)).set('Idempotency-Key', key).send(body);
  assert.equal(retry.status, 200);
  assert.equal(conforms('createJob', retry).id, job.id);
  const mine = conforms('listJobs', await request(api.url).get('/v1/jobs?requester=otto&operation=vm.migrate').set(bearer(h.tokens.vera)));
  assert.equal(mine.jobs.filter((j: { ticket?: string }) => j.ticket === 'CHG-E2E-1').length, 1, 'one job only');

  const approved = await request(api.url).post(`/v1/jobs/${job.id}/approvals`).set(bearer(h.tokens.anna)).send({ decision: 'approve', comment: 'go' });
  assert.equal(conforms('decideJob', approved).state, 'queued');

  let view: any;
  const end = Date.now() + 200_000;
  do {
    await new Promise((r) => setTimeout(r, 500));
    view = conforms('getJob', await request(api.url).get(`/v1/jobs/${job.id}`).set(bearer(h.tokens.vera)));
  } while (!['succeeded', 'failed'].includes(view.state) && Date.now() < end);
  assert.equal(view.state, 'succeeded', JSON.stringify(view.error));
  assert.ok(view.steps.length > 0);
  assert.deepEqual(await whereIs('vm1'), [to]);
  const st = conforms('clusterStatus', await request(api.url).get('/v1/clusters/lab/status').set(bearer(h.tokens.vera)));
  assert.equal(st.constraints.some((c: { id: string }) => c.id === 'cli-prefer-vm1'), false);
  // The job leaves no move constraint of its own; the lab shape's hand-typed ban may still be there.
  assert.deepEqual(st.leftoverConstraints.filter((c: { resource: string }) => c.resource === 'vm1'), []);

  await rx.until((g) => ['queued', 'running', 'succeeded'].every((s) => g.some((x) => x.json.jobId === job.id && x.json.state === s)), 30_000);
  const mineCb = rx.got.filter((g) => g.json.jobId === job.id);
  assert.ok(mineCb.every((g) => g.valid), 'every callback carries a valid signature');
  assert.deepEqual(
    ['awaiting_approval', 'queued', 'running', 'succeeded'].filter((s) => mineCb.some((g) => g.json.state === s)),
    ['awaiting_approval', 'queued', 'running', 'succeeded'],
  );
  const done = mineCb.find((g) => g.json.state === 'succeeded')!;
  assert.match(done.json.job.result.summary, /vm1/);
  view = conforms('getJob', await request(api.url).get(`/v1/jobs/${job.id}`).set(bearer(h.tokens.vera)));
  assert.ok(view.callbackDeliveries.filter((d: { status: number }) => d.status === 204).length >= 4);
});

test('hostile input over HTTP on the lab: 4xx problem documents, no job, no command, no 5xx', { skip, timeout: 120_000 }, async () => {
  const before = (await h.services.jobs.list({ limit: 500 })).jobs.length;
  const commandsBefore = (await h.services.audit.query({ event: 'command.start', limit: 1000 })).records.length;
  const evil = ['vm1; crm node fence node2', '$(poweroff)', '`reboot`', '../../../etc/shadow', "vm1' --force", '-node2', 'x'.repeat(5000), 'vm1\u0000', 'node1 node2'];
  const bodies: unknown[] = [];
  for (const s of evil) {
    bodies.push(
      { operation: 'vm.migrate', params: { vm: s, node: 'node2' }, reason: 'x' },
      { operation: 'vm.migrate', params: { vm: 'vm2', node: s }, reason: 'x' },
      { operation: 'node.fence', params: { node: s }, reason: 'x' },
      { operation: 'node.standby', params: { node: 'node1', extra: s }, reason: 'x' },
      { operation: 'lun.add', params: { target: 'store1', path: s }, reason: 'x' },
      { operation: s, params: {}, reason: 'x' },
      { operation: 'resource.cleanup', params: { resource: 'vm2' }, reason: 'x', cluster: s },
      { operation: 'resource.cleanup', params: { resource: 'vm2' }, reason: s.repeat(1000) },
    );
  }
  bodies.push({ operation: 'vm.migrate', params: 'vm1', reason: 'x' }, { operation: 'vm.migrate', params: { vm: ['vm1'], node: 'node2' }, reason: 'x' }, { operation: 7 }, null, 'string', 42);
  for (const b of bodies) {
    const res = await request(api.url).post('/v1/jobs').set(bearer(h.tokens.ada)).set('Content-Type', 'application/json').send(JSON.stringify(b));
    assert.ok(res.status >= 400 && res.status < 500, `${res.status} for ${JSON.stringify(b).slice(0, 100)}`);
    conforms('createJob', res);
  }
  let deep = '1';
  for (let i = 0; i < 5000; i++) deep = `[${deep}]`;
  const d = await request(api.url).post('/v1/jobs').set(bearer(h.tokens.ada)).set('Content-Type', 'application/json').send(`{"operation":"vm.migrate","params":${deep},"reason":"x"}`);
  assert.equal(d.status, 400);
  const huge = await request(api.url).post('/v1/jobs').set(bearer(h.tokens.ada)).set('Content-Type', 'application/json').send(`{"reason":"${'a'.repeat(1 << 20)}"}`);
  assert.equal(huge.status, 413);
  assert.equal((await h.services.jobs.list({ limit: 500 })).jobs.length, before);
  assert.equal((await h.services.audit.query({ event: 'command.start', limit: 1000 })).records.length, commandsBefore);
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { JobStore } from '../../src/jobs/store.ts';
import type { JobRecord } from '../../src/jobs/types.ts';
import { startRedis, type TestRedis } from '../helpers/redis.ts';

let redis: TestRedis;
let client: Redis;
before(async () => {
  redis = await startRedis();
  client = new Redis(redis.url);
});
after(async () => {
  client?.disconnect();
  await redis?.stop();
});

const job = (id: string, createdAt: string, state: JobRecord['state'] = 'queued'): JobRecord => ({
  id, operation: 'resource.cleanup', cluster: 'c', params: { resource: 'r' }, requester: 'otto', requesterIdentity: 'token:x', channel: 'rest',
  reason: 'r', emergency: false, reviewPending: false, state, plan: { summary: 's', commands: [], warnings: [] }, approvalsRequired: 0,
  approvals: [], createdAt, updatedAt: createdAt, lines: [], checkpoint: {}, attempts: 0,
});

test('pages through jobs created in the same millisecond without skipping or repeating any', async () => {
  const store = new JobStore(client, 'tie');
  const same = '2026-11-25T10:00:00.000Z';
  const ids = ['jaaaaaaaa1', 'jaaaaaaaa2', 'jaaaaaaaa3', 'jaaaaaaaa4', 'jaaaaaaaa5'];
  for (const id of ids) await store.create(job(id, same));
  await store.create(job('jbbbbbbbb1', '2026-11-25T09:00:00.000Z', 'failed'));
  const seen: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list({ limit: 2, cursor });
    seen.push(...page.jobs.map((j) => j.id));
    cursor = page.nextCursor;
  } while (cursor);
  assert.deepEqual(seen, [...ids].reverse().concat('jbbbbbbbb1'));
  assert.deepEqual((await store.list({ state: 'failed' })).jobs.map((j) => j.id), ['jbbbbbbbb1']);
});

test('state transitions are compare-and-set: only one of two racing transitions wins', async () => {
  const store = new JobStore(client, 'cas');
  await store.create(job('jcccccccc1', new Date().toISOString(), 'awaiting_approval'));
  const results = await Promise.all([
    store.transition('jcccccccc1', ['awaiting_approval'], 'queued'),
    store.transition('jcccccccc1', ['awaiting_approval'], 'rejected'),
  ]);
  assert.deepEqual(results.filter(Boolean).length, 1);
  const j = (await store.get('jcccccccc1'))!;
  assert.ok(j.state === 'queued' || j.state === 'rejected');
  assert.deepEqual(j.approvals, []);
});

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import type { Express } from 'express';
import { createApiApp } from '../../src/api/index.ts';
import { bearer, conforms, startCibHarness } from '../helpers/api.ts';
import type { Harness } from '../helpers/harness.ts';

// The acceptance case of the audit review: a worker process writes records; someone with
// Redis write access drops the newest and moves the head back. The next append refuses
// (fail closed), and verify from the API process — which wrote none of those records —
// reports them missing, through the anchors every process shares.
const CHILD = fileURLToPath(new URL('../integration/audit-writer.child.ts', import.meta.url));
const KEY = 'test-audit-key-0123456789';
let h: Harness & { cibFile: string };
let app: Express;
let anchorDir: string;

let shared: string;
before(async () => {
  shared = mkdtempSync(join(tmpdir(), 'hasf-shared-'));
  anchorDir = join(shared, 'anchors');
  // The API process: its own file sink, and the anchor directory every process shares.
  h = await startCibHarness({ audit: { key: KEY, file: join(shared, 'api.jsonl'), anchorDir } });
  app = createApiApp(h.services);
});
after(async () => {
  await h?.stop();
  rmSync(shared, { recursive: true, force: true });
});

test('records of a worker process dropped and the head moved back: the next append refuses, and the API\'s verify reports them', async () => {
  const redis = h.services.redis;
  const stream = 'hasf:audit';
  // The API writes first (a dry run's audited commands), then a worker process writes 20.
  const dry = await request(app).post('/v1/jobs').set(bearer(h.tokens.otto)).send({ operation: 'vm.migrate', params: { vm: 'vm1', node: 'node3' }, reason: 'before', dryRun: true });
  assert.equal(dry.status, 200);
  const worker = spawn(process.execPath, ['--import', 'tsx', CHILD, h.redis.url, stream, join(shared, 'worker.jsonl'), '20', '2', 'worker-1', anchorDir], { stdio: ['pipe', 'inherit', 'inherit'] });
  worker.stdin.end(KEY);
  assert.equal((await once(worker, 'exit'))[0], 0);
  const ok = conforms('verifyAudit', await request(app).get('/v1/audit/verify').set(bearer(h.tokens.vera)));
  assert.equal(ok.ok, true, JSON.stringify(ok.problems));
  const total = ok.head.seq;
  assert.equal(ok.anchor.writer, 'worker-1');
  assert.equal(ok.anchor.seq, total);

  // Drop the worker's newest 5 records and move the head back.
  const entries = await redis.xrevrange(stream, '+', '-', 'COUNT', 6);
  await redis.xdel(stream, ...entries.slice(0, 5).map(([id]) => id));
  const newest = JSON.parse(entries[5]![1][1]!) as { seq: number; mac: string };
  await redis.set(`${stream}:head`, `${newest.seq}:${newest.mac}`);

  // The API's next append refuses: a job request is answered 503, and no job exists.
  const before = (await h.services.jobs.list({})).jobs.length;
  const res = await request(app).post('/v1/jobs').set(bearer(h.tokens.otto)).send({ operation: 'vm.migrate', params: { vm: 'vm1', node: 'node3' }, reason: 'after the truncation' });
  assert.equal(res.status, 503);
  assert.equal(conforms('createJob', res).code, 'AUDIT_UNAVAILABLE');
  assert.match(res.body.detail, new RegExp(`record ${total} was written`));
  assert.equal((await h.services.jobs.list({})).jobs.length, before);
  assert.equal(await redis.xlen(stream), total - 5, 'nothing was appended on the shortened chain');

  // Verify from the API process names the missing records and who wrote them.
  const report = conforms('verifyAudit', await request(app).get('/v1/audit/verify').set(bearer(h.tokens.vera)));
  assert.equal(report.ok, false);
  assert.deepEqual(report.problems.map((p: { kind: string; seq: number }) => [p.kind, p.seq]), [['head-missing', total - 4]]);
  assert.match(report.problems[0].message, new RegExp(`anchor of writer worker-1 names record ${total}`));
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { JobRecord } from '../../src/jobs/types.ts';
import { labDir, NO_LAB, startHarness, type Harness } from '../helpers/harness.ts';
import { as, waitForState } from '../helpers/jobs.ts';
import { fenceCounts, freeTargets, labSsh, vmPlacement } from '../helpers/lab-check.ts';
import { spawnWorker, type WorkerProcess } from '../helpers/worker-process.ts';

const dir = labDir();

/** Poll until `check` holds on the job record. */
async function waitForJob(h: Harness, id: string, what: string, check: (j: JobRecord) => boolean, timeoutMs = 60_000): Promise<JobRecord> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const j = (await h.services.store.get(id))!;
    if (check(j)) return j;
    if (Date.now() > end) throw new Error(`job ${id}: ${what} not reached (state ${j.state}, checkpoint ${JSON.stringify(j.checkpoint)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('workers: many jobs, several processes, crashes and Redis restarts', { skip: dir ? false : NO_LAB, timeout: 900_000 }, () => {
  let h: Harness;
  const workers: WorkerProcess[] = [];

  before(async () => {
    // Migrations and fences without approvals here: approvals are tested elsewhere; this is about running.
    h = await startHarness({
      approvals: { operations: { 'vm.migrate': { required: 0 }, 'node.fence': { required: 0 } } },
      worker: { concurrency: 4, lockDurationMs: 4000, stalledIntervalMs: 2000 },
    } as never);
  });
  after(async () => {
    for (const w of workers) await w.stop();
    await h?.stop();
  });

  test('two worker processes, 24 migrations over 4 VMs: each runs once, one at a time per VM, last request wins', async () => {
    workers.push(await spawnWorker(h, 'a'), await spawnWorker(h, 'b'));
    const otto = await as(h, 'otto');
    // VMs that move without placement rules getting in the way (freeTargets); vm6 cannot
    // live-migrate, so its moves are stop + start, asked for with allowRestart.
    const vms = ['vm1', 'vm2', 'vm5', 'vm6'];
    const start = vmPlacement(dir!);
    const wanted: Record<string, string> = {};
    const ids: { id: string; vm: string }[] = [];
    // Each VM alternates between two nodes it may go to, the first not its own.
    const targets: Record<string, string[]> = {};
    for (const vm of vms) {
      const free = freeTargets(dir!, vm);
      targets[vm] = free.length >= 2 ? free.slice(0, 2) : [free[0]!, start[vm]![0]!];
    }
    // Six rounds of one request per VM, sent together; rounds in order, so each VM's requests keep theirs
    // (each migration waits for the cluster to settle, so a round takes ~9 s: six keep the suite in budget).
    for (let round = 0; round < 6; round++) {
      const batch = vms.map((vm) => ({ vm, node: targets[vm]![round % 2]!, ...(vm === 'vm6' ? { allowRestart: true } : {}) }));
      const jobs = await Promise.all(batch.map((b) => h.services.jobs.submit(otto, { operation: 'vm.migrate', params: b, reason: `load round ${round}` })));
      jobs.forEach((r, k) => {
        assert.ok('job' in r);
        ids.push({ id: r.job.id, vm: batch[k]!.vm });
        wanted[batch[k]!.vm] = batch[k]!.node;
      });
    }
    const done: JobRecord[] = [];
    for (const { id } of ids) done.push(await waitForState(h, id, ['succeeded', 'failed'], 600_000));
    for (const j of done) assert.equal(j.state, 'succeeded', `${j.id} ${JSON.stringify(j.error)}`);
    // Exactly once: one transition to running per job in the audit log.
    const running = (await h.services.audit.query({ event: 'job.state', limit: 1000 })).records.filter((r) => (r.details as { to?: string }).to === 'running');
    for (const { id } of ids) assert.equal(running.filter((r) => r.jobId === id).length, 1, `${id} ran once`);
    // Never two jobs on one VM at once, and in request order.
    for (const vm of Object.keys(wanted)) {
      const mine = done.filter((j) => j.params.vm === vm);
      for (let k = 1; k < mine.length; k++) {
        assert.ok(Date.parse(mine[k]!.startedAt!) >= Date.parse(mine[k - 1]!.finishedAt!), `${vm}: job ${k} started after job ${k - 1} finished`);
      }
    }
    const end = vmPlacement(dir!);
    assert.deepEqual(Object.fromEntries(vms.map((vm) => [vm, end[vm]![0]])), wanted);
    assert.doesNotMatch(labSsh(dir!, 'node1', ['cibadmin', '-Q', '-o', 'constraints']), /cli-prefer/);
  });

  test('kill -9 of the worker at several points of a migration: another worker completes it', async () => {
    for (const w of workers.splice(0)) await w.stop();
    const otto = await as(h, 'otto');
    const points: [string, (j: JobRecord) => boolean][] = [
      ['just started', (j) => j.state === 'running'],
      ['after the move was sent', (j) => j.checkpoint.moveSent === true],
      ['after the constraint was cleared', (j) => j.checkpoint.cleared === true],
    ];
    for (const [label, point] of points) {
      const a = await spawnWorker(h, 'victim');
      const vm = 'vm2';
      const to = freeTargets(dir!, vm)[0]!;
      const r = await h.services.jobs.submit(otto, { operation: 'vm.migrate', params: { vm, node: to }, reason: `crash ${label}` });
      assert.ok('job' in r);
      await waitForJob(h, r.job.id, label, point);
      await a.kill();
      const b = await spawnWorker(h, 'rescuer');
      const done = await waitForState(h, r.job.id, ['succeeded', 'failed'], 120_000);
      await b.stop();
      assert.equal(done.state, 'succeeded', `${label}: ${JSON.stringify(done.error)}`);
      assert.deepEqual(vmPlacement(dir!)[vm], [to], label);
      assert.doesNotMatch(labSsh(dir!, 'node1', ['cibadmin', '-Q', '-o', 'constraints']), new RegExp(`cli-prefer-${vm}`));
    }
  });

  test('kill -9 during a fence: completed by another worker, exactly one fence in the history', async () => {
    const otto = await as(h, 'otto');
    for (const [label, point] of [
      ['after the intent was recorded', (j: JobRecord) => typeof j.checkpoint.fenceIntentAt === 'number'],
      ['after the fence was confirmed', (j: JobRecord) => j.checkpoint.fenced === true],
    ] as const) {
      const before = fenceCounts(dir!, 'node3');
      const a = await spawnWorker(h, 'victim');
      const r = await h.services.jobs.submit(otto, { operation: 'node.fence', params: { node: 'node3' }, reason: `crash ${label}` });
      assert.ok('job' in r);
      await waitForJob(h, r.job.id, label, point, 120_000);
      await a.kill();
      const b = await spawnWorker(h, 'rescuer');
      const done = await waitForState(h, r.job.id, ['succeeded', 'failed'], 300_000);
      await b.stop();
      assert.equal(done.state, 'succeeded', `${label}: ${JSON.stringify(done.error)}`);
      const afterKill = fenceCounts(dir!, 'node3');
      assert.equal(afterKill.requested - before.requested, 1, `${label}: exactly one fence requested`);
      assert.equal(afterKill.physical - before.physical, 1, `${label}: exactly one fence done`);
    }
  });

  test('SIGTERM during a migration: the worker finishes the job, then exits cleanly', async () => {
    const otto = await as(h, 'otto');
    const w = await spawnWorker(h, 'graceful');
    const vm = 'vm1';
    const to = freeTargets(dir!, vm)[0]!;
    const r = await h.services.jobs.submit(otto, { operation: 'vm.migrate', params: { vm, node: to }, reason: 'sigterm' });
    assert.ok('job' in r);
    await waitForJob(h, r.job.id, 'move sent', (j) => j.checkpoint.moveSent === true);
    const exited = new Promise<number | null>((resolve) => w.child.once('exit', (code) => resolve(code)));
    w.child.kill('SIGTERM');
    assert.equal(await exited, 0, 'the worker exits 0 after finishing');
    const done = (await h.services.store.get(r.job.id))!;
    assert.equal(done.state, 'succeeded', 'finished before the worker exited');
    assert.equal(done.attempts, 1);
    assert.deepEqual(vmPlacement(dir!)[vm], [to]);
  });

  test('a job stored but never queued (crash between the two) is picked up when a worker starts', async () => {
    const otto = await as(h, 'otto');
    // Make the record exactly as submit would, then "crash" before the queue add: remove it from BullMQ.
    const r = await h.services.jobs.submit(otto, { operation: 'resource.cleanup', params: { resource: 'vm6' }, reason: 'lost enqueue' });
    assert.ok('job' in r);
    const q = h.services.queues.get('jobs-lab');
    await q.remove(r.job.id);
    assert.equal(await q.getJob(r.job.id), undefined);
    const w = await spawnWorker(h, 'reconciler');
    try {
      const done = await waitForState(h, r.job.id, ['succeeded', 'failed'], 60_000);
      assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
    } finally {
      await w.stop();
    }
  });

  test('Redis restarted (AOF) while jobs are queued: all come back and run', async () => {
    const otto = await as(h, 'otto');
    const ids: string[] = [];
    for (const vm of ['vm1', 'vm4', 'vm5']) {
      const r = await h.services.jobs.submit(otto, { operation: 'vm.migrate', params: { vm, node: freeTargets(dir!, vm)[0]! }, reason: 'aof' });
      assert.ok('job' in r);
      ids.push(r.job.id);
    }
    const cleanup = await h.services.jobs.submit(otto, { operation: 'resource.cleanup', params: { resource: 'vm6' }, reason: 'aof' });
    assert.ok('job' in cleanup);
    ids.push(cleanup.job.id);
    await h.redis.restart();
    const w = await spawnWorker(h, 'after-restart');
    workers.push(w);
    for (const id of ids) {
      const j = await waitForState(h, id, ['succeeded', 'failed'], 180_000);
      assert.equal(j.state, 'succeeded', `${id}: ${JSON.stringify(j.error)}`);
    }
    const v = await h.services.audit.verify();
    assert.equal(v.ok, true, JSON.stringify(v.problems));
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isHasfError } from '../../src/errors/index.ts';
import { startWorker, type RunningWorker } from '../../src/app/worker.ts';
import { labDir, NO_LAB, startHarness, type Harness } from '../helpers/harness.ts';
import { as, waitForState } from '../helpers/jobs.ts';
import { fenceCounts, freeTargets, vmPlacement } from '../helpers/lab-check.ts';
import { spawnWorker } from '../helpers/worker-process.ts';

const dir = labDir();
const code = (c: string) => (e: unknown) => isHasfError(e) && e.code === c;

describe('approvals through the job service, on the lab', { skip: dir ? false : NO_LAB, timeout: 300_000 }, () => {
  let h: Harness;
  let worker: RunningWorker;
  before(async () => {
    h = await startHarness({ approvals: { operations: { 'node.standby': { window: 1500 } } } } as never);
    worker = await startWorker(h.services);
  });
  after(async () => {
    await worker?.close();
    await h?.stop();
  });

  test('node.fence needs two approvals: self-approval refused and not counted, one person counts once, two others run it', async () => {
    // ada (admin) requests: she holds the approve permission, yet her own approval never counts.
    const ada = await as(h, 'ada');
    const before = fenceCounts(dir!, 'node3');
    const r = await h.services.jobs.submit(ada, { operation: 'node.fence', params: { node: 'node3' }, reason: 'hung kernel on node3', ticket: 'INC-1' });
    assert.ok('job' in r);
    assert.equal(r.job.approvalsRequired, 2);
    await assert.rejects(h.services.jobs.decide(ada, r.job.id, 'approve'), code('SELF_APPROVAL'));
    assert.equal((await h.services.store.get(r.job.id))!.approvals.length, 0);
    // anna approves through Slack, then again through her API token: she counts once.
    const annaSlack = await h.services.auth.fromSlack('UAPPROV01');
    await h.services.jobs.decide(annaSlack, r.job.id, 'approve');
    await assert.rejects(h.services.jobs.decide(await as(h, 'anna'), r.job.id, 'approve'), code('ALREADY_DECIDED'));
    let job = (await h.services.store.get(r.job.id))!;
    assert.equal(job.state, 'awaiting_approval');
    assert.equal(job.approvals.length, 1);
    // No command ran while waiting.
    assert.equal((await h.services.store.steps(r.job.id)).length, 0);
    await h.services.jobs.decide(await as(h, 'bert'), r.job.id, 'approve');
    job = await waitForState(h, r.job.id, ['succeeded', 'failed'], 180_000);
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
    const afterF = fenceCounts(dir!, 'node3');
    assert.equal(afterF.requested - before.requested, 1);
    const refused = (await h.services.audit.query({ jobId: r.job.id, event: 'approval.refused' })).records;
    assert.deepEqual(refused.map((x) => (x.details as { code: string }).code).sort(), ['ALREADY_DECIDED', 'SELF_APPROVAL']);
  });

  test('a requester who is an approver too cannot approve a migration either; they can cancel it', async () => {
    const ada = await as(h, 'ada');
    const r = await h.services.jobs.submit(ada, { operation: 'vm.migrate', params: { vm: 'vm4', node: freeTargets(dir!, 'vm4')[0]! }, reason: 'self' });
    assert.ok('job' in r);
    await assert.rejects(h.services.jobs.decide(ada, r.job.id, 'approve'), code('SELF_APPROVAL'));
    assert.equal((await h.services.store.get(r.job.id))!.approvals.length, 0);
    await h.services.jobs.cancel(ada, r.job.id);
    assert.equal((await h.services.store.get(r.job.id))!.state, 'cancelled');
  });

  test('one rejection ends the request; nothing runs', async () => {
    const from = vmPlacement(dir!).vm5![0]!;
    const r = await h.services.jobs.submit(await as(h, 'otto'), { operation: 'vm.migrate', params: { vm: 'vm5', node: freeTargets(dir!, 'vm5')[0]! }, reason: 'reject me' });
    assert.ok('job' in r);
    await h.services.jobs.decide(await as(h, 'anna'), r.job.id, 'reject', 'not during business hours');
    assert.equal((await h.services.store.get(r.job.id))!.state, 'rejected');
    await assert.rejects(h.services.jobs.decide(await as(h, 'bert'), r.job.id, 'approve'), code('JOB_NOT_PENDING'));
    assert.equal((await h.services.store.steps(r.job.id)).length, 0);
    assert.deepEqual(vmPlacement(dir!).vm5, [from]);
  });

  test('the approval window passes: expired by the timer, never runs, audited', async () => {
    const r = await h.services.jobs.submit(await as(h, 'otto'), { operation: 'node.standby', params: { node: 'node1' }, reason: 'expire me' });
    assert.ok('job' in r);
    const job = await waitForState(h, r.job.id, ['expired'], 20_000);
    assert.equal(job.state, 'expired');
    await assert.rejects(h.services.jobs.decide(await as(h, 'anna'), r.job.id, 'approve'), code('JOB_NOT_PENDING'));
    assert.equal((await h.services.store.steps(r.job.id)).length, 0);
    assert.equal((await h.services.audit.query({ jobId: r.job.id, event: 'job.expired' })).records.length, 1);
  });

  test('roles: a viewer cannot request, an operator cannot approve', async () => {
    await assert.rejects(h.services.jobs.submit(await as(h, 'vera'), { operation: 'resource.cleanup', params: { resource: 'vm1' }, reason: 'x' }), code('FORBIDDEN'));
    const r = await h.services.jobs.submit(await as(h, 'ada'), { operation: 'node.online', params: { node: 'node1' }, reason: 'x', dryRun: true }).catch((e) => e);
    assert.ok(isHasfError(r, 'ALREADY_THERE'));
    // vm6 has no allow-migrate on the lab: a move is stop + start, so it is asked for with allowRestart.
    const j = await h.services.jobs.submit(await as(h, 'ada'), { operation: 'vm.migrate', params: { vm: 'vm6', node: freeTargets(dir!, 'vm6')[0]!, allowRestart: true }, reason: 'roles' });
    assert.ok('job' in j);
    await assert.rejects(h.services.jobs.decide(await as(h, 'otto'), j.job.id, 'approve'), code('FORBIDDEN'));
    await h.services.jobs.cancel(await as(h, 'ada'), j.job.id);
    await assert.rejects(h.services.auth.fromBearer('Bearer hasf_' + 'x'.repeat(43)), code('UNAUTHENTICATED'));
  });

  test('audit store unavailable: the job runs not one command and fails with AUDIT_UNAVAILABLE', async () => {
    await worker.close();
    // A worker whose audit file sink can't be written (root ignores modes; /proc refuses new files).
    const w = await spawnWorker(h, 'no-audit', (c) => ({ ...c, audit: { ...c.audit, file: '/proc/hasf-audit-test/audit.jsonl' } }));
    try {
      const r = await h.services.jobs.submit(await as(h, 'otto'), { operation: 'resource.cleanup', params: { resource: 'vm1' }, reason: 'audit down' });
      assert.ok('job' in r);
      const job = await waitForState(h, r.job.id, ['failed', 'succeeded'], 60_000);
      assert.equal(job.state, 'failed');
      assert.equal(job.error?.code, 'AUDIT_UNAVAILABLE');
      assert.equal((await h.services.store.steps(r.job.id)).length, 0, 'no command ran');
    } finally {
      await w.stop();
      worker = await startWorker(h.services);
    }
  });
});

describe('change freeze and break-glass, on the lab', { skip: dir ? false : NO_LAB, timeout: 300_000 }, () => {
  let h: Harness;
  let worker: RunningWorker;
  before(async () => {
    const day = 86_400_000;
    const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
    h = await startHarness({
      approvals: { freezes: [{ name: 'year-end', zone: 'Europe/Berlin', from: iso(Date.now() - day), to: iso(Date.now() + day), operations: ['node.fence'] }] },
    } as never);
    worker = await startWorker(h.services);
  });
  after(async () => {
    await worker?.close();
    await h?.stop();
  });

  test('a freeze refuses fence; break-glass runs it, flagged and review-pending until an approver reviews', async () => {
    await assert.rejects(h.services.jobs.submit(await as(h, 'otto'), { operation: 'node.fence', params: { node: 'node2' }, reason: 'frozen' }), code('CHANGE_FREEZE'));
    await assert.rejects(h.services.jobs.submit(await as(h, 'otto'), { operation: 'node.fence', params: { node: 'node2' }, reason: 'I am not an admin at all', emergency: true }), code('FORBIDDEN'));
    await assert.rejects(h.services.jobs.submit(await as(h, 'ada'), { operation: 'node.fence', params: { node: 'node2' }, reason: 'short', emergency: true }), code('INVALID_INPUT'));
    const ada = await as(h, 'ada');
    const r = await h.services.jobs.submit(ada, { operation: 'node.fence', params: { node: 'node2' }, reason: 'node2 hung, VMs unreachable, on-call decision', emergency: true });
    assert.ok('job' in r);
    assert.equal(r.job.emergency, true);
    assert.equal(r.job.reviewPending, true);
    assert.equal(r.job.approvalsRequired, 0);
    const done = await waitForState(h, r.job.id, ['succeeded', 'failed'], 180_000);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
    const flagged = (await h.services.audit.query({ jobId: r.job.id, event: 'job.emergency' })).records;
    assert.equal(flagged.length, 1);
    assert.equal((flagged[0]!.details as { overriddenFreeze?: string }).overriddenFreeze, 'year-end');
    await assert.rejects(h.services.jobs.review(ada, r.job.id), code('SELF_APPROVAL'));
    await assert.rejects(h.services.jobs.review(await as(h, 'otto'), r.job.id), code('NOT_ELIGIBLE'));
    assert.equal((await h.services.store.get(r.job.id))!.reviewPending, true);
    const reviewed = await h.services.jobs.review(await as(h, 'anna'), r.job.id, 'justified');
    assert.equal(reviewed.reviewPending, false);
    assert.equal(reviewed.review?.person, 'anna');
    await assert.rejects(h.services.jobs.review(await as(h, 'bert'), r.job.id), code('ALREADY_DECIDED'));
    assert.equal((await h.services.audit.query({ jobId: r.job.id, event: 'job.reviewed' })).records.length, 1);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startWorker, type RunningWorker } from '../../src/app/worker.ts';
import { flattenResources } from '../../src/cluster/index.ts';
import { isHasfError } from '../../src/errors/index.ts';
import type { JobRecord } from '../../src/jobs/types.ts';
import { SEED } from '../../src/lab/shapes.ts';
import { labDir, NO_LAB, startHarness, type Harness } from '../helpers/harness.ts';
import { as, waitForState } from '../helpers/jobs.ts';
import { labConstraints, labCrmMon, labSsh, vmPlacement } from '../helpers/lab-check.ts';

const dir = labDir();
const NODES = ['node1', 'node2', 'node3'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Where a primitive (or each instance of a clone's) runs and in which role, per crm_mon on a node. */
function roles(id: string): { node: string; role: string }[] {
  const s = labCrmMon(dir!);
  return flattenResources(s.resources)
    .filter((r) => r.id === id)
    .flatMap((r) => r.nodes.map((node) => ({ node, role: r.role })));
}

/** Until the scheduler on the live CIB has nothing left to do (judged with crm_simulate on a node). */
async function labIdle(timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const out = labSsh(dir!, 'node1', ['crm_simulate', '--live-check', '--run', '--output-as=xml']);
    if (!/<rsc_action\b|<node_action\b/.test(out)) return;
    await sleep(300);
  }
  throw new Error('the lab cluster did not settle');
}

describe('truthful outcomes on the seed shape', { skip: dir ? false : NO_LAB, timeout: 900_000 }, () => {
  let h: Harness;
  let worker: RunningWorker;

  before(async () => {
    h = await startHarness();
    worker = await startWorker(h.services);
  });
  after(async () => {
    await worker?.close();
    await h?.stop();
  });

  async function submit(operation: string, params: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<JobRecord> {
    const r = await h.services.jobs.submit(await as(h, 'otto'), { operation, params, reason: 'truthful outcomes test', ...extra });
    assert.ok('job' in r);
    return r.job;
  }
  async function run(operation: string, params: Record<string, unknown>, timeoutMs = 180_000): Promise<JobRecord> {
    const job = await submit(operation, params);
    const approvers = ['anna', 'bert'] as const;
    for (let i = 0; i < job.approvalsRequired; i++) await h.services.jobs.decide(await as(h, approvers[i]!), job.id, 'approve');
    return waitForState(h, job.id, ['succeeded', 'failed'], timeoutMs);
  }

  test('the VM whose preference outweighs stickiness: refused before approval, naming the constraint and its score', async () => {
    const { vm, node: home, constraint, score } = SEED.preference;
    assert.deepEqual(vmPlacement(dir!)[vm], [home]);
    const to = NODES.find((n) => n !== home)!;
    const before = labConstraints(dir!);
    await assert.rejects(submit('vm.migrate', { vm, node: to }), (e) => {
      assert.ok(isHasfError(e, 'WOULD_MOVE_BACK'), String(e));
      assert.match(e.message, new RegExp(`${constraint} \\(${score} for ${home}\\) outweighs resource-stickiness 100`));
      assert.match(e.message, /keepConstraint/);
      assert.deepEqual(e.details.constraints, [{ id: constraint, score: String(score) }]);
      assert.deepEqual(e.details.endsOn, [home]);
      return true;
    });
    // Refused before anything ran: no job, the CIB untouched, the VM where it was.
    assert.equal((await h.services.jobs.list({})).jobs.length, 0);
    assert.equal(labConstraints(dir!), before);
    assert.deepEqual(vmPlacement(dir!)[vm], [home]);
    const refused = await h.services.audit.query({ event: 'job.refused' });
    assert.equal((refused.records.at(-1)!.details as { code: string }).code, 'WOULD_MOVE_BACK');
  });

  test('with keepConstraint (and a lifetime) it moves, stays, and the kept constraint is in the result and in the CIB', async () => {
    const { vm, node: home } = SEED.preference;
    const to = NODES.find((n) => n !== home)!;
    const job = await submit('vm.migrate', { vm, node: to, keepConstraint: true, lifetime: 'PT2H' });
    // The plan says what stays, and predicts the end state: the VM on the target.
    assert.deepEqual(job.plan.commands.map((c) => c.argv), [['crm_resource', '--move', '--resource', vm, '--node', to, '--lifetime', 'PT2H']]);
    assert.deepEqual(job.plan.prediction!.placement[vm], [to]);
    assert.ok(job.plan.warnings.some((w) => w.includes(`cli-prefer-${vm}`) && w.includes('PT2H')), JSON.stringify(job.plan.warnings));
    const approvers = ['anna'] as const;
    for (const a of approvers) await h.services.jobs.decide(await as(h, a), job.id, 'approve');
    const done = await waitForState(h, job.id, ['succeeded', 'failed']);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
    assert.match(done.result!.summary, new RegExp(`cli-prefer-${vm} is kept for PT2H`));
    assert.deepEqual((done.result!.details as { keptConstraint: unknown }).keptConstraint, { constraint: `cli-prefer-${vm}`, node: to, lifetime: 'PT2H' });
    // 30 s later it is still there, and the constraint with it (a lifetime makes it a rule).
    await sleep(30_000);
    assert.deepEqual(vmPlacement(dir!)[vm], [to]);
    assert.match(labConstraints(dir!), new RegExp(`id="cli-prefer-${vm}"`));
    // The wait was one step of the step log saying what it waited for and what the cluster did.
    const steps = await h.services.store.steps(done.id);
    const waits = steps.filter((s) => s.wait);
    assert.equal(waits.length, 1, JSON.stringify(steps.map((s) => [s.step, s.argv.join(' ')])));
    assert.match(waits[0]!.wait!.for, new RegExp(`${vm} Started on ${to}`));
    assert.match(waits[0]!.wait!.doing, new RegExp(`${vm}: migrate_to on ${home}.*${vm} Started ${to}`));
    assert.equal(waits[0]!.wait!.state, 'settled');
    assert.ok(!steps.some((s) => !s.wait && s.step === 'wait'), 'no command line per poll');
    // Put it back home for the next tests (clearing the kept constraint lets the preference act).
    labSsh(dir!, 'node1', ['crm_resource', '--clear', '--resource', vm]);
    const end = Date.now() + 60_000;
    while (vmPlacement(dir!)[vm]?.[0] !== home && Date.now() < end) await sleep(300);
    assert.deepEqual(vmPlacement(dir!)[vm], [home]);
    await labIdle();
  });
});

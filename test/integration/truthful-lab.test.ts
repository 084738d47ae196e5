import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startWorker, type RunningWorker } from '../../src/app/worker.ts';
import { isHasfError } from '../../src/errors/index.ts';
import type { JobRecord } from '../../src/jobs/types.ts';
import { SEED } from '../../src/lab/shapes.ts';
import { labDir, NO_LAB, startHarness, type Harness } from '../helpers/harness.ts';
import { as, waitForState } from '../helpers/jobs.ts';
import { labConstraints, labCrmMon, labSsh, vmPlacement } from '../helpers/lab-check.ts';

const dir = labDir();
const NODES = ['node1', 'node2', 'node3'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Where a primitive (or each instance of a clone's) runs and in which role, per crm_mon's XML on a node. */
function roles(id: string): { node: string; role: string }[] {
  const xml = labSsh(dir!, 'node1', ['crm_mon', '--output-as=xml']);
  return [...xml.matchAll(/<resource id="([^"]+)"[^>]*role="([^"]+)"[^>]*>\s*<node name="([^"]+)"/g)]
    .filter((m) => m[1] === id)
    .map((m) => ({ node: m[3]!, role: m[2]! }));
}

/** Where each primitive outside clones runs, per crm_mon on a node. */
function primitivePlacement(): Record<string, string[]> {
  const s = labCrmMon(dir!);
  const out: Record<string, string[]> = {};
  for (const r of s.resources.filter((x) => x.kind !== 'clone')) {
    for (const p of r.kind === 'group' ? (r.children ?? []) : [r]) out[p.id] = p.nodes;
  }
  return out;
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
    // Tests before these (fences, moves) may leave the cluster still moving things home.
    await labIdle(180_000);
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

  test('with keepConstraint (and a lifetime) it moves, stays, and the kept constraint is in the result and in the CIB', async (t) => {
    const { vm, node: home } = SEED.preference;
    const to = NODES.find((n) => n !== home)!;
    // However it ends, the kept constraint goes, so the preference acts again for the tests after this one.
    t.after(() => void labSsh(dir!, 'node1', ['crm_resource', '--clear', '--resource', vm]));
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

  test('a move that does not fit by utilization: refused with the scheduler\'s capacity figures', async () => {
    const { vm, size } = SEED.utilization.big;
    const small = SEED.utilization.small;
    const where = vmPlacement(dir!)[vm]!;
    assert.notDeepEqual(where, [small]);
    await assert.rejects(submit('vm.migrate', { vm, node: small }), (e) => {
      assert.ok(isHasfError(e, 'WOULD_NOT_MOVE'), String(e));
      assert.match(e.message, new RegExp(`${small} has memory \\d+ free of ${SEED.utilization.nodes[small]}; ${vm} needs ${size}`));
      return true;
    });
    assert.deepEqual(vmPlacement(dir!)[vm], where);
  });

  test('a migration into the group\'s node: the plan predicts what the group does, and the cluster does just that', async () => {
    const groupNode = roles(SEED.group.ip)[0]!.node;
    // vm2 must never share a node with web-grp; sent to the group's node, the group makes way.
    const vm = SEED.apart.vm;
    assert.notDeepEqual(vmPlacement(dir!)[vm], [groupNode]);
    const job = await submit('vm.migrate', { vm, node: groupNode });
    const p = job.plan.prediction!;
    assert.deepEqual(p.steps!.map((s) => s.change), [`move ${vm} to ${groupNode}`, `clear the move constraints of ${vm}`]);
    assert.deepEqual(p.placement[vm], [groupNode]);
    const groupTo = p.placement[SEED.group.ip]!;
    assert.equal(groupTo.length, 1);
    assert.notEqual(groupTo[0], groupNode, JSON.stringify(p.actions));
    assert.deepEqual(p.placement[SEED.group.service], groupTo);
    await h.services.jobs.decide(await as(h, 'anna'), job.id, 'approve');
    const done = await waitForState(h, job.id, ['succeeded', 'failed']);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
    assert.match(done.result!.summary, /no move constraint left; the cluster settled/);
    await sleep(3000);
    // What crm_mon shows is what the plan predicted, for every primitive outside the clones.
    const now = primitivePlacement();
    for (const [id, nodes] of Object.entries(now)) assert.deepEqual(nodes, p.placement[id], `${id}: predicted ${JSON.stringify(p.placement[id])}, crm_mon ${JSON.stringify(nodes)}`);
    assert.doesNotMatch(labConstraints(dir!), new RegExp(`cli-prefer-${vm}"`));
  });

  test('standby of the node with the promoted instance: the plan shows the demote and the promote, the cluster does them', async () => {
    const { primitive: db, node: preferred } = SEED.promotable;
    const promotedOn = () => roles(db).filter((r) => r.role === 'Promoted').map((r) => r.node);
    assert.deepEqual(promotedOn(), [preferred]);
    const sb = await submit('node.standby', { node: preferred });
    const acts = sb.plan.prediction!.actions.filter((a) => a.resource?.replace(/:\d+$/, '') === db);
    // The promoted instance leaves (a stop of a Promoted instance is its demote and stop).
    assert.ok(acts.some((a) => (a.action === 'demote' || (a.action === 'stop' && /Promoted/.test(a.detail ?? ''))) && a.node === preferred), JSON.stringify(acts));
    const promote = acts.find((a) => a.action === 'promote');
    assert.ok(promote?.node && promote.node !== preferred, JSON.stringify(acts));
    await h.services.jobs.decide(await as(h, 'anna'), sb.id, 'approve');
    // Whatever happens below, the node comes back for the tests after this one.
    const restore = () => labSsh(dir!, 'node1', ['crm_attribute', '--node', preferred, '--name', 'standby', '--update', 'off', '--lifetime', 'forever']);
    const done = await waitForState(h, sb.id, ['succeeded', 'failed'], 300_000).catch((e) => {
      restore();
      throw e;
    });
    if (done.state !== 'succeeded') restore();
    assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
    // crm_mon says what the plan said: promoted where the scheduler predicted.
    assert.deepEqual(promotedOn(), [promote.node]);
    assert.match(done.result!.summary, new RegExp(`${db} promoted on ${promote.node}`));
    // And back: online again, the promoted-role preference brings the promotion home, as predicted.
    const on = await submit('node.online', { node: preferred });
    const back = on.plan.prediction!.actions.filter((a) => a.resource?.replace(/:\d+$/, '') === db);
    assert.ok(back.some((a) => a.action === 'promote' && a.node === preferred), JSON.stringify(on.plan.prediction));
    await h.services.jobs.decide(await as(h, 'anna'), on.id, 'approve');
    const done2 = await waitForState(h, on.id, ['succeeded', 'failed'], 300_000);
    assert.equal(done2.state, 'succeeded', JSON.stringify(done2.error));
    assert.deepEqual(promotedOn(), [preferred]);
    assert.match(done2.result!.summary, new RegExp(`${db} promoted there`));
    await labIdle();
  });

  test('a preference added after approval: the job re-checks at its turn and fails before it moves anything', async () => {
    const vm = SEED.weakPreference.vm;
    const from = vmPlacement(dir!)[vm]![0]!;
    const to = NODES.find((n) => n !== from && n !== roles(SEED.group.ip)[0]!.node) ?? NODES.find((n) => n !== from)!;
    await worker.close();
    const job = await submit('vm.migrate', { vm, node: to });
    await h.services.jobs.decide(await as(h, 'anna'), job.id, 'approve');
    // Meanwhile an admin gives the VM a strong preference for where it is now.
    const xml = `<rsc_location id="test-pull-${vm}" rsc="${vm}" node="${from}" score="500"/>`;
    labSsh(dir!, 'node1', ['cibadmin', '--create', '--scope', 'constraints', '--xml-text', xml]);
    try {
      worker = await startWorker(h.services);
      const done = await waitForState(h, job.id, ['succeeded', 'failed']);
      assert.equal(done.state, 'failed');
      assert.equal(done.error?.code, 'WOULD_MOVE_BACK', JSON.stringify(done.error));
      assert.match(done.error!.message, new RegExp(`test-pull-${vm} \\(500 for ${from}\\) outweighs resource-stickiness 100`));
      // Only on a CIB copy (the prediction at its turn): never on the cluster.
      const moves = (await h.services.store.steps(job.id)).filter((s) => s.argv.includes('--move'));
      assert.ok(moves.every((s) => s.argv[0]!.startsWith('CIB_file=')), JSON.stringify(moves));
      assert.doesNotMatch(labConstraints(dir!), new RegExp(`cli-prefer-${vm}"`));
      assert.deepEqual(vmPlacement(dir!)[vm], [from]);
    } finally {
      labSsh(dir!, 'node1', ['cibadmin', '--delete', '--xml-text', `<rsc_location id="test-pull-${vm}"/>`]);
    }
  });
});

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CibFileExecutor, PacemakerDriver } from '../../src/cluster/index.ts';
import { rollingSchema } from '../../src/config/rolling.ts';
import { isHasfError } from '../../src/errors/index.ts';
import { vmMigrate } from '../../src/operations/vm-migrate.ts';
import { nodeFence } from '../../src/operations/node-fence.ts';
import type { ExecutionContext, OperationContext } from '../../src/operations/types.ts';
import { waitForCluster, waitForSettled } from '../../src/operations/wait-cluster.ts';
import { LocalExecutor } from '../../src/ssh/local-executor.ts';

// The real Pacemaker 2.1.5 tools on a CIB captured from the lab's seed shape (CIB_file=):
// the whole-sequence prediction, the refusals it leads to, and the settle probe.
// Where things run in the fixture: vm1 vm2 vm4 vm5 on node2, vm3 vm6 web-grp legacy-app on
// node3, db promoted on node1.
const fixture = join(import.meta.dirname, '../fixtures/truthful/seed.cib.xml');
const work = mkdtempSync(join(tmpdir(), 'hasf-truthful-'));
after(() => rmSync(work, { recursive: true, force: true }));

let n = 0;
function onCopy(edit?: (xml: string) => string): { drv: PacemakerDriver; file: string } {
  const file = join(work, `seed-${++n}.xml`);
  copyFileSync(fixture, file);
  if (edit) writeFileSync(file, edit(readFileSync(file, 'utf8')));
  return { drv: new PacemakerDriver({ name: 'lab', exec: new CibFileExecutor(new LocalExecutor(), file) }), file };
}

function ctxOf(drv: PacemakerDriver): OperationContext {
  const none = () => {
    throw new Error('not used here');
  };
  return { cluster: 'lab', jobId: 'test', pacemaker: drv, storageTargets: [], storage: none, onNode: none, rolling: rollingSchema.parse({}), status: () => drv.status() };
}

test('move then clear on one copy: vm3 comes back to node3; the refusal names vm3-prefers-node3 and its score', async () => {
  const { drv, file } = onCopy();
  const before = readFileSync(file, 'utf8');
  const p = await drv.predictSequence([{ kind: 'move', resource: 'vm3', node: 'node1' }, { kind: 'clear', resource: 'vm3' }]);
  assert.deepEqual(p.steps.map((s) => s.placement.vm3), [['node1'], ['node3']]);
  assert.deepEqual(p.steps[0]!.actions.map((a) => [a.action, a.from, a.to]), [['migrate', 'node3', 'node1']]);
  assert.deepEqual(p.steps[1]!.actions.map((a) => [a.action, a.from, a.to]), [['migrate', 'node1', 'node3']]);
  assert.deepEqual(p.placement.vm3, ['node3']);
  assert.equal(readFileSync(file, 'utf8'), before, 'the CIB is untouched');
  await assert.rejects(vmMigrate.preflight(ctxOf(drv), { vm: 'vm3', node: 'node1' }), (e) => {
    assert.ok(isHasfError(e, 'WOULD_MOVE_BACK'));
    assert.match(e.message, /^vm3 would not stay on node1: once its move constraint is cleared the cluster moves it back to node3 — vm3-prefers-node3 \(200 for node3\) outweighs resource-stickiness 100\./);
    assert.match(e.message, /keepConstraint .*--keep-constraint.*or remove vm3-prefers-node3 \(or lower it below the stickiness 100\)/);
    assert.deepEqual(e.details.constraints, [{ id: 'vm3-prefers-node3', score: '200' }]);
    return true;
  });
  // Kept, the move holds: nothing to refuse, and the plan says what stays.
  await vmMigrate.preflight(ctxOf(drv), { vm: 'vm3', node: 'node1', keepConstraint: true, lifetime: 'PT2H' });
  const plan = await vmMigrate.plan(ctxOf(drv), { vm: 'vm3', node: 'node1', keepConstraint: true, lifetime: 'PT2H' });
  assert.deepEqual(plan.commands.map((c) => c.argv), [['crm_resource', '--move', '--resource', 'vm3', '--node', 'node1', '--lifetime', 'PT2H']]);
  assert.deepEqual(plan.prediction!.placement.vm3, ['node1']);
  assert.equal(plan.prediction!.steps, undefined, 'one change: no step list');
  assert.match(plan.summary, /keeping the move constraint for PT2H; predicted end state: vm3 on node1/);
});

test('a lifetime without keepConstraint is refused with INVALID_INPUT saying how to write it', async () => {
  const { drv } = onCopy();
  await assert.rejects(vmMigrate.preflight(ctxOf(drv), { vm: 'vm1', node: 'node1', lifetime: 'PT2H' }), (e) => isHasfError(e, 'INVALID_INPUT') && /--keep-constraint --lifetime PT2H/.test(e.message));
});

test('utilization: vm4 (49152 MiB) does not fit node3 (32768): WOULD_NOT_MOVE with the scheduler\'s figures', async () => {
  const { drv } = onCopy();
  await assert.rejects(vmMigrate.preflight(ctxOf(drv), { vm: 'vm4', node: 'node3' }), (e) => {
    assert.ok(isHasfError(e, 'WOULD_NOT_MOVE'), String(e));
    assert.match(e.message, /node3 has memory \d+ free of 32768; vm4 needs 49152 \(placement-strategy utilization\)/);
    return true;
  });
});

test('a VM that stays where it is sent: the plan lists move and clear, its sequence and end state', async () => {
  const { drv } = onCopy();
  await vmMigrate.preflight(ctxOf(drv), { vm: 'vm1', node: 'node1' });
  const plan = await vmMigrate.plan(ctxOf(drv), { vm: 'vm1', node: 'node1' });
  assert.deepEqual(plan.commands.map((c) => c.argv), [
    ['crm_resource', '--move', '--resource', 'vm1', '--node', 'node1'],
    ['crm_resource', '--clear', '--resource', 'vm1'],
  ]);
  assert.deepEqual(plan.prediction!.steps!.map((s) => [s.change, s.actions.map((a) => a.text)]), [
    ['move vm1 to node1', ['vm1: migrate node2 → node1']],
    ['clear the move constraints of vm1', []],
  ]);
  assert.deepEqual(plan.prediction!.placement.vm1, ['node1']);
});

test('fence (reboot) predicts the end state: the node back, and what returns to it', async () => {
  const { drv } = onCopy();
  const plan = await nodeFence.plan(ctxOf(drv), { node: 'node3' });
  const steps = plan.prediction!.steps!;
  assert.deepEqual(steps.map((s) => s.change), ['fence node3 (reboot)', 'node3 back online']);
  assert.ok(steps[0]!.actions.some((a) => a.action === 'fence' && a.node === 'node3'));
  // vm3 prefers node3 above stickiness: once node3 is back it migrates home.
  assert.ok(steps[1]!.actions.some((a) => a.resource === 'vm3' && a.to === 'node3'), JSON.stringify(steps[1]));
  assert.deepEqual(plan.prediction!.placement.vm3, ['node3']);
});

/** An execution context on a CIB file: the wait's one step recorded, time real. */
function execCtx(drv: PacemakerDriver) {
  const waits: { what: string; updates: string[]; end?: { ok: boolean; doing: string } }[] = [];
  const ctx: ExecutionContext = {
    ...ctxOf(drv),
    checkpoint: {},
    saveCheckpoint: async () => undefined,
    step: async () => undefined,
    pausePoint: async () => undefined,
    beginWait: async (what) => {
      const w = { what, updates: [] as string[], end: undefined as { ok: boolean; doing: string } | undefined };
      waits.push(w);
      return { update: async (d) => void w.updates.push(d), end: async (o) => void (w.end = o) };
    },
    now: () => Date.now(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    signal: new AbortController().signal,
  };
  return { ctx, waits };
}

test('settle(): a settled CIB, one with an operation in flight, one with a transition to come', async () => {
  assert.equal((await onCopy().drv.settle()).settled, true);
  // vm1's last operation recorded pending (rc-code 193), as record-pending writes it while migrate_to runs.
  const pending = onCopy((x) => x.replace(/(<lrm_rsc_op id="vm1_last_0"[^>]*?)operation="[^"]*"([^>]*?)rc-code="0"/, '$1operation="migrate_to"$2rc-code="193"'));
  const p = await pending.drv.settle();
  assert.equal(p.settled, false);
  assert.deepEqual(p.inFlight.map((o) => [o.resource, o.operation]), [['vm1', 'migrate_to']]);
  const moved = onCopy();
  await moved.drv.move('vm1', 'node1');
  const m = await moved.drv.settle();
  assert.equal(m.settled, false);
  assert.deepEqual(m.remaining.map((a) => a.text), ['vm1: migrate node2 → node1']);
});

test('waitForSettled: one step; a settled cluster without the wanted state fails at once with what it shows', async () => {
  const { drv } = onCopy();
  const { ctx, waits } = execCtx(drv);
  const ok = await waitForSettled(ctx, 'vm3 Started on node3', (s) => (s.resources.find((r) => r.id === 'vm3')?.nodes[0] === 'node3' ? undefined : 'elsewhere'), 10_000, { resources: ['vm3'] });
  assert.equal(ok.status.resources.find((r) => r.id === 'vm3')?.nodes[0], 'node3');
  assert.equal(waits.length, 1);
  assert.deepEqual(waits[0]!.end, { ok: true, doing: 'vm3 Started node3' });
  const started = Date.now();
  await assert.rejects(
    waitForSettled(ctx, 'vm3 Started on node1', () => 'vm3 runs on node3, not node1', 60_000),
    (e) => isHasfError(e, 'VERIFY_FAILED') && e.message === 'The cluster settled without vm3 Started on node1: vm3 runs on node3, not node1.',
  );
  assert.ok(Date.now() - started < 5000, 'no waiting out the timeout');
  // A cluster that never settles is not judged: it times out saying what it is still doing.
  const busy = onCopy((x) => x.replace(/(<lrm_rsc_op id="vm1_last_0"[^>]*?)rc-code="0"/, '$1rc-code="193"'));
  const b = execCtx(busy.drv);
  await assert.rejects(waitForCluster(b.ctx, 'anything', () => true, 600), (e) => isHasfError(e, 'VERIFY_FAILED') && /did not settle within 1 s .*still busy: vm1: \w+ on node\d \(running\)/.test(e.message));
  assert.equal(b.waits[0]!.end?.ok, false);
});

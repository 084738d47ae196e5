import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startWorker, type RunningWorker } from '../../src/app/worker.ts';
import { isHasfError } from '../../src/errors/index.ts';
import type { JobRecord } from '../../src/jobs/types.ts';
import { labDir, NO_LAB, startHarness, type Harness } from '../helpers/harness.ts';
import { as, waitForState } from '../helpers/jobs.ts';
import { fenceCounts, labConstraints, labCrmMon, labSsh, vmPlacement } from '../helpers/lab-check.ts';

const dir = labDir();

describe('job engine on the lab', { skip: dir ? false : NO_LAB, timeout: 600_000 }, () => {
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

  async function submit(who: 'otto' | 'ada', operation: string, params: Record<string, unknown>, extra: Record<string, unknown> = {}) {
    const r = await h.services.jobs.submit(await as(h, who), { operation, params, reason: 'integration test', ...extra });
    assert.ok('job' in r);
    return r.job;
  }
  async function approveAll(job: JobRecord) {
    const approvers = ['anna', 'bert'] as const;
    for (let i = 0; i < job.approvalsRequired; i++) await h.services.jobs.decide(await as(h, approvers[i]!), job.id, 'approve');
  }
  function otherNode(vm: string): string {
    const where = vmPlacement(dir!)[vm]![0];
    return ['node1', 'node2', 'node3'].find((n) => n !== where)!;
  }

  test('vm.migrate: approved, live-migrated, constraint cleared, verified by crm_mon', async () => {
    const to = otherNode('vm1');
    const job = await submit('otto', 'vm.migrate', { vm: 'vm1', node: to });
    assert.equal(job.state, 'awaiting_approval');
    assert.equal(job.approvalsRequired, 1);
    // Approvers see exactly what will run: the move, then the clear of its constraint.
    assert.deepEqual(job.plan.commands.map((c) => c.argv), [
      ['crm_resource', '--move', '--resource', 'vm1', '--node', to],
      ['crm_resource', '--clear', '--resource', 'vm1'],
    ]);
    assert.ok(job.plan.prediction!.actions.some((a) => a.action === 'migrate' && a.resource === 'vm1' && a.to === to), JSON.stringify(job.plan.prediction));
    await approveAll(job);
    const done = await waitForState(h, job.id, ['succeeded', 'failed']);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
    assert.deepEqual(vmPlacement(dir!).vm1, [to]);
    assert.doesNotMatch(labConstraints(dir!), /cli-prefer-vm1/);
    // Live migration: the node's operation history holds migrate_from for vm1.
    assert.match(labSsh(dir!, to, ['cibadmin', '-Q', '-o', 'status']), /operation="migrate_from"[^>]*|migrate_from/);
    const steps = await h.services.store.steps(job.id);
    assert.ok(steps.some((s) => s.argv.includes('--move')));
    assert.ok(steps.some((s) => s.argv.includes('--clear')));
  });

  test('preflight refusals carry their code and run nothing', async () => {
    const s = labCrmMon(dir!);
    const vm2 = s.resources.find((r) => r.id === 'vm2')!;
    const cases: [string, Record<string, unknown>, string][] = [
      ['vm.migrate', { vm: 'vm9', node: 'node1' }, 'UNKNOWN_OBJECT'],
      ['vm.migrate', { vm: 'vm2', node: 'node7' }, 'UNKNOWN_OBJECT'],
      ['vm.migrate', { vm: 'vm2', node: vm2.nodes[0]! }, 'ALREADY_THERE'],
      ['vm.migrate', { vm: 'vm2; reboot', node: 'node1' }, 'INVALID_NAME'],
      ['vm.migrate', { vm: '-rf', node: 'node1' }, 'INVALID_NAME'],
      ['node.online', { node: 'node1' }, 'ALREADY_THERE'],
      ['lun.add', { target: 'store1', path: '/nonexistent/disk.img' }, 'BACKING_STORE_MISSING'],
      ['lun.add', { target: 'store9', sizeMiB: 8 }, 'UNKNOWN_OBJECT'],
      ['resource.cleanup', { resource: 'nosuch' }, 'UNKNOWN_OBJECT'],
    ];
    const before = JSON.stringify(vmPlacement(dir!));
    for (const [operation, params, code] of cases) {
      await assert.rejects(submit('otto', operation, params), (e) => isHasfError(e) && e.code === code, `${operation} ${JSON.stringify(params)} → ${code}`);
    }
    const { jobs } = await h.services.jobs.list({});
    assert.equal(jobs.filter((j) => j.operation !== 'vm.migrate' || j.params.vm !== 'vm1').length, 0, 'no job was created');
    assert.equal(JSON.stringify(vmPlacement(dir!)), before);
    // Every refusal is audited with its code, bad names included.
    const refused = await h.services.audit.query({ event: 'job.refused' });
    assert.deepEqual(refused.records.map((r) => (r.details as { code: string }).code), cases.map(([, , c]) => c));
  });

  test('the UNKNOWN_OBJECT refusal names the closest known names', async () => {
    await assert.rejects(submit('otto', 'vm.migrate', { vm: 'vm7', node: 'node1' }), (e) => isHasfError(e, 'UNKNOWN_OBJECT') && (e.details.closest as string[]).includes('vm1'));
  });

  test('dry runs of migrate, standby and fence predict with the scheduler and change nothing', async () => {
    const before = labSsh(dir!, 'node1', ['cibadmin', '-Q', '-o', 'configuration']);
    const placement = JSON.stringify(vmPlacement(dir!));
    const otto = await as(h, 'otto');
    const to = otherNode('vm1');
    const m = await h.services.jobs.submit(otto, { operation: 'vm.migrate', params: { vm: 'vm1', node: to }, reason: 'dry', dryRun: true });
    assert.ok('dryRun' in m);
    assert.ok(m.dryRun.plan.prediction!.actions.some((a) => a.action === 'migrate' && a.resource === 'vm1'));
    // vm3's preference outweighs stickiness: the dry run already says it would come back.
    await assert.rejects(h.services.jobs.submit(otto, { operation: 'vm.migrate', params: { vm: 'vm3', node: otherNode('vm3') }, reason: 'dry', dryRun: true }), (e) => isHasfError(e, 'WOULD_MOVE_BACK'));
    const sb = await h.services.jobs.submit(otto, { operation: 'node.standby', params: { node: 'node2' }, reason: 'dry', dryRun: true });
    assert.ok('dryRun' in sb);
    const onNode2 = Object.entries(vmPlacement(dir!)).filter(([, n]) => n.includes('node2')).map(([vm]) => vm);
    for (const vm of onNode2) assert.ok(!sb.dryRun.plan.prediction!.placement[vm]?.includes('node2'), `${vm} predicted off node2`);
    const f = await h.services.jobs.submit(otto, { operation: 'node.fence', params: { node: 'node3' }, reason: 'dry', dryRun: true });
    assert.ok('dryRun' in f);
    assert.equal(f.dryRun.approvalsRequired, 2);
    assert.ok(f.dryRun.plan.prediction!.actions.some((a) => a.action === 'fence' && a.node === 'node3'), JSON.stringify(f.dryRun.plan.prediction!.actions));
    assert.equal(labSsh(dir!, 'node1', ['cibadmin', '-Q', '-o', 'configuration']), before);
    assert.equal(JSON.stringify(vmPlacement(dir!)), placement);
  });

  test('node.standby then node.online', async () => {
    const sb = await submit('otto', 'node.standby', { node: 'node2' });
    await approveAll(sb);
    const done = await waitForState(h, sb.id, ['succeeded', 'failed'], 180_000);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
    let s = labCrmMon(dir!);
    const n2 = s.nodes.find((n) => n.name === 'node2')!;
    assert.equal(n2.standby, true);
    assert.equal(n2.resourcesRunning, 0);
    for (const nodes of Object.values(vmPlacement(dir!))) assert.ok(!nodes.includes('node2'));
    // Standby of node2 is done; standby of node1 is still allowed, but migrating to node2 is not.
    await assert.rejects(submit('otto', 'vm.migrate', { vm: 'vm4', node: 'node2' }), (e) => isHasfError(e, 'TARGET_STANDBY'));
    const on = await submit('otto', 'node.online', { node: 'node2' });
    await approveAll(on);
    const done2 = await waitForState(h, on.id, ['succeeded', 'failed'], 180_000);
    assert.equal(done2.state, 'succeeded', JSON.stringify(done2.error));
    s = labCrmMon(dir!);
    assert.equal(s.nodes.find((n) => n.name === 'node2')!.standby, false);
  });

  test('resource.cleanup needs no approval and runs', async () => {
    const job = await submit('otto', 'resource.cleanup', { resource: 'vm5' });
    assert.equal(job.state, 'queued');
    const done = await waitForState(h, job.id, ['succeeded', 'failed']);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
  });

  test('lun.add on store1: iscsi-ls lists it; the same backing store again adds nothing', async () => {
    const job = await submit('otto', 'lun.add', { target: 'store1', sizeMiB: 64 });
    await approveAll(job);
    const done = await waitForState(h, job.id, ['succeeded', 'failed']);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
    const lun = done.result!.details!.lun as number;
    const path = done.result!.details!.path as string;
    const storage = h.config.storage[0]!;
    const { execFileSync } = await import('node:child_process');
    const ls = execFileSync('iscsi-ls', ['-s', `iscsi://${storage.host}:3260/${storage.iqn}`], { encoding: 'utf8' });
    // tgt reports decimal megabytes rounded down: 64 MiB shows as 63M in iscsi-ls.
    assert.match(ls, new RegExp(`Lun:${lun}\\s+Type:DIRECT_ACCESS \\(Size:63M\\)`));
    const again = await submit('otto', 'lun.add', { target: 'store1', path });
    await approveAll(again);
    const done2 = await waitForState(h, again.id, ['succeeded', 'failed']);
    assert.equal(done2.state, 'succeeded', JSON.stringify(done2.error));
    assert.equal(done2.result!.details!.noop, true);
    assert.equal(done2.result!.details!.lun, lun);
    const ls2 = execFileSync('iscsi-ls', ['-s', `iscsi://${storage.host}:3260/${storage.iqn}`], { encoding: 'utf8' });
    assert.equal(ls2.match(/Lun:/g)!.length, ls.match(/Lun:/g)!.length);
  });

  test('node.fence: two approvals, fenced once, VMs restarted elsewhere, node back online', async () => {
    const before = vmPlacement(dir!);
    const fencesBefore = fenceCounts(dir!, 'node3');
    const onNode3 = Object.entries(before).filter(([, n]) => n.includes('node3')).map(([vm]) => vm);
    const job = await submit('otto', 'node.fence', { node: 'node3' });
    assert.equal(job.approvalsRequired, 2);
    await h.services.jobs.decide(await as(h, 'anna'), job.id, 'approve');
    assert.equal((await h.services.store.get(job.id))!.state, 'awaiting_approval');
    await h.services.jobs.decide(await as(h, 'bert'), job.id, 'approve');
    const done = await waitForState(h, job.id, ['succeeded', 'failed'], 300_000);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
    const fencesAfter = fenceCounts(dir!, 'node3');
    assert.equal(fencesAfter.requested - fencesBefore.requested, 1, 'exactly one fence requested');
    assert.equal(fencesAfter.physical - fencesBefore.physical, 1, 'exactly one fence done');
    const after = vmPlacement(dir!);
    for (const vm of onNode3) assert.equal(after[vm]!.length, 1, `${vm} running after the fence`);
    assert.ok(labCrmMon(dir!).nodes.find((n) => n.name === 'node3')!.online);
  });
});

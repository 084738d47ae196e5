import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { startWorker, type RunningWorker } from '../../src/app/worker.ts';
import type { AuditRecord } from '../../src/audit/types.ts';
import { isHasfError } from '../../src/errors/index.ts';
import { freezeSchema } from '../../src/approvals/index.ts';
import { ClusterAccess } from '../../src/jobs/cluster-access.ts';
import { JobService } from '../../src/jobs/service.ts';
import type { JobRecord } from '../../src/jobs/types.ts';
import { DroppingExecutors } from '../helpers/faults.ts';
import { labDir, NO_LAB, startHarness, type Harness } from '../helpers/harness.ts';
import { as, waitForState } from '../helpers/jobs.ts';
import { fenceCounts, labConstraints, labCrmMon, labSsh, vmPlacement } from '../helpers/lab-check.ts';

const dir = labDir();
const NODES = ['node1', 'node2', 'node3'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A VM (not one of `exceptVms`) and a node it does not run on (neither `avoid`), per crm_mon on the lab. */
function pickMove(avoid: string[] = [], exceptVms: string[] = []): { vm: string; from: string; to: string } {
  const placement = vmPlacement(dir!);
  for (const [vm, nodes] of Object.entries(placement)) {
    const from = nodes[0];
    if (nodes.length !== 1 || !from || avoid.includes(from) || exceptVms.includes(vm)) continue;
    const to = NODES.find((n) => n !== from && !avoid.includes(n));
    if (to) return { vm, from, to };
  }
  throw new Error(`no VM to move in ${JSON.stringify(placement)}`);
}

/** Until the lab has settled: every node online, every VM running on exactly one node. */
async function labSettled(timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < end) {
    try {
      const s = labCrmMon(dir!);
      const vms = s.resources.filter((r) => /^vm\d+$/.test(r.id));
      if (s.nodes.every((n) => n.online && !n.unclean) && vms.every((r) => r.active && !r.failed && r.nodes.length === 1)) return;
      last = JSON.stringify({ nodes: s.nodes.map((n) => [n.name, n.online]), vms: vms.map((r) => [r.id, r.nodes]) });
    } catch (e) {
      last = (e as Error).message;
    }
    await sleep(500);
  }
  throw new Error(`the lab did not settle: ${last}`);
}

/** Successful fences of `node` in the fencing history. */
function fencesDone(node: string): number {
  const xml = labSsh(dir!, 'node1', ['stonith_admin', '--history', node, '--verbose', '--output-as=xml']);
  return [...xml.matchAll(/<fence_event [^>]*status="success"/g)].length;
}

describe('turns, freezes, writes and timeouts on the lab', { skip: dir ? false : NO_LAB, timeout: 600_000 }, () => {
  const stops: (() => Promise<void>)[] = [];
  after(async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  });

  async function harness(overrides: Record<string, unknown> = {}): Promise<Harness> {
    const h = await startHarness(overrides as never);
    stops.push(() => h.stop());
    return h;
  }
  async function worker(h: Harness, access?: ClusterAccess): Promise<RunningWorker> {
    const w = await startWorker(access ? { ...h.services, access } : h.services);
    stops.push(() => w.close());
    return w;
  }
  async function submit(h: Harness, operation: string, params: Record<string, unknown>): Promise<JobRecord> {
    const r = await h.services.jobs.submit(await as(h, 'otto'), { operation, params, reason: 'turns test' });
    assert.ok('job' in r);
    return r.job;
  }
  async function approve(h: Harness, job: JobRecord): Promise<void> {
    const approvers = ['anna', 'bert'] as const;
    for (let i = 0; i < job.approvalsRequired; i++) await h.services.jobs.decide(await as(h, approvers[i]!), job.id, 'approve');
  }
  const audit = async (h: Harness, jobId: string, event: string): Promise<AuditRecord[]> => (await h.services.audit.query({ jobId, event: event as never, limit: 1000 })).records;
  /** What the worker ran for a job (the API's own planning reads and simulations are audited too, apart). */
  const ran = async (h: Harness, jobId: string, event: 'command.start' | 'command.result'): Promise<AuditRecord[]> => (await audit(h, jobId, event)).filter((r) => r.channel === 'worker');
  const argvOf = (r: AuditRecord) => (r.details as { argv: string[] }).argv;

  test('a freeze that starts after the request stops it at approval; one that starts after approval stops it at its turn', async () => {
    const h = await harness();
    const before = vmPlacement(dir!);
    const a = pickMove();
    const b = pickMove([], [a.vm]);
    const jobA = await submit(h, 'vm.migrate', { vm: a.vm, node: a.to });
    const jobB = await submit(h, 'vm.migrate', { vm: b.vm, node: b.to });
    // B is approved before the freeze, but no worker runs yet: its turn comes inside it.
    await approve(h, jobB);
    assert.equal((await h.services.store.get(jobB.id))!.state, 'queued');
    // The same services and Redis, with a configured freeze that begins a second from now
    // (as a weekend freeze begins on Friday at 18:00 while jobs wait).
    const freezeAt = Date.now() + 1000;
    const approvals = { ...h.config.approvals, freezes: freezeSchema.array().parse([{ name: 'test-freeze', zone: 'UTC', from: new Date(freezeAt).toISOString(), to: new Date(freezeAt + 3_600_000).toISOString(), operations: ['vm.migrate'] }]) };
    const s = h.services;
    const jobs = new JobService({ store: s.store, queues: s.queues, lines: s.lines, events: s.events, audit: s.audit, access: s.access, approvals });
    const frozen = { ...s, jobs, config: { ...h.config, approvals } };
    await sleep(freezeAt - Date.now() + 100);

    await assert.rejects(jobs.decide(await as(h, 'anna'), jobA.id, 'approve'), (e) => isHasfError(e, 'CHANGE_FREEZE') && /test-freeze/.test(e.message));
    const stoppedA = (await s.store.get(jobA.id))!;
    assert.equal(stoppedA.state, 'failed');
    assert.equal(stoppedA.error?.code, 'CHANGE_FREEZE');
    assert.deepEqual((await audit(h, jobA.id, 'approval.refused')).map((r) => (r.details as { code: string }).code), ['CHANGE_FREEZE']);

    const w = await startWorker(frozen);
    stops.push(() => w.close());
    const doneB = await waitForState(h, jobB.id, ['succeeded', 'failed'], 60_000);
    assert.equal(doneB.state, 'failed');
    assert.equal(doneB.error?.code, 'CHANGE_FREEZE', JSON.stringify(doneB.error));
    // Refused before anything ran: no command at all, and the VMs stayed put.
    assert.deepEqual(await s.store.steps(jobB.id), []);
    assert.deepEqual(await s.store.steps(jobA.id), []);
    const now = vmPlacement(dir!);
    assert.deepEqual([now[a.vm], now[b.vm]], [before[a.vm], before[b.vm]]);
  });

  test('a write whose connection drops after it was sent is not repeated elsewhere: the job decides from the cluster', async () => {
    const h = await harness();
    // The move on the cluster, not the one its preflight simulates on a CIB copy (CIB_file=).
    const faulty = new DroppingExecutors(h.services.pool, (argv, _host, o) => argv[0] === 'crm_resource' && argv.includes('--move') && !o?.env?.CIB_file);
    await worker(h, new ClusterAccess({ clusters: h.config.clusters, storage: h.config.storage }, faulty));
    const m = pickMove();
    const job = await submit(h, 'vm.migrate', { vm: m.vm, node: m.to });
    await approve(h, job);
    const done = await waitForState(h, job.id, ['succeeded', 'failed'], 120_000);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
    // The move was sent once, on one node; the connection was cut before its exit status came back.
    assert.equal(faulty.drops.length, 1);
    // (Moves on a CIB copy, CIB_file=…, are the prediction its preflight re-made at its turn.)
    const moves = (await ran(h, job.id, 'command.start')).filter((r) => argvOf(r).includes('--move') && !(r.details as { env?: { CIB_file?: string } }).env?.CIB_file);
    assert.equal(moves.length, 1, 'crm_resource --move ran once');
    const moveResult = (await ran(h, job.id, 'command.result')).find((r) => argvOf(r).includes('--move') && (r.details as { error?: string }).error)!;
    assert.equal((moveResult.details as { error: string }).error, 'COMMAND_OUTCOME_UNKNOWN');
    assert.equal((moveResult.details as { host: string }).host, faulty.drops[0]!.host);
    // The next attempt read the cluster (the move constraint was there) and carried on from it.
    assert.ok((await audit(h, job.id, 'job.step')).some((r) => (r.details as { phase: string; code?: string }).phase === 'retry' && (r.details as { code?: string }).code === 'COMMAND_OUTCOME_UNKNOWN'));
    assert.equal(done.attempts, 2);
    // What the cluster says: the VM runs on the target, and no move constraint is left.
    assert.deepEqual(vmPlacement(dir!)[m.vm], [m.to]);
    assert.doesNotMatch(labConstraints(dir!), new RegExp(`cli-prefer-${m.vm}"`));
  });

  test('fence node2 and migrate onto node2, approved together: never overlapping; the fence is sent once, never from node2', async () => {
    const h = await harness();
    // The fence's session is cut a second after stonith_admin started: it carries on in the fencer.
    const faulty = new DroppingExecutors(h.services.pool, (argv) => argv[0] === 'stonith_admin' && argv.includes('--reboot'), { whileRunning: true });
    await worker(h, new ClusterAccess({ clusters: h.config.clusters, storage: h.config.storage }, faulty));
    const m = pickMove(['node2']);
    const fencesBefore = fenceCounts(dir!, 'node2');
    const fence = await submit(h, 'node.fence', { node: 'node2' });
    const migrate = await submit(h, 'vm.migrate', { vm: m.vm, node: 'node2' });
    await approve(h, fence);
    await approve(h, migrate);
    const f = await waitForState(h, fence.id, ['succeeded', 'failed'], 300_000);
    const g = await waitForState(h, migrate.id, ['succeeded', 'failed'], 300_000);
    assert.equal(f.state, 'succeeded', JSON.stringify(f.error));

    // Sent once, from another node; the dropped session did not make it run twice.
    assert.equal(faulty.drops.length, 1);
    assert.notEqual(faulty.drops[0]!.host, 'node2');
    assert.equal(fenceCounts(dir!, 'node2').requested - fencesBefore.requested, 1, 'exactly one fence requested');
    const fenceCmds = (await h.services.store.steps(fence.id)).filter((s) => s.argv[0] === 'stonith_admin' && s.argv.includes('--reboot'));
    assert.deepEqual(fenceCmds.map((s) => s.host), [faulty.drops[0]!.host]);

    // Never overlapping: the migration's first command came after the fence job's last one.
    const fenceEnd = Math.max(...(await ran(h, fence.id, 'command.result')).map((r) => Date.parse(r.time)));
    const migrateStart = Math.min(...(await ran(h, migrate.id, 'command.start')).map((r) => Date.parse(r.time)));
    assert.ok(migrateStart >= fenceEnd, `migration started ${migrateStart - fenceEnd} ms after the fence's last command`);
    assert.ok(Date.parse(g.startedAt!) >= Date.parse(f.finishedAt!));

    // The migration re-checked at its turn: the cluster decides what it did.
    if (g.state === 'succeeded') {
      assert.deepEqual(vmPlacement(dir!)[m.vm], ['node2']);
    } else {
      assert.ok(['TARGET_OFFLINE', 'TARGET_UNCLEAN'].includes(g.error!.code), JSON.stringify(g.error));
      assert.ok(!(await h.services.store.steps(migrate.id)).some((s) => s.argv[0] === 'crm_resource' && s.argv.includes('--move')));
    }
    await labSettled();
  });

  test('a command that outlives JOB_TIMEOUT is killed on its node; the next job on the node waits until then', async () => {
    const h = await harness({ worker: { concurrency: 4, lockDurationMs: 5000, stalledIntervalMs: 5000, timeouts: { 'node.fence': '5s' } } });
    await worker(h);
    // A slow fence device, as IPMI or a busy PDU can be: the fencer waits 20 s before it acts.
    labSsh(dir!, 'node1', ['crm_resource', '--resource', 'fence-lab', '--set-parameter', 'pcmk_delay_base', '--parameter-value', '20s']);
    stops.push(async () => {
      labSsh(dir!, 'node1', ['crm_resource', '--resource', 'fence-lab', '--delete-parameter', 'pcmk_delay_base']);
    });
    await sleep(2000);
    const fencedBefore = fencesDone('node3');
    const requestedBefore = fenceCounts(dir!, 'node3').requested;
    const fence = await submit(h, 'node.fence', { node: 'node3' });
    await approve(h, fence);
    // node3 is online now, but the fence is in line before it: accepted, checked again at its turn.
    const next = await submit(h, 'node.online', { node: 'node3' });
    assert.match(next.plan.warnings[0]!, /checked again when its turn comes/);
    await approve(h, next);
    const f = await waitForState(h, fence.id, ['succeeded', 'failed'], 60_000);
    assert.equal(f.state, 'failed');
    assert.equal(f.error?.code, 'JOB_TIMEOUT', JSON.stringify(f.error));
    const took = Date.parse(f.finishedAt!) - Date.parse(f.startedAt!);
    assert.ok(took < 15_000, `the job ended ${took} ms after it started, without waiting for the 20 s fence`);

    // The killed stonith_admin is gone from the node that ran it (it would have run ~20 s).
    const cmd = (await h.services.store.steps(fence.id)).find((s) => s.argv[0] === 'stonith_admin' && s.argv.includes('--reboot'))!;
    assert.ok(cmd, 'stonith_admin was started');
    assert.notEqual(cmd.host, 'node3');
    const ps = labSsh(dir!, cmd.host, ['ps', '-eo', 'args']);
    assert.doesNotMatch(ps, /stonith_admin --reboot node3/);
    // Nothing started after the abort: the killed command was the job's last.
    const starts = await ran(h, fence.id, 'command.start');
    assert.deepEqual(argvOf(starts.at(-1)!), cmd.argv);

    // The next job on node3 started only once the timed-out one had really returned.
    const n = await waitForState(h, next.id, ['succeeded', 'failed'], 60_000);
    const killedAt = Math.max(...(await ran(h, fence.id, 'command.result')).map((r) => Date.parse(r.time)));
    assert.ok(Date.parse(n.startedAt!) >= Date.parse(f.finishedAt!) && Date.parse(n.startedAt!) >= killedAt);

    // The fencer still carries out the fence it accepted (the error says so): let it, and the lab recover.
    assert.match(f.error!.message, /may still happen/);
    const end = Date.now() + 90_000;
    while (fencesDone('node3') === fencedBefore && Date.now() < end) await sleep(1000);
    // (The fencer lists a request the cluster itself makes meanwhile beside ours: one fence, maybe two records.)
    assert.ok(fencesDone('node3') > fencedBefore, 'the fence the fencer accepted was carried out');
    assert.equal(fenceCounts(dir!, 'node3').requested - requestedBefore, 1, 'HASF sent one fence request');
    await labSettled(180_000);
  });
});

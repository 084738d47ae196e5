import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateToken, hashToken } from '../../src/auth/index.ts';
import { BUILT_HASF, startHasf, type HasfProcess } from './hasf-process.ts';
import { freeTargets, vmPlacement } from './lab-check.ts';
import { freePort } from './redis.ts';
import { startRedisCluster, startSentinelSet } from './redis-ha.ts';

// The scenario, on real replicated Redis: `hasf serve` and `hasf worker` as users
// run them (the compiled build), three migrations accepted and approved over REST, the
// primary (Sentinel) or the master of HASF's hash slot (Cluster) killed -9 while the first
// one runs. Every job must end as the cluster says (crm_mon on a node), nothing accepted
// before the kill may be missing, the audit chain must verify, and the processes must say
// it in two lines.
// Shared by test/integration/redis-failover.test.ts (asserts) and bench/failover (figures).

interface Topology {
  redis: Record<string, unknown>;
  /** kill -9 the node holding HASF's keys; resolves once a replica took over, with the seconds that took. */
  failover(): Promise<number>;
  stop(): Promise<void>;
}

/** What a failover cost, in seconds from the kill -9. */
export interface FailoverFigures {
  /** Until Sentinel / the cluster had promoted a replica. */
  promotedS: number;
  /** Until a job step written after the kill could be read back over REST. */
  resumedS: number;
}


interface Topology {
  redis: Record<string, unknown>;
  /** kill -9 the node holding HASF's keys; resolves once a replica took over, with the seconds that took. */
  failover(): Promise<number>;
  stop(): Promise<void>;
}

type ApiJob = { id: string; state: string; approvals: { person: string; decision: string }[]; steps?: { at: string; argv: string[] }[]; error?: unknown };

async function rideOut(dir: string, name: string, topology: () => Promise<Topology>): Promise<FailoverFigures> {
  const tmp = mkdtempSync(join(tmpdir(), `hasf-failover-${name}-`));
  const topo = await topology();
  const procs: HasfProcess[] = [];
  try {
    const tokens = { otto: generateToken(), anna: generateToken(), ada: generateToken() };
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const cfg = join(tmp, 'hasf.json');
    writeFileSync(
      cfg,
      JSON.stringify({
        redis: topo.redis,
        inventoryFile: join(dir, 'inventory.yaml'),
        api: { listen: `127.0.0.1:${port}`, dashboard: false },
        audit: { key: 'test-audit-key-0123456789', file: join(tmp, 'audit.jsonl') },
        people: [
          { name: 'otto', roles: ['operator'], tokenHashes: [hashToken(tokens.otto)] },
          { name: 'anna', roles: ['approver'], tokenHashes: [hashToken(tokens.anna)] },
          { name: 'ada', roles: ['admin'], tokenHashes: [hashToken(tokens.ada)] },
        ],
        worker: { concurrency: 4 },
      }),
    );
    // The compiled build, as production runs it.
    procs.push(await startHasf(['serve', '--config', cfg], { ready: /\[serve\] HASF API on/, bin: BUILT_HASF }));
    procs.push(await startHasf(['worker', '--config', cfg], { ready: /\[worker\] .* serving clusters/, bin: BUILT_HASF }));
    const call = async <T>(who: keyof typeof tokens, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
      const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as T };
    };

    // Three migrations, each to a node the VM is not on, accepted (202) and approved (200).
    const wanted: Record<string, string> = {};
    const ids: string[] = [];
    // VMs the lab's seed shape lets move freely (vm3 prefers its node: that case is tested elsewhere).
    for (const vm of ['vm1', 'vm2', 'vm5']) {
      const node = freeTargets(dir, vm)[0]!;
      wanted[vm] = node;
      const r = await call<ApiJob>('otto', 'POST', '/v1/jobs', { operation: 'vm.migrate', params: { vm, node }, reason: `failover test (${name})` });
      assert.equal(r.status, 202, JSON.stringify(r.body));
      ids.push(r.body.id);
    }
    for (const id of ids) {
      const r = await call<ApiJob>('anna', 'POST', `/v1/jobs/${id}/approvals`, { decision: 'approve', comment: 'ok' });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    }

    // Mid-job: the first migration has sent its move command.
    const deadline = Date.now() + 60_000;
    const stepCount = async () => (await Promise.all(ids.map(async (id) => (await call<ApiJob>('otto', 'GET', `/v1/jobs/${id}`)).body.steps?.length ?? 0))).reduce((a, b) => a + b, 0);
    for (;;) {
      const j = (await call<ApiJob>('otto', 'GET', `/v1/jobs/${ids[0]}`)).body;
      if (j.steps?.some((s) => s.argv?.includes('--move'))) break;
      assert.ok(!['succeeded', 'failed'].includes(j.state), `job ${ids[0]} ended (${j.state}) before the kill: nothing was in flight`);
      assert.ok(Date.now() < deadline, `job ${ids[0]} never reached its move (state ${j.state})`);
      await new Promise((r) => setTimeout(r, 25));
    }
    const stepsAtKill = await stepCount();
    const killedAt = Date.now();
    const failover = topo.failover();
    // Seconds until a job step written after the kill can be read back (the API rides out the failover too).
    let resumedS = NaN;
    for (;;) {
      if ((await stepCount()) > stepsAtKill) {
        resumedS = (Date.now() - killedAt) / 1000;
        break;
      }
      if (Date.now() > killedAt + 120_000) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const promotedS = await failover;

    const final: ApiJob[] = [];
    for (const id of ids) {
      for (;;) {
        const j = (await call<ApiJob>('otto', 'GET', `/v1/jobs/${id}`)).body;
        if (['succeeded', 'failed'].includes(j.state)) {
          final.push(j);
          break;
        }
        assert.ok(Date.now() < killedAt + 240_000, `job ${id} still ${j.state} four minutes after the kill`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    if (process.env.HASF_FAILOVER_LOG !== 'off') console.log(`[failover ${name}] replica promoted ${promotedS.toFixed(1)} s after the kill; next job step recorded ${resumedS.toFixed(1)} s after the kill`);

    for (const j of final) assert.equal(j.state, 'succeeded', `${j.id}: ${JSON.stringify(j.error)}`);
    const placed = vmPlacement(dir);
    for (const [vm, node] of Object.entries(wanted)) assert.deepEqual(placed[vm], [node], `${vm} per crm_mon`);
    // Every approval accepted before the kill is still on its job.
    for (const j of final) assert.deepEqual(j.approvals.map((a) => [a.person, a.decision]), [['anna', 'approve']], j.id);
    // The audit chain verifies (Redis and the file sink agree), with each job's creation and approval in it.
    const verify = await call<{ ok: boolean; problems: unknown[] }>('ada', 'GET', '/v1/audit/verify');
    assert.equal(verify.body.ok, true, JSON.stringify(verify.body.problems));
    for (const id of ids) {
      const recs = (await call<{ records: { event: string }[] }>('ada', 'GET', `/v1/audit?jobId=${id}&limit=500`)).body.records.map((r) => r.event);
      for (const e of ['job.created', 'approval.granted']) assert.ok(recs.includes(e), `${id}: ${e} missing from the audit log (${recs.join(', ')})`);
    }

    // Quiet: one line when Redis went, one when it came back; no stack traces.
    for (const p of procs) {
      const out = p.output();
      const which = /\[serve\]/.test(out) ? 'serve' : 'worker';
      assert.doesNotMatch(out, /Unhandled error event|^\s+at .+:\d+:\d+\)?$/m, `${which} printed a stack trace:\n${out}`);
      const lost = out.match(/\[redis\] connection lost/g)?.length ?? 0;
      const back = out.match(/\[redis\] back after/g)?.length ?? 0;
      assert.ok(lost <= 1 && back === lost, `${which}: ${lost} "lost" and ${back} "back" lines:\n${out}`);
      if (which === 'worker') assert.equal(lost, 1, `the worker must say Redis went away:\n${out}`);
    }
    return { promotedS, resumedS };
  } finally {
    for (const p of procs.reverse()) await p.stop();
    await topo.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Run the scenario on a fresh Sentinel set (primary, replica, three sentinels) or Redis
 * Cluster (three masters, three replicas, prefix {hasf}) against the lab in `dir`;
 * throws (assert) when a job failed, anything accepted went missing or a process was loud.
 */
export function rideOutFailover(dir: string, kind: 'sentinel' | 'cluster'): Promise<FailoverFigures> {
  if (kind === 'sentinel')
    return rideOut(dir, 'sentinel', async () => {
      const set = await startSentinelSet('hasf');
      return {
        redis: { prefix: 'hasf', sentinel: { name: set.name, sentinels: set.sentinels } },
        async failover() {
          const old = await set.killPrimary();
          return (await set.waitForNewPrimary(old)).ms / 1000;
        },
        stop: () => set.stop(),
      };
    });
  return rideOut(dir, 'cluster', async () => {
    const set = await startRedisCluster();
    return {
      redis: { prefix: '{hasf}', cluster: set.seeds },
      async failover() {
        const old = await set.masterOf('{hasf}');
        await set.kill(old);
        return (await set.waitForNewMaster('{hasf}', old)).ms / 1000;
      },
      stop: () => set.stop(),
    };
  });
}

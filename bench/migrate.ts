/**
 * vm.migrate on the lab: HASF's time above the cluster's own. Each round migrates the VM
 * that moves freely on the seed shape (vm1) to the next node twice: once as a HASF job
 * (no approval; queued → running → succeeded, with every command audited), once by hand
 * over the same SSH pool with no HASF around it — crm_resource --move, the cluster's
 * settle read in a tight loop, crm_resource --clear, the same again — which is as fast as
 * anyone can tell the cluster is done. The difference is HASF's overhead. The agents' own
 * time (exec-time of migrate_to, migrate_from, stop) is printed beside it.
 */
import { startWorker } from '../src/app/worker.ts';
import { percentile } from './common.ts';
import { PacemakerDriver } from '../src/cluster/index.ts';
import { FailoverExecutor } from '../src/ssh/index.ts';
import type { HostSpec } from '../src/ssh/types.ts';
import { startHarness } from '../test/helpers/harness.ts';
import { as, waitForState } from '../test/helpers/jobs.ts';

export interface MigrateBenchResult {
  rounds: number;
  /** The job's running time (the worker's own clock: turn taken → succeeded), ms. */
  jobMedianMs: number;
  /** The same migration by hand, settle read in a tight loop, ms. */
  byHandMedianMs: number;
  /** jobMedianMs − byHandMedianMs. */
  overheadMedianMs: number;
  overheadP90Ms: number;
  /** exec-time of the VM's operations in the job (migrate_to + migrate_from + stop), ms. */
  agentsMedianMs: number;
  /** Reads the job's waits made (settle probe + final status), median. */
  pollsMedian: number;
}

export async function benchMigrate(labDir: string, rounds = 10): Promise<MigrateBenchResult> {
  process.env.HASF_TEST_LAB_DIR = labDir;
  const h = await startHarness({ approvals: { operations: { 'vm.migrate': { required: 0 } } } } as never);
  const worker = await startWorker(h.services);
  const cluster = h.config.clusters[0]!;
  const byHand = new PacemakerDriver({ name: cluster.name, exec: new FailoverExecutor(cluster.name, cluster.nodes.map((n) => h.services.pool.executor(n as HostSpec))) });
  const vm = 'vm1';
  const nodes = cluster.nodes.map((n) => n.name);
  const where = async () => (await byHand.status()).resources.find((r) => r.id === vm)!.nodes[0]!;
  const next = (at: string) => nodes[(nodes.indexOf(at) + 1) % nodes.length]!;
  const settle = async () => {
    while (!(await byHand.settle()).settled) {
      /* as fast as the cluster can be read */
    }
    return byHand.status();
  };
  try {
    const otto = await as(h, 'otto');
    const job: number[] = [];
    const hand: number[] = [];
    const agents: number[] = [];
    const polls: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const r = await h.services.jobs.submit(otto, { operation: 'vm.migrate', params: { vm, node: next(await where()) }, reason: 'bench' });
      if (!('job' in r)) throw new Error('unexpected dry run');
      const done = await waitForState(h, r.job.id, ['succeeded', 'failed'], 120_000);
      if (done.state !== 'succeeded') throw new Error(`bench job failed: ${JSON.stringify(done.error)}`);
      job.push(done.timing!.totalMs);
      agents.push(Number(done.result!.details!.clusterMs));
      polls.push((await h.services.store.steps(done.id)).reduce((a, s) => a + (s.wait?.polls ?? 0), 0));

      const to = next(await where());
      const t0 = performance.now();
      await byHand.move(vm, to);
      await settle();
      await byHand.clear(vm);
      await settle();
      hand.push(performance.now() - t0);
    }
    const byHandMedianMs = percentile(hand, 0.5);
    const overhead = job.map((j) => j - byHandMedianMs);
    return {
      rounds,
      jobMedianMs: Math.round(percentile(job, 0.5)),
      byHandMedianMs: Math.round(byHandMedianMs),
      overheadMedianMs: Math.round(percentile(overhead, 0.5)),
      overheadP90Ms: Math.round(percentile(overhead, 0.9)),
      agentsMedianMs: Math.round(percentile(agents, 0.5)),
      pollsMedian: percentile(polls, 0.5),
    };
  } finally {
    await worker.close();
    await h.stop();
  }
}

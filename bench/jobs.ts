/**
 * Job engine figures on the lab: HASF's own overhead per job (job time minus its SSH
 * commands and its waits for the cluster) and queue pickup (queued → running with an
 * idle worker). Uses resource.cleanup (no approval) and vm.migrate jobs.
 */
import { startWorker } from '../src/app/worker.ts';
import { percentile } from './common.ts';
import { startHarness } from '../test/helpers/harness.ts';
import { as, waitForState } from '../test/helpers/jobs.ts';

export interface JobsBenchResult {
  jobs: number;
  overheadMedianMs: number;
  overheadP90Ms: number;
  pickupMedianMs: number;
  pickupP90Ms: number;
  commandsMedianMs: number;
}

/** Run `n` jobs one after the other against the lab whose dir is `labDir`. */
export async function benchJobs(labDir: string, n = 20): Promise<JobsBenchResult> {
  process.env.HASF_TEST_LAB_DIR = labDir;
  const h = await startHarness({ approvals: { operations: { 'vm.migrate': { required: 0 } } } } as never);
  const worker = await startWorker(h.services);
  try {
    const otto = await as(h, 'otto');
    const overhead: number[] = [];
    const pickup: number[] = [];
    const commands: number[] = [];
    const nodes = ['node1', 'node2', 'node3'];
    for (let i = 0; i < n; i++) {
      // Alternate a cleanup (few commands) and a migration (move, waits, clear, verify).
      let params: Record<string, unknown>;
      let operation: string;
      if (i % 2 === 0) {
        operation = 'resource.cleanup';
        params = { resource: 'vm6' };
      } else {
        const st = await h.services.access.pacemaker('lab').status();
        const at = st.resources.find((r) => r.id === 'vm1')!.nodes[0];
        operation = 'vm.migrate';
        params = { vm: 'vm1', node: nodes.find((x) => x !== at)! }; // vm1 moves freely on the seed shape
      }
      const r = await h.services.jobs.submit(otto, { operation, params, reason: 'bench' });
      if (!('job' in r)) throw new Error('unexpected dry run');
      const done = await waitForState(h, r.job.id, ['succeeded', 'failed'], 120_000);
      if (done.state !== 'succeeded') throw new Error(`bench job failed: ${JSON.stringify(done.error)}`);
      overhead.push(done.timing!.overheadMs);
      commands.push(done.timing!.commandsMs);
      pickup.push(Date.parse(done.startedAt!) - Date.parse(done.queuedAt!));
    }
    return {
      jobs: n,
      overheadMedianMs: percentile(overhead, 0.5),
      overheadP90Ms: percentile(overhead, 0.9),
      pickupMedianMs: percentile(pickup, 0.5),
      pickupP90Ms: percentile(pickup, 0.9),
      commandsMedianMs: percentile(commands, 0.5),
    };
  } finally {
    await worker.close();
    await h.stop();
  }
}

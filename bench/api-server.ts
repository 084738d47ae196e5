// The API process of the benchmark (spawned by bench/api.ts): real services on a real
// Redis, one cluster whose Pacemaker driver runs the real tools on a captured CIB once
// (status and the crm_simulate prediction) and then answers from that cache, so the
// figure is the API's own cost: auth, rate limit, validation, audit append (HMAC chain
// + fsync'ed file sink), job record, BullMQ enqueue, event publish.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer } from '../src/api/index.ts';
import { createServices } from '../src/app/services.ts';
import { CibFileExecutor, PacemakerDriver, type SimStep } from '../src/cluster/index.ts';
import { configSchema } from '../src/config/index.ts';
import { ClusterAccess, type ExecutorWrapper } from '../src/jobs/cluster-access.ts';
import { JobService } from '../src/jobs/service.ts';
import { LocalExecutor } from '../src/ssh/local-executor.ts';

/** Counts the real tool runs, so the bench can show none happen while it measures. */
class CountingExecutor extends LocalExecutor {
  runs = 0;
  override run(...a: Parameters<LocalExecutor['run']>) {
    this.runs++;
    return super.run(...a);
  }
}

/**
 * A driver that reads the cluster once and keeps the answer (the bench's only shortcut).
 * Every read the submit path makes is kept: the CIB, the status and each predicted
 * sequence (predict() goes through predictSequence()).
 */
class CachedDriver extends PacemakerDriver {
  private st?: ReturnType<PacemakerDriver['status']>;
  private raw?: ReturnType<PacemakerDriver['cib']>;
  private readonly preds = new Map<string, ReturnType<PacemakerDriver['predictSequence']>>();
  override cib() {
    return (this.raw ??= super.cib());
  }
  override status() {
    return (this.st ??= super.status());
  }
  override predictSequence(steps: SimStep[]) {
    const k = JSON.stringify(steps);
    let p = this.preds.get(k);
    if (!p) this.preds.set(k, (p = super.predictSequence(steps)));
    return p;
  }
}

class CachedAccess extends ClusterAccess {
  private driver?: CachedDriver;
  constructor(inv: ConstructorParameters<typeof ClusterAccess>[0], pool: ConstructorParameters<typeof ClusterAccess>[1], private readonly cib: string) {
    super(inv, pool);
  }
  override pacemaker(cluster: string, _wrap?: ExecutorWrapper): PacemakerDriver {
    this.cluster(cluster);
    return (this.driver ??= new CachedDriver({ name: cluster, exec: new CibFileExecutor(tools, this.cib), dialect: 'pacemaker-2' }));
  }
}

const tools = new CountingExecutor();
const dir = mkdtempSync(join(tmpdir(), 'hasf-bench-api-'));
const cib = join(dir, 'cib.xml');
copyFileSync(join(import.meta.dirname, '../test/fixtures/pacemaker/2.1.5/healthy.cib.xml'), cib);
const config = configSchema.parse({
  redis: { url: process.env.BENCH_REDIS_URL, prefix: 'hasf' },
  clusters: [{ name: 'bench', nodes: ['node1', 'node2', 'node3'].map((n) => ({ name: n, host: `${n}.invalid` })) }],
  people: JSON.parse(process.env.BENCH_PEOPLE!),
  audit: { key: 'bench-audit-key-0123456789', file: join(dir, 'audit.jsonl') },
  api: { rateLimitPerMinute: 1_000_000_000 },
});
const s = createServices(config);
const access = new CachedAccess({ clusters: config.clusters, storage: [] }, s.pool, cib);
s.access = access;
s.jobs = new JobService({ store: s.store, queues: s.queues, lines: s.lines, events: s.events, audit: s.audit, access, approvals: config.approvals });
const api = await startApiServer(s, { listen: '127.0.0.1:0' });
process.send!({ ready: api.url, startRss: process.memoryUsage().rss });
process.on('message', async (m: { cmd: string }) => {
  if (m.cmd === 'tool-runs') process.send!({ toolRuns: tools.runs });
  if (m.cmd === 'rss') {
    global.gc?.();
    process.send!({ rss: process.memoryUsage().rss, heap: process.memoryUsage().heapUsed, ext: process.memoryUsage().external, ab: process.memoryUsage().arrayBuffers });
  }
  if (m.cmd === 'stop') {
    await api.close();
    await s.close();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  }
});

import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { generateToken, hashToken } from '../src/auth/index.ts';
import { startRedis } from '../test/helpers/redis.ts';

/** One autocannon run. */
export interface RunFigures {
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

/** The API benchmark's figures, side by side with a bare Express handler. */
export interface ApiBenchResult {
  connections: number;
  durationS: number;
  post: { api: RunFigures; bare: RunFigures; ratio: number };
  get: { api: RunFigures; bare: RunFigures; ratio: number };
  apiRequestsServed: number;
  /** Real tool runs (cibadmin, crm_mon, crm_simulate) during the measured POST run: 0 when the cache holds. */
  toolRunsMeasured: number;
  apiRssMB: number;
  /** RSS of the API process when it started listening (tsx compiles the TypeScript in-process). */
  apiStartRssMB: number;
  measured: string;
}

const CONNECTIONS = 50;
const DURATION_S = Number(process.env.BENCH_API_SECONDS ?? 10);

// BENCH_API_PROF=1 writes a CPU profile of the API process to var/prof (open it in Chrome DevTools).
function spawnServer(file: string, env: Record<string, string>): Promise<{ child: ChildProcess; url: string; startRss: number }> {
  const child = fork(join(import.meta.dirname, file), [], { execArgv: ['--import', 'tsx', '--expose-gc', ...(process.env.BENCH_API_PROF && file === 'api-server.ts' ? ['--cpu-prof', '--cpu-prof-dir=var/prof'] : [])], env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (c) => reject(new Error(`${file} exited with ${c}`)));
    child.on('message', (m: { ready?: string; startRss?: number }) => m.ready && resolve({ child, url: m.ready, startRss: m.startRss ?? 0 }));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.removeAllListeners('exit');
  const exited = once(child, 'exit');
  child.send({ cmd: 'stop' });
  const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(t);
}

async function run(opts: autocannon.Options): Promise<RunFigures> {
  const r = await autocannon({ connections: CONNECTIONS, duration: DURATION_S, ...opts });
  return {
    requests: r.requests.total,
    rps: Math.round(r.requests.average),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

/**
 * Benchmark the REST API against a bare Express handler on this machine with autocannon
 * over loopback (50 connections, each server in its own process): POST /v1/jobs and
 * GET /v1/jobs/{id}, then the API process's RSS after at least 100,000 requests.
 */
export async function benchApi(): Promise<ApiBenchResult> {
  const redis = await startRedis(['--appendfsync', 'everysec']);
  const token = generateToken();
  const people = [{ name: 'otto', roles: ['operator'], tokenHashes: [hashToken(token)] }];
  const children: ChildProcess[] = [];
  try {
    const api = await spawnServer('api-server.ts', { BENCH_REDIS_URL: redis.url, BENCH_PEOPLE: JSON.stringify(people) });
    children.push(api.child);
    const bare = await spawnServer('bare-server.ts', {});
    children.push(bare.child);
    const body = JSON.stringify({ operation: 'vm.migrate', params: { vm: 'vm1', node: 'node3' }, reason: 'bench: drain node2', ticket: 'CHG-BENCH' });
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const post = (url: string) => run({ url: `${url}/v1/jobs`, method: 'POST', headers, body });
    // Warm up both (JIT, connection pools, the cached cluster read) before measuring.
    await autocannon({ url: `${api.url}/v1/jobs`, method: 'POST', headers, body, connections: 10, amount: 2000 });
    await autocannon({ url: `${bare.url}/v1/jobs`, method: 'POST', headers, body, connections: 10, amount: 2000 });
    let served = 2000;
    const toolRuns = async () => {
      api.child.send({ cmd: 'tool-runs' });
      for (;;) {
        const [m] = (await once(api.child, 'message')) as [{ toolRuns?: number }];
        if (m.toolRuns !== undefined) return m.toolRuns;
      }
    };
    const postBare = await post(bare.url);
    const runsBefore = await toolRuns();
    const postApi = await post(api.url);
    const toolRunsMeasured = (await toolRuns()) - runsBefore;
    served += postApi.requests;
    const created = await fetch(`${api.url}/v1/jobs`, { method: 'POST', headers, body });
    const id = ((await created.json()) as { id: string }).id;
    served += 1;
    const get = (url: string) => run({ url: `${url}/v1/jobs/${id}`, headers: { authorization: `Bearer ${token}` } });
    const getBare = await get(bare.url);
    const getApi = await get(api.url);
    served += getApi.requests;
    if (served < 100_000) {
      const more = await autocannon({ url: `${api.url}/v1/jobs/${id}`, headers: { authorization: `Bearer ${token}` }, connections: CONNECTIONS, amount: 100_000 - served });
      served += more.requests.total;
    }
    api.child.send({ cmd: 'rss' });
    const [{ rss, ...mem }] = (await once(api.child, 'message')) as [{ rss: number }];
    if (process.env.BENCH_DEBUG) console.error(mem);
    return {
      connections: CONNECTIONS,
      durationS: DURATION_S,
      post: { api: postApi, bare: postBare, ratio: +(postApi.rps / postBare.rps).toFixed(3) },
      get: { api: getApi, bare: getBare, ratio: +(getApi.rps / getBare.rps).toFixed(3) },
      apiRequestsServed: served,
      toolRunsMeasured,
      apiRssMB: Math.round(rss / 1048576),
      apiStartRssMB: Math.round(api.startRss / 1048576),
      measured:
        'POST /v1/jobs = vm.migrate request by an operator token: bearer auth, Redis rate-limit counter, openapi.yaml validation, ' +
        "params check, preflight + plan on the cluster model (the cluster's status and crm_simulate prediction are read once from a captured CIB with the real tools, then cached), " +
        "audit append (HMAC chain, Redis stream, fsync'ed JSONL sink), job record, approval-expiry timer in BullMQ, event publish; 202 with the job. " +
        'GET /v1/jobs/{id} = auth + rate limit + validation + job record, steps and callback deliveries from Redis. Bare = express.json() + res.json on the same routes. ' +
        'Redis with AOF appendfsync everysec.',
    };
  } finally {
    for (const c of children) await stop(c).catch(() => c.kill('SIGKILL'));
    await redis.stop();
  }
}

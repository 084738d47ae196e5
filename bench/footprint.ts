/**
 * Footprint of the processes users run, as they run them: `hasf serve` and `hasf worker`
 * from the compiled build (node dist/hasf.js, what the image and the units run) and from
 * the sources through tsx (node bin/hasf.js in a development checkout). RSS is read from
 * /proc at start (ready line + 2 s) and after load: 100,000 REST requests on the API and
 * jobs run by the worker meanwhile. Then the CLI's start: `--help`, and `status` against
 * the time the API takes for the same cluster read.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import { generateToken, hashToken } from '../src/auth/index.ts';
import { BUILT_HASF, startHasf, type HasfProcess } from '../test/helpers/hasf-process.ts';
import { percentile } from './common.ts';
import { freePort, startRedis } from '../test/helpers/redis.ts';

const ROOT = join(import.meta.dirname, '..');
const run = promisify(execFile);

/** How one way of running HASF fared. */
export interface VariantFigures {
  variant: 'compiled' | 'tsx';
  apiStartMB: number;
  /** 2 s after the last request. */
  apiAfterMB: number;
  /** 15 s after it: once V8's memory reducer (it starts 8 s after activity) has run. */
  apiSettledMB: number;
  /** The API's RSS after the load, split: anonymous (heap, malloc) and file-backed (mostly the node binary). */
  apiAfterAnonMB: number;
  apiAfterFileMB: number;
  workerStartMB: number;
  workerAfterMB: number;
  requests: number;
  jobs: number;
  /** Seconds until `hasf serve` printed its ready line. */
  apiReadyS: number;
}

/** CLI start-up, median of `runs` runs, ms. */
export interface CliFigures {
  variant: 'compiled' | 'tsx';
  helpMs: number;
  statusMs?: number;
  /** GET /v1/clusters/{c}/status from a warm client: the cluster read the CLI waits for. */
  clusterReadMs?: number;
}

export interface FootprintResult {
  variants: VariantFigures[];
  cli: CliFigures[];
  lab: boolean;
}

const rssMB = (pid: number) => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024);
const rssSplitMB = (pid: number) => {
  const st = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(st)?.[1] ?? 0);
  return { anon: Math.round(kb('RssAnon') / 1024), file: Math.round(kb('RssFile') / 1024) };
};
/** The mappings holding most of a process's RSS (smaps), for finding where memory went. */
function smapsTop(pid: number, n = 12): string[] {
  const by = new Map<string, { rss: number; anon: number }>();
  let cur = '';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      cur = head[1] || '[anon]';
      if (!by.has(cur)) by.set(cur, { rss: 0, anon: 0 });
      continue;
    }
    const m = /^(Rss|Anonymous):\s+(\d+) kB/.exec(line);
    if (m) by.get(cur)![m[1] === 'Rss' ? 'rss' : 'anon'] += Number(m[2]);
  }
  return [...by].sort((a, b) => b[1].rss - a[1].rss).slice(0, n).map(([k, v]) => `${(v.rss / 1024).toFixed(1).padStart(6)} MB (${(v.anon / 1024).toFixed(1)} anon)  ${k}`);
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How each variant is started: the same `hasf` arguments, a different entry. */
const ENTRY = { compiled: BUILT_HASF, tsx: join(ROOT, 'bin/hasf.js') } as const;

async function timeMs(cmd: string, args: string[], env: Record<string, string>): Promise<number> {
  const t0 = performance.now();
  await run(cmd, args, { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: '', ...env } });
  return performance.now() - t0;
}

/** Measure both variants; `labDir` (a lab's dir) adds its cluster, status reads and jobs. */
export async function benchFootprint(o: { labDir?: string; requests?: number; jobs?: number; cliRuns?: number; variants?: ('compiled' | 'tsx')[]; smaps?: boolean } = {}): Promise<FootprintResult> {
  const total = o.requests ?? 100_000;
  const jobs = o.labDir ? (o.jobs ?? 12) : 0;
  const tmp = mkdtempSync(join(tmpdir(), 'hasf-footprint-'));
  const redis = await startRedis();
  const tokens = { otto: generateToken(), ada: generateToken() };
  const variants: VariantFigures[] = [];
  const cli: CliFigures[] = [];
  try {
    for (const variant of o.variants ?? (['compiled', 'tsx'] as const)) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const cfg = join(tmp, `hasf-${variant}.json`);
      writeFileSync(
        cfg,
        JSON.stringify({
          redis: { url: redis.url, prefix: `fp${variant}` },
          ...(o.labDir ? { inventoryFile: join(o.labDir, 'inventory.yaml') } : {}),
          api: { listen: `127.0.0.1:${port}`, rateLimitPerMinute: 10_000_000 },
          audit: { key: 'bench-audit-key-0123456789', file: join(tmp, `audit-${variant}.jsonl`) },
          people: [
            { name: 'otto', roles: ['operator'], tokenHashes: [hashToken(tokens.otto)] },
            { name: 'ada', roles: ['admin'], tokenHashes: [hashToken(tokens.ada)] },
          ],
        }),
      );
      const procs: HasfProcess[] = [];
      try {
        const t0 = performance.now();
        const api = await startHasf(['serve', '--config', cfg], { ready: /\[serve\] HASF API on/, bin: ENTRY[variant] });
        const apiReadyS = (performance.now() - t0) / 1000;
        procs.push(api);
        const worker = await startHasf(['worker', '--config', cfg], { ready: /\[worker\] .* serving clusters/, bin: ENTRY[variant] });
        procs.push(worker);
        await sleep(2000);
        const apiStartMB = rssMB(api.child.pid!);
        const workerStartMB = rssMB(worker.child.pid!);
        const auth = (who: keyof typeof tokens) => ({ authorization: `Bearer ${tokens[who]}`, 'content-type': 'application/json' });

        // Jobs for the worker (cleanups of the VMs: real commands, no approval), running while the API is loaded.
        const ids: string[] = [];
        for (let i = 0; i < jobs; i++) {
          const res = await fetch(`${url}/v1/jobs`, { method: 'POST', headers: auth('otto'), body: JSON.stringify({ operation: 'resource.cleanup', params: { resource: `vm${(i % 6) + 1}` }, reason: 'footprint bench' }) });
          if (res.status !== 202) throw new Error(`POST /v1/jobs: ${res.status} ${await res.text()}`);
          ids.push(((await res.json()) as { id: string }).id);
        }
        // The bulk: a job's record read back (as a ticketing system polls it), else the list.
        const jobPath = ids[0] ? `/v1/jobs/${ids[0]}` : '/v1/jobs?limit=20';
        const statusReads = o.labDir ? Math.min(500, Math.round(total * 0.02)) : 0;
        const lists = Math.round(total * 0.08);
        let served = 0;
        const load = async (path: string, amount: number, who: keyof typeof tokens = 'otto') => {
          if (amount <= 0) return;
          const r = await autocannon({ url: `${url}${path}`, headers: auth(who), connections: path.includes('/status') ? 4 : 50, amount });
          served += r.requests.total;
          if (r.non2xx) throw new Error(`${path}: ${r.non2xx} non-2xx answers`);
        };
        if (statusReads) await load('/v1/clusters/lab/status', statusReads);
        await load('/v1/jobs?limit=20', lists);
        await load(jobPath, total - statusReads - lists);
        // Every job ends (succeeded) before the worker's figure is taken.
        for (const id of ids) {
          for (;;) {
            const j = (await (await fetch(`${url}/v1/jobs/${id}`, { headers: auth('otto') })).json()) as { state: string; error?: unknown };
            if (j.state === 'succeeded') break;
            if (['failed', 'rejected', 'cancelled', 'expired'].includes(j.state)) throw new Error(`job ${id} ended ${j.state}: ${JSON.stringify(j.error)}`);
            await sleep(250);
          }
        }
        await sleep(2000);
        const apiAfterMB = rssMB(api.child.pid!);
        const split = rssSplitMB(api.child.pid!);
        const workerAfterMB = rssMB(worker.child.pid!);
        if (o.smaps) console.error(`${variant} hasf serve, 2 s after the load:\n  ${smapsTop(api.child.pid!).join('\n  ')}`);
        await sleep(13_000);
        variants.push({ variant, apiStartMB, apiAfterMB, apiSettledMB: rssMB(api.child.pid!), apiAfterAnonMB: split.anon, apiAfterFileMB: split.file, workerStartMB, workerAfterMB, requests: served, jobs: ids.length, apiReadyS: +apiReadyS.toFixed(2) });

        // The CLI against this API.
        const runs = o.cliRuns ?? 9;
        const help: number[] = [];
        for (let i = 0; i < runs; i++) help.push(await timeMs(process.execPath, [ENTRY[variant], '--help'], {}));
        const c: CliFigures = { variant, helpMs: Math.round(percentile(help, 0.5)) };
        if (o.labDir) {
          const status: number[] = [];
          const read: number[] = [];
          for (let i = 0; i < runs; i++) {
            const t0 = performance.now();
            const res = await fetch(`${url}/v1/clusters/lab/status`, { headers: auth('otto') });
            await res.arrayBuffer();
            read.push(performance.now() - t0);
            status.push(await timeMs(process.execPath, [ENTRY[variant], 'status', 'lab'], { HASF_API_URL: url, HASF_TOKEN: tokens.otto }));
          }
          c.statusMs = Math.round(percentile(status, 0.5));
          c.clusterReadMs = Math.round(percentile(read, 0.5));
        }
        cli.push(c);
      } finally {
        for (const p of procs.reverse()) await p.stop();
      }
    }
    return { variants, cli, lab: !!o.labDir };
  } finally {
    await redis.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

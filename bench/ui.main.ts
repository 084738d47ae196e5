// Prints the web console's figures: node --import tsx bench/ui.main.ts (BENCH_UI_SECONDS=5)
// - a job page (GET /ui/jobs/{id}: session check, job, steps, audit records, people, the
//   rendered page) against the same job over REST (GET /v1/jobs/{id});
// - fan-out: N people with the cluster picture open cost one status read per refresh, not N;
// - what a browser downloads.
import { get as httpGet } from 'node:http';
import autocannon from 'autocannon';
import { startApiServer } from '../src/api/index.ts';
import { bearer, startCibHarness } from '../test/helpers/api.ts';

const SECONDS = Number(process.env.BENCH_UI_SECONDS ?? 5);
const CONNECTIONS = 10;
const VIEWERS = 25;

// The per-token rate limit (600/min) would measure itself: lift it.
const h = await startCibHarness({ ui: { refreshSeconds: 1, checkSeconds: 3600 }, api: { rateLimitPerMinute: 100_000_000 } });
// Count what the console asks of the cluster (the same driver calls the REST API makes).
let statusReads = 0;
const access = h.services.access;
const pacemaker = access.pacemaker.bind(access);
access.pacemaker = (name, wrap) => {
  const d = pacemaker(name, wrap);
  const status = d.status.bind(d);
  d.status = () => (statusReads++, status());
  return d;
};
const api = await startApiServer(h.services, { listen: '127.0.0.1:0' });
try {
  const created = await fetch(`${api.url}/v1/jobs`, { method: 'POST', headers: { ...bearer(h.tokens.otto), 'content-type': 'application/json' }, body: JSON.stringify({ operation: 'vm.migrate', params: { vm: 'vm1', node: 'node3' }, reason: 'bench' }) });
  const id = ((await created.json()) as { id: string }).id;
  const form = await fetch(`${api.url}/ui/signin`);
  const pre = /hasf_signin=([^;]+)/.exec(form.headers.get('set-cookie') ?? '')![1]!;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
  const signed = await fetch(`${api.url}/ui/signin`, { method: 'POST', redirect: 'manual', headers: { cookie: `hasf_signin=${pre}`, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf, token: h.tokens.anna }) });
  const cookie = /hasf_session=[^;]+/.exec(signed.headers.get('set-cookie') ?? '')![0];
  const run = async (path: string, headers: Record<string, string>) => {
    await autocannon({ url: api.url + path, headers, connections: CONNECTIONS, amount: 300 });
    const r = await autocannon({ url: api.url + path, headers, connections: CONNECTIONS, duration: SECONDS });
    return { rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx };
  };
  const rest = await run(`/v1/jobs/${id}`, bearer(h.tokens.anna));
  const page = await run(`/ui/jobs/${id}`, { cookie, accept: 'text/html' });
  console.log(`${CONNECTIONS} connections, ${SECONDS} s per run, in one process with the server, loopback`);
  console.log(`GET /v1/jobs/{id}: ${rest.rps} req/s (p50 ${rest.p50} ms, p99 ${rest.p99} ms, non-2xx ${rest.non2xx})`);
  console.log(`GET /ui/jobs/{id}: ${page.rps} req/s (p50 ${page.p50} ms, p99 ${page.p99} ms, non-2xx ${page.non2xx}) = ${((page.rps / rest.rps) * 100).toFixed(1)} % of REST`);

  // Fan-out: VIEWERS open pictures for 6 s, refresh every second.
  const before = statusReads;
  const streams = await Promise.all(
    Array.from({ length: VIEWERS }, () => new Promise<{ events: number; close(): void }>((resolve) => {
      const s = { events: 0, close: () => req.destroy() };
      const req = httpGet(`${api.url}/ui/clusters/cib/live`, { headers: { cookie, accept: 'text/event-stream' } }, (res) => {
        res.on('data', (c: Buffer) => (s.events += (c.toString().match(/^event: sections/gm) ?? []).length));
        resolve(s);
      });
    })),
  );
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, 6000));
  const reads = statusReads - before;
  const events = streams.reduce((n, s) => n + s.events, 0);
  for (const s of streams) s.close();
  console.log(`${VIEWERS} pictures open for ${((Date.now() - t0) / 1000).toFixed(1)} s (refresh 1 s): ${reads} crm_mon reads in all (${(reads / VIEWERS).toFixed(2)} per viewer), ${events} updates sent`);

  const html = await (await fetch(`${api.url}/ui/jobs/${id}`, { headers: { cookie } })).text();
  const asset = async (re: RegExp) => (await (await fetch(api.url + re.exec(html)![1]!)).arrayBuffer()).byteLength;
  console.log(`a job page: ${html.length} bytes of HTML, ${await asset(/href="(\/ui\/assets\/console\.css[^"]*)"/)} bytes of CSS, ${await asset(/src="(\/ui\/assets\/console\.mjs[^"]*)"/)} bytes of script (no other request, nothing from outside)`);
} finally {
  await api.close();
  await h.stop();
}

// Prints the REST API figures: node --import tsx bench/api.main.ts (BENCH_API_SECONDS=10)
import { benchApi } from './api.ts';

const r = await benchApi();
const line = (name: string, x: { api: { rps: number; p50Ms: number; p99Ms: number; non2xx: number; errors: number }; bare: { rps: number; p99Ms: number }; ratio: number }, target: number) =>
  `${name}: API ${x.api.rps} req/s (p50 ${x.api.p50Ms} ms, p99 ${x.api.p99Ms} ms, non-2xx ${x.api.non2xx}, errors ${x.api.errors}) vs bare ${x.bare.rps} req/s (p99 ${x.bare.p99Ms} ms) = ${(x.ratio * 100).toFixed(1)} % (target >= ${target} %, p99 <= 50 ms)`;
console.log(`${r.connections} connections, ${r.durationS} s per run, loopback`);
console.log(line('POST /v1/jobs      ', r.post, 25));
console.log(line('GET /v1/jobs/{id}  ', r.get, 50));
console.log(`real tool runs during the measured POST run: ${r.toolRunsMeasured} (0: the captured cluster read and prediction were reused)`);
console.log(`API process RSS after ${r.apiRequestsServed} requests: ${r.apiRssMB} MB (target <= 150 MB; ${r.apiStartRssMB} MB at start)`);
console.log(`measured: ${r.measured}`);

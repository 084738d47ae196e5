// Prints the footprint figures (see footprint.ts): node --import tsx bench/footprint.main.ts
// With HASF_TEST_LAB_DIR set, the API reads the lab's status and the worker runs jobs on it.
// BENCH_FOOTPRINT_VARIANTS=compiled measures one variant; BENCH_FOOTPRINT_SMAPS=1 prints where the API's RSS is.
// Measures dist/ as built: `npm run build` first (npm run bench does).
import { benchFootprint } from './footprint.ts';

const r = await benchFootprint({ labDir: process.env.HASF_TEST_LAB_DIR, requests: Number(process.env.BENCH_FOOTPRINT_REQUESTS ?? 100_000),
  ...(process.env.BENCH_FOOTPRINT_VARIANTS ? { variants: process.env.BENCH_FOOTPRINT_VARIANTS.split(',') as ('compiled' | 'tsx')[] } : {}),
  smaps: !!process.env.BENCH_FOOTPRINT_SMAPS,
});
for (const v of r.variants) {
  console.log(
    `${v.variant.padEnd(8)} hasf serve: ${v.apiStartMB} MB RSS at start (ready in ${v.apiReadyS} s), ${v.apiAfterMB} MB 2 s after ${v.requests} requests (${v.apiAfterAnonMB} anonymous + ${v.apiAfterFileMB} file-backed), ${v.apiSettledMB} MB 15 s after; ` +
      `hasf worker: ${v.workerStartMB} MB at start, ${v.workerAfterMB} MB after ${v.jobs} jobs (target <= 100 MB each)`,
  );
}
for (const c of r.cli) {
  const status = c.statusMs === undefined ? '' : `; hasf status ${c.statusMs} ms, of which the API's cluster read ${c.clusterReadMs} ms: ${c.statusMs - c.clusterReadMs!} ms of CLI (target <= 150 ms)`;
  console.log(`${c.variant.padEnd(8)} hasf --help ${c.helpMs} ms (target <= 150 ms)${status}  [median of 9 runs]`);
}

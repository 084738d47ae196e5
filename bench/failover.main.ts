// Prints the failover figures: seconds from the kill -9 of the Redis node holding HASF's
// keys to the replica's promotion and to the next job step (the running job going on),
// for Sentinel and for Redis Cluster. The scenario is the redis-failover test's
// (test/helpers/failover.ts): it also fails when a job fails or anything accepted is lost.
// Needs the lab (HASF_TEST_LAB_DIR; npm run bench brings one up as root).
import { rideOutFailover } from '../test/helpers/failover.ts';

const dir = process.env.HASF_TEST_LAB_DIR;
if (!dir) {
  console.log('failover: skipped (needs the lab: run as root through npm run bench)');
  process.exit(0);
}
process.env.HASF_FAILOVER_LOG = 'off';
for (const kind of ['sentinel', 'cluster'] as const) {
  const r = await rideOutFailover(dir, kind);
  console.log(`failover ${kind.padEnd(8)}: replica promoted ${r.promotedS.toFixed(1)} s after the kill -9; next job step ${r.resumedS.toFixed(1)} s after the kill (three migrations, every one succeeded per crm_mon, audit chain verified)`);
}

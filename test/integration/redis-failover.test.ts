import { describe, it } from 'node:test';
import { rideOutFailover } from '../helpers/failover.ts';
import { labDir, NO_LAB } from '../helpers/harness.ts';

// Jobs ride out a Redis failover: the scenario and its checks are in helpers/failover.ts
// (bench/failover.main.ts prints the same run's seconds).
const dir = labDir();

describe('jobs ride out a Redis failover', { skip: dir ? false : NO_LAB, timeout: 600_000 }, () => {
  it('Sentinel (primary, replica, three sentinels): the primary killed -9 mid-job', async () => {
    await rideOutFailover(dir!, 'sentinel');
  });

  it('Redis Cluster (three masters, three replicas, prefix {hasf}): the master of the slot killed -9 mid-job', async () => {
    await rideOutFailover(dir!, 'cluster');
  });
});

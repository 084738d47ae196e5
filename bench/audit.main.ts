// Prints the audit figures against a throwaway redis-server (AOF appendfsync always):
//   node --import tsx bench/audit.main.ts [records] [inFlightPerWriter]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedis } from '../test/helpers/redis.ts';
import { benchAudit } from './audit.ts';

const records = Number(process.argv[2] ?? 100_000);
const inFlight = Number(process.argv[3] ?? 32);
const redis = await startRedis();
const dir = mkdtempSync(join(tmpdir(), 'hasf-audit-bench-'));
try {
  const r = await benchAudit(redis.url, dir, { records, inFlight });
  console.log(
    `audit: ${r.writers} writer processes x ${r.inFlightPerWriter} in flight, AOF always + file fdatasync: ` +
      `${r.appendPerSec} appends/s (target >= 2000); verify ${r.records} records: ${r.verifyMs} ms ` +
      `(target <= 2000), ${r.verified ? 'chain intact' : 'CHAIN BROKEN'}; ${r.meanBatch} records per batch, ` +
      `${r.conflictsPerBatch} lost races per batch`,
  );
} finally {
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
}

// A separate writer process for audit-concurrent.test.ts:
//   node --import tsx audit-writer.child.ts <redisUrl> <streamKey> <fileSink> <count> <inFlight> <writerName> [anchorDir]
// The HMAC key comes on stdin so it is not visible in the process list.
import { Redis } from 'ioredis';
import { AuditLog } from '../../src/audit/index.ts';

const [url, streamKey, fileSink, count, inFlight, name, anchorDir] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  string,
  string | undefined,
];
let key = '';
for await (const chunk of process.stdin) key += chunk;
const redis = new Redis(url);
const log = new AuditLog({ redis, key: key.trim(), streamKey, fileSink, anchorDir, writerId: name, timeoutMs: 30_000 });
let next = 0;
const total = Number(count);
async function lane(): Promise<void> {
  while (next < total) {
    const i = next++;
    await log.append({
      actor: name,
      channel: 'worker',
      jobId: `${name}-${i % 10}`,
      event: 'command.result',
      details: { i, exit: 0, argv: ['crm_mon', '-1'] },
    });
  }
}
await Promise.all(Array.from({ length: Number(inFlight) }, lane));
await log.close();
redis.disconnect();

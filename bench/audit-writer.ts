// One writer process of bench/audit.ts:
//   node --import tsx bench/audit-writer.ts <redisUrl> <streamKey> <fileSink> <count> <inFlight> <name>
// Reads the HMAC key as the first stdin line, prints "ready", waits for a "go" line,
// appends, then prints {"ms": …} and exits.
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { AuditLog } from '../src/audit/index.ts';

const [url, streamKey, fileSink, count, inFlight, name] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  string,
];
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const key = String((await lines.next()).value);
const redis = new Redis(url);
const log = new AuditLog({ redis, key, streamKey, fileSink, timeoutMs: 60_000 });
await redis.ping();
process.stdout.write('ready\n');
await lines.next();
const t0 = performance.now();
const total = Number(count);
let next = 0;
async function lane(): Promise<void> {
  while (next < total) {
    const i = next++;
    await log.append({
      actor: name,
      channel: 'worker',
      jobId: `job-${name}-${i % 50}`,
      event: i % 2 ? 'command.result' : 'command.start',
      details: {
        host: 'node1',
        argv: ['crm_resource', '--move', '--resource', `vm${i % 6}`, '--node', 'node2'],
        exit: 0,
        durationMs: 812,
        output: 'ok',
      },
    });
  }
}
await Promise.all(Array.from({ length: Number(inFlight) }, lane));
const ms = performance.now() - t0;
const stats = log.stats;
await log.close();
redis.disconnect();
process.stdout.write(JSON.stringify({ ms, ...stats }) + '\n');
process.stdin.destroy();

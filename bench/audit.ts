import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { AuditLog } from '../src/audit/index.ts';

const WRITER = fileURLToPath(new URL('./audit-writer.ts', import.meta.url));

/** Figures of one audit benchmark run. */
export interface AuditBenchResult {
  /** Records per second appended by all writers together (Redis AOF always + file fdatasync). */
  appendPerSec: number;
  /** Wall time of verify() over the whole stream. */
  verifyMs: number;
  /** Whether that verify found the chain intact. */
  verified: boolean;
  /** Records in the stream when verified. */
  records: number;
  writers: number;
  inFlightPerWriter: number;
  /** Records per Redis call (group commit at work). */
  meanBatch: number;
  /** Lost compare-and-append races per committed batch. */
  conflictsPerBatch: number;
}

/**
 * Append throughput with 4 writer processes (each its own connection and AuditLog, all
 * sharing one file sink in `dir`, each with `inFlight` appends outstanding), then
 * verify of the resulting stream (100,000 records by default).
 */
export async function benchAudit(
  redisUrl: string,
  dir: string,
  opts: { records?: number; writers?: number; inFlight?: number } = {},
): Promise<AuditBenchResult> {
  const writers = opts.writers ?? 4;
  const records = opts.records ?? 100_000;
  const inFlight = opts.inFlight ?? 32;
  const key = randomBytes(32).toString('hex');
  const streamKey = `bench:audit:${Date.now()}`;
  const file = join(dir, `${streamKey.replace(/:/g, '-')}.jsonl`);
  const per = Math.ceil(records / writers);

  const children: ChildProcess[] = [];
  try {
    const outs = [];
    for (let w = 0; w < writers; w++) {
      const c = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          WRITER,
          redisUrl,
          streamKey,
          file,
          String(per),
          String(inFlight),
          `w${w}`,
        ],
        {
          stdio: ['pipe', 'pipe', 'inherit'],
        },
      );
      children.push(c);
      c.stdin!.write(key + '\n');
      outs.push(createInterface({ input: c.stdout! })[Symbol.asyncIterator]());
    }
    // Start the clock only once every writer is loaded and connected.
    for (const o of outs)
      if ((await o.next()).value !== 'ready') throw new Error('audit bench writer failed to start');
    const t0 = performance.now();
    for (const c of children) c.stdin!.write('go\n');
    const done = await Promise.all(outs.map((o) => o.next()));
    const appendMs = performance.now() - t0;
    const stats = done.map(
      (d) => JSON.parse(String(d.value)) as { batches: number; records: number; conflicts: number },
    );
    const batches = stats.reduce((a, s) => a + s.batches, 0);
    const conflicts = stats.reduce((a, s) => a + s.conflicts, 0);
    const codes = await Promise.all(
      children.map(async (c) => (c.exitCode ?? (await once(c, 'exit'))[0]) as number),
    );
    if (codes.some((c) => c !== 0))
      throw new Error(`audit bench writers exited ${codes.join(',')}`);

    const redis = new Redis(redisUrl);
    try {
      const log = new AuditLog({ redis, key, streamKey, fileSink: file });
      const v0 = performance.now();
      const report = await log.verify();
      const verifyMs = performance.now() - v0;
      await redis.del(streamKey, `${streamKey}:head`);
      return {
        appendPerSec: Math.round((per * writers) / (appendMs / 1000)),
        verifyMs: Math.round(verifyMs),
        verified: report.ok && report.count === per * writers,
        records: report.count,
        writers,
        inFlightPerWriter: inFlight,
        meanBatch: Math.round((per * writers) / batches),
        conflictsPerBatch: Math.round((conflicts / batches) * 100) / 100,
      };
    } finally {
      redis.disconnect();
    }
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
}

// Prints Slack ack latency against the real HTTP receiver (Bolt + signature check +
// handlers) on a throwaway redis-server, the Web API at a local recorder:
//   node --import tsx bench/slack.main.ts [total] [concurrency]
// With HASF_TEST_LAB_DIR set, the commands' post-ack work runs against the lab.
import { createSlackDoor } from '../src/slack/index.ts';
import { startHarness } from '../test/helpers/harness.ts';
import { serveDoor, slackTestConfig, startSlackRecorder, type SlackRecorder } from '../test/helpers/slack.ts';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { SlackAckBenchOptions, SlackAckBenchResult } from './slack.ts';

/** Run the load generator in its own process (see slack-load.ts). */
async function benchSlackAck(o: SlackAckBenchOptions): Promise<SlackAckBenchResult> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bench/slack-load.ts', JSON.stringify(o)], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout) as SlackAckBenchResult;
}

/** Wait for every command's answer at its response_url; figures of request → answer, ms. */
async function answers(rec: SlackRecorder, tag: string, sentAt: number[]): Promise<{ p50: number; p99: number; max: number }> {
  const deadline = Date.now() + 120_000;
  const last = new Map<number, number>();
  for (;;) {
    for (const c of rec.of('response_url')) {
      const m = new RegExp(`^${tag}-(\\d+)$`).exec(String(c.args.id));
      if (m) last.set(Number(m[1]), Math.max(last.get(Number(m[1])) ?? 0, c.at));
    }
    if (last.size >= sentAt.length || Date.now() > deadline) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  if (last.size < sentAt.length) throw new Error(`${sentAt.length - last.size} of ${sentAt.length} commands (${tag}) got no answer within 2 minutes`);
  const s = sentAt.map((t, i) => last.get(i)! - t).sort((a, b) => a - b);
  const pct = (p: number) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!;
  return { p50: pct(0.5), p99: pct(0.99), max: s.at(-1)! };
}

const total = Number(process.argv[2] ?? 200);
const concurrency = Number(process.argv[3] ?? 20);
const rec = await startSlackRecorder();
const h = await startHarness({ slack: slackTestConfig(rec) });
const door = createSlackDoor(h.services, { log: () => {}, ...(process.env.BENCH_AFTER_ACK ? { afterAck: JSON.parse(process.env.BENCH_AFTER_ACK) } : {}) });
await door.start();
const srv = await serveDoor(door);
try {
  // Warm-up: JIT, connections, Bolt's first-event set-up; measured once its answers are in.
  const warm = await benchSlackAck({ url: srv.url, signingSecret: h.config.slack.signingSecret!, responseUrl: rec.responseUrl('warm'), total: 40, concurrency, ...(process.env.BENCH_SLACK_TEXTS ? { texts: process.env.BENCH_SLACK_TEXTS.split(',') } : {}) });
  await answers(rec, 'warm', warm.sentAt);
  const r = await benchSlackAck({ url: srv.url, signingSecret: h.config.slack.signingSecret!, responseUrl: rec.responseUrl('bench'), total, concurrency, users: ['UOPERAT01', 'UVIEWER01', 'UAPPROV01'], ...(process.env.BENCH_SLACK_TEXTS ? { texts: process.env.BENCH_SLACK_TEXTS.split(',') } : {}) });
  const answered = await answers(rec, 'bench', r.sentAt);
  console.log(
    `slack ack: ${r.total} slash commands, ${r.concurrency} concurrent from a separate process${h.config.clusters.length ? ' (post-ack work on the lab)' : ''}: ` +
      `p50 ${r.p50} ms, p90 ${r.p90} ms, p99 ${r.p99} ms, max ${r.max} ms (target p99 <= 100 ms, Slack's limit 3000 ms); ` +
      `${r.non200} non-200; wall ${r.wallMs} ms`,
  );
  console.log(`slack answer (request to its response_url post, the work done): p50 ${answered.p50} ms, p99 ${answered.p99} ms, max ${answered.max} ms`);
} finally {
  await srv.close();
  await door.close();
  await h.stop();
  await rec.close();
}

// Prints Slack ack latency against the real HTTP receiver (Bolt + signature check +
// handlers) on a throwaway redis-server, the Web API at a local recorder:
//   node --import tsx bench/slack.main.ts [total] [concurrency]
// With HASF_TEST_LAB_DIR set, the commands' post-ack work runs against the lab.
import { createSlackDoor } from '../src/slack/index.ts';
import { startHarness } from '../test/helpers/harness.ts';
import { serveDoor, slackTestConfig, startSlackRecorder } from '../test/helpers/slack.ts';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { SlackAckBenchOptions, SlackAckBenchResult } from './slack.ts';

/** Run the load generator in its own process (see slack-load.ts). */
async function benchSlackAck(o: SlackAckBenchOptions): Promise<SlackAckBenchResult> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bench/slack-load.ts', JSON.stringify(o)], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout) as SlackAckBenchResult;
}

const total = Number(process.argv[2] ?? 200);
const concurrency = Number(process.argv[3] ?? 20);
const rec = await startSlackRecorder();
const h = await startHarness({ slack: slackTestConfig(rec) });
const door = createSlackDoor(h.services, { log: () => {} });
await door.start();
const srv = await serveDoor(door);
try {
  // Warm-up: JIT, connections, Bolt's first-event set-up.
  await benchSlackAck({ url: srv.url, signingSecret: h.config.slack.signingSecret!, responseUrl: rec.responseUrl('warm'), total: 40, concurrency });
  const r = await benchSlackAck({ url: srv.url, signingSecret: h.config.slack.signingSecret!, responseUrl: rec.responseUrl('bench'), total, concurrency, users: ['UOPERAT01', 'UVIEWER01', 'UAPPROV01'] });
  console.log(
    `slack ack: ${r.total} slash commands, ${r.concurrency} concurrent from a separate process${h.config.clusters.length ? ' (post-ack work on the lab)' : ''}: ` +
      `p50 ${r.p50} ms, p90 ${r.p90} ms, p99 ${r.p99} ms, max ${r.max} ms (target p99 <= 100 ms, Slack's limit 3000 ms); ` +
      `${r.non200} non-200; wall ${r.wallMs} ms`,
  );
} finally {
  await srv.close();
  await door.close();
  await h.stop();
  await rec.close();
}

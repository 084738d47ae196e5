import { signSlackRequest } from '../src/slack/index.ts';

/** What to send and how hard. */
export interface SlackAckBenchOptions {
  /** The door's endpoint, e.g. http://127.0.0.1:PORT/slack/events. */
  url: string;
  signingSecret: string;
  /** response_url of the commands (work after the ack posts there); command i gets `${responseUrl}-${i}`. */
  responseUrl: string;
  /** Slash commands sent. Default 200. */
  total?: number;
  /** In flight at once. Default 20. */
  concurrency?: number;
  /** Command texts, used round-robin; default a mix of reads, a request and help. */
  texts?: string[];
  /** Slack users, used round-robin. */
  users?: string[];
}

/** Ack latency figures, in milliseconds. */
export interface SlackAckBenchResult {
  total: number;
  concurrency: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  non200: number;
  wallMs: number;
  /** When command i was sent (epoch ms), to time its answer at the response_url. */
  sentAt: number[];
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/**
 * Fire signed, form-encoded slash commands at the real HTTP receiver and time each one
 * from the request to Slack's answer (the ack). The work each command starts after its
 * ack runs concurrently, as in production, so it competes for the same CPU.
 */
export async function benchSlackAck(o: SlackAckBenchOptions): Promise<SlackAckBenchResult> {
  const total = o.total ?? 200;
  const concurrency = o.concurrency ?? 20;
  const texts = o.texts ?? ['status', 'jobs pending', 'migrate vm1 node2 --reason "bench" --dry-run', 'jobs mine', 'help', 'job j000000000ab'];
  const users = o.users ?? ['UOPERAT01'];
  const latencies: number[] = [];
  const sentAt: number[] = [];
  let non200 = 0;
  let next = 0;
  const started = performance.now();
  const one = async (i: number) => {
    const body = new URLSearchParams({
      token: 'x',
      team_id: 'T0TEAM001',
      channel_id: 'COPS00001',
      user_id: users[i % users.length]!,
      command: '/hasf',
      text: texts[i % texts.length]!,
      response_url: `${o.responseUrl}-${i}`,
      trigger_id: `t${i}`,
    }).toString();
    const ts = String(Math.floor(Date.now() / 1000));
    const t0 = performance.now();
    sentAt[i] = Date.now();
    const res = await fetch(o.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': ts, 'x-slack-signature': signSlackRequest(o.signingSecret, ts, body) },
      body,
    });
    await res.arrayBuffer();
    latencies.push(performance.now() - t0);
    if (res.status !== 200) non200++;
  };
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await one(next++);
    }),
  );
  const wallMs = performance.now() - started;
  const s = [...latencies].sort((a, b) => a - b);
  const r = (n: number) => Math.round(n * 10) / 10;
  return { total, concurrency, p50: r(pct(s, 50)), p90: r(pct(s, 90)), p99: r(pct(s, 99)), max: r(s.at(-1)!), non200, wallMs: Math.round(wallMs), sentAt };
}

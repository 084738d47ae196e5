import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { signSlackRequest } from '../../src/slack/index.ts';
import type { SlackDoor } from '../../src/slack/index.ts';

/** One call the recorder saw: a Web API method, or a post to a response_url. */
export interface RecordedCall {
  method: string;
  args: Record<string, any>;
  /** The Authorization header (the bot token the Web API client sent). */
  auth?: string;
  at: number;
}

/**
 * A stand-in for slack.com on 127.0.0.1: answers every Web API method with {ok: true, …}
 * (ts for posted messages, members for user groups) and records the method and its
 * arguments; also takes response_url posts at /response/<id>.
 */
export interface SlackRecorder {
  /** Base for slack.apiUrl, e.g. http://127.0.0.1:4711/api/ */
  apiUrl: string;
  /** A fresh response_url for one slash command. */
  responseUrl(id?: string): string;
  calls: RecordedCall[];
  /** Members of user groups answered by usergroups.users.list. */
  groups: Record<string, string[]>;
  /** Calls of one method (response_url posts are 'response_url'). */
  of(method: string): RecordedCall[];
  /** Wait until a call matching `pred` was recorded (polls; fails after timeoutMs). */
  waitFor(pred: (c: RecordedCall) => boolean, timeoutMs?: number, what?: string): Promise<RecordedCall>;
  close(): Promise<void>;
}

/** Start the recorder on a free loopback port. */
export async function startSlackRecorder(): Promise<SlackRecorder> {
  const calls: RecordedCall[] = [];
  const groups: Record<string, string[]> = {};
  let seq = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://x');
      let args: Record<string, any> = {};
      if ((req.headers['content-type'] ?? '').includes('json')) args = raw ? JSON.parse(raw) : {};
      else {
        for (const [k, v] of new URLSearchParams(raw)) {
          try {
            args[k] = /^[[{]/.test(v) ? JSON.parse(v) : v;
          } catch {
            args[k] = v;
          }
        }
      }
      if (url.pathname.startsWith('/response/')) {
        calls.push({ method: 'response_url', args: { ...args, id: url.pathname.slice(10) }, at: Date.now() });
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        return;
      }
      const method = url.pathname.replace(/^\/api\//, '');
      calls.push({ method, args, auth: req.headers.authorization, at: Date.now() });
      const ts = `${Math.floor(Date.now() / 1000)}.${String(++seq).padStart(6, '0')}`;
      let body: Record<string, unknown> = { ok: true };
      if (method === 'chat.postMessage') body = { ok: true, channel: args.channel, ts, message: { text: args.text } };
      else if (method === 'chat.update') body = { ok: true, channel: args.channel, ts: args.ts };
      else if (method === 'chat.postEphemeral') body = { ok: true, message_ts: ts };
      else if (method === 'views.open') body = { ok: true, view: { id: `V${seq}` } };
      else if (method === 'usergroups.users.list') body = { ok: true, users: groups[args.usergroup] ?? [] };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let rid = 0;
  return {
    apiUrl: `${base}/api/`,
    responseUrl: (id) => `${base}/response/${id ?? `r${++rid}`}`,
    calls,
    groups,
    of: (m) => calls.filter((c) => c.method === m),
    async waitFor(pred, timeoutMs = 10_000, what = 'a Slack call') {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const hit = calls.find(pred);
        if (hit) return hit;
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}; recorded: ${calls.map((c) => c.method).join(', ')}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** The Slack config a test points at the recorder. */
export function slackTestConfig(rec: SlackRecorder, extra: Record<string, unknown> = {}) {
  return { enabled: true, mode: 'http' as const, signingSecret: 'test-signing-secret-0123456789', botToken: 'xoxb-test-token', approvalsChannel: 'CAPPROVALS', apiUrl: rec.apiUrl, ...extra };
}

/** An Express app with the door mounted, listening on a free loopback port. */
export async function serveDoor(door: SlackDoor): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  door.mount(app);
  const server = createServer(app);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A slash command's form fields, as Slack sends them. */
export function slashCommandBody(f: { user: string; text: string; responseUrl: string; channel?: string }): string {
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: 'T0TEAM001',
    team_domain: 'example',
    channel_id: f.channel ?? 'COPS00001',
    channel_name: 'ops',
    user_id: f.user,
    user_name: f.user.toLowerCase(),
    command: '/hasf',
    text: f.text,
    api_app_id: 'A0HASF001',
    is_enterprise_install: 'false',
    response_url: f.responseUrl,
    trigger_id: `13345224609.738474920.${Date.now()}`,
  }).toString();
}

/** A block_actions interaction (a button press on a message), as Slack sends it: payload=<json>. */
export function buttonPressBody(f: { user: string; actionId: string; value: string; channel: string; ts: string; responseUrl: string }): string {
  const payload = {
    type: 'block_actions',
    user: { id: f.user, username: f.user.toLowerCase(), name: f.user.toLowerCase(), team_id: 'T0TEAM001' },
    api_app_id: 'A0HASF001',
    token: 'deprecated-verification-token',
    container: { type: 'message', message_ts: f.ts, channel_id: f.channel, is_ephemeral: false },
    trigger_id: `13345224609.738474920.${Date.now()}`,
    team: { id: 'T0TEAM001', domain: 'example' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: f.channel, name: 'approvals' },
    message: { type: 'message', ts: f.ts, text: 'approval', bot_id: 'B0HASF001' },
    response_url: f.responseUrl,
    actions: [{ action_id: f.actionId, block_id: 'hasf_decide', text: { type: 'plain_text', text: 'x' }, value: f.value, type: 'button', action_ts: `${Date.now() / 1000}` }],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** A view_submission of the reject modal, as Slack sends it. */
export function viewSubmissionBody(f: { user: string; callbackId: string; privateMetadata: string; reason: string }): string {
  const payload = {
    type: 'view_submission',
    team: { id: 'T0TEAM001', domain: 'example' },
    user: { id: f.user, username: f.user.toLowerCase(), name: f.user.toLowerCase(), team_id: 'T0TEAM001' },
    api_app_id: 'A0HASF001',
    token: 'deprecated-verification-token',
    trigger_id: `13345224609.738474920.${Date.now()}`,
    view: {
      id: 'V0MODAL01',
      team_id: 'T0TEAM001',
      type: 'modal',
      callback_id: f.callbackId,
      private_metadata: f.privateMetadata,
      state: { values: { reason: { reason_input: { type: 'plain_text_input', value: f.reason } } } },
      hash: '1700000000.abcdef',
      app_id: 'A0HASF001',
      bot_id: 'B0HASF001',
    },
    response_urls: [],
    is_enterprise_install: false,
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** POST a body to the door signed as Slack would (override ts/signature to test refusals). */
export async function postSigned(url: string, secret: string, body: string, o: { ts?: number; signature?: string } = {}): Promise<{ status: number; body: any; ms: number }> {
  const ts = String(o.ts ?? Math.floor(Date.now() / 1000));
  const started = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': ts,
      'x-slack-signature': o.signature ?? signSlackRequest(secret, ts, body),
    },
    body,
  });
  const text = await res.text();
  const ms = performance.now() - started;
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : '';
  } catch {
    /* plain text */
  }
  return { status: res.status, body: parsed, ms };
}

/** All mrkdwn/plain text of a message's blocks, joined, for assertions. */
export function blocksText(msg: { text?: string; blocks?: any[] }): string {
  const out: string[] = [msg.text ?? ''];
  const walk = (v: any) => {
    if (!v || typeof v !== 'object') return;
    if (typeof v.text === 'string') out.push(v.text);
    for (const x of Object.values(v)) if (typeof x === 'object') walk(x);
  };
  walk(msg.blocks ?? []);
  return out.join('\n');
}

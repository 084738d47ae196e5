import { appendFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { http } from '../util/node-builtins.ts';
import type { AddressInfo } from 'node:net';

/** A loopback stand-in for the Slack Web API. */
export interface SlackSink {
  /** Base URL to put in slack.apiUrl (ends with /api/). */
  apiUrl: string;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if ((req.headers['content-type'] ?? '').includes('json')) {
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}

/**
 * The demo has no Slack workspace, and must not talk to slack.com. This answers the Web
 * API methods the Slack door calls (chat.postMessage, chat.update, views.open, …) with
 * `ok: true` and appends each call to `logFile` as a JSON line, so what the bot would
 * have posted can be read there.
 */
export async function startSlackSink(logFile: string): Promise<SlackSink> {
  let seq = 0;
  const server = http.createServer((req, res) => {
    void (async () => {
      const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
      const body = await readBody(req);
      appendFileSync(logFile, JSON.stringify({ at: new Date().toISOString(), method, ...body, token: undefined }) + '\n', { mode: 0o600 });
      const ts = `${Math.floor(Date.now() / 1000)}.${String(++seq).padStart(6, '0')}`;
      const answer: Record<string, unknown> = { ok: true, channel: body.channel ?? 'CDEMO', ts, message: { ts, text: body.text } };
      if (method === 'views.open') answer.view = { id: `VDEMO${seq}` };
      if (method === 'usergroups.users.list') answer.users = [];
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

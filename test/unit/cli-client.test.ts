import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiClient } from '../../src/cli/client.ts';
import { ApiError, UnreachableError } from '../../src/cli/errors.ts';
import { EXIT } from '../../src/cli/exit-codes.ts';
import type { CliIo } from '../../src/cli/io.ts';
import { main } from '../../src/cli/main.ts';

// The CLI's API client over node:http, against a real local server.
describe('the CLI API client', () => {
  let server: Server;
  let url: string;
  let handle: (req: IncomingMessage, body: string, res: ServerResponse) => void = () => undefined;
  const tmp = mkdtempSync(join(tmpdir(), 'hasf-cli-client-'));
  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => handle(req, body, res));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
    rmSync(tmp, { recursive: true, force: true });
  });
  const recordingIo = () => {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { out: (t) => out.push(t), raw: (c) => out.push(String(c)), err: (t) => err.push(t), progress: () => undefined, isTTY: false, env: {}, cwd: tmp };
    return { io, out, err };
  };

  it('sends the token, the query and a JSON body; parses the JSON answer', async () => {
    let seen: { method?: string; url?: string; auth?: string; type?: string; body?: string } = {};
    handle = (req, body, res) => {
      seen = { method: req.method, url: req.url, auth: req.headers.authorization, type: req.headers['content-type'], body };
      res.writeHead(201, { 'content-type': 'application/json' }).end('{"id":"j1"}');
    };
    const api = new ApiClient({ baseUrl: `${url}/`, token: 't0k' });
    const got = await api.json<{ id: string }>('POST', '/v1/jobs', { body: { operation: 'x' }, query: { dryRun: true, skip: undefined } });
    assert.deepEqual(got, { id: 'j1' });
    assert.deepEqual(seen, { method: 'POST', url: '/v1/jobs?dryRun=true', auth: 'Bearer t0k', type: 'application/json', body: '{"operation":"x"}' });
  });

  it('a problem document becomes ApiError with its code; a plain-text error keeps the status line', async () => {
    handle = (_req, _body, res) => void res.writeHead(409, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ status: 409, code: 'CONFLICT', detail: 'busy' }));
    const api = new ApiClient({ baseUrl: url });
    await assert.rejects(api.json('GET', '/v1/jobs'), (e: unknown) => e instanceof ApiError && e.code === 'CONFLICT' && e.status === 409);
    handle = (_req, _body, res) => void res.writeHead(502, 'Bad Gateway', { 'content-type': 'text/plain' }).end('upstream down');
    await assert.rejects(api.json('GET', '/v1/jobs'), (e: unknown) => e instanceof ApiError && e.status === 502 && /upstream down|Bad Gateway/.test(e.message));
  });

  it('an API that never answers is UnreachableError after the timeout, not a hang', async () => {
    handle = () => undefined; // holds the request open
    const api = new ApiClient({ baseUrl: url, timeoutMs: 150 });
    await assert.rejects(api.json('GET', '/v1/jobs'), (e: unknown) => e instanceof UnreachableError && /no answer in time/.test(e.message));
  });

  it('audit export streams the answer to --output', async () => {
    const lines = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ seq: i + 1, event: 'job.submitted' })).join('\n') + '\n';
    handle = (req, _body, res) => {
      assert.equal(req.headers.accept, 'application/x-ndjson');
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write(lines.slice(0, 1000));
      setTimeout(() => res.end(lines.slice(1000)), 20);
    };
    const r = recordingIo();
    assert.equal(await main(['audit', 'export', '--output', 'audit.jsonl', '--api-url', url, '--token', 't'], r.io), EXIT.OK);
    assert.equal(readFileSync(join(tmp, 'audit.jsonl'), 'utf8'), lines);
    assert.match(r.err.join('\n'), /exported to audit\.jsonl/);
  });

  it('an export that breaks off says the file is incomplete (exit 4), not a stack trace', async () => {
    handle = (_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write('{"seq":1}\n');
      setTimeout(() => res.socket?.destroy(), 20);
    };
    const r = recordingIo();
    assert.equal(await main(['audit', 'export', '--output', 'cut.jsonl', '--api-url', url, '--token', 't'], r.io), EXIT.UNREACHABLE);
    assert.match(r.err.join('\n'), /audit export broke off .*cut\.jsonl is incomplete/);
    assert.doesNotMatch(r.err.join('\n'), /\n\s+at /);
  });
});

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { get as httpGet, type IncomingMessage } from 'node:http';
import request from 'supertest';
import type { Express } from 'express';
import { createApiApp, startApiServer } from '../../src/api/index.ts';
import { SessionStore } from '../../src/ui/session-store.ts';
import { CSP } from '../../src/ui/render.ts';
import { startCibHarness, bearer } from '../helpers/api.ts';
import type { Harness } from '../helpers/harness.ts';

// The console's sessions, CSRF and door rules over HTTP on a real Redis, with a cluster
// whose Pacemaker tools work on a captured CIB (real preflight and crm_simulate).
let h: Harness & { cibFile: string };
let app: Express;
const MIGRATE = { operation: 'vm.migrate', params: { vm: 'vm1', node: 'node3' }, reason: 'patching node2' };

before(async () => {
  h = await startCibHarness();
  app = createApiApp(h.services, { ui: { demoPeople: [{ name: 'anna', roles: ['approver'], token: h.tokens.anna }] } });
});
after(async () => {
  await h.stop();
});

const cookieOf = (res: request.Response, name: string): string | undefined => {
  const all = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  return all.find((c) => c.startsWith(`${name}=`));
};
const valueOf = (setCookie: string | undefined) => setCookie?.split(';')[0]!.split('=')[1];
const csrfIn = (page: string) => /name="_csrf" value="([^"]+)"/.exec(page)?.[1];

/** Sign in through the form with a token (or a demo person); returns the session cookie and the page's CSRF token. */
async function signIn(token: string | { demo: string }, target: Parameters<typeof request>[0] = app): Promise<{ cookie: string; csrf: string }> {
  const form = await request(target).get('/ui/signin');
  const pre = valueOf(cookieOf(form, 'hasf_signin'))!;
  const body = typeof token === 'string' ? { token } : token;
  const res = await request(target).post('/ui/signin').set('Cookie', `hasf_signin=${pre}`).type('form').send({ _csrf: csrfIn(form.text)!, next: '/ui/jobs', ...body });
  assert.equal(res.status, 303, res.text.slice(0, 500));
  assert.equal(res.headers.location, '/ui/jobs');
  const cookie = `hasf_session=${valueOf(cookieOf(res, 'hasf_session'))}`;
  const page = await request(target).get('/ui/').set('Cookie', cookie);
  assert.equal(page.status, 200);
  return { cookie, csrf: csrfIn(page.text)! };
}

async function newJob(): Promise<string> {
  const res = await request(app).post('/v1/jobs').set(bearer(h.tokens.otto)).send(MIGRATE);
  assert.equal(res.status, 202, res.text);
  return res.body.id as string;
}

test('without a session: pages redirect to sign-in, everything else is 401; headers are strict', async () => {
  const page = await request(app).get('/ui/jobs?state=queued').set('Accept', 'text/html');
  assert.equal(page.status, 303);
  assert.equal(page.headers.location, '/ui/signin?next=%2Fui%2Fjobs%3Fstate%3Dqueued');
  assert.equal(page.headers['content-security-policy'], CSP);
  assert.match(CSP, /script-src 'self'/);
  assert.doesNotMatch(CSP, /unsafe-inline|unsafe-eval|https?:/);
  assert.equal(page.headers['x-frame-options'], 'DENY');
  const api = await request(app).post('/ui/jobs/jabc123def456/decide').type('form').send({ decision: 'approve' });
  assert.equal(api.status, 401);
  assert.equal(api.body.code, 'UNAUTHENTICATED');
  const form = await request(app).get('/ui/signin');
  assert.equal(form.status, 200);
  assert.match(cookieOf(form, 'hasf_signin')!, /; Path=\/ui; HttpOnly; SameSite=Strict/);
  assert.doesNotMatch(cookieOf(form, 'hasf_signin')!, /Secure/);
  assert.doesNotMatch(form.text, /<script>|style=/, 'no inline script or style');
  const css = await request(app).get(/href="(\/ui\/assets\/console\.css\?v=\w+)"/.exec(form.text)![1]!);
  assert.equal(css.status, 200);
  assert.match(css.headers['content-type']!, /text\/css/);
  assert.match(css.headers['cache-control']!, /immutable/);
});

test('sign-in: a token becomes an HttpOnly SameSite=Strict session; bad tokens and forged forms are refused', async () => {
  const form = await request(app).get('/ui/signin');
  const pre = valueOf(cookieOf(form, 'hasf_signin'))!;
  const csrf = csrfIn(form.text)!;
  const noToken = await request(app).post('/ui/signin').set('Cookie', `hasf_signin=${pre}`).type('form').send({ _csrf: 'x'.repeat(32), token: h.tokens.vera });
  assert.equal(noToken.status, 403);
  assert.match(noToken.text, /did not come from this console/);
  const bad = await request(app).post('/ui/signin').set('Cookie', `hasf_signin=${pre}`).type('form').send({ _csrf: csrf, token: 'hasf_' + 'A'.repeat(43) });
  assert.equal(bad.status, 401);
  assert.match(bad.text, /unknown, expired or revoked/);
  assert.equal(cookieOf(bad, 'hasf_session'), undefined);
  const good = await request(app).post('/ui/signin').set('Cookie', `hasf_signin=${pre}`).type('form').send({ _csrf: csrf, token: h.tokens.vera, next: 'https://evil.example/' });
  assert.equal(good.status, 303);
  assert.equal(good.headers.location, '/ui/', 'no open redirect');
  const session = cookieOf(good, 'hasf_session')!;
  assert.match(session, /^hasf_session=[A-Za-z0-9_-]{43}; Path=\/ui; HttpOnly; SameSite=Strict$/);
  const page = await request(app).get('/ui/').set('Cookie', session.split(';')[0]!);
  assert.match(page.text, /Signed in as <strong>vera<\/strong> \(viewer\)/);
  const records = (await h.services.audit.query({ event: ['session.started', 'access.refused'] })).records;
  assert.ok(records.some((r) => r.event === 'session.started' && r.actor === 'vera' && r.channel === 'web'));
  assert.ok(records.some((r) => r.event === 'access.refused' && r.channel === 'web' && (r.details as { code: string }).code === 'UNAUTHENTICATED'));
  // Nothing in Redis lets anyone present this session: only the SHA-256 of its id is a key.
  const keys = await h.services.redis.keys('hasf:ui:session:*');
  assert.ok(keys.length >= 1 && keys.every((k) => !k.includes(valueOf(session)!)));
  assert.ok(!(await h.services.redis.get(keys[0]!))!.includes(h.tokens.vera), 'the plain token is not stored');
});

test('the demo people sign in with one click; a name that is not one is refused', async () => {
  const form = await request(app).get('/ui/signin');
  assert.match(form.text, /aria-label="Sign in as anna \(approver\)"/);
  const { cookie } = await signIn({ demo: 'anna' });
  assert.match((await request(app).get('/ui/').set('Cookie', cookie)).text, /Signed in as <strong>anna<\/strong>/);
  const pre = valueOf(cookieOf(form, 'hasf_signin'))!;
  const res = await request(app).post('/ui/signin').set('Cookie', `hasf_signin=${pre}`).type('form').send({ _csrf: csrfIn(form.text)!, demo: 'mallory' });
  assert.equal(res.status, 400);
  const plain = createApiApp(h.services);
  assert.doesNotMatch((await request(plain).get('/ui/signin')).text, /Demo people/);
});

test('every action needs the session CSRF token and this origin; the job service still decides', async () => {
  const id = await newJob();
  const anna = await signIn(h.tokens.anna);
  const vera = await signIn(h.tokens.vera);
  const post = (who: { cookie: string }, body: Record<string, string>, headers: Record<string, string> = {}) =>
    request(app).post(`/ui/jobs/${id}/decide`).set('Cookie', who.cookie).set('Accept', 'application/json').set(headers).type('form').send(body);
  for (const [body, headers] of [
    [{ decision: 'approve' }, {}],
    [{ decision: 'approve', _csrf: vera.csrf }, {}],
    [{ decision: 'approve', _csrf: anna.csrf }, { Origin: 'http://evil.example' }],
    [{ decision: 'approve', _csrf: anna.csrf }, { 'Sec-Fetch-Site': 'cross-site' }],
  ] as const) {
    const res = await post(anna, body, headers);
    assert.equal(res.status, 403, JSON.stringify(body));
    assert.equal(res.body.code, 'CSRF_REJECTED');
  }
  assert.equal((await h.services.jobs.get(id)).state, 'awaiting_approval', 'nothing was decided');
  const viewer = await post(vera, { decision: 'approve', _csrf: vera.csrf });
  assert.equal(viewer.status, 403);
  assert.equal(viewer.body.code, 'FORBIDDEN');
  const otto = await signIn(h.tokens.otto);
  const own = await request(app).post(`/ui/jobs/${id}/decide`).set('Cookie', otto.cookie).set('Accept', 'text/html').type('form').send({ decision: 'approve', _csrf: otto.csrf });
  assert.equal(own.status, 403);
  assert.match(own.text, /code <code>FORBIDDEN<\/code>/);
  const noReason = await post(anna, { decision: 'reject', _csrf: anna.csrf });
  assert.equal(noReason.status, 400);
  assert.match(noReason.body.detail, /rejection needs a reason/);
  // Without the console's script: a plain form post, then back to the job page.
  const ok = await request(app).post(`/ui/jobs/${id}/decide`).set('Cookie', anna.cookie).set('Accept', 'text/html').type('form').send({ decision: 'approve', comment: 'ok', _csrf: anna.csrf });
  assert.equal(ok.status, 303);
  assert.equal(ok.headers.location, `/ui/jobs/${id}`);
  const job = await h.services.jobs.get(id);
  assert.equal(job.state, 'queued');
  assert.equal(job.approvals[0]!.person, 'anna');
  const granted = (await h.services.audit.query({ jobId: id, event: 'approval.granted' })).records[0]!;
  assert.equal(granted.channel, 'web');
  const refused = (await h.services.audit.query({ event: 'access.refused' })).records.filter((r) => (r.details as { code: string }).code === 'CSRF_REJECTED');
  assert.ok(refused.length >= 1 && refused.every((r) => r.channel === 'web'));
});

test('a session ends with its token: revoked or expired, and on sign-out', async () => {
  const t = await h.services.tokens.create('bert', { label: 'ui test' });
  const s = await signIn(t.token);
  assert.equal((await request(app).get('/ui/jobs').set('Cookie', s.cookie)).status, 200);
  await h.services.tokens.revoke(t.id);
  const after = await request(app).get('/ui/jobs').set('Cookie', s.cookie).set('Accept', 'text/html');
  assert.equal(after.status, 303);
  assert.equal(after.headers.location, '/ui/signin?next=%2Fui%2Fjobs&ended=1');
  assert.match(cookieOf(after, 'hasf_session')!, /Max-Age=0/);
  assert.ok((await h.services.audit.query({ event: 'session.ended', actor: 'bert' })).records.length >= 1);

  const short = await h.services.tokens.create('bert', { ttlMs: 1500 });
  const e = await signIn(short.token);
  await new Promise((r) => setTimeout(r, 1700));
  assert.equal((await request(app).get('/ui/jobs').set('Cookie', e.cookie).set('Accept', 'text/html')).status, 303);

  const v = await signIn(h.tokens.vera);
  const noCsrf = await request(app).post('/ui/signout').set('Cookie', v.cookie).type('form').send({});
  assert.equal(noCsrf.status, 403);
  const out = await request(app).post('/ui/signout').set('Cookie', v.cookie).type('form').send({ _csrf: v.csrf });
  assert.equal(out.status, 303);
  assert.equal(out.headers.location, '/ui/signin?out=1');
  assert.equal((await request(app).get('/ui/').set('Cookie', v.cookie).set('Accept', 'text/html')).status, 303);
});

test('sessions end after their idle time and at their absolute end', async () => {
  let now = Date.now();
  const store = new SessionStore({ redis: h.services.redis, prefix: 'uitest', idleMs: 300, maxMs: 10_000, clock: () => now });
  const idle = await store.create({ person: 'vera', tokenHash: 'sha256:' + '0'.repeat(64), via: 'token' });
  assert.ok(await store.get(idle.sid));
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(await store.get(idle.sid), 'a request renews the idle timer');
  await new Promise((r) => setTimeout(r, 450));
  assert.equal(await store.get(idle.sid), undefined);
  const long = await store.create({ person: 'vera', tokenHash: 'sha256:' + '0'.repeat(64), via: 'token' });
  now += 10_001;
  assert.equal(await store.get(long.sid), undefined);
  assert.equal(await store.get('not a session id'), undefined);
});

test('Secure cookies over https: a public https URL, or TLS at a trusted proxy', async () => {
  const pub = await startCibHarness({ api: { publicUrl: 'https://hasf.example.com' } });
  const proxied = await startCibHarness({ api: { trustProxy: 'loopback' } });
  try {
    const a = await request(createApiApp(pub.services)).get('/ui/signin');
    assert.match(cookieOf(a, 'hasf_signin')!, /; Secure/);
    const p = createApiApp(proxied.services);
    assert.match(cookieOf(await request(p).get('/ui/signin').set('X-Forwarded-Proto', 'https'), 'hasf_signin')!, /; Secure/);
    assert.doesNotMatch(cookieOf(await request(p).get('/ui/signin'), 'hasf_signin')!, /Secure/);
    // Untrusted: a client saying "https" does not make it so.
    assert.doesNotMatch(cookieOf(await request(app).get('/ui/signin').set('X-Forwarded-Proto', 'https'), 'hasf_signin')!, /Secure/);
  } finally {
    await pub.stop();
    await proxied.stop();
  }
});

test('bad input gets a clear 4xx: wrong body type, oversized form, unknown page or cluster, bad filters', async () => {
  const v = await signIn(h.tokens.vera);
  const json = await request(app).post('/ui/signin').set('Content-Type', 'application/json').send('{"token":"x"}');
  assert.equal(json.status, 415);
  const big = await request(app).post('/ui/signout').set('Cookie', v.cookie).set('Accept', 'application/json').type('form').send({ _csrf: v.csrf, pad: 'x'.repeat(20_000) });
  assert.equal(big.status, 413);
  assert.equal(big.body.code, 'BODY_TOO_LARGE');
  const missing = await request(app).get('/ui/nowhere').set('Cookie', v.cookie).set('Accept', 'text/html');
  assert.equal(missing.status, 404);
  assert.match(missing.text, /code <code>NOT_FOUND<\/code>/);
  const cl = await request(app).get('/ui/clusters/nope').set('Cookie', v.cookie).set('Accept', 'text/html');
  assert.equal(cl.status, 404);
  assert.match(cl.text, /UNKNOWN_CLUSTER/);
  const job = await request(app).get('/ui/jobs/%3Cscript%3E').set('Cookie', v.cookie).set('Accept', 'text/html');
  assert.equal(job.status, 404);
  assert.doesNotMatch(job.text, /<script>/);
  const state = await request(app).get('/ui/jobs?state=%3Cb%3Ebogus').set('Cookie', v.cookie);
  assert.equal(state.status, 400);
  assert.match(state.text, /There is no job state &quot;&lt;b&gt;bogus&quot;/);
  const when = await request(app).get('/ui/audit?from=yesterday').set('Cookie', v.cookie);
  assert.equal(when.status, 400);
  assert.match(when.text, /is not a date and time/);
});

test('audit export and the job list, as the REST API would answer them', async () => {
  const v = await signIn(h.tokens.vera);
  const csv = await request(app).get('/ui/audit/export?format=csv&event=session.started').set('Cookie', v.cookie);
  assert.equal(csv.status, 200);
  assert.match(csv.headers['content-type']!, /text\/csv/);
  assert.match(csv.headers['content-disposition']!, /attachment; filename="hasf-audit.csv"/);
  const lines = csv.text.trim().split('\r\n');
  assert.equal(lines[0], 'seq,time,actor,channel,jobId,event,details,prev,mac,streamId');
  assert.ok(lines.slice(1).every((l) => l.includes(',session.started,')));
  assert.equal(lines.length - 1, (await h.services.audit.query({ event: 'session.started', limit: 1000 })).records.length);
  const jsonl = await request(app).get('/ui/audit/export?format=jsonl').set('Cookie', v.cookie);
  assert.equal(jsonl.text.trim().split('\n').length, (await h.services.audit.verify()).count);
  const id = await newJob();
  const list = await request(app).get('/ui/jobs?requester=otto&state=awaiting_approval').set('Cookie', v.cookie);
  assert.match(list.text, new RegExp(`href="/ui/jobs/${id}"`));
  const none = await request(app).get('/ui/jobs?requester=nobody').set('Cookie', v.cookie);
  assert.match(none.text, /No job matches these filters/);
});

/** Open a live stream and collect its events. */
function openStream(url: string, cookie: string): Promise<{ events: Array<{ event: string; data: string }>; res: IncomingMessage; next(pred: (e: { event: string; data: string }) => boolean, ms?: number): Promise<{ event: string; data: string }> }> {
  return new Promise((resolve, reject) => {
    const req = httpGet(url, { headers: { Cookie: cookie, Accept: 'text/event-stream' } }, (res) => {
      const events: Array<{ event: string; data: string }> = [];
      const waiters: Array<() => void> = [];
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          if (!event) continue;
          events.push({ event, data: [...block.matchAll(/^data: (.*)$/gm)].map((m) => m[1]).join('\n') });
          for (const w of waiters.splice(0)) w();
        }
      });
      resolve({
        events,
        res,
        next(pred, ms = 10_000) {
          return new Promise((ok, fail) => {
            const t = setTimeout(() => fail(new Error(`no such event within ${ms} ms: ${JSON.stringify(events.map((e) => e.event))}`)), ms);
            const check = () => {
              const e = events.find(pred);
              if (e) {
                clearTimeout(t);
                return ok(e);
              }
              waiters.push(check);
            };
            check();
          });
        },
      });
    });
    req.on('error', reject);
  });
}

test('live job page: sections arrive as the job moves; the stream ends when the token is revoked', async () => {
  const server = await startApiServer(h.services, { listen: '127.0.0.1:0' });
  try {
    const id = await newJob();
    const t = await h.services.tokens.create('vera', { label: 'live' });
    const v = await signIn(t.token, server.server);
    const s = await openStream(`${server.url}/ui/jobs/${id}/live`, v.cookie);
    assert.equal(s.res.statusCode, 200);
    assert.match(String(s.res.headers['content-type']), /text\/event-stream/);
    const first = await s.next((e) => e.event === 'sections');
    assert.match(JSON.parse(first.data).state, /awaiting approval/);
    await h.services.jobs.decide(await h.services.auth.fromBearer(`Bearer ${h.tokens.anna}`), id, 'approve', 'live test');
    const moved = await s.next((e) => e.event === 'sections' && /queued/.test(JSON.parse(e.data).state ?? ''));
    assert.match(JSON.parse(moved.data).approvals, /anna/);
    await h.services.tokens.revoke(t.id);
    await h.services.jobs.cancel(await h.services.auth.fromBearer(`Bearer ${h.tokens.anna}`), id, 'done');
    await s.next((e) => e.event === 'signedout');
    await new Promise<void>((r) => (s.res.readableEnded ? r() : s.res.once('end', () => r())));
    // A stream still open when the server stops is ended by it: close() does not hang.
    const again = await signIn(h.tokens.vera, server.server);
    const open = await openStream(`${server.url}/ui/jobs/${id}/live`, again.cookie);
    await open.next((e) => e.event === 'sections');
  } finally {
    await server.close();
  }
});

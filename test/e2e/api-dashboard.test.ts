import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import request from 'supertest';
import { createApiApp } from '../../src/api/index.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';

let h: Harness;
let app: ReturnType<typeof createApiApp>;
before(async () => {
  h = await startHarness({}, { lab: false });
  app = createApiApp(h.services);
});
after(async () => {
  await h?.stop();
});

test('the queue dashboard is for admins only: bearer or basic (token as password)', async () => {
  const anon = await request(app).get('/admin/queues');
  assert.equal(anon.status, 401);
  assert.match(String(anon.headers['www-authenticate']), /^Basic realm=/);
  assert.match(String(anon.headers['content-type']), /application\/problem\+json/);
  const op = await request(app).get('/admin/queues').set('Authorization', `Bearer ${h.tokens.otto}`);
  assert.equal(op.status, 403);
  const admin = await request(app).get('/admin/queues').set('Authorization', `Bearer ${h.tokens.ada}`);
  assert.equal(admin.status, 200);
  assert.match(admin.text, /<html/i);
  const basic = Buffer.from(`ada:${h.tokens.ada}`).toString('base64');
  const api = await request(app).get('/admin/queues/api/queues').set('Authorization', `Basic ${basic}`);
  assert.equal(api.status, 200);
  const names = (api.body.queues as { name: string }[]).map((q) => q.name).sort();
  assert.deepEqual(names, ['callbacks', 'timers']);
});

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { parseSlackBody } from '../../src/slack/receivers/index.ts';
import { signSlackRequest, verifySlackSignature } from '../../src/slack/index.ts';

const secret = '8f742231b10e8888abcd99yyyzzz85a5';
const body = 'token=x&team_id=T1&command=%2Fhasf&text=status';
const now = 1_700_000_000;

test('signSlackRequest is v0= hex HMAC-SHA256 of v0:ts:body', () => {
  const want = 'v0=' + createHmac('sha256', secret).update(`v0:${now}:${body}`).digest('hex');
  assert.equal(signSlackRequest(secret, now, body), want);
});

test('a correct signature within five minutes passes', () => {
  for (const skew of [0, 299, -299, 300, -300]) {
    const ts = String(now + skew);
    assert.deepEqual(verifySlackSignature({ signingSecret: secret, rawBody: body, timestamp: ts, signature: signSlackRequest(secret, ts, body), nowSeconds: now }), { ok: true }, `skew ${skew}`);
  }
});

test('timestamps more than five minutes off, either way, are refused even when signed', () => {
  for (const skew of [301, -301, 3600, -86400]) {
    const ts = String(now + skew);
    const v = verifySlackSignature({ signingSecret: secret, rawBody: body, timestamp: ts, signature: signSlackRequest(secret, ts, body), nowSeconds: now });
    assert.equal(v.ok, false, `skew ${skew}`);
    assert.match((v as { reason: string }).reason, /away from our clock/);
  }
});

test('wrong secret, altered body, missing or malformed headers are refused', () => {
  const ts = String(now);
  const good = signSlackRequest(secret, ts, body);
  const check = (o: Partial<Parameters<typeof verifySlackSignature>[0]>) => verifySlackSignature({ signingSecret: secret, rawBody: body, timestamp: ts, signature: good, nowSeconds: now, ...o }).ok;
  assert.equal(check({}), true);
  assert.equal(check({ signature: signSlackRequest('other-secret', ts, body) }), false);
  assert.equal(check({ rawBody: body.replace('status', 'fence+node1') }), false);
  assert.equal(check({ signature: good.slice(0, -1) }), false);
  assert.equal(check({ signature: undefined }), false);
  assert.equal(check({ timestamp: undefined }), false);
  assert.equal(check({ timestamp: '17e8' }), false);
  assert.equal(check({ signingSecret: '' }), false);
});

test('bodies parse as Bolt expects: form fields, payload JSON, events JSON', () => {
  assert.deepEqual(parseSlackBody('command=%2Fhasf&text=migrate+vm1+node2', 'application/x-www-form-urlencoded'), { command: '/hasf', text: 'migrate vm1 node2' });
  assert.deepEqual(parseSlackBody(`payload=${encodeURIComponent('{"type":"block_actions"}')}`, 'application/x-www-form-urlencoded'), { type: 'block_actions' });
  assert.deepEqual(parseSlackBody('{"type":"url_verification","challenge":"c"}', 'application/json'), { type: 'url_verification', challenge: 'c' });
  assert.throws(() => parseSlackBody('payload=%7Bnope', 'application/x-www-form-urlencoded'));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { paramsSchemaName, problemOf, renderDocs, SPEC, SPEC_PATH, specText } from '../../src/api/index.ts';
import { paramsComponentName, withGeneratedSchemas } from '../../src/api/params-spec.ts';
import { jsonDepth } from '../../src/api/body.ts';
import { describeAjvError, OPERATIONS_BY_ID, schemaValidator } from '../../src/api/spec.ts';
import { backoffDelay, checkCallbackUrl, hostAllowed, signDelivery, verifySignature } from '../../src/callbacks/index.ts';
import { CODE_INFO, HasfError } from '../../src/errors/index.ts';
import { JOB_STATES } from '../../src/jobs/types.ts';
import { OPERATIONS, OPERATION_NAMES } from '../../src/operations/index.ts';
import { AUDIT_EVENTS } from '../../src/audit/index.ts';

const root = join(import.meta.dirname, '../..');

test('src/api/openapi-types.ts is what openapi-typescript generates from openapi.yaml (run npm run gen:api)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hasf-gen-'));
  try {
    const out = join(dir, 'types.ts');
    execFileSync(join(root, 'node_modules/.bin/openapi-typescript'), [SPEC_PATH, '-o', out], { stdio: 'pipe' });
    assert.equal(readFileSync(join(root, 'src/api/openapi-types.ts'), 'utf8'), readFileSync(out, 'utf8'), 'stale: run npm run gen:api');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the params schemas in openapi.yaml are generated from the catalogue (run npm run gen:api)', () => {
  assert.equal(withGeneratedSchemas(specText()), specText(), 'stale: run npm run gen:api');
  // And what a reader of openapi.yaml gets is the catalogue's schema, for every operation.
  const map = SPEC.components.schemas.OperationParams['x-hasf-params'];
  assert.deepEqual(Object.keys(map).sort(), [...OPERATION_NAMES].sort());
  for (const op of OPERATION_NAMES) {
    assert.deepEqual(SPEC.components.schemas[paramsSchemaName(op)!], JSON.parse(JSON.stringify(OPERATIONS[op].paramsSchema)), op);
  }
  assert.deepEqual(SPEC.components.schemas.OperationName.enum, [...OPERATION_NAMES]);
});

test('a change to a catalogue schema shows as a stale openapi.yaml', () => {
  const op = OPERATIONS['resource.cleanup'];
  const saved = op.paramsSchema;
  op.paramsSchema = { ...saved, description: 'changed' };
  try {
    assert.notEqual(withGeneratedSchemas(specText()), specText());
  } finally {
    op.paramsSchema = saved;
  }
  assert.equal(paramsComponentName('vm.migrate'), 'VmMigrateParams');
});

test('enums in openapi.yaml follow the code (job states, audit events)', () => {
  assert.deepEqual(SPEC.components.schemas.JobState.enum, [...JOB_STATES]);
  assert.deepEqual(SPEC.components.schemas.AuditEvent.enum, [...AUDIT_EVENTS]);
});

test('every operation has an operationId and documents its problem answers', () => {
  assert.ok(OPERATIONS_BY_ID.size >= 18);
  for (const op of OPERATIONS_BY_ID.values()) {
    if (op.path.startsWith('/v1')) for (const s of ['401', '403', '429']) assert.ok(op.def.responses[s], `${op.id} ${s}`);
  }
});

test('the params validators of the spec refuse shell metacharacters', () => {
  const v = schemaValidator('VmMigrateParams');
  assert.equal(v({ vm: 'vm1', node: 'node2' }), true);
  for (const bad of ['vm1;reboot', '-rf', '$(id)', 'a b', '']) assert.equal(v({ vm: bad, node: 'node2' }), false, bad);
});

test('problemOf: status and title from describe.ts; unknown errors are INTERNAL without internals', () => {
  const p = problemOf(new HasfError('QUORUM_AT_RISK', 'Fencing node2 would lose quorum.', { node: 'node2' }), '/v1/jobs');
  assert.deepEqual(p, { type: '/docs#problem-QUORUM_AT_RISK', title: CODE_INFO.QUORUM_AT_RISK.title, status: 409, detail: 'Fencing node2 would lose quorum.', code: 'QUORUM_AT_RISK', instance: '/v1/jobs', details: { node: 'node2' } });
  const i = problemOf(new Error('secret path /etc/x at foo.ts:12'));
  assert.equal(i.status, 500);
  assert.equal(i.code, 'INTERNAL');
  assert.doesNotMatch(JSON.stringify(i), /secret|foo\.ts/);
});

test('describeAjvError names the field', () => {
  const r = describeAjvError({ instancePath: '/params', keyword: 'additionalProperties', params: { additionalProperty: 'x' }, schemaPath: '', message: '' } as never, 'Body');
  assert.equal(r.field, 'params.x');
});

test('jsonDepth', () => {
  assert.equal(jsonDepth(1), 0);
  assert.equal(jsonDepth({ a: [1] }), 2);
  let d: unknown = 0;
  for (let i = 0; i < 10_000; i++) d = [d];
  assert.ok(jsonDepth(d) > 16);
});

test('callback hosts: exact or *.suffix, https unless allowHttp, no credentials, a secret needed', () => {
  assert.equal(hostAllowed('hooks.example.com', ['hooks.example.com']), true);
  assert.equal(hostAllowed('a.b.example.com', ['*.example.com']), true);
  assert.equal(hostAllowed('example.com', ['*.example.com']), false);
  assert.equal(hostAllowed('evilexample.com', ['*.example.com']), false);
  const policy = { allowedHosts: ['127.0.0.1'], allowHttp: false, secret: 's' };
  assert.throws(() => checkCallbackUrl('http://127.0.0.1/x', policy), { code: 'CALLBACK_NOT_ALLOWED' });
  assert.ok(checkCallbackUrl('http://127.0.0.1:9/x', { ...policy, allowHttp: true }));
  assert.throws(() => checkCallbackUrl('https://127.0.0.1/x', { ...policy, secret: undefined }), { code: 'CALLBACK_NOT_ALLOWED' });
  assert.throws(() => checkCallbackUrl('https://u:p@127.0.0.1/x', policy), { code: 'CALLBACK_NOT_ALLOWED' });
  assert.throws(() => checkCallbackUrl('https://127.0.0.2/x', policy), { code: 'CALLBACK_NOT_ALLOWED' });
});

test('signatures: HMAC over timestamp.body; tampering, other secrets and stale timestamps fail', () => {
  const body = '{"event":"job.state"}';
  const h = signDelivery('sekrit', body, 'job.state', 'j1-queued', 1_700_000_000_000);
  const now = 1_700_000_010_000;
  assert.equal(verifySignature('sekrit', h['X-HASF-Timestamp'], body, h['X-HASF-Signature'], { nowMs: now }), true);
  assert.equal(verifySignature('sekrit', h['X-HASF-Timestamp'], body + ' ', h['X-HASF-Signature'], { nowMs: now }), false);
  assert.equal(verifySignature('other', h['X-HASF-Timestamp'], body, h['X-HASF-Signature'], { nowMs: now }), false);
  assert.equal(verifySignature('sekrit', h['X-HASF-Timestamp'], body, h['X-HASF-Signature'], { nowMs: now + 3600_000 }), false);
});

test('callback backoff doubles up to its cap, and 24 h of retries fit in a bounded number of attempts', () => {
  assert.deepEqual([1, 2, 3, 4].map((n) => backoffDelay(n, 1000, 30 * 60_000)), [1000, 2000, 4000, 8000]);
  assert.equal(backoffDelay(40, 1000, 30 * 60_000), 30 * 60_000);
  let total = 0;
  let n = 0;
  while (total < 24 * 3600_000) total += backoffDelay(++n, 1000, 30 * 60_000);
  assert.ok(n < 100, `${n} attempts`);
});

test('docs page: every operation and code, everything escaped, no script or CDN', () => {
  const html = renderDocs();
  for (const id of OPERATIONS_BY_ID.keys()) assert.match(html, new RegExp(`id="op-${id}"`));
  for (const code of Object.keys(CODE_INFO)) assert.match(html, new RegExp(`id="problem-${code}"`));
  assert.doesNotMatch(html, /<script|https?:\/\/(cdn|unpkg)/i);
  assert.match(html, /X-HASF-Signature/);
});

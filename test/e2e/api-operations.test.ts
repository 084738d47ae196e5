import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import type { Express } from 'express';
import { createApiApp, schemaValidator, paramsSchemaName } from '../../src/api/index.ts';
import { OPERATIONS, OPERATION_NAMES } from '../../src/operations/index.ts';
import { startCibHarness, conforms, bearer } from '../helpers/api.ts';
import type { Harness } from '../helpers/harness.ts';

// GET /v1/operations: what a ticketing system builds its forms from, checked against the
// catalogue and against what POST /v1/jobs then really accepts and refuses.
let h: Harness & { cibFile: string };
let app: Express;

before(async () => {
  h = await startCibHarness({
    approvals: {
      operations: { 'node.fence': { required: 2, clusters: { cib: { required: 3, window: '1h' } } } },
      // A freeze in force now for node.standby only.
      freezes: [{ name: 'always', zone: 'UTC', from: '2000-01-01', to: '2999-01-01', operations: ['node.standby'] }],
    },
  });
  app = createApiApp(h.services);
});
after(async () => {
  await h.stop();
});

test('every operation with its schema, risk, approvals, the policy per cluster and its refusals', async () => {
  const res = await request(app).get('/v1/operations').set(bearer(h.tokens.vera));
  const body = conforms('listOperations', res);
  assert.deepEqual(body.operations.map((o: { name: string }) => o.name), [...OPERATION_NAMES]);
  for (const o of body.operations) {
    const def = OPERATIONS[o.name as keyof typeof OPERATIONS];
    assert.deepEqual(o.paramsSchema, JSON.parse(JSON.stringify(def.paramsSchema)), o.name);
    // The same schema openapi.yaml carries and POST /v1/jobs validates with.
    assert.deepEqual(o.paramsSchema, JSON.parse(JSON.stringify(schemaValidator(paramsSchemaName(o.name)!).schema)), o.name);
    assert.equal(o.defaultApprovals, def.defaultApprovals);
    assert.equal(o.policy.length, 1);
    assert.equal(o.policy[0].cluster, 'cib');
    for (const r of o.refusals) assert.ok(r.status >= 400 && r.title, JSON.stringify(r));
  }
  const fence = body.operations.find((o: { name: string }) => o.name === 'node.fence');
  assert.deepEqual(fence.policy[0], { cluster: 'cib', required: 3, approvers: { roles: ['approver', 'admin'], people: [], slackGroups: [] }, windowSeconds: 3600, rejectionEnds: true });
  assert.ok(fence.refusals.some((r: { code: string; status: number }) => r.code === 'QUORUM_AT_RISK' && r.status === 409));
  const standby = body.operations.find((o: { name: string }) => o.name === 'node.standby');
  assert.equal(standby.policy[0].frozen.freeze, 'always');
  assert.equal(body.operations.find((o: { name: string }) => o.name === 'vm.migrate').policy[0].frozen, undefined);
  assert.deepEqual(body.readOnly.map((r: { name: string }) => r.name), ['cluster.status', 'cluster.check']);
  assert.ok(body.requestRefusals.some((r: { code: string }) => r.code === 'CHANGE_FREEZE'));
});

test('what the catalogue says is what POST /v1/jobs does: the policy, the freeze, a listed refusal', async () => {
  const res = conforms('listOperations', await request(app).get('/v1/operations').set(bearer(h.tokens.vera)));
  const fence = res.operations.find((o: { name: string }) => o.name === 'node.fence');
  const dry = conforms('createJob', await request(app).post('/v1/jobs').set(bearer(h.tokens.otto)).send({ operation: 'node.fence', params: { node: 'node2' }, reason: 'x', dryRun: true }));
  assert.equal(dry.approvalsRequired, fence.policy[0].required);
  const frozen = conforms('createJob', await request(app).post('/v1/jobs').set(bearer(h.tokens.otto)).send({ operation: 'node.standby', params: { node: 'node2' }, reason: 'x' }));
  assert.equal(frozen.code, 'CHANGE_FREEZE');
  const unknown = conforms('createJob', await request(app).post('/v1/jobs').set(bearer(h.tokens.otto)).send({ operation: 'vm.migrate', params: { vm: 'vm9', node: 'node2' }, reason: 'x' }));
  assert.ok(res.operations.find((o: { name: string }) => o.name === 'vm.migrate').refusals.some((r: { code: string; status: number }) => r.code === unknown.code && r.status === 422));
  assert.equal((await request(app).get('/v1/operations')).status, 401);
});

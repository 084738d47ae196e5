import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  approvalsConfigSchema,
  parseDuration,
  policyGroups,
  resolvePolicy,
} from '../../src/approvals/index.ts';

const H = 3_600_000;

test('built-in defaults per operation', () => {
  const cfg = approvalsConfigSchema.parse({});
  const req = (op: string) => resolvePolicy(cfg, op, 'prod').required;
  assert.equal(req('vm.migrate'), 1);
  assert.equal(req('node.standby'), 1);
  assert.equal(req('node.online'), 1);
  assert.equal(req('lun.add'), 1);
  assert.equal(req('node.fence'), 2);
  assert.equal(req('resource.cleanup'), 0);
  assert.equal(req('something.new'), 1, 'unknown operations fail safe');
  const p = resolvePolicy(cfg, 'node.fence', 'prod');
  assert.equal(p.windowMs, 4 * H);
  assert.equal(p.rejectionEnds, true);
  assert.deepEqual(p.approvers, { roles: ['approver', 'admin'], people: [], slackGroups: [] });
});

test('layers: defaults < operation < cluster; approvers replaced, not merged', () => {
  const cfg = approvalsConfigSchema.parse({
    defaults: { window: '2h', rejectionEnds: false },
    operations: {
      'vm.migrate': { required: 2, approvers: { roles: ['approver'] } },
      'node.fence': {
        window: 30 * 60_000,
        clusters: {
          prod: {
            required: 3,
            approvers: { people: ['carol'], slackGroups: ['SLEADS'] },
            rejectionEnds: true,
            window: '1d12h',
          },
        },
      },
    },
  });
  const dev = resolvePolicy(cfg, 'node.fence', 'dev');
  assert.deepEqual(
    { required: dev.required, windowMs: dev.windowMs, rejectionEnds: dev.rejectionEnds },
    { required: 2, windowMs: 30 * 60_000, rejectionEnds: false },
  );
  const prod = resolvePolicy(cfg, 'node.fence', 'prod');
  assert.equal(prod.required, 3);
  assert.equal(prod.windowMs, 36 * H);
  assert.equal(prod.rejectionEnds, true);
  assert.deepEqual(prod.approvers, { roles: [], people: ['carol'], slackGroups: ['SLEADS'] });
  const mig = resolvePolicy(cfg, 'vm.migrate', 'prod');
  assert.equal(mig.required, 2);
  assert.equal(mig.windowMs, 2 * H);
  assert.deepEqual(mig.approvers.roles, ['approver']);
  assert.equal(resolvePolicy(cfg, 'lun.add', 'prod').required, 1);
  assert.deepEqual(policyGroups(cfg), ['SLEADS']);
});

test('config errors: unknown operation, bad duration, required in defaults', () => {
  assert.equal(
    approvalsConfigSchema.safeParse({ operations: { 'node.fense': { required: 3 } } }).success,
    false,
  );
  assert.equal(
    approvalsConfigSchema.safeParse({ operations: { 'vm.migrate': { window: 'soon' } } }).success,
    false,
  );
  assert.equal(
    approvalsConfigSchema.safeParse({ operations: { 'vm.migrate': { window: 0 } } }).success,
    false,
  );
  assert.equal(
    approvalsConfigSchema.safeParse({ defaults: { required: 0 } }).success,
    false,
    'a blanket required could lower node.fence',
  );
  assert.equal(
    approvalsConfigSchema.safeParse({ operations: { 'vm.migrate': { required: -1 } } }).success,
    false,
  );
});

test('durations', () => {
  assert.equal(parseDuration('4h'), 4 * H);
  assert.equal(parseDuration('1h30m'), 1.5 * H);
  assert.equal(parseDuration('90s'), 90_000);
  assert.equal(parseDuration(''), undefined);
  assert.equal(parseDuration('4 hours'), undefined);
});

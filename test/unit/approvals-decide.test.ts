import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Person, Principal, Role } from '../../src/auth/index.ts';
import {
  approvalsConfigSchema,
  approvalState,
  decide,
  isExpired,
  resolvePolicy,
  type ApprovalJob,
  type ApprovalRecord,
} from '../../src/approvals/index.ts';

const cfg = approvalsConfigSchema.parse({
  operations: {
    'lun.add': { approvers: { people: ['erin'], slackGroups: ['SSTORAGE'] } },
    'vm.migrate': { rejectionEnds: false, required: 2 },
  },
});
const fence = resolvePolicy(cfg, 'node.fence', 'prod');
const T0 = new Date('2024-05-01T10:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

function who(
  name: string,
  roles: Role[],
  identity = `slack:U${name.toUpperCase()}`,
  slackGroups: string[] = [],
): Principal {
  const person: Person = { name, displayName: name, roles, slackUserIds: [], slackGroups };
  return { person, identity, channel: identity.startsWith('slack') ? 'slack' : 'rest' };
}
const alice = who('alice', ['operator', 'approver']);
const bob = who('bob', ['approver']);
const bobToken = who('bob', ['approver'], 'token:tok_1');
const carol = who('carol', ['admin']);
const dave = who('dave', ['operator']);

function job(approvals: ApprovalRecord[] = [], state = 'awaiting_approval'): ApprovalJob {
  return { requester: 'alice', approvals, createdAt: T0.toISOString(), state };
}
function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

test('requester cannot approve (SELF_APPROVAL), and a stray own record never counts', () => {
  assert.equal(
    code(() => decide(fence, job(), alice, 'approve', undefined, at(1))),
    'SELF_APPROVAL',
  );
  assert.equal(
    code(() => decide(fence, job(), alice, 'reject', undefined, at(1))),
    'SELF_APPROVAL',
  );
  const own: ApprovalRecord = {
    person: 'alice',
    identity: 'token:tok_a',
    decision: 'approve',
    at: at(1).toISOString(),
  };
  const d = decide(fence, job([own]), bob, 'approve', undefined, at(2));
  assert.equal(d.counted, 1);
  assert.equal(d.outcome, 'pending');
});

test('one person counts once across identities (ALREADY_DECIDED)', () => {
  const first = decide(fence, job(), bob, 'approve', 'ok', at(1));
  assert.equal(first.record.person, 'bob');
  assert.equal(first.record.comment, 'ok');
  assert.equal(first.outcome, 'pending');
  assert.deepEqual([first.counted, first.needed], [1, 2]);
  assert.equal(
    code(() => decide(fence, job([first.record]), bobToken, 'approve', undefined, at(2))),
    'ALREADY_DECIDED',
  );
  assert.equal(
    code(() => decide(fence, job([first.record]), bobToken, 'reject', undefined, at(2))),
    'ALREADY_DECIDED',
  );
});

test('two other approvers → approved', () => {
  const a = decide(fence, job(), bob, 'approve', undefined, at(1));
  const b = decide(fence, job([a.record]), carol, 'approve', undefined, at(2));
  assert.equal(b.outcome, 'approved');
  assert.deepEqual([b.counted, b.needed], [2, 2]);
  assert.equal(b.record.identity, 'slack:UCAROL');
});

test('one rejection ends the request by default', () => {
  const d = decide(fence, job(), bob, 'reject', 'not now', at(1));
  assert.equal(d.outcome, 'rejected');
  assert.equal(d.record.decision, 'reject');
  const a = decide(fence, job(), carol, 'approve', undefined, at(1));
  assert.equal(approvalState(fence, job([a.record, d.record]), at(3)).outcome, 'rejected');
});

test('rejectionEnds=false: a rejection is recorded, approvals can still carry it', () => {
  const mig = resolvePolicy(cfg, 'vm.migrate', 'prod');
  const r = decide(mig, job(), bob, 'reject', undefined, at(1));
  assert.equal(r.outcome, 'pending');
  const a = decide(mig, job([r.record]), carol, 'approve', undefined, at(2));
  assert.equal(a.outcome, 'pending');
  assert.equal(a.counted, 1);
  const erin = who('erin', ['approver']);
  assert.equal(
    decide(mig, job([r.record, a.record]), erin, 'approve', undefined, at(3)).outcome,
    'approved',
  );
});

test('ineligible approvers: no approve permission, or not in the approver set', () => {
  assert.equal(
    code(() => decide(fence, job(), dave, 'approve', undefined, at(1))),
    'NOT_ELIGIBLE',
  );
  const lun = resolvePolicy(cfg, 'lun.add', 'prod');
  assert.equal(
    code(() => decide(lun, job(), bob, 'approve', undefined, at(1))),
    'NOT_ELIGIBLE',
    'approver role not listed',
  );
  assert.equal(
    decide(lun, job(), who('erin', ['approver']), 'approve', undefined, at(1)).outcome,
    'approved',
  );
  assert.equal(
    decide(
      lun,
      job(),
      who('frank', ['approver'], 'slack:UF', ['SSTORAGE']),
      'approve',
      undefined,
      at(1),
    ).outcome,
    'approved',
  );
  assert.equal(
    code(() => decide(lun, job(), who('erin', ['viewer']), 'approve', undefined, at(1))),
    'NOT_ELIGIBLE',
    'named but lacks approve',
  );
});

test('not pending → JOB_NOT_PENDING', () => {
  for (const s of ['queued', 'running', 'rejected', 'expired', 'cancelled']) {
    assert.equal(
      code(() => decide(fence, job([], s), bob, 'approve', undefined, at(1))),
      'JOB_NOT_PENDING',
    );
  }
});

test('expiry after the window (4 h by default); job.expiresAt wins', () => {
  assert.equal(isExpired(fence, T0.toISOString(), at(239)), false);
  assert.equal(isExpired(fence, T0.toISOString(), at(240)), true);
  const late = decide(fence, job(), bob, 'approve', undefined, at(241));
  assert.equal(late.outcome, 'expired');
  assert.equal(late.counted, 0);
  assert.equal(approvalState(fence, job(), at(241)).outcome, 'expired');
  assert.equal(approvalState(fence, job(), at(10)).outcome, 'pending');
  const fixed = { ...job(), expiresAt: at(30).toISOString(), approvalsRequired: 1 };
  assert.equal(decide(fence, fixed, bob, 'approve', undefined, at(31)).outcome, 'expired');
  assert.equal(
    decide(fence, fixed, bob, 'approve', undefined, at(29)).outcome,
    'approved',
    'terms fixed at request time',
  );
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Principal, Role } from '../../src/auth/index.ts';
import { checkEmergency, checkReview, type ReviewJob } from '../../src/approvals/index.ts';

function who(name: string, roles: Role[]): Principal {
  return {
    person: { name, displayName: name, roles, slackUserIds: [], slackGroups: [] },
    identity: `token:tok_${name}`,
    channel: 'rest',
  };
}
const admin = who('root1', ['admin']);
const admin2 = who('root2', ['admin']);
const approver = who('bob', ['approver']);
const operator = who('dave', ['operator']);
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return 'no error';
};

test('break-glass: only an admin, and only with a reason', () => {
  assert.equal(
    checkEmergency(admin, '  node2 hung, storage fenced us out  '),
    'node2 hung, storage fenced us out',
  );
  assert.equal(
    codeOf(() => checkEmergency(operator, 'node2 hung, storage fenced us out')),
    'FORBIDDEN',
  );
  assert.equal(
    codeOf(() => checkEmergency(approver, 'node2 hung, storage fenced us out')),
    'FORBIDDEN',
  );
  assert.equal(
    codeOf(() => checkEmergency(admin, undefined)),
    'INVALID_INPUT',
  );
  assert.equal(
    codeOf(() => checkEmergency(admin, '   ')),
    'INVALID_INPUT',
  );
  assert.equal(
    codeOf(() => checkEmergency(admin, 'urgent')),
    'INVALID_INPUT',
  );
});

test('review: by someone else with approve permission, once', () => {
  const job: ReviewJob = { requester: 'root1', emergency: true, reviewPending: true };
  assert.equal(
    codeOf(() => checkReview(job, admin)),
    'SELF_APPROVAL',
  );
  assert.equal(
    codeOf(() => checkReview(job, operator)),
    'NOT_ELIGIBLE',
  );
  const at = new Date('2024-05-01T12:00:00Z');
  assert.deepEqual(checkReview(job, approver, 'looked fine', at), {
    person: 'bob',
    identity: 'token:tok_bob',
    comment: 'looked fine',
    at: '2024-05-01T12:00:00.000Z',
  });
  assert.equal(checkReview(job, admin2).person, 'root2');
  assert.equal(
    codeOf(() => checkReview({ ...job, reviewPending: false, review: { person: 'bob' } }, admin2)),
    'ALREADY_DECIDED',
  );
  assert.equal(
    codeOf(() =>
      checkReview({ requester: 'root1', emergency: false, reviewPending: false }, approver),
    ),
    'JOB_NOT_PENDING',
  );
});

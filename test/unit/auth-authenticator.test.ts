import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Authenticator,
  Directory,
  generateToken,
  hashToken,
  peopleSchema,
} from '../../src/auth/index.ts';
import {
  approvalsConfigSchema,
  decide,
  policyGroups,
  resolvePolicy,
} from '../../src/approvals/index.ts';

// The pieces wired as the API will wire them: config → directory → authenticator → decide().
const bobToken = generateToken();
const approvals = approvalsConfigSchema.parse({
  operations: { 'node.fence': { approvers: { roles: ['admin'], slackGroups: ['SCAB'] } } },
});
const people = peopleSchema.parse({
  people: [
    { name: 'alice', roles: ['operator'], slackUserIds: ['UALICE'] },
    {
      name: 'bob',
      roles: ['approver'],
      slackUserIds: ['UBOB'],
      tokenHashes: [hashToken(bobToken)],
    },
  ],
  slackUserGroups: [{ id: 'SLEADS', roles: ['approver'] }],
});
const members: Record<string, string[]> = { SLEADS: ['UCAROL'], SCAB: ['UBOB', 'UCAROL'] };
const auth = new Authenticator({
  directory: new Directory({
    ...people,
    watchGroups: policyGroups(approvals),
    groupMembers: async (g) => members[g] ?? [],
  }),
});
const job = {
  requester: 'alice',
  approvals: [],
  createdAt: '2024-05-01T10:00:00Z',
  state: 'awaiting_approval',
};
const now = new Date('2024-05-01T10:05:00Z');

test('one person through Slack and a token decides once', async () => {
  const fence = resolvePolicy(approvals, 'node.fence', 'prod');
  const viaSlack = await auth.fromSlack('UBOB');
  const viaToken = await auth.fromBearer(`Bearer ${bobToken}`);
  assert.equal(viaSlack.person.name, viaToken.person.name);
  assert.deepEqual(
    viaToken.person.slackGroups,
    ['SCAB'],
    'group membership follows the person, not the channel',
  );
  const first = decide(fence, job, viaSlack, 'approve', undefined, now);
  assert.equal(first.counted, 1);
  assert.throws(
    () => decide(fence, { ...job, approvals: [first.record] }, viaToken, 'approve', undefined, now),
    { code: 'ALREADY_DECIDED' },
  );
});

test('an unconfigured Slack user made approver by a group counts as a separate person', async () => {
  const fence = resolvePolicy(approvals, 'node.fence', 'prod');
  const bob = await auth.fromSlack('UBOB');
  const carol = await auth.fromSlack('UCAROL');
  assert.equal(carol.person.name, 'slack:UCAROL');
  assert.deepEqual(carol.person.roles, ['approver']);
  const a = decide(fence, job, bob, 'approve', undefined, now);
  const b = decide(fence, { ...job, approvals: [a.record] }, carol, 'approve', undefined, now);
  assert.equal(b.outcome, 'approved');
  const alice = await auth.fromSlack('UALICE');
  assert.throws(() => auth.require(alice, 'approve'), { code: 'FORBIDDEN' });
  assert.throws(() => decide(fence, job, alice, 'approve', undefined, now), {
    code: 'SELF_APPROVAL',
  });
});

test('CLI principal for a configured person only', async () => {
  const p = await auth.fromCli('alice');
  assert.equal(p.identity, 'cli:alice');
  assert.equal(p.channel, 'cli');
  await assert.rejects(auth.fromCli('nobody'), { code: 'UNAUTHENTICATED' });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Directory, hashToken, peopleSchema } from '../../src/auth/index.ts';

const cfg = peopleSchema.parse({
  people: [
    {
      name: 'alice',
      roles: ['operator'],
      slackUserIds: ['UALICE'],
      tokenHashes: [hashToken('hasf_' + 'a'.repeat(43))],
    },
    { name: 'bob', displayName: 'Bob B.', roles: ['viewer'], slackUserIds: ['UBOB1', 'UBOB2'] },
  ],
  slackUserGroups: [
    { id: 'SLEADS', roles: ['approver'] },
    { id: 'SOPS', roles: ['operator'] },
  ],
});

function directory(
  members: Record<string, string[]>,
  extra: Partial<ConstructorParameters<typeof Directory>[0]> = {},
) {
  const calls: string[] = [];
  let now = 0;
  const d = new Directory({
    ...cfg,
    groupMembers: async (id) => {
      calls.push(id);
      if (!(id in members)) throw new Error(`no group ${id}`);
      return members[id]!;
    },
    groupCacheMs: 1000,
    clock: () => now,
    ...extra,
  });
  return { d, calls, advance: (ms: number) => (now += ms) };
}

test('configured person by name and by each Slack user; group roles are added', async () => {
  const { d } = directory({ SLEADS: ['UBOB2'], SOPS: [] });
  const bob1 = await d.bySlackUser('UBOB1');
  assert.equal(bob1?.name, 'bob');
  assert.equal(bob1?.displayName, 'Bob B.');
  assert.deepEqual(bob1?.roles.sort(), ['approver', 'viewer']);
  assert.deepEqual(bob1?.slackGroups, ['SLEADS']);
  assert.deepEqual(
    (await d.byName('bob'))?.roles.sort(),
    ['approver', 'viewer'],
    'same person, same roles by name',
  );
  assert.deepEqual((await d.byName('alice'))?.roles, ['operator']);
  assert.equal(await d.byName('mallory'), undefined);
});

test('unconfigured Slack user: a synthetic person only through a role-granting group', async () => {
  const { d } = directory(
    { SLEADS: ['UCAROL'], SOPS: [], SWATCH: ['UDAVE'] },
    { watchGroups: ['SWATCH'] },
  );
  const carol = await d.bySlackUser('UCAROL');
  assert.equal(carol?.name, 'slack:UCAROL');
  assert.deepEqual(carol?.roles, ['approver']);
  assert.equal(await d.bySlackUser('UDAVE'), undefined, 'a watched group grants no role');
  assert.equal(await d.bySlackUser('UNOBODY'), undefined);
});

test('declared token hash maps to its person', async () => {
  const { d } = directory({ SLEADS: [], SOPS: [] });
  assert.equal((await d.byTokenHash(hashToken('hasf_' + 'a'.repeat(43))))?.name, 'alice');
  assert.equal(await d.byTokenHash(hashToken('hasf_' + 'b'.repeat(43))), undefined);
});

test('group membership is cached for the TTL, then looked up again', async () => {
  const members = { SLEADS: ['UBOB1'], SOPS: [] as string[] };
  const { d, calls, advance } = directory(members);
  await d.bySlackUser('UBOB1');
  await d.bySlackUser('UBOB2');
  assert.equal(calls.length, 2, 'one lookup per group while fresh');
  members.SLEADS = [];
  advance(999);
  assert.deepEqual(
    (await d.bySlackUser('UBOB1'))?.roles,
    ['viewer', 'approver'],
    'still cached: old membership',
  );
  advance(1);
  assert.deepEqual(
    (await d.bySlackUser('UBOB1'))?.roles,
    ['viewer'],
    'removal takes effect after the TTL',
  );
  assert.equal(calls.length, 4);
});

test('a failing group lookup grants nothing, is remembered briefly (no lookup per authentication), then retried', async () => {
  const errors: string[] = [];
  const { d, calls, advance } = directory({ SOPS: [] }, { onGroupError: (_e, id) => errors.push(id), groupFailureMs: 100 });
  assert.deepEqual((await d.bySlackUser('UBOB1'))?.roles, ['viewer']);
  assert.deepEqual(errors, ['SLEADS']);
  for (let i = 0; i < 5; i++) await d.bySlackUser('UBOB1');
  assert.equal(calls.filter((c) => c === 'SLEADS').length, 1, 'the failure is cached');
  advance(101);
  await d.bySlackUser('UBOB1');
  assert.equal(calls.filter((c) => c === 'SLEADS').length, 2, 'retried after failureTtlMs');
});

test('a group lookup that hangs (Slack down) times out and counts as failed, once', async () => {
  let lookups = 0;
  const d = new Directory({ ...cfg, groupMembers: () => (lookups++, new Promise<string[]>(() => {})), groupLookupTimeoutMs: 50 });
  const t = performance.now();
  const people = await Promise.all([d.bySlackUser('UBOB1'), d.bySlackUser('UBOB2'), d.byName('alice')]);
  assert.deepEqual(people.map((p) => p?.roles), [['viewer'], ['viewer'], ['operator']]);
  assert.deepEqual((await d.bySlackUser('UBOB1'))?.roles, ['viewer']);
  assert.ok(performance.now() - t < 1000);
  assert.equal(lookups, 2, 'one lookup per group, not one per authentication');
});

test('without a lookup function groups grant nothing', async () => {
  const d = new Directory(cfg);
  assert.deepEqual((await d.bySlackUser('UBOB1'))?.roles, ['viewer']);
  assert.equal(await d.bySlackUser('UCAROL'), undefined);
  assert.deepEqual(
    d.all().map((p) => p.name),
    ['alice', 'bob'],
  );
});

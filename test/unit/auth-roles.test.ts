import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  can,
  permissionsOf,
  peopleSchema,
  type Permission,
  type Role,
} from '../../src/auth/index.ts';

const ALL: Permission[] = ['read', 'request', 'approve', 'emergency', 'admin'];
const MATRIX: Record<Role, Permission[]> = {
  viewer: ['read'],
  operator: ['read', 'request'],
  approver: ['read', 'approve'],
  admin: ALL,
};

test('permission matrix: each role grants exactly its permissions', () => {
  for (const [role, granted] of Object.entries(MATRIX) as [Role, Permission[]][]) {
    for (const p of ALL)
      assert.equal(can({ roles: [role] }, p), granted.includes(p), `${role} ${p}`);
  }
});

test('no roles grant nothing; several roles combine', () => {
  for (const p of ALL) assert.equal(can({ roles: [] }, p), false);
  assert.deepEqual(permissionsOf(['operator', 'approver']).sort(), ['approve', 'read', 'request']);
  assert.equal(can({ roles: ['operator', 'approver'] }, 'emergency'), false);
});

test('people schema: defaults, and duplicates are refused', () => {
  const cfg = peopleSchema.parse({ people: [{ name: 'alice', roles: ['operator'] }] });
  assert.deepEqual(cfg.people[0], {
    name: 'alice',
    roles: ['operator'],
    slackUserIds: [],
    tokenHashes: [],
  });
  assert.deepEqual(cfg.slackUserGroups, []);
  const dupSlack = peopleSchema.safeParse({
    people: [
      { name: 'alice', slackUserIds: ['U1AA'] },
      { name: 'bob', slackUserIds: ['U1AA'] },
    ],
  });
  assert.equal(dupSlack.success, false);
  assert.equal(peopleSchema.safeParse({ people: [{ name: 'a' }, { name: 'a' }] }).success, false);
  assert.equal(
    peopleSchema.safeParse({ people: [{ name: 'alice', roles: ['root'] }] }).success,
    false,
  );
  assert.equal(
    peopleSchema.safeParse({ people: [{ name: 'alice', tokenHashes: ['md5:abc'] }] }).success,
    false,
  );
  assert.equal(
    peopleSchema.safeParse({ people: [{ name: 'slack:U1' }] }).success,
    false,
    'synthetic names are reserved',
  );
});

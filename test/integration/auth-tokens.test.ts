import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import {
  Authenticator,
  Directory,
  hashToken,
  peopleSchema,
  TokenStore,
  generateToken,
} from '../../src/auth/index.ts';
import { freePort, startRedis, type TestRedis } from '../helpers/redis.ts';

let server: TestRedis;
let redis: Redis;
let now = Date.parse('2024-05-01T10:00:00Z');
const clock = () => now;

before(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
});
after(async () => {
  redis?.disconnect();
  await server?.stop();
});

// Every key and value in Redis, as text, and the AOF on disk: where a leaked token would be.
async function everythingStored(): Promise<{ live: string; aof: string }> {
  const parts: string[] = [];
  for (const key of await redis.keys('*')) {
    parts.push(key);
    const type = await redis.type(key);
    if (type === 'string') parts.push((await redis.get(key)) ?? '');
    else if (type === 'hash') parts.push(JSON.stringify(await redis.hgetall(key)));
    else if (type === 'set') parts.push(...(await redis.smembers(key)));
    else parts.push(`<unexpected ${type}>`);
  }
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : [readFileSync(join(dir, e.name), 'latin1')],
    );
  return { live: parts.join('\n'), aof: walk(server.dir).join('\n') };
}

test('create shows the plain token once and stores only its hash', async () => {
  const store = new TokenStore({ redis, prefix: 't1:', clock });
  const created = await store.create('alice', { label: 'ticketing' });
  assert.match(created.token, /^hasf_[A-Za-z0-9_-]{43}$/);
  assert.equal(Buffer.from(created.token.slice(5), 'base64url').length, 32);
  assert.equal(created.expiresAt, undefined);
  for (const [where, text] of Object.entries(await everythingStored())) {
    assert.ok(!text.includes(created.token.slice(5)), `token found in ${where}`);
    assert.ok(text.includes(hashToken(created.token).slice(7)), `the hash is what ${where} holds`);
  }
  // No record of who minted it: delegated (its approvals never count).
  assert.deepEqual(await store.resolve(created.token), {
    personName: 'alice',
    tokenId: created.id,
    personal: false,
  });
  const listed = await store.list('alice');
  assert.equal(listed.length, 1);
  assert.deepEqual(listed[0], {
    id: created.id,
    personName: 'alice',
    label: 'ticketing',
    createdAt: '2024-05-01T10:00:00.000Z',
    personal: false,
  });
  assert.ok(!JSON.stringify(listed).includes(created.token));
});

test('provenance: a token is personal only when its person minted it with a personal credential', async () => {
  const store = new TokenStore({ redis, prefix: 't1p:', clock });
  const own = await store.create('bert', { createdBy: { person: 'bert', identity: 'token:cfg-abc', personal: true } });
  const forOther = await store.create('bert', { createdBy: { person: 'ada', identity: 'token:cfg-def', personal: true } });
  // Minted by bert, but with a token someone else minted for him: still delegated.
  const chained = await store.create('bert', { createdBy: { person: 'bert', identity: `token:${forOther.id}`, personal: false } });
  assert.deepEqual(await store.resolve(own.token), { personName: 'bert', tokenId: own.id, createdBy: 'bert', createdWith: 'token:cfg-abc', personal: true });
  assert.deepEqual(await store.resolve(forOther.token), { personName: 'bert', tokenId: forOther.id, createdBy: 'ada', createdWith: 'token:cfg-def', personal: false });
  assert.equal((await store.resolve(chained.token))?.personal, false);
  const listed = await store.list('bert');
  assert.deepEqual(
    listed.map((t) => [t.id, t.createdBy, t.personal]).sort(),
    [
      [own.id, 'bert', true],
      [forOther.id, 'ada', false],
      [chained.id, 'bert', false],
    ].sort(),
  );
});

test('unknown, malformed and near-miss tokens resolve to nothing', async () => {
  const store = new TokenStore({ redis, prefix: 't2:', clock });
  const { token } = await store.create('alice');
  assert.equal(await store.resolve(generateToken()), undefined);
  assert.equal(await store.resolve('hasf_short'), undefined);
  assert.equal(
    await store.resolve(token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A')),
    undefined,
  );
  assert.equal(await store.resolve(token + 'x'), undefined);
  assert.equal(
    await new TokenStore({ redis, prefix: 'other:', clock }).resolve(token),
    undefined,
    'prefixes isolate',
  );
});

test('tokens expire by the store clock, and Redis drops them later', async () => {
  const store = new TokenStore({ redis, prefix: 't3:', clock });
  const { token, id, expiresAt } = await store.create('bob', { ttlMs: 60_000 });
  assert.equal(expiresAt, '2024-05-01T10:01:00.000Z');
  assert.equal((await store.resolve(token))?.tokenId, id);
  now += 59_999;
  assert.ok(await store.resolve(token));
  now += 1;
  assert.equal(await store.resolve(token), undefined);
  assert.deepEqual(await store.list('bob'), []);
  const ttl = await redis.pttl(`t3:{tokens}:id:${id}`);
  assert.ok(ttl > 0 && ttl <= 120_000, `Redis TTL set for garbage collection (${ttl})`);
  await assert.rejects(store.create('bob', { ttlMs: 0 }), { code: 'INVALID_INPUT' });
});

test('revoke takes effect at once; list filters by person; revokeAll', async () => {
  const store = new TokenStore({ redis, prefix: 't4:', clock });
  const a1 = await store.create('alice');
  const a2 = await store.create('alice', { label: 'second' });
  const b1 = await store.create('bob');
  assert.deepEqual((await store.list()).map((t) => t.id).sort(), [a1.id, a2.id, b1.id].sort());
  assert.equal(await store.revoke(a1.id), true);
  assert.equal(await store.revoke(a1.id), false);
  assert.equal(await store.revoke('tok_nonexistent'), false);
  assert.equal(await store.resolve(a1.token), undefined);
  assert.equal((await store.resolve(a2.token))?.personName, 'alice');
  assert.deepEqual(
    (await store.list('alice')).map((t) => t.id),
    [a2.id],
  );
  assert.equal(await store.revokeAll('alice'), 1);
  assert.equal(await store.resolve(a2.token), undefined);
  assert.equal((await store.resolve(b1.token))?.personName, 'bob');
  assert.equal(
    (await redis.keys('t4:*')).length,
    3,
    'only bob’s id key, hash key and the id set remain',
  );
});

test('Authenticator: Redis tokens, config-declared hashes, unknown callers, roles', async () => {
  const declared = generateToken();
  const people = peopleSchema.parse({
    people: [
      { name: 'alice', roles: ['operator'] },
      { name: 'svc-ticketing', roles: ['operator'], tokenHashes: [hashToken(declared)] },
      { name: 'vic', roles: ['viewer'], slackUserIds: ['UVIC'] },
    ],
  });
  const tokens = new TokenStore({ redis, prefix: 't5:', clock });
  const auth = new Authenticator({ directory: new Directory(people), tokens });

  const viaConfig = await auth.fromBearer(`Bearer ${declared}`);
  assert.equal(viaConfig.person.name, 'svc-ticketing');
  assert.match(viaConfig.identity, /^token:cfg-[0-9a-f]{16}$/);
  assert.equal(viaConfig.channel, 'rest');
  assert.deepEqual(await redis.keys('t5:*'), [], 'declared tokens need nothing in Redis');

  const { token, id } = await tokens.create('alice');
  const alice = await auth.fromBearer(`bearer  ${token}`);
  assert.equal(alice.person.name, 'alice');
  assert.equal(alice.identity, `token:${id}`);
  auth.require(alice, 'request');
  assert.throws(() => auth.require(alice, 'approve'), { code: 'FORBIDDEN' });

  for (const header of [
    undefined,
    '',
    'Basic abc',
    `Bearer ${generateToken()}`,
    'Bearer hasf_nope',
    token,
  ]) {
    await assert.rejects(auth.fromBearer(header), { code: 'UNAUTHENTICATED' }, String(header));
  }
  const gone = await tokens.create('mallory');
  await assert.rejects(
    auth.fromBearer(`Bearer ${gone.token}`),
    { code: 'UNAUTHENTICATED' },
    'person no longer configured',
  );
  await tokens.revoke(id);
  await assert.rejects(auth.fromBearer(`Bearer ${token}`), { code: 'UNAUTHENTICATED' });

  const vic = await auth.fromSlack('UVIC');
  assert.equal(vic.identity, 'slack:UVIC');
  auth.require(vic, 'read');
  assert.throws(() => auth.require(vic, 'request'), { code: 'FORBIDDEN' });
  await assert.rejects(auth.fromSlack('UNOBODY'), { code: 'UNAUTHENTICATED' });

  const withoutRedis = new Authenticator({ directory: new Directory(people) });
  assert.equal((await withoutRedis.fromBearer(`Bearer ${declared}`)).person.name, 'svc-ticketing');
  await assert.rejects(withoutRedis.fromBearer(`Bearer ${token}`), { code: 'UNAUTHENTICATED' });
});

test('Redis down → REDIS_UNAVAILABLE, not "unauthenticated"', async () => {
  const dead = new Redis({
    host: '127.0.0.1',
    port: await freePort(),
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    const store = new TokenStore({ redis: dead });
    await assert.rejects(store.resolve(generateToken()), { code: 'REDIS_UNAVAILABLE' });
    await assert.rejects(store.create('alice'), { code: 'REDIS_UNAVAILABLE' });
  } finally {
    dead.disconnect();
  }
});

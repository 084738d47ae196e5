import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Compare-and-append: XADD the records only if the head pointer is still the one the
 * writer built its chain on. The MACs are computed in Node (the key never reaches
 * Redis), so this is optimistic concurrency: a writer that lost the race gets the
 * current head back and rebuilds its batch on top of it.
 *
 * KEYS: stream, head. ARGV: expected head ('' when empty), new head, n, then n pairs
 * (time in ms, record JSON).
 * Returns {1, id...} on success, {0, currentHead} on a lost race, {-1, ''} when the
 * stream holds records but the head pointer is gone (tampering or a foreign writer).
 *
 * The head is SET before the first XADD: a refusal (READONLY, NOREPLICAS, OOM) hits the
 * first write, so a refused batch writes nothing. Stream ids take the record's time
 * (`ms-*`) so time queries can seek; a writer clock behind the stream falls back to '*'.
 */
export const APPEND_LUA = `
local cur = redis.call('GET', KEYS[2])
if not cur then
  cur = ''
  if redis.call('XLEN', KEYS[1]) > 0 then return {-1, ''} end
end
if cur ~= ARGV[1] then return {0, cur} end
redis.call('SET', KEYS[2], ARGV[2])
local n = tonumber(ARGV[3])
local out = {1}
for i = 1, n do
  local ms = ARGV[2 + 2 * i]
  local rec = ARGV[3 + 2 * i]
  local ok, id = pcall(redis.call, 'XADD', KEYS[1], ms .. '-*', 'r', rec)
  if not ok then id = redis.call('XADD', KEYS[1], '*', 'r', rec) end
  out[#out + 1] = id
end
return out
`;

const SHA = createHash('sha1').update(APPEND_LUA).digest('hex');

/** Run APPEND_LUA by its SHA, loading it on NOSCRIPT (after a Redis restart or failover). */
export async function runAppendScript(
  redis: Redis,
  keys: [string, string],
  args: string[],
): Promise<unknown> {
  try {
    return await redis.evalsha(SHA, 2, ...keys, ...args);
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('NOSCRIPT')) {
      return await redis.eval(APPEND_LUA, 2, ...keys, ...args);
    }
    throw err;
  }
}

import { Redis } from 'ioredis';
import { connectRedis } from '../../app/redis.ts';
import { inspectRedisDurability, type RedisDurability } from '../../app/redis-durability.ts';
import type { HasfConfig } from '../../config/index.ts';
import { isHasfError } from '../../errors/index.ts';
import { SshPool } from '../../ssh/index.ts';
import type { HostToCheck } from './static.ts';
import type { ConfigProblem, PassedCheck } from './types.ts';

/** What to do about each way an SSH login can fail. */
const SSH_FIXES: Record<string, string> = {
  HOST_KEY_MISMATCH: 'the host offers a key that is not pinned: if the host was reinstalled, verify its new key out of band and update hostKeys; otherwise treat it as a possible man in the middle.',
  SSH_AUTH_FAILED: 'the host refused our login: check user and identityFile (or the ssh-agent), and that the public key is in the host\'s authorized_keys.',
  SSH_CONNECT_FAILED: 'nothing answered: check host and port, that sshd runs, and firewalls between this machine and the host.',
  COMMAND_TIMEOUT: 'logged in but `true` did not finish: the host is overloaded or its shell hangs.',
  CONFIG_INVALID: 'fix the host entry as the message says.',
};

/** The outcome of the live checks. */
export interface ReachResult {
  problems: ConfigProblem[];
  passed: PassedCheck[];
}

/** PING Redis once, within `timeoutMs`, then ask it about persistence and replication. */
async function probeRedis(redis: HasfConfig['redis'], timeoutMs: number): Promise<RedisDurability> {
  const conn =
    redis.cluster || redis.sentinel
      ? connectRedis(redis, { name: 'hasf-config-check' })
      : new Redis(redis.url, { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false, connectionName: 'hasf-config-check' });
  conn.on('error', () => undefined); // reported through the promise below
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      (async () => {
        if (conn.status === 'wait') await conn.connect();
        const pong = await conn.ping();
        if (pong !== 'PONG') throw new Error(`answered ${pong}`);
        return inspectRedisDurability(conn, redis);
      })(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    conn.disconnect();
  }
}

/**
 * Try what the configuration points at: Redis (PING) and every pinned host (an SSH
 * login through SshPool running `true`), each within `timeoutMs`, all at once.
 */
export async function checkReachability(o: { file: string; redis?: HasfConfig['redis']; hosts: HostToCheck[]; timeoutMs: number; agent?: string }): Promise<ReachResult> {
  const problems: ConfigProblem[] = [];
  const passed: PassedCheck[] = [];
  const pool = new SshPool({ connectTimeoutMs: o.timeoutMs, connectAttempts: 1, keepaliveMs: 0, agent: o.agent });
  const tasks: Promise<void>[] = [];
  if (o.redis) {
    const where = o.redis.cluster?.join(',') ?? o.redis.sentinel?.sentinels.join(',') ?? o.redis.url.replace(/\/\/[^@/]*@/, '//***@');
    tasks.push(
      probeRedis(o.redis, o.timeoutMs).then(
        (d) => {
          const fsync = d.fsync ? `, appendfsync ${d.fsync}` : '';
          passed.push({ what: 'redis', detail: `${where} answered PING (${d.role}, AOF ${d.aof ? 'on' : 'off'}${fsync}, ${d.replicasOnline} replica(s) online, ${d.replicasWanted} confirm each write)` });
          for (const f of d.findings) problems.push({ severity: 'warning', file: o.file, key: f.key, problem: f.problem, fix: f.fix });
        },
        (err: Error) =>
          void problems.push({ severity: 'error', file: o.file, key: 'redis.url', problem: `Redis at ${where} unreachable: ${err.message}`, fix: 'start Redis or correct redis.url / HASF_REDIS_URL (with the password if it needs one).' }),
      ),
    );
  }
  for (const h of o.hosts) {
    const started = performance.now();
    tasks.push(
      pool.run(h.host, ['true'], { timeoutMs: o.timeoutMs }).then(
        (r) => {
          if (r.exitCode === 0) passed.push({ what: `ssh ${h.host.name}`, detail: `${h.host.user}@${h.host.host}:${h.host.port} logged in, host key matches (${Math.round(performance.now() - started)} ms)` });
          else problems.push({ severity: 'error', file: h.file, key: h.key, problem: `${h.label}: \`true\` exited ${r.exitCode} on ${h.host.host}`, fix: 'check the login shell of the configured user.' });
        },
        (err: unknown) => {
          const code = isHasfError(err) ? err.code : 'SSH_CONNECT_FAILED';
          problems.push({
            severity: 'error',
            file: h.file,
            key: code === 'HOST_KEY_MISMATCH' ? `${h.key}.hostKeys` : code === 'SSH_AUTH_FAILED' ? `${h.key}.identityFile` : `${h.key}.host`,
            problem: `${h.label} unreachable (${code}): ${(err as Error).message}`,
            fix: SSH_FIXES[code] ?? 'see the message.',
          });
        },
      ),
    );
  }
  await Promise.all(tasks);
  await pool.close();
  return { problems, passed };
}

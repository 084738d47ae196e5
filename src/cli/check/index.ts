/** `hasf config check`: what is wrong with a configuration, each problem with its key and its fix. */
import { readFileSync } from 'node:fs';
import type { HasfConfig } from '../../config/index.ts';
import { checkReachability } from './reach.ts';
import { checkConfigStatic } from './static.ts';
import type { CheckReport } from './types.ts';

export { checkConfigStatic, type HostToCheck, type StaticResult } from './static.ts';
export { checkReachability, type ReachResult } from './reach.ts';
export { knownKeysAt } from './zod-keys.ts';
export type { CheckReport, ConfigProblem, PassedCheck } from './types.ts';

/**
 * Check a configuration file: statically, then (unless `offline`) by trying Redis and
 * every pinned host with a short timeout.
 */
export async function checkConfigFile(file: string, opts: { env?: Record<string, string | undefined>; offline?: boolean; timeoutMs?: number } = {}): Promise<CheckReport> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { file, ok: false, passed: [], problems: [{ severity: 'error', file, key: '(file)', problem: `cannot read: ${(err as Error).message}`, fix: 'pass --config PATH (or set HASF_CONFIG) to an existing file.' }] };
  }
  const s = checkConfigStatic(text, { file, env: opts.env });
  const problems = [...s.problems];
  const passed: CheckReport['passed'] = [];
  if (!opts.offline) {
    const r = await checkReachability({ file, redis: s.redis as HasfConfig['redis'] | undefined, hosts: s.hosts, timeoutMs: opts.timeoutMs ?? 3000, agent: opts.env?.SSH_AUTH_SOCK });
    problems.push(...r.problems);
    passed.push(...r.passed);
  }
  return { file, problems, passed, ok: !problems.some((p) => p.severity === 'error') };
}

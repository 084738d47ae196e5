/**
 * SSH: the one way product code runs commands on cluster nodes and storage hosts.
 * Pooled ssh2 connections with pinned host keys, argv-only commands, timeouts, output caps.
 */
export { SshPool, SshExecutor } from './pool.ts';
export { FailoverExecutor, isUnreachable, mayTryElsewhere } from './failover.ts';
export type { SshPoolOptions, SshLogger } from './options.ts';
export { DEFAULT_POOL_OPTIONS } from './options.ts';
export { fingerprintOf, keyTypeOf } from './fingerprint.ts';
export {
  parseKnownHosts,
  keysForHost,
  knownHostsName,
  entryMatches,
  type KnownHostEntry,
  type ParsedKnownHosts,
} from './known-hosts.ts';
export { loadHostKeyPolicy, verifyHostKey, type HostKeyPolicy, type HostKeyVerdict } from './host-key.ts';
export { withBackoff, backoffDelay, type BackoffOptions } from './retry.ts';
export { DEFAULT_TIMEOUT_MS, DEFAULT_MAX_OUTPUT } from './run-command.ts';
export { LocalExecutor } from './local-executor.ts';
export { ReadOnlyExecutor } from './read-only.ts';
export { shellQuote, buildCommandLine, type CommandLineOptions } from './quote.ts';
export type { HostSpec, CommandExecutor, CommandResult, RunOptions } from './types.ts';

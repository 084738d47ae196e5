import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { ZodIssue, ZodTypeAny } from 'zod';
import { configSchema, ENV_OVERRIDES, hostSchema, inventorySchema, storageTargetSchema, type HostConfig } from '../../config/index.ts';
import { closest } from '../../util/closest.ts';
import type { ConfigProblem } from './types.ts';
import { knownKeysAt } from './zod-keys.ts';

/** A host the live check may try: where it is declared and its validated settings. */
export interface HostToCheck {
  file: string;
  key: string;
  /** "cluster lab, node node1" / "storage store1". */
  label: string;
  host: HostConfig;
}

/** What the static check found, and what the live check may try. */
export interface StaticResult {
  problems: ConfigProblem[];
  /** Pinned hosts with valid settings. */
  hosts: HostToCheck[];
  /** The redis section when it is valid (after env overrides). */
  redis?: unknown;
}

type Raw = Record<string, unknown>;
const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const keyOf = (path: ReadonlyArray<string | number>) => path.map(String).join('.') || '(top level)';

function setPath(obj: Raw, path: string, value: unknown) {
  const parts = path.split('.');
  let o = obj;
  for (const p of parts.slice(0, -1)) {
    if (!isObj(o[p])) o[p] = {};
    o = o[p] as Raw;
  }
  o[parts.at(-1)!] = value;
}

/** Problems of one zod issue, with a fix for each. */
function issueProblems(issue: ZodIssue, file: string, schema: ZodTypeAny): ConfigProblem[] {
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(schema, issue.path);
    return issue.keys.map((k) => {
      const near = closest(k, known, 1);
      return {
        severity: 'error' as const,
        file,
        key: keyOf([...issue.path, k]),
        problem: 'unknown key',
        fix: near.length ? `did you mean ${keyOf([...issue.path, near[0]!])}? Rename it or remove it.` : `remove it${known.length ? ` (known keys here: ${known.join(', ')})` : ''}.`,
      };
    });
  }
  if (issue.code === 'invalid_type') {
    const missing = issue.received === 'undefined';
    return [{
      severity: 'error',
      file,
      key: keyOf(issue.path),
      problem: missing ? 'required but missing' : `wrong type: expected ${issue.expected}, got ${issue.received}`,
      fix: missing ? `add ${keyOf(issue.path)} (${issue.expected}).` : `write a ${issue.expected} here${issue.expected === 'number' && issue.received === 'string' ? ' (no quotes)' : ''}.`,
    }];
  }
  if (issue.code === 'invalid_enum_value') {
    return [{ severity: 'error', file, key: keyOf(issue.path), problem: `"${String(issue.received)}" is not allowed`, fix: `use one of ${issue.options.join(', ')}.` }];
  }
  return [{ severity: 'error', file, key: keyOf(issue.path), problem: issue.message, fix: 'correct the value as described.' }];
}

/** Hosts declared in `raw` (a configuration or an inventory): cluster nodes and storage targets, with their keys. */
function declaredHosts(raw: Raw): Array<{ key: string; label: string; value: Raw; storage: boolean }> {
  const out: Array<{ key: string; label: string; value: Raw; storage: boolean }> = [];
  (Array.isArray(raw.clusters) ? raw.clusters : []).forEach((c: unknown, ci: number) => {
    if (!isObj(c)) return;
    (Array.isArray(c.nodes) ? c.nodes : []).forEach((n: unknown, ni: number) => {
      if (isObj(n)) out.push({ key: `clusters.${ci}.nodes.${ni}`, label: `cluster ${String(c.name ?? ci)}, node ${String(n.name ?? ni)}`, value: n, storage: false });
    });
  });
  (Array.isArray(raw.storage) ? raw.storage : []).forEach((s: unknown, si: number) => {
    if (isObj(s)) out.push({ key: `storage.${si}`, label: `storage ${String(s.name ?? si)}`, value: s, storage: true });
  });
  return out;
}

/** Pinning and file checks of each declared host; the valid pinned ones go to `hosts`. */
function hostProblems(raw: Raw, file: string, problems: ConfigProblem[], hosts: HostToCheck[], env: Record<string, string | undefined>) {
  const base = dirname(file);
  for (const h of declaredHosts(raw)) {
    const v = h.value;
    const pinned = (Array.isArray(v.hostKeys) && v.hostKeys.length > 0) || typeof v.knownHostsFile === 'string';
    if (!pinned) {
      problems.push({
        severity: 'error',
        file,
        key: `${h.key}.hostKeys`,
        problem: `no pinned host key (${h.label}); HASF refuses to connect to unpinned hosts`,
        fix: `add hostKeys: [SHA256:…] (on the host: ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) or knownHostsFile: /path/known_hosts.`,
      });
    }
    if (typeof v.identityFile !== 'string' && typeof v.agent !== 'string' && !env.SSH_AUTH_SOCK) {
      problems.push({ severity: 'error', file, key: `${h.key}.identityFile`, problem: `no login key (${h.label}): neither identityFile nor agent, and no SSH_AUTH_SOCK`, fix: 'set identityFile: /path/to/private_key (or agent, or run with an ssh-agent).' });
    }
    for (const k of ['knownHostsFile', 'identityFile'] as const) {
      if (typeof v[k] === 'string' && !existsSync(resolve(base, v[k]))) {
        problems.push({ severity: 'error', file, key: `${h.key}.${k}`, problem: `${v[k]} does not exist (${h.label})`, fix: `point ${k} at an existing file (paths are relative to ${base}).` });
      }
    }
    // Files are resolved as the processes will; only hosts that would be used are tried live.
    const p = (h.storage ? storageTargetSchema : hostSchema).safeParse(v);
    if (pinned && p.success) hosts.push({ file, key: h.key, label: h.label, host: p.data });
  }
}

/**
 * Check a configuration without contacting anything: YAML, unknown keys (with the
 * closest known key), wrong types, the inventory file, unpinned hosts, missing files
 * and secrets. Environment overrides (ENV_OVERRIDES) apply as at start-up.
 */
export function checkConfigStatic(text: string, opts: { file: string; env?: Record<string, string | undefined> }): StaticResult {
  const file = opts.file;
  const problems: ConfigProblem[] = [];
  const hosts: HostToCheck[] = [];
  const doc = parseDocument(text);
  if (doc.errors.length) {
    return { problems: doc.errors.map((e) => ({ severity: 'error', file, key: `(line ${e.linePos?.[0]?.line ?? '?'})`, problem: `not valid YAML: ${e.message.split('\n')[0]}`, fix: 'fix the YAML syntax (indentation, quotes, colons).' })), hosts };
  }
  const raw0 = doc.toJS() ?? {};
  if (!isObj(raw0)) return { problems: [{ severity: 'error', file, key: '(top level)', problem: 'not a YAML mapping', fix: 'write key: value pairs at the top level.' }], hosts };
  const raw = structuredClone(raw0);
  for (const [name, path] of Object.entries(ENV_OVERRIDES)) {
    const v = opts.env?.[name];
    if (v !== undefined && v !== '') setPath(raw, path, v);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) for (const i of parsed.error.issues) problems.push(...issueProblems(i, file, configSchema));
  hostProblems(raw, file, problems, hosts, opts.env ?? {});

  if (typeof raw.inventoryFile === 'string') {
    const inv = resolve(dirname(file), raw.inventoryFile);
    let invRaw: unknown;
    try {
      invRaw = parseDocument(readFileSync(inv, 'utf8')).toJS();
    } catch (err) {
      problems.push({ severity: 'error', file, key: 'inventoryFile', problem: `cannot read ${inv}: ${(err as Error).message}`, fix: 'point inventoryFile at an existing inventory (paths are relative to the configuration file).' });
    }
    if (invRaw !== undefined) {
      const p = inventorySchema.safeParse(invRaw);
      if (!p.success) for (const i of p.error.issues) problems.push(...issueProblems(i, inv, inventorySchema));
      if (isObj(invRaw)) hostProblems(invRaw, inv, problems, hosts, opts.env ?? {});
    }
  }

  const audit = isObj(raw.audit) ? raw.audit : {};
  if (!audit.key) problems.push({ severity: 'error', file, key: 'audit.key', problem: 'not set: the audit log needs its HMAC key and no process starts without it', fix: 'set HASF_AUDIT_KEY (at least 16 characters, kept out of Redis) or audit.key.' });
  const slack = isObj(raw.slack) ? raw.slack : {};
  if (slack.enabled === true) {
    if (!slack.signingSecret && (slack.mode ?? 'http') === 'http') problems.push({ severity: 'error', file, key: 'slack.signingSecret', problem: 'Slack is enabled in HTTP mode without a signing secret', fix: 'set HASF_SLACK_SIGNING_SECRET (the Slack app\'s Basic Information page).' });
    if (slack.mode === 'socket' && !slack.appToken) problems.push({ severity: 'error', file, key: 'slack.appToken', problem: 'Socket Mode needs an app-level token', fix: 'set HASF_SLACK_APP_TOKEN (xapp-…).' });
    if (!slack.botToken) problems.push({ severity: 'warning', file, key: 'slack.botToken', problem: 'no bot token: HASF can answer slash commands but cannot post approval requests or updates', fix: 'set HASF_SLACK_BOT_TOKEN (xoxb-…).' });
  }
  const people = Array.isArray(raw.people) ? raw.people : [];
  if (people.length === 0) problems.push({ severity: 'warning', file, key: 'people', problem: 'no people: every request is refused', fix: 'declare people with roles, Slack user IDs and tokenHashes (hasf token generate).' });

  const redis = isObj(raw.redis) || raw.redis === undefined ? configSchema.shape.redis.safeParse(raw.redis) : undefined;
  return { problems, hosts, redis: redis?.success ? redis.data : undefined };
}

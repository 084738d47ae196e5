import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ZodError } from 'zod';
import { HasfError } from '../errors/index.ts';
import { inventorySchema } from './inventory.ts';
import { configSchema, type HasfConfig } from './schema.ts';

/** Environment variables that override the file, and the key each sets. */
export const ENV_OVERRIDES: Record<string, string> = {
  HASF_REDIS_URL: 'redis.url',
  // Applies only when the file configures redis.sentinel (a key inside an optional block).
  HASF_REDIS_SENTINEL_PASSWORD: 'redis.sentinel.password',
  HASF_AUDIT_KEY: 'audit.key',
  HASF_AUDIT_FILE: 'audit.file',
  HASF_AUDIT_ANCHOR_DIR: 'audit.anchorDir',
  HASF_API_LISTEN: 'api.listen',
  HASF_SLACK_SIGNING_SECRET: 'slack.signingSecret',
  HASF_SLACK_BOT_TOKEN: 'slack.botToken',
  HASF_SLACK_APP_TOKEN: 'slack.appToken',
  HASF_CALLBACK_SECRET: 'callbacks.secret',
  HASF_INVENTORY: 'inventoryFile',
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function setPath(obj: Record<string, unknown>, path: string, value: unknown) {
  const parts = path.split('.');
  let o = obj;
  for (const p of parts.slice(0, -1)) {
    if (typeof o[p] !== 'object' || o[p] === null) o[p] = {};
    o = o[p] as Record<string, unknown>;
  }
  o[parts.at(-1)!] = value;
}

/** One line per problem: the key and what is wrong with it. */
export function describeZodError(err: ZodError, file: string): string {
  return err.issues
    .map((i) => {
      const key = i.path.join('.') || '(top level)';
      const msg = i.code === 'unrecognized_keys' ? `unknown key(s) ${i.keys.join(', ')}: remove or fix the spelling` : i.message;
      return `${file}: ${key}: ${msg}`;
    })
    .join('\n');
}

/**
 * Parse and validate a configuration: YAML text, then environment overrides, then an
 * inventory file merged in. Throws CONFIG_INVALID naming every bad key. Pure apart from
 * reading the inventory file.
 */
export function parseConfig(text: string, opts: { file?: string; env?: Record<string, string | undefined> } = {}): HasfConfig {
  const file = opts.file ?? 'config';
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (err) {
    throw new HasfError('CONFIG_INVALID', `${file} is not valid YAML: ${(err as Error).message}`, { file });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new HasfError('CONFIG_INVALID', `${file} must be a YAML mapping (key: value).`, { file });
  }
  const obj = structuredClone(raw) as Record<string, unknown>;
  for (const [name, path] of Object.entries(ENV_OVERRIDES)) {
    const v = opts.env?.[name];
    if (v === undefined || v === '') continue;
    // redis.url may create `redis`; redis.sentinel.password must not invent a sentinel block.
    const parent = path.split('.').slice(0, -1);
    if (parent.length > 1 && !isObject(parent.reduce<unknown>((o, k) => (isObject(o) ? o[k] : undefined), obj))) continue;
    setPath(obj, path, v);
  }
  const parsed = configSchema.safeParse(obj);
  if (!parsed.success) {
    throw new HasfError('CONFIG_INVALID', describeZodError(parsed.error, file), { file, issues: parsed.error.issues });
  }
  const cfg = parsed.data;
  if (cfg.inventoryFile) {
    const invPath = resolve(opts.file ? dirname(opts.file) : process.cwd(), cfg.inventoryFile);
    let inv: unknown;
    try {
      inv = parseYaml(readFileSync(invPath, 'utf8'));
    } catch (err) {
      throw new HasfError('CONFIG_INVALID', `${file}: inventoryFile: cannot read ${invPath}: ${(err as Error).message}`, { file: invPath });
    }
    const p = inventorySchema.safeParse(inv);
    if (!p.success) throw new HasfError('CONFIG_INVALID', describeZodError(p.error, invPath), { file: invPath });
    cfg.clusters = [...cfg.clusters, ...p.data.clusters];
    cfg.storage = [...cfg.storage, ...p.data.storage];
  }
  const names = cfg.clusters.map((c) => c.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new HasfError('CONFIG_INVALID', `${file}: clusters: "${dup}" is defined twice.`, { file });
  for (const c of cfg.clusters) {
    for (const n of c.nodes) {
      if (!n.hostKeys?.length && !n.knownHostsFile) {
        throw new HasfError('CONFIG_INVALID', `${file}: clusters.${c.name}.nodes.${n.name}: no pinned host key; add hostKeys: [SHA256:…] (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on the node) or knownHostsFile.`, { file });
      }
    }
  }
  return cfg;
}

/** Read and parse a configuration file (env overrides from `env`). */
export function loadConfig(path: string, env: Record<string, string | undefined> = process.env): HasfConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new HasfError('CONFIG_INVALID', `Cannot read the configuration file ${path}: ${(err as Error).message}. Pass --config PATH or set HASF_CONFIG.`, { file: path });
  }
  return parseConfig(text, { file: path, env });
}

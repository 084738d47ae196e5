import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { hashToken } from '../auth/index.ts';
import { parseConfig, type HasfConfig, type HasfConfigInput } from '../config/index.ts';
import type { DemoCredentials } from './credentials.ts';

/** Where the demo keeps what it writes. */
export interface DemoPaths {
  /** var/demo */
  dir: string;
  /** var/demo/hasf.yaml */
  configFile: string;
  /** var/demo/credentials.json */
  credentialsFile: string;
  /** var/demo/audit.jsonl */
  auditFile: string;
  /** var/demo/audit-anchors: the chain head every demo process copies out of Redis. */
  auditAnchorDir: string;
  /** var/demo/redis */
  redisDir: string;
  /** var/demo/lab */
  labDir: string;
  /** var/demo/slack-messages.jsonl: what the bot would have posted. */
  slackLog: string;
}

/** The demo's file layout under `dir` (absolute when `dir` is). */
export function demoPaths(dir: string): DemoPaths {
  return {
    dir,
    configFile: `${dir}/hasf.yaml`,
    credentialsFile: `${dir}/credentials.json`,
    auditFile: `${dir}/audit.jsonl`,
    auditAnchorDir: `${dir}/audit-anchors`,
    redisDir: `${dir}/redis`,
    labDir: `${dir}/lab`,
    slackLog: `${dir}/slack-messages.jsonl`,
  };
}

/**
 * The demo configuration: the lab's inventory, the demo Redis, the audit key and file,
 * the demo people (tokens as hashes only), Slack in HTTP mode, callbacks to loopback.
 */
export function demoConfig(o: { paths: DemoPaths; inventoryFile: string; redisUrl: string; listen: string; credentials: DemoCredentials; slackApiUrl: string; rolling?: HasfConfigInput['rolling'] }): HasfConfigInput {
  const c = o.credentials;
  return {
    redis: { url: o.redisUrl, prefix: 'hasf' },
    inventoryFile: o.inventoryFile,
    people: c.people.map((p) => ({ name: p.name, roles: p.roles, slackUserIds: [p.slackUserId], tokenHashes: [hashToken(p.token)] })),
    audit: { key: c.server.auditKey, file: o.paths.auditFile, anchorDir: o.paths.auditAnchorDir },
    api: { listen: o.listen, publicUrl: c.apiUrl },
    // Slack in HTTP mode: signed slash commands and button clicks arrive at /slack/events.
    // The demo has no workspace, so the Web API is a loopback sink (slackApiUrl) that
    // records what the bot would post; the bot token is a placeholder it never checks.
    slack: { enabled: true, mode: 'http', signingSecret: c.slackSigningSecret, botToken: 'xoxb-demo-not-a-real-token', apiUrl: o.slackApiUrl, approvalsChannel: 'CDEMOAPPROVALS' },
    callbacks: { allowedHosts: ['127.0.0.1', 'localhost'], allowHttp: true, secret: c.server.callbackSecret },
    // The lab's reboot cycle is seconds; keep stalled-job detection short so a killed worker's job moves on quickly.
    worker: { concurrency: 4, lockDurationMs: 10_000, stalledIntervalMs: 10_000 },
    // cluster.rolling's tasks for the lab (a marker file and a clean reboot), when given.
    ...(o.rolling ? { rolling: o.rolling } : {}),
  };
}

const HEADER = `# HASF Ops demo configuration, written by \`hasf start\` (npm start) on every start.
# Edits are overwritten; copy it elsewhere to keep changes. Plain tokens are in
# credentials.json next to this file; this file holds only their SHA-256 hashes.
# A second worker: node bin/hasf.js worker --config <this file>
`;

/**
 * Write the demo configuration and return it parsed (the same check every process
 * does at start, so a bad demo config fails here, not in a worker).
 */
export function writeDemoConfig(path: string, input: HasfConfigInput): HasfConfig {
  const text = HEADER + stringify(input);
  const cfg = parseConfig(text, { file: path, env: {} });
  writeFileSync(path, text, { mode: 0o600 });
  return cfg;
}

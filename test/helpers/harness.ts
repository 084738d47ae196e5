import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServices, type Services } from '../../src/app/services.ts';
import { generateToken, hashToken } from '../../src/auth/index.ts';
import { configSchema, type HasfConfig, type HasfConfigInput } from '../../src/config/index.ts';
import { inventorySchema } from '../../src/config/inventory.ts';
import { startRedis, type TestRedis } from './redis.ts';
import { parse } from 'yaml';

/** The lab's directory when the test run brought one up (scripts/run-tests.mjs), else undefined. */
export function labDir(): string | undefined {
  const d = process.env.HASF_TEST_LAB_DIR;
  return d && existsSync(join(d, 'inventory.yaml')) ? d : undefined;
}

/** Skip reason for tests that need the lab. */
export const NO_LAB = 'needs the lab (run as root through npm test, which brings it up)';

/** Demo-like people with their plain tokens, one per role (and two approvers). */
export const PEOPLE = [
  { name: 'vera', roles: ['viewer'], slack: 'UVIEWER01' },
  { name: 'otto', roles: ['operator'], slack: 'UOPERAT01' },
  { name: 'anna', roles: ['approver'], slack: 'UAPPROV01' },
  { name: 'bert', roles: ['approver'], slack: 'UAPPROV02' },
  { name: 'ada', roles: ['admin'], slack: 'UADMIN001' },
] as const;
export type PersonName = (typeof PEOPLE)[number]['name'];

export interface Harness {
  redis: TestRedis;
  config: HasfConfig;
  services: Services;
  /** Plain API token of each person (declared in config as hashes). */
  tokens: Record<PersonName, string>;
  dir: string;
  stop(): Promise<void>;
}

/**
 * Real Redis + services, with the lab's inventory when available. `overrides` are merged
 * into the config before validation.
 */
export async function startHarness(overrides: Partial<HasfConfigInput> = {}, opts: { lab?: boolean } = {}): Promise<Harness> {
  const redis = await startRedis();
  const dir = mkdtempSync(join(tmpdir(), 'hasf-harness-'));
  const tokens = {} as Record<PersonName, string>;
  const people = PEOPLE.map((p) => {
    const t = generateToken();
    tokens[p.name] = t;
    return { name: p.name, roles: [...p.roles], slackUserIds: [p.slack], tokenHashes: [hashToken(t)] };
  });
  const lab = opts.lab === false ? undefined : labDir();
  const inv = lab ? inventorySchema.parse(parse(readFileSync(join(lab, 'inventory.yaml'), 'utf8'))) : { clusters: [], storage: [] };
  const config = configSchema.parse({
    redis: { url: redis.url, prefix: 'hasf' },
    clusters: inv.clusters,
    storage: inv.storage,
    people,
    audit: { key: 'test-audit-key-0123456789', file: join(dir, 'audit.jsonl') },
    worker: { concurrency: 4, lockDurationMs: 5000, stalledIntervalMs: 5000 },
    ...overrides,
  });
  const services = createServices(config);
  return {
    redis,
    config,
    services,
    tokens,
    dir,
    async stop() {
      await services.close();
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

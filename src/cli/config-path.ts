import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from './errors.ts';
import type { CliIo } from './io.ts';

/**
 * The configuration file of a server command: --config, else $HASF_CONFIG, else
 * ./hasf.yaml, else the demo's var/demo/hasf.yaml. UsageError when none exists.
 */
export function configPath(given: string | undefined, io: Pick<CliIo, 'env' | 'cwd'>): string {
  const explicit = given ?? io.env.HASF_CONFIG;
  if (explicit) return resolve(io.cwd, explicit);
  const found = [join(io.cwd, 'hasf.yaml'), join(io.cwd, 'var/demo/hasf.yaml')].find((p) => existsSync(p));
  if (!found) throw new UsageError('No configuration: pass --config FILE or set HASF_CONFIG (deploy/hasf.example.yaml is a commented example).');
  return found;
}

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The folder holding package.json (and openapi.yaml), found from this file's place: two
 * levels up in the sources (src/util), three in the build (dist/src/util). Walking up
 * rather than counting `..` keeps both right.
 */
function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`HASF Ops: no package.json above ${from}; the installation is incomplete`);
  }
}

/** The package root: where package.json, openapi.yaml and (for the demo) var/ live. */
export const PACKAGE_ROOT = findRoot(import.meta.dirname);

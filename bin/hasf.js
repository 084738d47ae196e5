#!/usr/bin/env node
// The `hasf` command. In a development checkout (tsx installed) it runs the TypeScript
// sources, so what you edit is what runs; installed without dev dependencies it runs the
// compiled build (`npm run build` → dist/), as dist/hasf.js does directly.
import { existsSync } from 'node:fs';

const canResolve = (spec) => {
  try {
    import.meta.resolve(spec);
    return true;
  } catch {
    return false;
  }
};

if (canResolve('tsx/esm/api')) {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/bin.ts');
} else if (existsSync(new URL('../dist/hasf.js', import.meta.url))) {
  await import('../dist/hasf.js');
} else {
  console.error('hasf: no build found (dist/) and no TypeScript loader (tsx). Run `npm ci && npm run build` in the package folder.');
  process.exitCode = 1;
}

#!/usr/bin/env node
// `npm run build`: compile src/ and workers/ to dist/ with tsc (tsconfig.build.json),
// copy the files tsc does not (the lab's shell assets, anything not TypeScript under
// src/), write dist/openapi.json (openapi.yaml parsed, so the API does not parse YAML at
// start) and dist/hasf.js, the compiled `hasf` command. Plain Node, typescript and yaml.
// dist/ is rebuilt from scratch so removed sources leave nothing behind.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

/** Build dist/; returns the exit code (tsc's errors are printed as they come). */
export function build({ quiet = false } = {}) {
  const started = Date.now();
  rmSync(dist, { recursive: true, force: true });
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
  if (tsc.status !== 0) {
    console.error('[build] tsc failed; dist/ is incomplete');
    return tsc.status ?? 1;
  }
  let copied = 0;
  for (const rel of readdirSync(join(root, 'src'), { recursive: true })) {
    const from = join(root, 'src', String(rel));
    if (/\.ts$/.test(from) || !statSync(from).isFile()) continue;
    const to = join(dist, 'src', String(rel));
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(from, to);
    chmodSync(to, statSync(from).mode);
    copied++;
  }
  // src/api/spec.ts reads this from the build; /openapi.yaml still serves the YAML itself.
  writeFileSync(join(dist, 'openapi.json'), JSON.stringify(parse(readFileSync(join(root, 'openapi.yaml'), 'utf8'))));
  writeFileSync(
    join(dist, 'hasf.js'),
    "#!/usr/bin/env node\n// The compiled `hasf` command (written by npm run build): node dist/hasf.js serve|worker|…\nimport './src/cli/bin.js';\n",
    { mode: 0o755 },
  );
  if (!quiet) console.error(`[build] dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s (${copied} asset file(s) copied); run: node dist/hasf.js --help`);
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exit(build());

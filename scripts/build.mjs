#!/usr/bin/env node
// `npm run build`: compile src/ and workers/ to dist/ with tsc (tsconfig.build.json),
// copy the files tsc does not (the lab's shell assets, anything not TypeScript under
// src/), write dist/openapi.json (openapi.yaml parsed, so the API does not parse YAML at
// start), then bundle what tsc emitted into dist/bundle/ (esbuild: minified, split at
// every lazy import) and write dist/hasf.js, the compiled `hasf` command, which runs the
// bundle. Plain Node, typescript, esbuild and yaml.
// dist/ is rebuilt from scratch so removed sources leave nothing behind.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';
import { parse } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

const BUNDLE = join(dist, 'bundle');

/**
 * `import … from 'node:util' | 'node:http'` in ES module source, rewritten as require().
 * Node builds a builtin's ES module view by reading every export once, which runs the lazy
 * ones: node:http's WebSocket/CloseEvent/MessageEvent load undici (~12 MB RSS, ~13 ms),
 * node:util's MIMEType, TextDecoder, parseArgs… ~1 MB. require() reads only the names used.
 * (src/util/node-builtins.ts does the same for our own code, so the sources run lean too.)
 */
export function requireLazyBuiltins(text) {
  return text.replace(/^import\s*(\{[^}]*\}|\*\s*as\s+[\w$]+|[\w$]+)\s*from\s*(['"])(?:node:)?(util|http)\2;?$/gm, (_, what, _q, mod) => {
    const target = `require('node:${mod}')`;
    if (what.startsWith('{')) return `const ${what.replace(/\s+as\s+/g, ': ')} = ${target};`;
    return `const ${what.replace(/^\*\s*as\s+/, '')} = ${target};`;
  });
}

/**
 * Why a bundle: a long-running Node process keeps the source text of every module it
 * loaded in its heap, and dependencies ship theirs unminified, commented, and often with
 * a character outside ASCII, which makes V8 store the whole file at two bytes a character.
 * Loaded file by file, `hasf serve` held ~6 MB of source (~2 MB of it two-byte); minified
 * to ASCII, tree-shaken, with each lazy import a chunk of its own, it starts with ~9 MB
 * less RSS and answers faster (bench/footprint.ts).
 */
const bundleOptions = {
  entryPoints: { hasf: join(dist, 'src/cli/bin.js') },
  outdir: BUNDLE,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  minify: true,
  charset: 'ascii',
  legalComments: 'none',
  // Maps back to the TypeScript (through tsc's maps): NODE_OPTIONS=--enable-source-maps.
  sourcemap: true,
  sourcesContent: false,
  logLevel: 'warning',
  // Loaded from node_modules as before: ssh2 finds its native binding and wasm beside its
  // own files; bull-board serves its UI from its package; iconv-lite's code pages are
  // required only for a request in a charset other than UTF-8 (in a bundle they would
  // sit in the heap, ~0.5 MB, unused).
  external: ['ssh2', '@bull-board/*', 'iconv-lite'],
  // CommonJS dependencies inside an ES module bundle still call require() and read
  // __dirname/__filename: give them the bundle's own.
  banner: {
    js: [
      "import { createRequire as __hasfRequire } from 'node:module';",
      "import { fileURLToPath as __hasfPath } from 'node:url';",
      "import { dirname as __hasfDir, join as __hasfJoin } from 'node:path';",
      'const require = __hasfRequire(import.meta.url);',
      'const __filename = __hasfPath(import.meta.url);',
      'const __dirname = __hasfDir(__filename);',
      'const __hasfDirname = (rel) => __hasfJoin(__dirname, rel);',
    ].join(' '),
  },
  plugins: [
    {
      name: 'hasf',
      setup(b) {
        // Our modules find files beside themselves (lab assets, the UI's, op-index.json,
        // openapi.json) from import.meta.url/dirname. In a chunk that would be the chunk's
        // place; point each back at its own compiled file in dist/src (the files are there).
        b.onLoad({ filter: /[\\/]dist[\\/](src|workers)[\\/].*\.js$/ }, async (a) => {
          const rel = relative(BUNDLE, a.path).split('\\').join('/');
          const text = (await readFile(a.path, 'utf8'))
            .replace(/\bimport\.meta\.url\b/g, `new URL(${JSON.stringify(rel)}, import.meta.url).href`)
            .replace(/\bimport\.meta\.dirname\b/g, `__hasfDirname(${JSON.stringify(dirname(rel))})`);
          return { contents: requireLazyBuiltins(text), loader: 'js', resolveDir: dirname(a.path) };
        });
        // BullMQ's ES module build (its package.json "module"; esbuild would take "main",
        // the CommonJS one), so what HASF does not use of it can be left out.
        const bullmq = join(root, 'node_modules/bullmq');
        b.onResolve({ filter: /^bullmq$/ }, () => ({ path: join(bullmq, JSON.parse(readFileSync(join(bullmq, 'package.json'), 'utf8')).module) }));
        // BullMQ's optional PostgreSQL backend: ~250 KB of SQL held as strings at load.
        // HASF's queue is Redis only (config accepts nothing else), so it is left empty.
        b.onLoad({ filter: /[\\/]bullmq[\\/]dist[\\/]esm[\\/]postgres[\\/]sql-scripts\.js$/ }, () => ({
          contents: "// left out of HASF's bundle: its queue runs on Redis only\nexport const SQL_COMMANDS = {};\nexport const SQL_MIGRATIONS = {};\n",
          loader: 'js',
        }));
        // BullMQ's ES build imports node:util (debuglog): see requireLazyBuiltins. After the
        // handler above, which esbuild asks first.
        b.onLoad({ filter: /[\\/]bullmq[\\/]dist[\\/]esm[\\/].*\.js$/ }, async (a) => ({ contents: requireLazyBuiltins(await readFile(a.path, 'utf8')), loader: 'js', resolveDir: dirname(a.path) }));
      },
    },
  ],
};

/** Build dist/; resolves to the exit code (tsc's and esbuild's errors are printed as they come). */
export async function build({ quiet = false } = {}) {
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
  try {
    await esbuild(bundleOptions);
  } catch {
    console.error("[build] the bundle failed (esbuild's errors above); dist/ is incomplete");
    return 1;
  }
  writeFileSync(
    join(dist, 'hasf.js'),
    "#!/usr/bin/env node\n// The compiled `hasf` command (written by npm run build): node dist/hasf.js serve|worker|…\n// It runs the bundle (dist/bundle/); dist/src/cli/bin.js is the same program file by file.\nimport './bundle/hasf.js';\n",
    { mode: 0o755 },
  );
  if (!quiet) console.error(`[build] dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s (${copied} asset file(s) copied; bundled into dist/bundle/); run: node dist/hasf.js --help`);
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exit(await build());

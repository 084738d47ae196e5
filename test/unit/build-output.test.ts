import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

// The build that scripts/run-tests.mjs makes before every run (npm run build): it must be
// complete and run on the Node this test runs on (the suite runs on Node 24 and on the machine's).
const ROOT = join(import.meta.dirname, '..', '..');
const DIST = join(ROOT, 'dist');
const built = existsSync(join(DIST, 'hasf.js'));
const NOT_BUILT = 'dist/ is missing: run npm run build (npm test does it first)';

describe('the compiled build (dist/)', { skip: built ? false : NOT_BUILT }, () => {
  it('has every source compiled, with relative imports rewritten from .ts to .js', () => {
    const js = (readdirSync(join(DIST, 'src'), { recursive: true }) as string[]).filter((f) => f.endsWith('.js'));
    const ts = (readdirSync(join(ROOT, 'src'), { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
    assert.deepEqual(js.map((f) => f.replace(/\.js$/, '')).sort(), ts.map((f) => f.replace(/\.ts$/, '')).sort());
    const left = js.filter((f) => /(?:from\s+|import\()\s*["']\.{1,2}\/[^"']*\.ts["']/.test(readFileSync(join(DIST, 'src', f), 'utf8')));
    assert.deepEqual(left, [], 'files still importing .ts');
  });

  it('carries the lab assets (executable) and finds openapi.yaml at the package root', async () => {
    const { ASSETS_DIR } = (await import(join(DIST, 'src/lab/machine.js'))) as { ASSETS_DIR: string };
    assert.equal(ASSETS_DIR, join(DIST, 'src/lab/assets'));
    for (const f of readdirSync(join(ROOT, 'src/lab/assets'))) {
      const st = statSync(join(ASSETS_DIR, f));
      assert.equal(st.mode & 0o111, statSync(join(ROOT, 'src/lab/assets', f)).mode & 0o111, f);
    }
    const { SPEC_PATH } = (await import(join(DIST, 'src/api/spec.js'))) as { SPEC_PATH: string };
    assert.equal(SPEC_PATH, join(ROOT, 'openapi.yaml'));
  });

  it('runs the bundle, whose modules find their files where tsc put them (dist/src)', () => {
    assert.match(readFileSync(join(DIST, 'hasf.js'), 'utf8'), /^import '\.\/bundle\/hasf\.js';$/m);
    const chunks = readdirSync(join(DIST, 'bundle')).filter((f) => f.endsWith('.js'));
    assert.ok(chunks.length > 1, 'the lazy imports are chunks of their own');
    let pointed = 0;
    for (const c of chunks) {
      const text = readFileSync(join(DIST, 'bundle', c), 'utf8');
      assert.doesNotMatch(text, /import\.meta\.(dirname|filename)/, `${c}: import.meta.dirname left as the chunk's own`);
      for (const m of text.matchAll(/new URL\("([^"]+)",import\.meta\.url\)/g)) {
        assert.ok(existsSync(join(DIST, 'bundle', m[1]!)), `${c}: points at ${m[1]}, which the build does not have`);
        pointed++;
      }
      for (const m of text.matchAll(/__hasfDirname\("([^"]+)"\)/g)) assert.ok(existsSync(join(DIST, 'bundle', m[1]!)), `${c}: ${m[1]} missing`);
    }
    assert.ok(pointed >= 5, `only ${pointed} module(s) pointed back at dist/src`);
  });

  it('takes node:http and node:util with require(), so the CLI does not load undici', () => {
    for (const c of readdirSync(join(DIST, 'bundle')).filter((f) => f.endsWith('.js'))) {
      assert.doesNotMatch(readFileSync(join(DIST, 'bundle', c), 'utf8'), /from\s*"node:(http|util)"/, `${c}: an ES import of node:http/node:util (its lazy exports run)`);
    }
    const probe = 'data:text/javascript,process.on("exit",()=>process.stderr.write("undici:"+process.moduleLoadList.some((m)=>m.includes("undici"))))';
    const r = spawnSync(process.execPath, ['--import', probe, join(DIST, 'hasf.js'), '--help'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /undici:false/);
  });

  it(`node dist/hasf.js answers --version and --help on Node ${process.version}`, () => {
    const env = { ...process.env, NODE_OPTIONS: '' };
    const v = spawnSync(process.execPath, [join(DIST, 'hasf.js'), '--version'], { encoding: 'utf8', env });
    assert.equal(v.status, 0, v.stderr);
    assert.equal(v.stdout.trim(), `hasf ${(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version}`);
    const h = spawnSync(process.execPath, [join(DIST, 'hasf.js'), '--help'], { encoding: 'utf8', env });
    assert.equal(h.status, 0, h.stderr);
    for (const cmd of ['migrate', 'status', 'serve', 'worker', 'config check']) assert.match(h.stdout, new RegExp(`hasf ${cmd}`), cmd);
  });
});

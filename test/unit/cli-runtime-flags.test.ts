import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { SERVER_MALLOC_ENV, SERVER_NODE_FLAGS, serverReexec } from '../../src/cli/runtime-flags.ts';

// `hasf serve` / `hasf worker` replace themselves (execve) with a lean-heap Node; nothing else does.
describe('serve and worker run with the server heap settings', () => {
  const base = { execArgv: [], execPath: '/usr/bin/node', env: {}, hasExecve: true };

  test('serve and worker re-exec with the flags, the same script and arguments, two malloc arenas and a fixed mmap threshold', () => {
    for (const cmd of ['serve', 'worker']) {
      const r = serverReexec({ ...base, argv: ['/usr/bin/node', '/opt/hasf/dist/hasf.js', cmd, '--config', '/etc/hasf/hasf.yaml'] });
      assert.deepEqual(r?.args, ['/usr/bin/node', ...SERVER_NODE_FLAGS, '/opt/hasf/dist/hasf.js', cmd, '--config', '/etc/hasf/hasf.yaml']);
      assert.equal(r?.file, '/usr/bin/node');
      assert.equal(r?.env.MALLOC_ARENA_MAX, '2');
      assert.equal(r?.env.MALLOC_MMAP_THRESHOLD_, SERVER_MALLOC_ENV.MALLOC_MMAP_THRESHOLD_);
    }
  });

  test('other commands, flags already given, HASF_RUNTIME_FLAGS=off or no execve: nothing', () => {
    const argv = (cmd: string) => ['/usr/bin/node', '/opt/hasf/dist/hasf.js', cmd];
    assert.equal(serverReexec({ ...base, argv: argv('status') }), undefined);
    assert.equal(serverReexec({ ...base, argv: ['/usr/bin/node', 'x.js'] }), undefined);
    assert.equal(serverReexec({ ...base, argv: argv('serve'), execArgv: ['--max-semi-space-size=8'] }), undefined);
    assert.equal(serverReexec({ ...base, argv: argv('serve'), env: { NODE_OPTIONS: '--max-semi-space-size=4' } }), undefined);
    assert.equal(serverReexec({ ...base, argv: argv('serve'), env: { HASF_RUNTIME_FLAGS: 'off' } }), undefined);
    assert.equal(serverReexec({ ...base, argv: argv('serve'), hasExecve: false }), undefined);
  });

  test("an operator's MALLOC_ARENA_MAX and execArgv are kept", () => {
    const r = serverReexec({ ...base, argv: ['/usr/bin/node', 'h.js', 'worker'], execArgv: ['--enable-source-maps'], env: { MALLOC_ARENA_MAX: '4' } });
    assert.deepEqual(r?.args, ['/usr/bin/node', ...SERVER_NODE_FLAGS, '--enable-source-maps', 'h.js', 'worker']);
    assert.equal(r?.env.MALLOC_ARENA_MAX, '4');
  });

  test(`this Node (${process.version}) accepts every flag (an unknown V8 flag would stop the service at start)`, () => {
    const r = spawnSync(process.execPath, [...SERVER_NODE_FLAGS, '-e', 'process.exit(0)'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
  });

  test('the new process has the flags (real execve, when this Node has it)', { skip: typeof (process as { execve?: unknown }).execve !== 'function' && 'this Node has no process.execve' }, () => {
    const code = `const { serverReexec } = await import(${JSON.stringify(new URL('../../src/cli/runtime-flags.ts', import.meta.url).href)});
      const again = serverReexec({ argv: process.argv, execArgv: process.execArgv, execPath: process.execPath, env: process.env, hasExecve: true });
      if (again) process.execve(again.file, again.args, again.env);
      console.log(JSON.stringify({ pid: process.pid, flags: process.execArgv.filter((a) => !a.includes('tsx')), arena: process.env.MALLOC_ARENA_MAX }));`;
    const dir = mkdtempSync(join(tmpdir(), 'hasf-reexec-'));
    const script = join(dir, 'entry.mjs');
    writeFileSync(script, code);
    const r = spawnSync(process.execPath, ['--import', 'tsx', script, 'serve'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    rmSync(dir, { recursive: true, force: true });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim()) as { flags: string[]; arena: string };
    for (const f of SERVER_NODE_FLAGS) assert.ok(out.flags.includes(f), r.stdout);
    assert.equal(out.arena, '2');
  });
});

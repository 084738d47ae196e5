import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { resolveConnection } from '../../src/cli/connection.ts';
import { UsageError } from '../../src/cli/errors.ts';
import { EXIT, exitForStatus } from '../../src/cli/exit-codes.ts';
import type { CliIo } from '../../src/cli/io.ts';
import { main } from '../../src/cli/main.ts';
import { buildParams, findOpCommand, opCommands, parseSizeMiB } from '../../src/cli/op-commands.ts';
import { sinceToIso } from '../../src/cli/commands/jobs.ts';
import { generateCredentials } from '../../src/demo/index.ts';
import { OPERATION_NAMES } from '../../src/operations/index.ts';
import { freePort } from '../helpers/redis.ts';

/** An io that records what a command prints. */
function recordingIo(env: Record<string, string | undefined> = {}, cwd = process.cwd()) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), raw: (c) => out.push(String(c)), err: (t) => err.push(t), progress: () => undefined, isTTY: false, env, cwd };
  return { io, out, err, text: () => out.join('\n'), errText: () => err.join('\n') };
}

describe('operation commands from the catalogue', () => {
  it('every catalogue operation has a command, with distinct words', () => {
    const cmds = opCommands();
    assert.deepEqual(cmds.map((c) => c.operation).sort(), [...OPERATION_NAMES].sort());
    const words = cmds.map((c) => c.words.join(' '));
    assert.equal(new Set(words).size, words.length);
    for (const w of ['cleanup', 'fence', 'lun add', 'migrate', 'online', 'standby', 'rolling', 'maintenance', 'node maintenance', 'resource maintenance', 'resource stop', 'resource start', 'resource restart', 'resource ban', 'resource clear', 'vm add', 'vm remove']) assert.ok(words.includes(w), w);
  });

  it('migrate: VM NODE positionals and --allow-restart', () => {
    const { cmd, used } = findOpCommand(['migrate', 'vm1', 'node2'])!;
    assert.equal(used, 1);
    assert.equal(cmd.operation, 'vm.migrate');
    assert.deepEqual(buildParams(cmd, ['vm1', 'node2'], {}), { vm: 'vm1', node: 'node2' });
    assert.deepEqual(buildParams(cmd, ['vm1', 'node2'], { 'allow-restart': true }), { vm: 'vm1', node: 'node2', allowRestart: true });
    assert.throws(() => buildParams(cmd, ['vm1'], {}), (e: unknown) => e instanceof UsageError && /Missing NODE/.test(e.message));
    assert.throws(() => buildParams(cmd, ['vm1', 'node2', 'extra'], {}), UsageError);
  });

  it('fence --off sets action off (a flag named after an enum value)', () => {
    const { cmd } = findOpCommand(['fence', 'node2'])!;
    assert.deepEqual(buildParams(cmd, ['node2'], { off: true }), { node: 'node2', action: 'off' });
    assert.deepEqual(buildParams(cmd, ['node2'], {}), { node: 'node2' });
  });

  it('lun add: a path or a size, and --lun N', () => {
    const { cmd, used } = findOpCommand(['lun', 'add', 'store1', '/srv/a.img'])!;
    assert.equal(used, 2);
    assert.deepEqual(buildParams(cmd, ['store1', '/srv/a.img'], { lun: '3' }), { target: 'store1', path: '/srv/a.img', lun: 3 });
    assert.deepEqual(buildParams(cmd, ['store1', '10G'], {}), { target: 'store1', sizeMiB: 10240 });
    assert.deepEqual(buildParams(cmd, ['store1', '512'], {}), { target: 'store1', sizeMiB: 512 });
    assert.throws(() => buildParams(cmd, ['store1', '512'], { lun: 'x' }), UsageError);
  });

  it('sizes: binary units to MiB; nonsense is undefined', () => {
    assert.equal(parseSizeMiB('512M'), 512);
    assert.equal(parseSizeMiB('1GiB'), 1024);
    assert.equal(parseSizeMiB('2t'), 2 * 1024 * 1024);
    assert.equal(parseSizeMiB('1.5G'), 1536);
    assert.equal(parseSizeMiB('0'), undefined);
    assert.equal(parseSizeMiB('10Q'), undefined);
    assert.equal(parseSizeMiB('/srv/x'), undefined);
  });
});

describe('connection resolution', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hasf-cli-args-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const creds = generateCredentials('http://127.0.0.1:9999');
  const file = join(dir, 'credentials.json');
  writeFileSync(file, JSON.stringify(creds));

  it('flags beat the environment, which beats the default', async () => {
    const env = { HASF_API_URL: 'http://env:1', HASF_TOKEN: 'envtoken' };
    assert.deepEqual(await resolveConnection({ 'api-url': 'http://flag:2', token: 'flagtoken' }, { env, cwd: dir }), { baseUrl: 'http://flag:2', token: 'flagtoken', as: undefined });
    assert.deepEqual(await resolveConnection({}, { env, cwd: dir }), { baseUrl: 'http://env:1', token: 'envtoken', as: undefined });
    assert.deepEqual(await resolveConnection({}, { env: {}, cwd: dir }), { baseUrl: 'http://127.0.0.1:8080', token: undefined, as: undefined });
  });

  it('--as NAME takes that person\'s token and the demo URL from the credentials', async () => {
    const c = await resolveConnection({ as: 'anna', credentials: file }, { env: {}, cwd: dir });
    assert.equal(c.token, creds.people.find((p) => p.name === 'anna')!.token);
    assert.equal(c.baseUrl, 'http://127.0.0.1:9999');
    await assert.rejects(resolveConnection({ as: 'nobody', credentials: file }, { env: {}, cwd: dir }), /No demo person "nobody"/);
    await assert.rejects(resolveConnection({ as: 'anna', token: 'x', credentials: file }, { env: {}, cwd: dir }), UsageError);
    await assert.rejects(resolveConnection({ as: 'anna', credentials: join(dir, 'missing.json') }, { env: {}, cwd: dir }), /needs the demo credentials/);
  });

  it('refuses a URL that is not http(s)', async () => {
    await assert.rejects(resolveConnection({ 'api-url': '127.0.0.1:8080' }, { env: {}, cwd: dir }), UsageError);
  });
});

describe('exit codes', () => {
  it('maps HTTP statuses to the documented codes', () => {
    assert.equal(exitForStatus(401), EXIT.AUTH);
    assert.equal(exitForStatus(403, 'SELF_APPROVAL'), EXIT.AUTH);
    assert.equal(exitForStatus(409, 'QUORUM_AT_RISK'), EXIT.FAILED);
    assert.equal(exitForStatus(422, 'UNKNOWN_OBJECT'), EXIT.FAILED);
    assert.equal(exitForStatus(400, 'INVALID_INPUT'), EXIT.USAGE);
    assert.equal(exitForStatus(503), EXIT.UNREACHABLE);
  });

  it('--since takes ISO times and durations back from now', () => {
    const now = Date.parse('2026-01-31T12:00:00Z');
    assert.equal(sinceToIso('2h', now), '2026-01-31T10:00:00.000Z');
    assert.equal(sinceToIso('2026-01-01T00:00:00Z', now), '2026-01-01T00:00:00.000Z');
    assert.throws(() => sinceToIso('yesterday', now), UsageError);
  });
});

describe('main', () => {
  it('help lists every operation command and the exit codes', async () => {
    const r = recordingIo();
    assert.equal(await main(['help'], r.io), EXIT.OK);
    for (const w of ['migrate VM NODE', 'lun add TARGET PATH|SIZE', 'fence NODE [--off]', 'job ID [--follow]', 'config check', 'Exit codes:', '4  unreachable']) assert.match(r.text(), new RegExp(w.replace(/[|[\]]/g, '\\$&')));
  });

  it('hasf CMD --help prints that command\'s help', async () => {
    const r = recordingIo();
    assert.equal(await main(['lun', 'add', '--help'], r.io), EXIT.OK);
    assert.match(r.text(), /Usage: hasf lun add TARGET PATH\|SIZE \[--lun N\]/);
  });

  it('an unknown command is a usage error with a suggestion', async () => {
    const r = recordingIo();
    assert.equal(await main(['migrat', 'vm1'], r.io), EXIT.USAGE);
    assert.match(r.errText(), /did you mean migrate/);
  });

  it('an unknown option and a bad param are usage errors before any request', async () => {
    const r = recordingIo();
    assert.equal(await main(['migrate', 'vm1', 'node2', '--reason', 'x', '--bogus'], r.io), EXIT.USAGE);
    assert.match(r.errText(), /--bogus/);
    const r2 = recordingIo();
    assert.equal(await main(['migrate', 'vm1', 'no;de', '--reason', 'x', '--api-url', 'http://127.0.0.1:1'], r2.io), EXIT.USAGE);
    assert.match(r2.errText(), /node is not a valid name/);
    const r3 = recordingIo();
    assert.equal(await main(['standby', 'node1', '--api-url', 'http://127.0.0.1:1'], r3.io), EXIT.USAGE);
    assert.match(r3.errText(), /--reason is required/);
  });

  it('an API that does not answer is exit 4, also as JSON', async () => {
    const port = await freePort();
    const r = recordingIo();
    assert.equal(await main(['jobs', '--api-url', `http://127.0.0.1:${port}`, '--token', 'x'], r.io), EXIT.UNREACHABLE);
    assert.match(r.errText(), /Cannot reach the HASF API .*connection refused/);
    const j = recordingIo();
    assert.equal(await main(['status', '--json', '--api-url', `http://127.0.0.1:${port}`], j.io), EXIT.UNREACHABLE);
    assert.equal(JSON.parse(j.text()).error.code, 'UNREACHABLE');
  });

  it('token hash and generate work offline', async () => {
    const r = recordingIo();
    assert.equal(await main(['token', 'generate', '--json'], r.io), EXIT.OK);
    const { token, hash } = JSON.parse(r.text()) as { token: string; hash: string };
    const h = recordingIo();
    assert.equal(await main(['token', 'hash', token], h.io), EXIT.OK);
    assert.equal(h.text(), hash);
    assert.match(hash, /^sha256:[0-9a-f]{64}$/);
    assert.equal(await main(['token', 'hash', 'not-a-token'], recordingIo().io), EXIT.USAGE);
  });
});

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SshPool, buildCommandLine, fingerprintOf, type HostSpec } from '../src/ssh/index.ts';

const run = promisify(execFile);

/** Figures of one bench run: totals for n runs each way, and how many times faster the pool is. */
export interface SshPoolBenchResult {
  pooledMs: number;
  systemSshMs: number;
  /** systemSshMs / pooledMs. */
  ratio: number;
  /** Connections the pool opened (1 proves reuse). */
  connects: number;
  n: number;
}

/**
 * A known_hosts file the system ssh can use: the host's own file, or (hostKeys only) the
 * key fetched with ssh-keyscan and kept only if its fingerprint is one of the pinned ones.
 */
async function knownHostsFor(host: HostSpec, dir: string): Promise<string> {
  if (host.knownHostsFile) return host.knownHostsFile;
  const port = host.port ?? 22;
  const { stdout } = await run('ssh-keyscan', ['-p', String(port), host.host]);
  const lines = stdout.split('\n').filter((l) => {
    const b64 = l.split(' ')[2];
    return b64 !== undefined && (host.hostKeys ?? []).includes(fingerprintOf(Buffer.from(b64, 'base64')));
  });
  if (lines.length === 0) throw new Error(`${host.name}: ssh-keyscan found no key matching the pinned fingerprints`);
  const file = join(dir, 'known_hosts');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/**
 * Run `argv` n times through the pool (one connection, reused) and n times through the
 * system `ssh` client (a fresh connection each time: BatchMode, the pinned known_hosts,
 * -i key), sequentially, in one run; return the totals.
 */
export async function benchSshPool(host: HostSpec, argv: string[], n = 100): Promise<SshPoolBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'hasf-bench-ssh-'));
  const pool = new SshPool();
  try {
    const knownHosts = await knownHostsFor(host, dir);
    const exec = pool.executor(host);
    // Both ways must return the same thing; live status carries timestamps, so compare sizes within 5 %.
    let expected: string | undefined;
    const check = (stdout: string, how: string) => {
      expected ??= stdout;
      if (Math.abs(stdout.length - expected.length) > expected.length * 0.05 || stdout.length === 0) {
        throw new Error(`${how} returned different output (${stdout.length} vs ${expected.length} bytes)`);
      }
    };

    let t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const r = await exec.run(argv);
      if (r.exitCode !== 0) throw new Error(`pooled run exited ${r.exitCode}: ${r.stderr}`);
      check(r.stdout, 'pooled run');
    }
    const pooledMs = performance.now() - t0;

    const sshArgs = [
      '-F', '/dev/null',
      '-o', 'BatchMode=yes',
      '-o', 'StrictHostKeyChecking=yes',
      '-o', `UserKnownHostsFile=${knownHosts}`,
      '-o', 'GlobalKnownHostsFile=/dev/null',
      '-o', 'ControlMaster=no',
      '-o', 'IdentitiesOnly=yes',
      ...(host.identityFile ? ['-i', host.identityFile] : []),
      '-p', String(host.port ?? 22),
      '-l', host.user ?? 'root',
      host.host,
      '--',
      buildCommandLine(argv),
    ];
    t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const { stdout } = await run('ssh', sshArgs, { maxBuffer: 64 * 1024 * 1024 });
      check(stdout, 'system ssh');
    }
    const systemSshMs = performance.now() - t0;
    const round = (x: number) => Math.round(x * 10) / 10;
    return {
      pooledMs: round(pooledMs),
      systemSshMs: round(systemSshMs),
      ratio: round(systemSshMs / pooledMs),
      connects: pool.stats().connects,
      n,
    };
  } finally {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HasfError } from '../errors/index.ts';
import { LocalExecutor } from '../ssh/local-executor.ts';
import { ReadOnlyExecutor } from '../ssh/read-only.ts';
import type { CommandExecutor } from '../ssh/types.ts';
import { CibFileExecutor } from './cib-file-executor.ts';

/** A private temporary directory on the host where an executor runs its commands. */
export interface Workspace {
  /** Absolute path of the directory. */
  readonly dir: string;
  /** Path of `name` inside the directory. */
  path(name: string): string;
  write(name: string, content: string): Promise<void>;
  read(name: string): Promise<string>;
  /** Remove the directory and everything in it. */
  dispose(): Promise<void>;
}

/** True when `exec` runs on this machine, so node:fs reaches its files. */
export function isLocal(exec: CommandExecutor): boolean {
  if (exec instanceof LocalExecutor) return true;
  if (exec instanceof CibFileExecutor || exec instanceof ReadOnlyExecutor) return isLocal(exec.inner);
  return false;
}

const SAFE_FILE = /^[A-Za-z0-9._-]+$/;
function checkName(name: string): string {
  if (!SAFE_FILE.test(name)) throw new HasfError('INTERNAL', `Workspace file name ${JSON.stringify(name)} is not allowed.`);
  return name;
}

/**
 * Open a workspace where `exec` runs: node:fs for a local executor; otherwise
 * `mktemp -d` on the remote host, files written through stdin with
 * `sh -c 'cat > "$1"' sh PATH` (the path is an argument, never part of the script),
 * read with `cat`, removed with `rm -rf`.
 */
export async function openWorkspace(exec: CommandExecutor): Promise<Workspace> {
  if (isLocal(exec)) {
    const dir = await mkdtemp(join(tmpdir(), 'hasf-predict-'));
    return {
      dir,
      path: (n) => join(dir, checkName(n)),
      write: (n, c) => writeFile(join(dir, checkName(n)), c),
      read: (n) => readFile(join(dir, checkName(n)), 'utf8'),
      dispose: () => rm(dir, { recursive: true, force: true }),
    };
  }
  const made = await exec.run(['mktemp', '-d', '-t', 'hasf-predict.XXXXXXXX']);
  const dir = made.stdout.trim();
  if (made.exitCode !== 0 || !/^\/[A-Za-z0-9._/-]+$/.test(dir)) {
    throw new HasfError('COMMAND_FAILED', `Could not create a temporary directory on ${exec.name}: check /tmp there is writable.`, {
      host: exec.name,
      exitCode: made.exitCode,
      stderr: made.stderr.slice(0, 500),
    });
  }
  const path = (n: string) => `${dir}/${checkName(n)}`;
  const must = async (argv: string[], stdin?: string) => {
    const r = await exec.run(argv, stdin === undefined ? {} : { stdin, maxOutputBytes: 64 * 1024 * 1024 });
    if (r.exitCode !== 0) {
      throw new HasfError('COMMAND_FAILED', `${argv[0]} failed in the temporary directory on ${exec.name}: ${r.stderr.trim().slice(0, 200)}.`, {
        host: exec.name,
        argv,
        exitCode: r.exitCode,
      });
    }
    return r;
  };
  return {
    dir,
    path,
    write: async (n, c) => {
      await must(['sh', '-c', 'cat > "$1"', 'sh', path(n)], c);
    },
    read: async (n) => (await must(['cat', path(n)], '')).stdout,
    dispose: async () => {
      await exec.run(['rm', '-rf', '--', dir]);
    },
  };
}

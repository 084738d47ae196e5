import { execFile } from 'node:child_process';
import { open, readFile, stat } from 'node:fs/promises';
import { util } from '../util/node-builtins.ts';
import { parseStatusDocument, type StatusDocument } from '../cluster/parse-status-file.ts';
import { EXIT } from './exit-codes.ts';
import { CliError } from './errors.ts';

const run = util.promisify(execFile);

/** A status read from a file, and where in it. */
export interface StatusFromFile extends StatusDocument {
  path: string;
  /** For an archive: the member read (`pcmk-…/node1/cib.xml`). */
  member?: string;
}

/** A saved status bigger than this is refused rather than read into memory. */
const MAX_BYTES = 256 * 1024 * 1024;

/** What the first bytes say: XML, or an archive tar can read (gzip, bzip2, xz, zstd, plain tar). */
function kindOf(head: Buffer): 'xml' | 'archive' | 'unknown' {
  const text = head.toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (text.startsWith('<')) return 'xml';
  const magic = head.subarray(0, 6);
  if (magic[0] === 0x1f && magic[1] === 0x8b) return 'archive'; // gzip
  if (magic.subarray(0, 3).toString('latin1') === 'BZh') return 'archive';
  if (magic[0] === 0xfd && magic.subarray(1, 6).toString('latin1') === '7zXZ\0') return 'archive';
  if (magic[0] === 0x28 && magic[1] === 0xb5 && magic[2] === 0x2f && magic[3] === 0xfd) return 'archive'; // zstd
  if (head.length > 262 && head.subarray(257, 262).toString('latin1') === 'ustar') return 'archive';
  return 'unknown';
}

/**
 * Read `path`: a crm_mon XML or CIB file, or a crm_report / hb_report tarball, whose
 * newest cib.xml (highest admin_epoch, epoch, num_updates over the nodes' copies) is read.
 * Archives are listed and read with the system's tar (argv only, never a shell).
 */
export async function readStatusFile(path: string, opts: { readAt?: string } = {}): Promise<StatusFromFile> {
  const st = await stat(path).catch((e: NodeJS.ErrnoException) => {
    throw new CliError(`Cannot read ${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}.`, EXIT.USAGE, 'FILE_UNREADABLE', { path });
  });
  if (!st.isFile()) throw new CliError(`${path} is not a file: give a crm_mon XML, a CIB, or a crm_report tarball.`, EXIT.USAGE, 'FILE_UNREADABLE', { path });
  if (st.size > MAX_BYTES) throw new CliError(`${path} is larger than 256 MiB: not a status HASF reads.`, EXIT.USAGE, 'FILE_TOO_LARGE', { path });
  const fh = await open(path, 'r');
  const head = Buffer.alloc(512);
  await fh.read(head, 0, 512, 0);
  await fh.close();
  const kind = kindOf(head);
  if (kind === 'xml') {
    return { path, ...parseStatusDocument(await readFile(path, 'utf8'), opts) };
  }
  if (kind === 'unknown') {
    throw new CliError(`${path} is neither XML nor an archive: give crm_mon --output-as=xml output, a CIB (cibadmin -Q), or a crm_report/hb_report tarball.`, EXIT.USAGE, 'INVALID_INPUT', { path });
  }
  const list = await tar(['-tf', path], path);
  const cibs = list.split('\n').filter((m) => /(^|\/)cib\.xml$/.test(m));
  if (!cibs.length) throw new CliError(`${path} holds no cib.xml: is it a crm_report or hb_report tarball?`, EXIT.USAGE, 'INVALID_INPUT', { path });
  let best: { member: string; text: string; version: number[] } | undefined;
  for (const member of cibs) {
    const text = await tar(['-xOf', path, '--', member], path);
    const version = ['admin_epoch', 'epoch', 'num_updates'].map((a) => Number(new RegExp(`<cib\\b[^>]*\\b${a}="(\\d+)"`).exec(text)?.[1] ?? -1));
    if (!best || compare(version, best.version) > 0) best = { member, text, version };
  }
  return { path, member: best!.member, ...parseStatusDocument(best!.text, opts) };
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

async function tar(args: string[], path: string): Promise<string> {
  try {
    const r = await run('tar', args, { maxBuffer: MAX_BYTES, encoding: 'utf8' });
    return r.stdout;
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    const why = err.code === 'ENOENT' ? 'tar is not installed' : (err.stderr ?? err.message).trim().split('\n')[0];
    throw new CliError(`Cannot read the archive ${path}: ${why} (bzip2 and xz archives also need bzip2 / xz-utils).`, EXIT.USAGE, 'FILE_UNREADABLE', { path });
  }
}

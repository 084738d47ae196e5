import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** The newest record one writer committed: what the chain must still reach. */
export interface Anchor {
  seq: number;
  mac: string;
  /** The writer that committed it (host.pid). */
  writer: string;
  time: string;
}

// Anchors of writers long gone that name an older record than the newest add nothing.
const PRUNE_AFTER_MS = 24 * 3600_000;

/**
 * The chain head copied out of Redis, to a directory every process shares (a volume all
 * API replicas and workers mount; NFS is fine). Each writer keeps one small file there,
 * replaced after each commit, so no two processes ever write one file; readers take the
 * highest. Someone who can write Redis but not this directory can no longer drop the
 * newest records and move the head back unseen: every writer refuses to append on top
 * of a head behind the anchor, and verify reports the records as missing.
 *
 * Files live in a subdirectory per stream key, so a new stream (key rotation) starts
 * clean.
 */
export class AnchorDir {
  readonly dir: string;
  readonly writer: string;
  private written = -1;

  constructor(root: string, streamKey: string, writer = `${hostname()}.${process.pid}`) {
    this.dir = join(root, streamKey.replace(/[^A-Za-z0-9._-]/g, '_'));
    this.writer = writer.replace(/[^A-Za-z0-9._-]/g, '_');
  }

  /** Record this writer's newest commit (atomically: a reader sees the old or the new file). */
  async write(head: { seq: number; mac: string }): Promise<void> {
    if (head.seq <= this.written) return;
    await mkdir(this.dir, { recursive: true });
    const file = join(this.dir, `${this.writer}.head`);
    const a: Anchor = { seq: head.seq, mac: head.mac, writer: this.writer, time: new Date().toISOString() };
    await writeFile(`${file}.tmp`, `${JSON.stringify(a)}\n`, { mode: 0o640 });
    await rename(`${file}.tmp`, file);
    this.written = head.seq;
  }

  /** Every anchor, highest seq first (none when the directory does not exist yet). */
  async all(): Promise<Anchor[]> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((n) => n.endsWith('.head'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const read = await Promise.all(
      names.map(async (n) => {
        try {
          const a = JSON.parse(await readFile(join(this.dir, n), 'utf8')) as Anchor;
          return Number.isInteger(a.seq) && typeof a.mac === 'string' ? [a] : [];
        } catch {
          // Gone meanwhile (pruned, replaced) or half-written by a crash: not an anchor.
          return [];
        }
      }),
    );
    return read.flat().sort((x, y) => y.seq - x.seq);
  }

  /** The highest anchor, or null. */
  async max(): Promise<Anchor | null> {
    return (await this.all())[0] ?? null;
  }

  /** Remove other writers' anchors that are a day old and behind the highest: they prove nothing more. */
  async prune(): Promise<number> {
    const all = await this.all();
    const top = all[0];
    let n = 0;
    for (const a of all.slice(1)) {
      if (a.writer === this.writer || a.seq >= (top?.seq ?? 0)) continue;
      const file = join(this.dir, `${a.writer}.head`);
      const st = await stat(file).catch(() => undefined);
      if (st && Date.now() - st.mtimeMs > PRUNE_AFTER_MS) {
        await unlink(file).catch(() => undefined);
        n++;
      }
    }
    return n;
  }
}

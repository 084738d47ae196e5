import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The newest record a file sink holds. */
export interface FileHead {
  seq: number;
  mac: string;
  streamId?: string;
}

/**
 * The JSONL second sink: one record per line, appended with O_APPEND and made durable
 * with fdatasync before the append is acknowledged. Several processes on one host may
 * share the file: each batch is one write() of whole lines, so lines never interleave,
 * though seqs from different processes may appear slightly out of order.
 */
export class FileSink {
  private handle: FileHandle | null = null;

  /** @param path the JSONL file; its directory must exist. */
  constructor(readonly path: string) {}

  /** Append whole lines and fsync. Throws the fs error as is; the caller maps it. */
  async append(lines: string): Promise<void> {
    const h = await this.open();
    try {
      const buf = Buffer.from(lines, 'utf8');
      let off = 0;
      while (off < buf.length) {
        const { bytesWritten } = await h.write(buf, off, buf.length - off);
        off += bytesWritten;
      }
      await h.datasync();
    } catch (err) {
      // A failed handle (disk full, file replaced) is reopened on the next append.
      this.handle = null;
      await h.close().catch(() => {});
      throw err;
    }
  }

  private async open(): Promise<FileHandle> {
    if (this.handle) return this.handle;
    const h = await open(this.path, 'a+', 0o640);
    // A line torn by a crash would swallow the next record: end it first.
    const { size } = await h.stat();
    if (size > 0) {
      const last = Buffer.alloc(1);
      await h.read(last, 0, 1, size - 1);
      if (last[0] !== 10) await h.write('\n');
    }
    // The file's directory entry must be durable too, or a crash could lose the file.
    const d = await open(dirname(this.path), 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
    this.handle = h;
    return h;
  }

  /** Close the file. */
  async close(): Promise<void> {
    const h = this.handle;
    this.handle = null;
    await h?.close();
  }
}

/**
 * The record with the highest seq in a JSONL file sink, or null when the file is empty
 * or absent. Read in large chunks and only the winning line is parsed, so 100,000 lines
 * take tens of milliseconds. Unparseable lines (a torn write after a crash) are counted.
 */
export async function readFileHead(
  path: string,
  skip: ReadonlySet<number> = new Set(),
): Promise<{ head: FileHead | null; lines: number; malformed: number }> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      return { head: null, lines: 0, malformed: 0 };
    throw err;
  }
  let best: string | null = null;
  let bestSeq = -1;
  let lines = 0;
  let malformed = 0;
  const scan = (line: string) => {
    if (!line) return;
    lines++;
    const seq = topLevelSeq(line);
    if (seq === null) malformed++;
    else if (seq > bestSeq && !skip.has(seq)) {
      bestSeq = seq;
      best = line;
    }
  };
  try {
    const buf = Buffer.allocUnsafe(4 << 20);
    let rest = '';
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      // Split on the last newline in bytes, so a multi-byte character is never cut.
      const cut = buf.lastIndexOf(10, bytesRead - 1);
      if (cut < 0) {
        rest += buf.toString('utf8', 0, bytesRead);
        continue;
      }
      const text = rest + buf.toString('utf8', 0, cut);
      rest = buf.toString('utf8', cut + 1, bytesRead);
      let from = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
        scan(text.slice(from, nl));
        from = nl + 1;
      }
      scan(text.slice(from));
    }
    scan(rest);
  } finally {
    await fh.close();
  }
  if (best === null) return { head: null, lines, malformed };
  try {
    const r = JSON.parse(best) as { seq: number; mac: string; streamId?: string };
    if (r.seq !== bestSeq || typeof r.mac !== 'string') throw new Error('bad record');
    return {
      head: { seq: r.seq, mac: r.mac, ...(r.streamId ? { streamId: r.streamId } : {}) },
      lines,
      malformed,
    };
  } catch {
    // A line torn by a crash mid-write: its record is in Redis anyway (Redis is written
    // first); take the best whole line instead. Rare, so a second pass is fine.
    const again = await readFileHead(path, new Set([...skip, bestSeq]));
    return { ...again, malformed: again.malformed + 1 };
  }
}

// Lines are canonical JSON, whose keys are sorted: the top-level "seq" comes after
// "details", so the last `"seq":` in a line is the top-level one (strings inside escape
// their quotes). This avoids parsing every line of a large file.
function topLevelSeq(line: string): number | null {
  const i = line.lastIndexOf('"seq":');
  if (i < 0) return null;
  const m = /^"seq":(\d+)[,}]/.exec(line.slice(i, i + 30));
  return m ? Number(m[1]) : null;
}

import { open, type FileHandle } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';

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
    const h = await open(this.path, 'a', 0o640);
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
 * or absent. Unparseable lines (a torn write after a crash) are skipped and counted.
 */
export async function readFileHead(path: string): Promise<{ head: FileHead | null; lines: number; malformed: number }> {
  let head: FileHead | null = null;
  let lines = 0;
  let malformed = 0;
  let stream;
  try {
    stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
    await new Promise<void>((resolve, reject) => {
      stream!.once('open', () => resolve());
      stream!.once('error', reject);
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { head: null, lines: 0, malformed: 0 };
    throw err;
  }
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
    if (!line) continue;
    lines++;
    const seq = topLevelSeq(line);
    if (seq === null) {
      malformed++;
      continue;
    }
    if (head === null || seq > head.seq) {
      try {
        const r = JSON.parse(line) as { seq: number; mac: string; streamId?: string };
        if (r.seq !== seq || typeof r.mac !== 'string') throw new Error('bad record');
        head = { seq, mac: r.mac, ...(r.streamId ? { streamId: r.streamId } : {}) };
      } catch {
        malformed++;
      }
    }
  }
  return { head, lines, malformed };
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

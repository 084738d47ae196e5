import { randomBytes } from 'node:crypto';

/** How much stderr to search for the marker before giving up (a login script may print first). */
const SEARCH_LIMIT = 64 * 1024;

/**
 * The remote command's PID, learnt from a marker line the wrapper shell prints to stderr
 * (`echo "hasf-pid-<nonce>:$$" >&2; exec …`). sshd refuses `signal` requests for root
 * sessions ("session signalling requires privilege separation"), so a timed-out command
 * is killed by `kill -KILL -- -PID` over a second channel instead; sshd made the session
 * a process group leader (setsid), and exec keeps the PID, so that kills the command and
 * everything it started. The marker line is removed from stderr; nothing else is touched.
 */
export class PidMarker {
  private readonly tag = `hasf-pid-${randomBytes(6).toString('hex')}:`;
  private pending: Buffer | undefined = Buffer.alloc(0);
  /** The remote PID, once the marker arrived. */
  pid: number | undefined;

  /** Shell prefix that prints the marker; goes before the command line. */
  get prefix(): string {
    return `echo "${this.tag}$$" >&2;`;
  }

  /** Feed stderr bytes; returns the bytes to pass on (marker removed). */
  push(chunk: Buffer): Buffer {
    if (!this.pending) return chunk;
    const acc = Buffer.concat([this.pending, chunk]);
    const at = acc.indexOf(this.tag);
    const nl = at < 0 ? -1 : acc.indexOf(0x0a, at);
    if (nl >= 0) {
      const pid = Number(acc.subarray(at + this.tag.length, nl).toString('latin1'));
      if (Number.isInteger(pid) && pid > 1) this.pid = pid;
      this.pending = undefined;
      return Buffer.concat([acc.subarray(0, at), acc.subarray(nl + 1)]);
    }
    if (acc.length > SEARCH_LIMIT) {
      this.pending = undefined;
      return acc;
    }
    this.pending = acc;
    return Buffer.alloc(0);
  }

  /** Whatever is still held back (the stream ended before the marker was complete). */
  flush(): Buffer {
    const rest = this.pending ?? Buffer.alloc(0);
    this.pending = undefined;
    return rest;
  }
}

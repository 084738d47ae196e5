import type { Request, Response } from 'express';

/** One open server-sent-events stream. */
export interface EventStream {
  /** Send one event (`data` is split into `data:` lines, so any text is safe). */
  send(event: string, data: string): void;
  /** End the stream from our side. */
  end(): void;
  /** Called once when the stream ends, from either side. */
  onClose(fn: () => void): void;
  readonly closed: boolean;
}

/**
 * The open streams of this process, so a server shutdown can end them (an open stream
 * would otherwise keep `server.close()` waiting for ever).
 */
export class StreamRegistry {
  private readonly open = new Set<EventStream>();

  /** Turn a response into an event stream: headers out now, a comment every `heartbeatMs` so proxies keep it open. */
  start(req: Request, res: Response, heartbeatMs = 20_000): EventStream {
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Accel-Buffering', 'no'); // nginx: pass events through as they come
    res.flushHeaders();
    res.write('retry: 3000\n\n');
    const closers: Array<() => void> = [];
    let closed = false;
    const beat = setInterval(() => res.write(': keep-alive\n\n'), heartbeatMs);
    const finish = () => {
      if (closed) return;
      closed = true;
      clearInterval(beat);
      this.open.delete(stream);
      for (const fn of closers.splice(0)) fn();
    };
    const stream: EventStream = {
      send(event, data) {
        if (closed) return;
        res.write(`event: ${event}\n${data.split(/\r\n|\r|\n/).map((l) => `data: ${l}`).join('\n')}\n\n`);
      },
      end() {
        finish();
        res.end();
      },
      onClose(fn) {
        if (closed) fn();
        else closers.push(fn);
      },
      get closed() {
        return closed;
      },
    };
    req.on('close', finish);
    this.open.add(stream);
    return stream;
  }

  /** End every open stream (server shutdown). */
  closeAll(): void {
    for (const s of [...this.open]) s.end();
  }
}

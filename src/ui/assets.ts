import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Express, Request, Response } from 'express';

const TYPES: Record<string, string> = { css: 'text/css; charset=utf-8', js: 'text/javascript; charset=utf-8', mjs: 'text/javascript; charset=utf-8', svg: 'image/svg+xml' };

/** The console's own files (no CDN, no outside fonts): read once, served with a content hash. */
export class Assets {
  private readonly files = new Map<string, { body: Buffer; type: string; hash: string }>();

  constructor(names: readonly string[] = ['console.css', 'console.mjs', 'favicon.svg']) {
    for (const name of names) {
      const body = readFileSync(new URL(`./assets/${name}`, import.meta.url));
      const ext = name.split('.').pop()!;
      this.files.set(name, { body, type: TYPES[ext] ?? 'application/octet-stream', hash: createHash('sha256').update(body).digest('hex').slice(0, 12) });
    }
  }

  /** The URL of an asset, versioned by its content so browsers may cache it for good. */
  url(name: string): string {
    const f = this.files.get(name);
    if (!f) throw new Error(`no console asset ${name}`);
    return `/ui/assets/${name}?v=${f.hash}`;
  }

  /** Serve GET /ui/assets/NAME. */
  mount(app: Express): void {
    app.get('/ui/assets/:name', (req: Request, res: Response) => {
      const f = this.files.get(String(req.params.name));
      if (!f) {
        res.status(404).type('text/plain').send('No such console asset.');
        return;
      }
      res.setHeader('Cache-Control', req.query.v === f.hash ? 'public, max-age=31536000, immutable' : 'no-cache');
      res.type(f.type).send(f.body);
    });
  }
}

import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { verifySignature } from '../../src/callbacks/index.ts';

/** One delivery as the receiver saw it. */
export interface Received {
  headers: Record<string, string>;
  body: string;
  json: any;
  valid: boolean;
  answered: number;
}

/**
 * A ticketing system's callback endpoint on 127.0.0.1: records each POST, checks its
 * signature as a receiver would, and answers `answer(n)` for the n-th attempt of a delivery.
 */
export async function startReceiver(secret: string, answer: (attemptOfDelivery: number) => number = () => 204) {
  const got: Received[] = [];
  const perDelivery = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const h = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      const n = (perDelivery.get(h['x-hasf-delivery']!) ?? 0) + 1;
      perDelivery.set(h['x-hasf-delivery']!, n);
      const status = answer(n);
      got.push({ headers: h, body, json: JSON.parse(body), valid: verifySignature(secret, h['x-hasf-timestamp']!, body, h['x-hasf-signature']!), answered: status });
      res.writeHead(status).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/hasf/callback`,
    got,
    /** Wait until `pred` holds over what was received (or fail after `ms`). */
    async until(pred: (got: Received[]) => boolean, ms = 20_000): Promise<void> {
      const end = Date.now() + ms;
      while (!pred(got)) {
        if (Date.now() > end) throw new Error(`callbacks not received in time: ${JSON.stringify(got.map((g) => [g.json.state, g.answered]))}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

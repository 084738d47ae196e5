/**
 * node:http and node:util taken with require(), not `import`. To build the ES module view of a builtin,
 * Node reads every export once, and node:http's lazy ones (WebSocket, CloseEvent,
 * MessageEvent) load undici, Node's fetch: ~12 MB of RSS and ~13 ms at start (Node 24),
 * in the CLI and the demo's Slack sink that only want request() and createServer().
 * node:util's (parseArgs, MIMEType, TextDecoder, …) cost ~1 MB more. require() returns
 * the module object, whose lazy exports stay lazy until used.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const http = require('node:http') as typeof import('node:http');
export const util = require('node:util') as typeof import('node:util');

import type { IncomingMessage } from 'node:http';
import { http } from '../util/node-builtins.ts';
import { ApiError, CliError, UnreachableError, type Problem } from './errors.ts';
import { EXIT } from './exit-codes.ts';

/** How the CLI reaches the REST API. */
export interface ClientOptions {
  /** Base URL without the /v1 suffix, e.g. http://127.0.0.1:8080. */
  baseUrl: string;
  /** Bearer token; requests without one get 401 from every endpoint but health. */
  token?: string;
  /** Until the answer starts, then between chunks of it; default 30 s (a dry run simulates on the cluster, which takes a while). */
  timeoutMs?: number;
}

/** An answer: its status, content type and body (a stream: an audit export can be large). */
export interface ApiResponse {
  status: number;
  contentType: string;
  body: IncomingMessage;
}

/** One request: query parameters are dropped when undefined. */
export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined>;
  /** Accept header; default application/json. */
  accept?: string;
}

/**
 * A small typed wrapper over the REST API: Bearer auth, JSON in and out, problem+json
 * errors turned into ApiError (with the exit code they imply), connection failures into
 * UnreachableError.
 *
 * @example
 *   const api = new ApiClient({ baseUrl: 'http://127.0.0.1:8080', token });
 *   const job = await api.json<JobView>('GET', `/v1/jobs/${id}`);
 */
export class ApiClient {
  readonly baseUrl: string;
  readonly #o: ClientOptions;

  constructor(opts: ClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.#o = opts;
  }

  /** The absolute URL of `path` with `query`. */
  url(path: string, query: RequestOptions['query'] = {}): string {
    const u = new URL(this.baseUrl + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') u.searchParams.set(k, String(v));
    return u.toString();
  }

  /** Send a request and return the answer (2xx only; errors throw). */
  async send(method: string, path: string, opts: RequestOptions = {}): Promise<ApiResponse> {
    const url = new URL(this.url(path, opts.query));
    const headers: Record<string, string> = { accept: opts.accept ?? 'application/json' };
    if (this.#o.token) headers.authorization = `Bearer ${this.#o.token}`;
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    if (body !== undefined) headers['content-type'] = 'application/json';
    // node:http rather than fetch: fetch loads undici at its first call, ~60 ms of every
    // CLI command; https (TLS) is loaded only for an https:// API.
    const request = url.protocol === 'https:' ? (await import('node:https')).request : http.request;
    const timeoutMs = this.#o.timeoutMs ?? 30_000;
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(url, { method, headers });
      const timer = setTimeout(() => req.destroy(Object.assign(new Error('no answer in time'), { code: 'TIMEOUT' })), timeoutMs);
      req.once('response', (r) => {
        clearTimeout(timer);
        // From here the body streams; a stall between chunks still ends it.
        r.setTimeout(timeoutMs, () => r.destroy(Object.assign(new Error('the answer stopped coming'), { code: 'TIMEOUT' })));
        resolve(r);
      });
      req.once('error', (err) => {
        clearTimeout(timer);
        reject(new UnreachableError(this.baseUrl, describeRequestError(err)));
      });
      req.end(body);
    });
    const answer: ApiResponse = { status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: res };
    if (answer.status >= 200 && answer.status < 300) return answer;
    throw new ApiError(answer.status, await readProblem(answer, res.statusMessage));
  }

  /** Send a request and parse the JSON answer (undefined for 204). */
  async json<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.send(method, path, opts);
    const text = await readText(res.body);
    if (res.status === 204) return undefined as T;
    try {
      return (text ? JSON.parse(text) : undefined) as T;
    } catch {
      throw new CliError(`The API at ${this.baseUrl} answered ${method} ${path} with something that is not JSON.`, EXIT.UNREACHABLE, 'BAD_RESPONSE', { body: text.slice(0, 200) });
    }
  }
}

/** The whole body of an answer as text. */
async function readText(body: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  try {
    for await (const c of body) chunks.push(c as Buffer);
  } catch (err) {
    throw new CliError(`The API's answer broke off: ${describeRequestError(err)}.`, EXIT.UNREACHABLE, 'UNREACHABLE');
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The problem document of an error response, or a stand-in built from the status line. */
async function readProblem(res: ApiResponse, statusText: string | undefined): Promise<Problem> {
  const text = await readText(res.body).catch(() => '');
  try {
    const p = JSON.parse(text) as Problem;
    if (p && typeof p === 'object') return { status: res.status, ...p };
  } catch {
    // not JSON: a proxy or a plain-text error page
  }
  return { status: res.status, title: statusText || `HTTP ${res.status}`, detail: text.trim().slice(0, 300) || undefined };
}

/** One phrase for why a request failed. */
export function describeRequestError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  if (e?.code === 'TIMEOUT') return e.message ?? 'no answer in time';
  if (e?.code === 'ECONNREFUSED') return 'connection refused';
  if (e?.code === 'ENOTFOUND' || e?.code === 'EAI_AGAIN') return 'host not found';
  if (e?.code === 'ECONNRESET') return 'connection reset';
  if (e?.code) return `${e.code}${e.message ? ` (${e.message})` : ''}`;
  return e?.message ?? String(err);
}

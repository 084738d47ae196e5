import { ApiError, CliError, UnreachableError, type Problem } from './errors.ts';
import { EXIT } from './exit-codes.ts';

/** How the CLI reaches the REST API. */
export interface ClientOptions {
  /** Base URL without the /v1 suffix, e.g. http://127.0.0.1:8080. */
  baseUrl: string;
  /** Bearer token; requests without one get 401 from every endpoint but health. */
  token?: string;
  /** Per-request timeout; default 30 s (a dry run simulates on the cluster, which takes a while). */
  timeoutMs?: number;
  /** Injected by tests; default the global fetch. */
  fetch?: typeof fetch;
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

  /** Send a request and return the raw Response (2xx only; errors throw). */
  async send(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
    const url = this.url(path, opts.query);
    const headers: Record<string, string> = { accept: opts.accept ?? 'application/json' };
    if (this.#o.token) headers.authorization = `Bearer ${this.#o.token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await (this.#o.fetch ?? fetch)(url, {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal: AbortSignal.timeout(this.#o.timeoutMs ?? 30_000),
      });
    } catch (err) {
      throw new UnreachableError(this.baseUrl, describeFetchError(err));
    }
    if (res.ok) return res;
    throw new ApiError(res.status, await readProblem(res));
  }

  /** Send a request and parse the JSON answer (undefined for 204). */
  async json<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.send(method, path, opts);
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    try {
      return (text ? JSON.parse(text) : undefined) as T;
    } catch {
      throw new CliError(`The API at ${this.baseUrl} answered ${method} ${path} with something that is not JSON.`, EXIT.UNREACHABLE, 'BAD_RESPONSE', { body: text.slice(0, 200) });
    }
  }
}

/** The problem document of an error response, or a stand-in built from the status line. */
async function readProblem(res: Response): Promise<Problem> {
  const text = await res.text().catch(() => '');
  try {
    const p = JSON.parse(text) as Problem;
    if (p && typeof p === 'object') return { status: res.status, ...p };
  } catch {
    // not JSON: a proxy or a plain-text error page
  }
  return { status: res.status, title: res.statusText || `HTTP ${res.status}`, detail: text.trim().slice(0, 300) || undefined };
}

/** One phrase for why fetch failed (undici hides the errno in `cause`). */
export function describeFetchError(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'no answer in time';
  const code = e?.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND') return 'host not found';
  if (code) return `${code}${e.cause?.message ? ` (${e.cause.message})` : ''}`;
  return e?.cause?.message ?? e?.message ?? String(err);
}

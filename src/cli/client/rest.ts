// The REST client behind `wharf repo|user|task ...`: JSON over fetch to a running server, credentials from
// --user/--password or --token (WHARF_TOKEN), the server from --url (WHARF_URL, default http://127.0.0.1:8081).
// A refused request becomes a ClientError carrying the server's own message and exit code 1.

export interface ClientOptions {
  url?: string;
  user?: string;
  password?: string;
  token?: string;
  json?: boolean;
}

/** Exit codes: 2 for a usage problem (caught before any request), 1 for a server or connection error. */
export class ClientError extends Error {
  constructor(message: string, readonly exitCode: 1 | 2 = 1) {
    super(message);
  }
}

export class RestClient {
  private readonly base: string;
  private readonly authorization: string | undefined;

  constructor(options: ClientOptions, env: NodeJS.ProcessEnv = process.env) {
    this.base = (options.url ?? env.WHARF_URL ?? 'http://127.0.0.1:8081').replace(/\/+$/, '');
    if (!/^https?:\/\//.test(this.base)) throw new ClientError(`--url must be an http(s) URL, not ${this.base}`, 2);
    const token = options.token ?? env.WHARF_TOKEN;
    if (options.user !== undefined) {
      const password = options.password ?? env.WHARF_PASSWORD;
      if (password === undefined) throw new ClientError('--user needs --password (or WHARF_PASSWORD)', 2);
      this.authorization = `Basic ${Buffer.from(`${options.user}:${password}`).toString('base64')}`;
    } else if (token) {
      this.authorization = `Bearer ${token}`;
    }
  }

  /** Calls /service/rest/v1<path>; returns the parsed JSON (undefined when empty). Throws ClientError. */
  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.authorization) headers.authorization = this.authorization;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(`${this.base}/service/rest/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new ClientError(`cannot reach ${this.base}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
    }
    const text = await res.text();
    const data = text && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text || undefined;
    if (!res.ok) {
      const message = (data as { message?: string } | undefined)?.message ?? `${res.status} ${res.statusText}`;
      const hint = res.status === 401 ? ' (give --user and --password, or --token / WHARF_TOKEN)' : '';
      const details = (data as { details?: { field: string; message: string }[] } | undefined)?.details;
      const fields = Array.isArray(details) ? details.map((d) => `\n  ${d.field}: ${d.message}`).join('') : '';
      throw new ClientError(`${method} ${path}: ${res.status} ${message}${hint}${fields}`);
    }
    return data as T;
  }
}

// A small fetch client for REST v1 contract tests: JSON in and out, admin credentials unless told otherwise.
import { adminAuth, type TestWharf } from '../helpers/wharf.js';

export interface ApiReply {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the text when the reply is not JSON, or undefined when empty. */
  body: any;
}

export interface ApiOptions {
  method?: string;
  /** An object is sent as JSON, a string as text/plain. */
  body?: unknown;
  /** An Authorization header value; null sends none (anonymous). Defaults to the admin. */
  auth?: string | null;
  headers?: Record<string, string>;
}

export const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** Calls `/service/rest/v1<path>` on the test server. */
export function restClient(wharf: TestWharf) {
  return async (path: string, options: ApiOptions = {}): Promise<ApiReply> => {
    const headers: Record<string, string> = { ...options.headers };
    const auth = options.auth === undefined ? adminAuth : options.auth;
    if (auth) headers.authorization = auth;
    let body: string | undefined;
    if (typeof options.body === 'string') {
      headers['content-type'] ??= 'text/plain';
      body = options.body;
    } else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    const res = await fetch(`${wharf.url}/service/rest/v1${path}`, { method: options.method ?? 'GET', headers, body });
    const text = await res.text();
    const json = (res.headers.get('content-type') ?? '').includes('json');
    return { status: res.status, headers: res.headers, body: text === '' ? undefined : json ? JSON.parse(text) : text };
  };
}

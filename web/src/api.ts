// The UI's only way to the server: the public REST API (/service/rest/v1) and, for image details, the
// registry API (/v2). Credentials live in sessionStorage (gone with the tab) and go out as an Authorization
// header; X-Requested-With makes a 401 come without a Basic challenge, so the browser shows no login dialog.

const KEY = 'wharf.auth';

export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly details?: unknown) {
    super(message);
  }

  /** Validation messages by field name, from the REST error's details. */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    if (Array.isArray(this.details)) {
      for (const d of this.details as { field?: string; message?: string }[]) if (d.field) out[d.field] = d.message ?? 'invalid';
    }
    return out;
  }
}

export const credentials = {
  get: (): string | null => sessionStorage.getItem(KEY),
  set(userId: string, password: string): void {
    const bytes = new TextEncoder().encode(`${userId}:${password}`);
    sessionStorage.setItem(KEY, `Basic ${btoa(String.fromCharCode(...bytes))}`);
  },
  clear: (): void => sessionStorage.removeItem(KEY),
};

/** Called when a request made with stored credentials gets 401 (password changed, token revoked). */
let onExpired: () => void = () => {};
export const setOnExpired = (f: () => void) => { onExpired = f; };

export type Query = Record<string, string | number | boolean | undefined | null>;

export function queryString(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const text = params.toString();
  return text ? `?${text}` : '';
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const auth = credentials.get();
  return { 'x-requested-with': 'XMLHttpRequest', ...(auth ? { authorization: auth } : {}), ...extra };
}

export interface RequestOptions {
  method?: string;
  query?: Query;
  /** An object goes as JSON, a string as text/plain. */
  body?: unknown;
  /** A 401 means the stored credentials stopped working (default); false while trying new ones. */
  expireOn401?: boolean;
}

/** Calls /service/rest/v1<path>; resolves to the parsed JSON (undefined for 204), throws ApiError. */
export async function api<T = unknown>(path: string, options: RequestOptions = {}): Promise<T> {
  const extra: Record<string, string> = { accept: 'application/json' };
  let body: string | undefined;
  if (typeof options.body === 'string') { extra['content-type'] = 'text/plain'; body = options.body; }
  else if (options.body !== undefined) { extra['content-type'] = 'application/json'; body = JSON.stringify(options.body); }
  let res: Response;
  try {
    res = await fetch(`/service/rest/v1${path}${queryString(options.query)}`, { method: options.method ?? 'GET', headers: headers(extra), body });
  } catch {
    throw new ApiError(0, 'The server did not answer. Check that Wharf is running and the network is up, then try again.');
  }
  const text = await res.text();
  const json = text && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : undefined;
  if (!res.ok) {
    if (res.status === 401 && credentials.get() && options.expireOn401 !== false) onExpired();
    throw new ApiError(res.status, json?.message ?? (text || res.statusText), json?.details);
  }
  return (json ?? (text || undefined)) as T;
}

export const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json', 'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json', 'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** A GET on the registry API (/v2/...) with the user's credentials; throws ApiError with the OCI error's message. */
export async function registry(path: string, accept = MANIFEST_TYPES, method = 'GET'): Promise<Response> {
  const res = await fetch(`/v2/${path}`, { method, headers: headers({ accept }) });
  if (!res.ok) {
    const body = method === 'HEAD' ? undefined : await res.json().catch(() => undefined);
    throw new ApiError(res.status, body?.errors?.[0]?.message ?? `registry answered ${res.status}`);
  }
  return res;
}

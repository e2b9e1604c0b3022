// Authentication to an upstream: HTTP Basic, and the Docker/OCI bearer token dance (parse the
// WWW-Authenticate challenge, get a token from the realm for the service and scope, cache it until it
// expires, fetch a new one on 401).
import type { Dispatcher } from 'undici';
import { TtlCache } from './ttl-cache.js';

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `Bearer realm="...",service="...",scope="..."` (first challenge only). */
export function parseChallenge(header: string | string[] | undefined): Challenge | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const m = /^\s*(\w+)\s*(.*)$/.exec(value);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  for (const p of m[2].matchAll(/(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) params[p[1].toLowerCase()] = p[2] ?? p[3];
  return { scheme: m[1].toLowerCase(), params };
}

export interface Credentials {
  username: string;
  password: string;
}

export function basicHeader(c: Credentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
}

export class TokenAuth {
  private readonly tokens = new TtlCache<string>(1000);

  constructor(private readonly dispatcher: Dispatcher, private readonly credentials?: Credentials) {}

  /** A cached Authorization header for this scope, if any. */
  cached(scope: string): string | undefined {
    return this.tokens.get(scope);
  }

  /** Answers a 401 challenge with an Authorization header (fetching a token when Bearer); undefined when it cannot. */
  async answer(challenge: Challenge, scope: string): Promise<string | undefined> {
    if (challenge.scheme === 'basic') {
      if (!this.credentials) return undefined;
      const header = basicHeader(this.credentials);
      this.tokens.set(scope, header, 3600_000);
      return header;
    }
    if (challenge.scheme !== 'bearer' || !challenge.params.realm) return undefined;
    const url = new URL(challenge.params.realm);
    if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
    url.searchParams.set('scope', challenge.params.scope ?? scope);
    const headers: Record<string, string> = {};
    if (this.credentials) headers.authorization = basicHeader(this.credentials);
    const res = await this.dispatcher.request({ origin: url.origin, path: url.pathname + url.search, method: 'GET', headers });
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new Error(`token request to ${url.origin}${url.pathname} answered ${res.statusCode}`);
    }
    const body = (await res.body.json()) as { token?: string; access_token?: string; expires_in?: number };
    const token = body.token ?? body.access_token;
    if (!token) throw new Error(`token response from ${url.origin} has no token`);
    const header = `Bearer ${token}`;
    // Renew a little before the upstream says it expires (default lifetime per the token spec: 60 s).
    this.tokens.set(scope, header, Math.max((body.expires_in ?? 60) - 10, 5) * 1000);
    return header;
  }

  forget(scope: string): void {
    this.tokens.delete(scope);
  }
}

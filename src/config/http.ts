// The `http` section of wharf.yaml (DESIGN.md 1.4): TLS on the main port, the plain-HTTP port that redirects
// to it, HSTS, and the reverse proxies whose X-Forwarded-* headers are believed. These are listener settings:
// read at start by cli/serve.ts, never stored in the database (reconcile ignores them).
import { isIP } from 'node:net';
import { Type, type Static } from '@sinclair/typebox';
import type { Problem } from '../repository/format.js';

export const HttpSchema = Type.Object({
  /** PEM files; relative paths are relative to WHARF_DATA. SIGHUP re-reads them. */
  tls: Type.Optional(Type.Object({
    certFile: Type.String({ minLength: 1 }),
    keyFile: Type.String({ minLength: 1 }),
  }, { additionalProperties: false })),
  /** With tls: also listen for plain HTTP on httpPort and answer everything with a 308 to HTTPS. */
  redirectHttp: Type.Optional(Type.Boolean()),
  /** The plain-HTTP port of redirectHttp; 80 when absent. */
  httpPort: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
  /** Strict-Transport-Security on HTTPS responses; one year when tls is set, none otherwise unless given. */
  hsts: Type.Optional(Type.Object({
    maxAge: Type.Integer({ minimum: 0 }),
    includeSubDomains: Type.Optional(Type.Boolean()),
  }, { additionalProperties: false })),
  /** Peers (IP, CIDR, or loopback / linklocal / uniquelocal) whose X-Forwarded-Proto/Host/For are honoured. */
  trustedProxies: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
}, { additionalProperties: false });

export type HttpConfig = Static<typeof HttpSchema>;

export const DEFAULT_REDIRECT_PORT = 80;
export const ONE_YEAR_SECONDS = 365 * 24 * 3600;

/** The names @fastify/proxy-addr (Fastify's trustProxy) knows besides addresses. */
const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** Whether `entry` is something Fastify's trustProxy list accepts: a name, an IP, or IP/prefix. */
export function isProxyEntry(entry: string): boolean {
  if (PROXY_NAMES.has(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d+$/.test(prefix) && bits <= (family === 4 ? 32 : 128);
}

/** Rules of the http section that the schema cannot express. */
export function checkHttp(http: HttpConfig | undefined): Problem[] {
  if (!http) return [];
  const problems: Problem[] = [];
  if (http.redirectHttp && !http.tls) problems.push({ key: 'http.redirectHttp', reason: 'redirecting to HTTPS needs http.tls (certFile and keyFile)' });
  if (http.httpPort !== undefined && !http.redirectHttp) problems.push({ key: 'http.httpPort', reason: 'only used with redirectHttp: true (the plain-HTTP port that redirects to HTTPS)' });
  http.trustedProxies?.forEach((entry, i) => {
    if (!isProxyEntry(entry)) problems.push({ key: `http.trustedProxies[${i}]`, reason: `not an IP address, CIDR range or one of ${[...PROXY_NAMES].join(', ')}: ${entry}` });
  });
  return problems;
}

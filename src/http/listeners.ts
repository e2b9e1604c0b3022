// What kind of server each app listens with, from wharf.yaml's `http` section: HTTPS with the shared
// certificate (tls.ts) or plain HTTP; the reverse proxies whose X-Forwarded-Proto/Host/For Fastify believes
// (so request.protocol, request.host and request.ip, and every URL built from them, are the client's view);
// HSTS on HTTPS responses; and the plain-HTTP port that only redirects to HTTPS.
import { createServer as createHttpServer, type Server as HttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { isAbsolute, resolve } from 'node:path';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { Logger } from 'pino';
import { DEFAULT_REDIRECT_PORT, ONE_YEAR_SECONDS, type HttpConfig } from '../config/http.js';
import { Certificate } from './tls.js';

/** How one app's server is made. */
export interface Listener {
  /** Serve HTTPS with this certificate; plain HTTP when absent. */
  certificate?: Certificate;
  /** Peers whose X-Forwarded-* headers are honoured (Fastify trustProxy); nobody's when empty. */
  trustedProxies: string[];
  /** Strict-Transport-Security value for responses to HTTPS requests, if any. */
  hsts?: string;
}

/** Plain HTTP, no proxies trusted, no HSTS: what an app gets when wharf.yaml has no http section. */
export const PLAIN_LISTENER: Listener = { trustedProxies: [] };

/** The process's listener settings: the main port's listener, and the redirecting plain-HTTP port if any. */
export interface HttpSettings {
  listener: Listener;
  redirectPort?: number;
}

/** Reads the http section; loads the certificate now (throws naming the key when it cannot be used). */
export function openHttpSettings(http: HttpConfig | undefined, dataDir: string, log: Logger): HttpSettings {
  const inData = (file: string) => (isAbsolute(file) ? file : resolve(dataDir, file));
  const certificate = http?.tls
    ? new Certificate({ certFile: inData(http.tls.certFile), keyFile: inData(http.tls.keyFile) }, log)
    : undefined;
  // Without TLS of our own, HSTS is sent only when asked for (a TLS-terminating proxy may handle it).
  const maxAge = http?.hsts?.maxAge ?? (certificate ? ONE_YEAR_SECONDS : undefined);
  const hsts = maxAge === undefined ? undefined : `max-age=${maxAge}${http?.hsts?.includeSubDomains ? '; includeSubDomains' : ''}`;
  return {
    listener: { certificate, trustedProxies: http?.trustedProxies ?? [], hsts },
    redirectPort: certificate && http?.redirectHttp ? http.httpPort ?? DEFAULT_REDIRECT_PORT : undefined,
  };
}

/** The same listener without TLS: for plain-HTTP connector ports. */
export function plainListener(listener: Listener): Listener {
  return { ...listener, certificate: undefined };
}

/** Fastify options that give an app the server `listener` describes. Spread into Fastify({...}). */
export function serverOptions(listener: Listener): Pick<FastifyServerOptions, 'serverFactory' | 'trustProxy'> {
  const options: Pick<FastifyServerOptions, 'serverFactory' | 'trustProxy'> = {};
  if (listener.trustedProxies.length) options.trustProxy = listener.trustedProxies;
  const certificate = listener.certificate;
  if (certificate) {
    // A factory rather than Fastify's `https` option: Fastify may create more than one server (one per
    // address of the host name), and each must be attached to the certificate for SIGHUP reloads.
    options.serverFactory = (handler, opts) => {
      const server = createHttpsServer({ ...certificate.options, ...(opts.http as object | undefined) }, handler);
      // What Fastify does for the servers it makes itself, which it skips for a factory's.
      server.keepAliveTimeout = opts.keepAliveTimeout as number;
      server.requestTimeout = opts.requestTimeout as number;
      server.setTimeout(opts.connectionTimeout as number);
      certificate.attach(server);
      // https.Server serves the same (req, res) API as http.Server; only Fastify's type parameter differs.
      return server as unknown as HttpServer;
    };
  }
  return options;
}

/** Adds Strict-Transport-Security to every response to an HTTPS request (direct, or via a trusted proxy). */
export function registerHsts(app: FastifyInstance, listener: Listener): void {
  const value = listener.hsts;
  if (!value) return;
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.protocol === 'https') reply.header('strict-transport-security', value);
    return payload;
  });
}

/** host[:port] -> host, or undefined when it is not a plain host name or IP literal. */
function hostname(hostHeader: string | undefined): string | undefined {
  const m = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d+)?$/.exec(hostHeader ?? '');
  return m?.[1];
}

/**
 * Listens on `port` for plain HTTP and answers every request with a 308 (method and body kept) to the same
 * path on HTTPS: under `baseUrl` when it is an https URL, else on the requested host at `httpsPort`.
 */
export async function listenRedirect(host: string, port: number, httpsPort: number, baseUrl: string | undefined, log: Logger): Promise<HttpServer> {
  const httpsBase = baseUrl?.startsWith('https://') ? baseUrl : undefined;
  const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    const name = hostname(req.headers.host);
    if (!httpsBase && !name) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('a Host header is required\n');
      return;
    }
    const location = `${httpsBase ?? `https://${name}${httpsPort === 443 ? '' : `:${httpsPort}`}`}${req.url ?? '/'}`;
    res.writeHead(308, { location, 'content-type': 'text/plain', connection: 'close' }).end(`${location}\n`);
    req.resume(); // drain a request body nobody reads, so the socket closes cleanly
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', (e) => fail(new Error(`http.httpPort: cannot listen on ${host}:${port} for the HTTPS redirect: ${e.message}`)));
    server.listen({ host, port }, ok);
  });
  log.info({ port, to: httpsBase ?? `https://<host>:${httpsPort}` }, 'redirecting plain HTTP to HTTPS');
  return server;
}

/** Closes a server and its open connections. Resolves when it is closed; safe on a closed server. */
export function closeServer(server: HttpServer): Promise<void> {
  return new Promise((ok) => {
    server.close(() => ok());
    server.closeAllConnections();
  });
}

// Builds the HTTP side: the main Fastify app (status, metrics, every format's routes) and one app per
// connector port. Listening is the caller's job (serve.ts), so tests can use the same apps.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { formats } from '../formats/index.js';
import { registerAuthentication } from '../security/authenticate.js';
import type { Wharf } from '../wharf.js';
import { registerMetrics } from './metrics.js';
import { registerBlobStoreMetrics } from './blob-store-metrics.js';
import { lazyCompilers } from './lazy-schemas.js';
import { PLAIN_LISTENER, plainListener, registerHsts, serverOptions, type Listener } from './listeners.js';
import { registerRestApi } from '../api/index.js';
import { registerRepositoryPaths } from './repository-routes.js';
import { registerUi } from './ui.js';
import { sendApiError } from '../api/errors.js';
import { closeSocketsAsResponsesEnd } from './close-on-stop.js';

/**
 * Limits of the HTTP parser. With requestTimeout 0 (uploads), only headersTimeout cuts a client that sends its
 * headers a byte at a time (slow loris); Node checks it every connectionsCheckingInterval (30 s by default, so
 * such a client held a socket for up to 90 s). Headers over maxHeaderSize get 431.
 */
export const HTTP_LIMITS = { headersTimeout: 15_000, connectionsCheckingInterval: 1_000, maxHeaderSize: 16 * 1024 };

function baseApp(wharf: Wharf, listener: Listener): FastifyInstance {
  const app: FastifyInstance = Fastify({
    ...serverOptions(listener), // HTTPS or plain HTTP, trusted proxies
    loggerInstance: wharf.log as unknown as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { maxParamLength: 2048 },
    bodyLimit: 16 * 1024 * 1024,
    requestTimeout: 0, // large blob uploads take as long as they take; idle sockets are cut by keepAliveTimeout
    keepAliveTimeout: 65_000,
    http: HTTP_LIMITS,
    return503OnClosing: true,
    schemaController: { compilersFactory: lazyCompilers }, // route schemas compiled on first use, not at start
  });
  app.addHook('onResponse', async (request, reply) => {
    // Successful reads are the bulk of the traffic: logged at debug so they cost nothing on the hot path.
    const read = (request.method === 'GET' || request.method === 'HEAD') && reply.statusCode < 400;
    if (read && !wharf.log.isLevelEnabled('debug')) return;
    request.log[read ? 'debug' : 'info']({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime), user: request.user?.userId }, 'request');
  });
  // Routes outside the REST and format plugins (status, metrics) answer errors in the REST shape too:
  // a wrong password on /service/rest/v1/status is a 401, not a 500.
  app.setErrorHandler((err, request, reply) => sendApiError(err, request, reply));
  registerAuthentication(app, wharf.authenticator, wharf.loginGuard);
  registerHsts(app, listener);
  closeSocketsAsResponsesEnd(app); // stop() must not wait for keep-alive sockets of responses ending meanwhile
  return app;
}

/** The main listener's app: REST status, metrics, and every format's endpoints. */
export function buildMainApp(wharf: Wharf, ready: () => boolean = () => true, listener: Listener = PLAIN_LISTENER): FastifyInstance {
  const app = baseApp(wharf, listener);
  registerMetrics(app, [(registry) => registerBlobStoreMetrics(registry, wharf)]);
  const status = async (_request: unknown, reply: import('fastify').FastifyReply) =>
    ready() ? reply.send({ status: 'ok' }) : reply.code(503).send({ status: 'starting' });
  app.get('/service/rest/v1/status', status);
  app.get('/service/rest/v1/status/writable', status);
  registerRestApi(app, wharf);
  for (const format of Object.values(formats)) format.routes?.(app, wharf);
  registerRepositoryPaths(app, wharf); // /repository/<name>/...: each format's `serve`
  registerUi(app); // the web UI at / (dist/web), and index.html for its client-side routes
  return app;
}

/** One connector port a repository wants: which repository, on which listener, serving which routes. */
export interface ConnectorPort {
  port: number;
  repository: string;
  https: boolean;
  listener: Listener;
  routes: (app: FastifyInstance, wharf: Wharf) => void;
}

/**
 * The connector ports the repositories want (a Docker repository's docker.httpPort, and docker.httpsPort served
 * with `listener`'s certificate). An HTTPS port without a certificate is left out with a warning: the repository
 * may come from the database after http.tls was removed, and that must not stop the start.
 */
export function connectorPorts(wharf: Wharf, listener: Listener = PLAIN_LISTENER): ConnectorPort[] {
  const ports: ConnectorPort[] = [];
  for (const repo of wharf.repositories.list()) {
    const connector = formats[repo.format]?.connector?.(repo);
    if (!connector) continue;
    if (connector.httpsPort && !listener.certificate) wharf.log.warn({ repository: repo.name, port: connector.httpsPort }, 'HTTPS connector port not opened: http.tls is not configured');
    if (connector.port) ports.push({ port: connector.port, repository: repo.name, https: false, listener: plainListener(listener), routes: connector.routes });
    if (connector.httpsPort && listener.certificate) ports.push({ port: connector.httpsPort, repository: repo.name, https: true, listener, routes: connector.routes });
  }
  return ports;
}

/** The app of one connector port (not listening yet). */
export function buildConnectorApp(wharf: Wharf, connector: ConnectorPort): FastifyInstance {
  const app = baseApp(wharf, connector.listener);
  app.get('/service/rest/v1/status', async () => ({ status: 'ok' }));
  connector.routes(app, wharf);
  return app;
}

/** Apps for every connector port, keyed by port. */
export function buildConnectorApps(wharf: Wharf, listener: Listener = PLAIN_LISTENER): Map<number, FastifyInstance> {
  return new Map(connectorPorts(wharf, listener).map((c) => [c.port, buildConnectorApp(wharf, c)]));
}

// Builds the HTTP side: the main Fastify app (status, metrics, every format's routes) and one app per
// connector port. Listening is the caller's job (serve.ts), so tests can use the same apps.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { formats } from '../formats/index.js';
import { registerAuthentication } from '../security/authenticate.js';
import type { Wharf } from '../wharf.js';
import { registerMetrics } from './metrics.js';
import { PLAIN_LISTENER, plainListener, registerHsts, serverOptions, type Listener } from './listeners.js';
import { registerRestApi } from '../api/index.js';
import { sendApiError } from '../api/errors.js';

function baseApp(wharf: Wharf, listener: Listener): FastifyInstance {
  const app: FastifyInstance = Fastify({
    ...serverOptions(listener), // HTTPS or plain HTTP, trusted proxies
    loggerInstance: wharf.log as unknown as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { maxParamLength: 2048 },
    bodyLimit: 16 * 1024 * 1024,
    requestTimeout: 0, // large blob uploads take as long as they take; idle sockets are cut by keepAliveTimeout
    keepAliveTimeout: 65_000,
    return503OnClosing: true,
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
  return app;
}

/** The main listener's app: REST status, metrics, and every format's endpoints. */
export function buildMainApp(wharf: Wharf, ready: () => boolean = () => true, listener: Listener = PLAIN_LISTENER): FastifyInstance {
  const app = baseApp(wharf, listener);
  registerMetrics(app);
  const status = async (_request: unknown, reply: import('fastify').FastifyReply) =>
    ready() ? reply.send({ status: 'ok' }) : reply.code(503).send({ status: 'starting' });
  app.get('/service/rest/v1/status', status);
  app.get('/service/rest/v1/status/writable', status);
  registerRestApi(app, wharf);
  for (const format of Object.values(formats)) format.routes(app, wharf);
  return app;
}

/**
 * Apps for connector ports (a Docker repository's docker.httpPort, and docker.httpsPort served with
 * `listener`'s certificate), keyed by port. An HTTPS port without a certificate is skipped with a warning:
 * the repository may come from the database after http.tls was removed, and that must not stop the start.
 */
export function buildConnectorApps(wharf: Wharf, listener: Listener = PLAIN_LISTENER): Map<number, FastifyInstance> {
  const apps = new Map<number, FastifyInstance>();
  for (const repo of wharf.repositories.list()) {
    const connector = formats[repo.format]?.connector?.(repo);
    if (!connector) continue;
    if (connector.httpsPort && !listener.certificate) wharf.log.warn({ repository: repo.name, port: connector.httpsPort }, 'HTTPS connector port not opened: http.tls is not configured');
    const httpsPort = listener.certificate ? connector.httpsPort : undefined;
    const ports: [number | undefined, Listener][] = [[connector.port, plainListener(listener)], [httpsPort, listener]];
    for (const [port, portListener] of ports) {
      if (!port) continue;
      const app = baseApp(wharf, portListener);
      app.get('/service/rest/v1/status', async () => ({ status: 'ok' }));
      connector.routes(app, wharf);
      apps.set(port, app);
    }
  }
  return apps;
}

// `wharf serve`: open the data directory, reconcile wharf.yaml, listen on the main port and connector ports.
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { readSettings, type Settings } from '../config/settings.js';
import { loadConfigFile } from '../config/load.js';
import { reconcile } from '../config/reconcile.js';
import { buildMainApp } from '../http/server.js';
import { ConnectorListeners } from '../http/connectors.js';
import { closeServer, listenRedirect, openHttpSettings } from '../http/listeners.js';
import { reloadOnSighup, type Certificate } from '../http/tls.js';
import { openWharf, type Wharf } from '../wharf.js';
import { refreshSharedConfig } from '../cluster/config-refresh.js';
import { provisionDefaultTasks } from '../tasks/defaults.js';
import { LOG_REDACT } from '../security/redact.js';

export interface Running {
  wharf: Wharf;
  apps: FastifyInstance[];
  /** The main listener's port (useful when started on port 0). */
  port: number;
  /** The server certificate when http.tls is set; its reload() is what SIGHUP runs. */
  certificate?: Certificate;
  /** The plain-HTTP port that redirects to HTTPS (http.redirectHttp), when open. */
  redirectPort?: number;
  close(): Promise<void>;
}

function logger(settings: Settings) {
  mkdirSync(join(settings.dataDir, 'log'), { recursive: true });
  return pino({ level: settings.logLevel, redact: LOG_REDACT }, pino.multistream([
    { level: settings.logLevel as pino.Level, stream: process.stdout },
    { level: settings.logLevel as pino.Level, stream: pino.destination({ dest: join(settings.dataDir, 'log', 'wharf.log'), sync: false, mkdir: true }) },
  ]));
}

/** Starts a server; resolves once every listener accepts connections. Throws on invalid configuration. */
export async function startServer(settings: Settings = readSettings()): Promise<Running> {
  const started = performance.now();
  for (const dir of ['db', 'tmp', 'log', 'secrets']) mkdirSync(join(settings.dataDir, dir), { recursive: true });
  const config = settings.configFile ? loadConfigFile(settings.configFile, settings.env) : {};
  const log = logger(settings);
  const http = openHttpSettings(config.http, settings.dataDir, log); // an unusable certificate stops the start here
  const wharf = await openWharf(settings, log);
  await wharf.reload();
  const changes = await reconcile(wharf, config);
  if (changes.length) log.info({ changes }, 'configuration applied');
  await wharf.users.ensureAdmin(settings.dataDir, settings.adminPassword);
  await provisionDefaultTasks(wharf);
  await wharf.lifecycle.scheduler.start();
  await wharf.webhooks.dispatcher.start(wharf.audit);
  const main = buildMainApp(wharf, undefined, http.listener);
  const apps = [main];
  const connectors = new ConnectorListeners(wharf, settings.host, http.listener, apps);
  let redirect: Server | undefined;
  const mainPort = () => {
    const address = main.server.address();
    return typeof address === 'object' && address ? address.port : settings.port;
  };
  try {
    await main.listen({ host: settings.host, port: settings.port });
    await connectors.sync(true);
    wharf.connectors = connectors;
    if (http.redirectPort) redirect = await listenRedirect(settings.host, http.redirectPort, mainPort(), settings.baseUrl, log);
  } catch (e) {
    await connectors.close();
    await Promise.allSettled(apps.map((a) => a.close()));
    await wharf.close();
    throw e;
  }
  const port = mainPort();
  const certificate = http.listener.certificate;
  const stopReloading = certificate ? reloadOnSighup(certificate) : () => {};
  const stopRefreshing = refreshSharedConfig(wharf, log);
  log.info({ port, tls: Boolean(certificate), connectors: connectors.ports(), redirectPort: http.redirectPort, ms: Math.round(performance.now() - started) }, 'wharf ready');
  return {
    wharf, apps, port, certificate, redirectPort: http.redirectPort,
    async close() {
      stopReloading();
      stopRefreshing();
      await connectors.close();
      await Promise.allSettled([...apps.map((a) => a.close()), ...(redirect ? [closeServer(redirect)] : [])]);
      await wharf.close();
    },
  };
}

// The connector ports of a running server, kept in step with the repositories: sync() opens the ports a
// repository now wants and closes the ones nobody wants any more, so creating, changing or deleting a
// repository through the REST API takes effect without a restart. A port that cannot be opened (in use) is
// reported, and at start it stops the start as before.
import type { FastifyInstance } from 'fastify';
import type { Wharf } from '../wharf.js';
import type { Listener } from './listeners.js';
import { buildConnectorApp, connectorPorts } from './server.js';

export interface SyncResult {
  opened: number[];
  closed: number[];
  failed: { port: number; repository: string; reason: string }[];
}

export class ConnectorListeners {
  private readonly open = new Map<number, { key: string; app: FastifyInstance }>();
  private queue: Promise<unknown> = Promise.resolve();

  /** `apps` is the caller's live list of apps: opened ports are added to it, closed ones removed. */
  constructor(private readonly wharf: Wharf, private readonly host: string, private readonly listener: Listener, private readonly apps: FastifyInstance[]) {}

  /** Whether HTTPS connector ports can be served (http.tls is configured). */
  get tls(): boolean {
    return Boolean(this.listener.certificate);
  }

  /** The ports open now. */
  ports(): number[] {
    return [...this.open.keys()].sort((a, b) => a - b);
  }

  /** Makes the open ports match the repositories. With `strict`, the first port that fails to open throws
   *  (at start); otherwise failures are logged and returned. Calls run one after another. */
  sync(strict = false): Promise<SyncResult> {
    const run = this.queue.then(() => this.doSync(strict));
    this.queue = run.catch(() => {});
    return run;
  }

  private async doSync(strict: boolean): Promise<SyncResult> {
    const result: SyncResult = { opened: [], closed: [], failed: [] };
    const wanted = new Map(connectorPorts(this.wharf, this.listener).map((c) => [c.port, c]));
    const keyOf = (c: { repository: string; https: boolean }) => `${c.repository}|${c.https}`;
    for (const [port, entry] of this.open) {
      const want = wanted.get(port);
      if (want && keyOf(want) === entry.key) continue;
      this.open.delete(port);
      this.apps.splice(this.apps.indexOf(entry.app), 1);
      await entry.app.close();
      result.closed.push(port);
    }
    for (const [port, c] of wanted) {
      if (this.open.has(port)) continue;
      const app = buildConnectorApp(this.wharf, c);
      try {
        await app.listen({ host: this.host, port });
      } catch (err) {
        await app.close().catch(() => {});
        if (strict) throw err;
        const reason = (err as Error).message;
        this.wharf.log.warn({ repository: c.repository, port, err: reason }, 'connector port not opened');
        result.failed.push({ port, repository: c.repository, reason });
        continue;
      }
      this.open.set(port, { key: keyOf(c), app });
      this.apps.push(app);
      result.opened.push(port);
    }
    if (result.opened.length || result.closed.length) this.wharf.log.info({ opened: result.opened, closed: result.closed }, 'connector ports changed');
    return result;
  }

  /** Closes every connector port. */
  async close(): Promise<void> {
    await this.queue;
    await Promise.allSettled([...this.open.values()].map((e) => e.app.close()));
    this.open.clear();
  }
}

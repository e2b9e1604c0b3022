// The HTTP client of one proxy repository: TLS options, timeouts, retries, upstream authentication, and
// the blocked / auto-blocked state (a failing upstream is not asked again until a back-off passes).
import { readFileSync } from 'node:fs';
import type { Dispatcher } from 'undici';
import type { Logger } from 'pino';
import { parseChallenge, TokenAuth } from './auth.js';
import type { ProxySettings } from './config.js';

export type UpstreamResponse = Dispatcher.ResponseData;

/** The upstream cannot be asked now (blocked, down, timing out, or answering 5xx). */
export class UpstreamUnavailableError extends Error {}

export interface UpstreamStatus {
  status: 'ready' | 'blocked' | 'auto-blocked';
  reason?: string;
  blockedUntil?: string;
}

const FIRST_BLOCK_MS = 5_000;
const MAX_BLOCK_MS = 300_000;

export class Upstream {
  // undici is loaded, and the connection pool made, on the first request: startup does not pay for the HTTP
  // client when no proxy repository is used (docs/decisions/startup-time.md).
  private client: Promise<{ dispatcher: Dispatcher; auth: TokenAuth }> | undefined;
  private readonly ca: Buffer | undefined; // read now: an unreadable caFile fails when the repository is made
  private blockedUntil = 0;
  private blockMs = 0;
  private lastError: string | undefined;

  constructor(readonly settings: ProxySettings, private readonly log: Logger) {
    this.ca = settings.tls.caFile ? readFileSync(settings.tls.caFile) : undefined;
  }

  private connect(): Promise<{ dispatcher: Dispatcher; auth: TokenAuth }> {
    // `default` (module.exports): the bundle's chunk of a CommonJS package has no named exports.
    this.client ??= import('undici').then(({ default: { Agent, interceptors } }) => {
      const timeout = this.settings.timeout * 1000;
      const dispatcher = new Agent({
        connect: {
          timeout,
          rejectUnauthorized: !this.settings.tls.insecureSkipVerify,
          ...(this.ca ? { ca: this.ca } : {}),
        },
        headersTimeout: timeout,
        bodyTimeout: timeout,
      }).compose(interceptors.redirect({ maxRedirections: 5 }));
      return { dispatcher, auth: new TokenAuth(dispatcher, this.settings.authentication) };
    });
    return this.client;
  }

  status(): UpstreamStatus {
    if (this.settings.blocked) return { status: 'blocked', reason: 'blocked by configuration' };
    if (this.blockedUntil > Date.now()) {
      return { status: 'auto-blocked', reason: this.lastError, blockedUntil: new Date(this.blockedUntil).toISOString() };
    }
    return { status: 'ready' };
  }

  /**
   * Sends a request to remoteUrl + path, authenticating as the upstream asks. Returns any response below 500
   * (the caller reads or dumps the body). Throws UpstreamUnavailableError when blocked or on failure.
   * `scope` names what is asked for, to reuse tokens (e.g. "repository:library/alpine:pull").
   */
  async request(method: 'GET' | 'HEAD', path: string, headers: Record<string, string>, scope: string): Promise<UpstreamResponse> {
    const state = this.status();
    if (state.status !== 'ready') throw new UpstreamUnavailableError(`upstream ${this.settings.remoteUrl} is ${state.status}${state.reason ? `: ${state.reason}` : ''}`);
    const url = this.settings.remoteUrl + path;
    const { dispatcher, auth } = await this.connect();
    for (let attempt = 0; ; attempt++) {
      try {
        let res = await this.send(dispatcher, method, url, headers, auth.cached(scope));
        if (res.statusCode === 401) {
          const challenge = parseChallenge(res.headers['www-authenticate']);
          await res.body.dump();
          auth.forget(scope);
          const authorization = challenge && (await auth.answer(challenge, scope));
          if (authorization) res = await this.send(dispatcher, method, url, headers, authorization);
        }
        if (res.statusCode >= 500) {
          await res.body.dump();
          throw new Error(`${method} ${url} answered ${res.statusCode}`);
        }
        this.blockMs = 0;
        return res;
      } catch (err) {
        if (attempt < this.settings.retries) continue;
        this.fail(err as Error);
        throw new UpstreamUnavailableError(`upstream ${this.settings.remoteUrl} failed: ${(err as Error).message}`);
      }
    }
  }

  private send(dispatcher: Dispatcher, method: string, url: string, headers: Record<string, string>, authorization: string | undefined) {
    const { origin, pathname, search } = new URL(url);
    return dispatcher.request({
      origin,
      path: pathname + search,
      method: method as Dispatcher.HttpMethod,
      headers: authorization ? { ...headers, authorization } : headers,
    });
  }

  /** Marks the upstream down for a doubling back-off when auto-block is on. */
  private fail(err: Error): void {
    this.lastError = err.message;
    if (!this.settings.autoBlock) return;
    this.blockMs = Math.min(this.blockMs ? this.blockMs * 2 : FIRST_BLOCK_MS, MAX_BLOCK_MS);
    this.blockedUntil = Date.now() + this.blockMs;
    this.log.warn({ upstream: this.settings.remoteUrl, err: err.message, blockedForMs: this.blockMs }, 'upstream failed; auto-blocked');
  }

  async close(): Promise<void> {
    const client = this.client;
    if (client) await (await client).dispatcher.close();
  }
}

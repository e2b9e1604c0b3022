// The Format interface: everything format-specific lives behind it, in src/formats/<name>/.
// The core calls these hooks and knows nothing else about a format.
import type { FastifyInstance } from 'fastify';
import type { RepositoryConfig } from './model.js';
import type { Wharf } from '../wharf.js';

/** A configuration problem: the key (dotted path) and why it is wrong. */
export interface Problem {
  key: string;
  reason: string;
}

/** What a format's validation may need to know about the rest of the configuration. */
export interface ValidateContext {
  /** Whether http.tls is configured (HTTPS connector ports need it). */
  tls: boolean;
}

export interface Format {
  readonly name: string;
  /** Repository types this build supports for the format. */
  readonly types: readonly RepositoryConfig['type'][];
  /** Checks the format-specific parts of a repository; `lookup` sees the whole desired configuration. */
  validate(repo: RepositoryConfig, lookup: (name: string) => RepositoryConfig | undefined, context?: ValidateContext): Problem[];
  /** Registers the format's endpoints on the main listener. */
  routes(app: FastifyInstance, wharf: Wharf): void;
  /** Ports a repository wants its own listeners on (Docker connectors: plain HTTP `port`, `httpsPort` with the
   *  server certificate), with what to serve there; undefined when it wants none. */
  connector?(repo: RepositoryConfig): { port?: number; httpsPort?: number; routes: (app: FastifyInstance, wharf: Wharf) => void } | undefined;
  /** A proxy repository's upstream state (ready, blocked, auto-blocked), for status reports. */
  upstreamStatus?(wharf: Wharf, repo: RepositoryConfig): { status: string; reason?: string; blockedUntil?: string } | undefined;
  /** Repositories provisioned on a new data directory whose configuration declares none. */
  defaults?(blobStoreName: string): RepositoryConfig[];
}

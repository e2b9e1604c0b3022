// The Format interface: everything format-specific lives behind it, in src/formats/<name>/.
// The core calls these hooks and knows nothing else about a format.
import type { TSchema } from '@sinclair/typebox';
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RepositoryConfig, RepositoryType } from './model.js';
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
  /** Registers endpoints of its own on the main listener (Docker's /v2/); formats served under
   *  /repository/<name>/ only need `serve`. */
  routes?(app: FastifyInstance, wharf: Wharf): void;
  /** Answers a request to /repository/<name>/<path> for a repository of this format. The core
   *  (http/repository-routes.ts) resolves the repository and leaves the body unparsed for the format to stream;
   *  `path` is what follows `/repository/<name>/` exactly as sent (still percent-encoded, no query), so the
   *  format checks it itself. Thrown errors are written by `sendError`, or in the REST shape. */
  serve?(ctx: RepositoryRequest, request: FastifyRequest, reply: FastifyReply): Promise<unknown>;
  /** Writes an error thrown by `serve` in the format's wire shape. */
  sendError?(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply;
  /** Starts taking a component upload (REST POST /components?repository=, multipart/form-data): the core
   *  checks the `add` privilege and feeds the form's parts in order; the format decides what the fields mean
   *  (raw.directory, raw.asset1 ...). Throws UnsupportedError when the repository cannot take uploads. */
  upload?(wharf: Wharf, repo: RepositoryConfig, request: FastifyRequest): ComponentUpload;
  /** Ports a repository wants its own listeners on (Docker connectors: plain HTTP `port`, `httpsPort` with the
   *  server certificate), with what to serve there; undefined when it wants none. */
  connector?(repo: RepositoryConfig): { port?: number; httpsPort?: number; routes: (app: FastifyInstance, wharf: Wharf) => void } | undefined;
  /** A proxy repository's upstream state (ready, blocked, auto-blocked), for status reports. */
  upstreamStatus?(wharf: Wharf, repo: RepositoryConfig): { status: string; reason?: string; blockedUntil?: string } | undefined;
  /** Repositories provisioned on a new data directory whose configuration declares none. */
  defaults?(blobStoreName: string): RepositoryConfig[];
  /** The format's own sections of a repository body (REST and wharf.yaml), e.g. docker's `docker` and
   *  `dockerProxy`, with their TypeBox schema and the repository types they belong to (config/repository-schema.ts). */
  readonly sections?: Record<string, { schema: TSchema; types: readonly RepositoryType[] }>;
  /** A REST body per type, shown as the example of POST /repositories/{format}/{type} in the OpenAPI document. */
  readonly examples?: Partial<Record<RepositoryType, Record<string, unknown>>>;
  /** Puts enum values of the format's sections into their canonical case, in place (users may write any case). */
  normalise?(repo: Record<string, any>): void;
  /** Deletes one asset of `repo` the way the format's own clients would (Docker: a tag, a manifest and the tags
   *  pointing at it, or a blob), so format rules (write policy) apply. Without it, the asset rows are deleted.
   *  Throws NotFoundError when it is already gone. */
  deleteAsset?(wharf: Wharf, repo: RepositoryConfig, asset: { path: string; kind: string; name: string; sha256: string | null }): Promise<void>;
  /** The URL path (after the base URL) a client downloads an asset from; default /repository/<repo>/<path>. */
  downloadPath?(repo: RepositoryConfig, asset: { path: string; kind: string; name: string }): string;
  /** Asks a proxy's upstream whether it answers (one request to its base endpoint); never throws. */
  probeUpstream?(wharf: Wharf, repo: RepositoryConfig): Promise<{ reachable: boolean; status?: number; message: string }>;
  /** Forgets what a proxy (or group) caches about its upstream's metadata and missing items, so the next request
   *  asks again; content already cached stays. Safe to call twice. */
  invalidateCache?(wharf: Wharf, repo: RepositoryConfig): Promise<void>;
  /** Online garbage collection of a repository's metadata (the repository.<format>.gc task): removes what
   *  nothing references, keeping content younger than `graceMs`; returns counts by kind. The bytes are then
   *  marked and compacted by the core (storage/blob-marks.ts). Safe while clients push; safe to run twice. */
  collectGarbage?(wharf: Wharf, repo: RepositoryConfig, options: { graceMs: number }): Promise<Record<string, number>>;
}

/** A request for /repository/<name>/... as the core hands it to Format.serve. */
export interface RepositoryRequest {
  wharf: Wharf;
  repo: RepositoryConfig;
  /** The rest of the URL path after `/repository/<name>/`, percent-encoded as sent, without the query. */
  path: string;
}

/** One component upload in progress (api/components-upload.ts drives it). */
export interface ComponentUpload {
  /** A text field of the form. */
  field(name: string, value: string): void;
  /** A file part: the format consumes `stream` to its end (staging the bytes) before the next part arrives. */
  file(name: string, filename: string, stream: Readable): Promise<void>;
  /** Every part received: checks the form and stores the component. Returns the paths of the assets written.
   *  Throws InvalidError for a form the format cannot use. */
  finish(): Promise<string[]>;
  /** Drops whatever was staged and not stored; safe to call at any point, and after finish. */
  abort(): Promise<void>;
}

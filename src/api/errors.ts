// The REST API's error table and its one writer: every error a REST handler or hook throws becomes
// `{ message, details }` with the status chosen here (domain code throws the classes of
// repository/errors.ts and knows no statuses).
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import {
  ConflictError, DeniedError, ForbiddenError, InvalidError, NotFoundError, TooManyRequestsError, UnauthorizedError, UnsupportedError,
} from '../repository/errors.js';
import { BlobStoreFullError } from '../storage/blob-store.js';

/** Error class -> HTTP status, first match wins. */
const TABLE: [new (...args: never[]) => Error, number][] = [
  [InvalidError, 400],
  [UnauthorizedError, 401],
  [ForbiddenError, 403],
  [DeniedError, 403],
  [NotFoundError, 404],
  [UnsupportedError, 405],
  [ConflictError, 409],
  [TooManyRequestsError, 429],
  // The file system under a blob store is full: 507 Insufficient Storage (WebDAV), as the Docker API answers
  // it, so clients and monitoring tell "no space" from a bug (docs/decisions/reliability-suite.md).
  [BlobStoreFullError, 507],
];

export const AUTH_CHALLENGE = 'Basic realm="wharf"';

interface ApiError {
  status: number;
  message: string;
  details?: unknown;
}

interface AjvIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** The failing fields of a Fastify validation error, named by their path in the body/query/params. */
function validationDetails(err: FastifyError): { field: string; in: string; message: string }[] {
  const where = err.validationContext ?? 'body';
  return ((err.validation ?? []) as AjvIssue[]).map((v) => {
    const path = v.instancePath.replace(/^\//, '').replaceAll('/', '.');
    const child = (v.params.missingProperty ?? v.params.additionalProperty) as string | undefined;
    return { field: [path, child].filter(Boolean).join('.') || where, in: where, message: v.message ?? v.keyword };
  });
}

/** Maps anything thrown to a status and message; unknown failures are 500 and keep their text out of the reply. */
export function toApiError(err: unknown): ApiError {
  const e = err as FastifyError;
  if (e?.validation) return { status: 400, message: e.message, details: validationDetails(e) };
  for (const [type, status] of TABLE) {
    if (err instanceof type) return { status, message: e.message, ...(err instanceof InvalidError && err.detail !== undefined ? { details: err.detail } : {}) };
  }
  // Fastify's own client errors (bad JSON, unsupported media type, body too large) keep their status.
  if (e?.statusCode && e.statusCode >= 400 && e.statusCode < 500) return { status: e.statusCode, message: e.message };
  return { status: 500, message: 'internal server error' };
}

/** Writes `err` as the REST error body; 401 carries the Basic challenge so clients offer credentials. */
export function sendApiError(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { status, message, details } = toApiError(err);
  if (status >= 500) request.log.error({ err }, 'REST request failed');
  else request.log.info({ status, reason: message }, 'REST request refused');
  // A browser UI sends X-Requested-With to avoid the browser's own login dialog (as Nexus does).
  if (status === 401 && request.headers['x-requested-with'] !== 'XMLHttpRequest') reply.header('www-authenticate', AUTH_CHALLENGE);
  if (err instanceof TooManyRequestsError) reply.header('retry-after', String(err.retryAfterSeconds));
  // An upload refused half-way (full disk, quota) leaves a body nobody reads: closing the connection after the
  // reply stops the client sending and frees the socket (else close() waits for keepAliveTimeout).
  if (!request.raw.complete) reply.header('connection', 'close');
  return reply.code(status).type('application/json').send(details === undefined ? { message } : { message, details });
}

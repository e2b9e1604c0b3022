// The OCI Distribution error table: every code once, with its HTTP status, and the one function that turns
// any thrown error into the spec's JSON shape `{ errors: [{ code, message, detail }] }`.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { UpstreamUnavailableError } from '../../proxy/upstream.js';
import { BlobNotFoundError, BlobStoreFullError, DigestMismatchError, UploadBusyError, UploadNotFoundError } from '../../storage/blob-store.js';
import {
  DeniedError, ForbiddenError, InvalidError, NotFoundError, TooManyRequestsError, UnauthorizedError, UnsupportedError,
} from '../../repository/errors.js';

export const OCI_ERRORS = {
  BLOB_UNKNOWN: { status: 404, message: 'blob unknown to registry' },
  BLOB_UPLOAD_INVALID: { status: 400, message: 'blob upload invalid' },
  BLOB_UPLOAD_UNKNOWN: { status: 404, message: 'blob upload unknown to registry' },
  DIGEST_INVALID: { status: 400, message: 'provided digest did not match uploaded content' },
  MANIFEST_BLOB_UNKNOWN: { status: 400, message: 'manifest references a manifest or blob unknown to registry' },
  MANIFEST_INVALID: { status: 400, message: 'manifest invalid' },
  MANIFEST_UNKNOWN: { status: 404, message: 'manifest unknown to registry' },
  NAME_INVALID: { status: 400, message: 'invalid repository name' },
  NAME_UNKNOWN: { status: 404, message: 'repository name not known to registry' },
  SIZE_INVALID: { status: 400, message: 'provided length did not match content length' },
  UNAUTHORIZED: { status: 401, message: 'authentication required' },
  DENIED: { status: 403, message: 'requested access to the resource is denied' },
  UNSUPPORTED: { status: 405, message: 'the operation is unsupported' },
  TOOMANYREQUESTS: { status: 429, message: 'too many requests' },
  RANGE_INVALID: { status: 416, message: 'invalid content range' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'payload too large' },
  PAGINATION_NUMBER_INVALID: { status: 400, message: 'invalid number of results requested' },
  UNAVAILABLE: { status: 503, message: 'service unavailable' },
  // Not in the OCI table (which has no code for it): the registry's disk is full, as WebDAV's 507 says.
  INSUFFICIENT_STORAGE: { status: 507, message: 'the registry has no space left to store this content' },
  UNKNOWN: { status: 500, message: 'unknown error' },
} as const;

export type OciCode = keyof typeof OCI_ERRORS;

/** An error with an OCI code; message defaults to the table's. */
export class OciError extends Error {
  constructor(readonly code: OciCode, message?: string, readonly detail?: unknown, readonly status?: number) {
    super(message ?? OCI_ERRORS[code].message);
  }
}

const notFoundCodes: Record<NotFoundError['what'], OciCode> = {
  repository: 'NAME_UNKNOWN',
  name: 'NAME_UNKNOWN',
  manifest: 'MANIFEST_UNKNOWN',
  blob: 'BLOB_UNKNOWN',
  upload: 'BLOB_UPLOAD_UNKNOWN',
  asset: 'BLOB_UNKNOWN',
};

/** Maps any error to an OciError; unknown errors become UNKNOWN (500) and keep their message out of the reply. */
export function toOciError(err: unknown): OciError {
  if (err instanceof OciError) return err;
  if (err instanceof NotFoundError) return new OciError(notFoundCodes[err.what], err.message);
  if (err instanceof BlobNotFoundError) return new OciError('BLOB_UNKNOWN', err.message);
  if (err instanceof UploadNotFoundError) return new OciError('BLOB_UPLOAD_UNKNOWN', err.message);
  if (err instanceof UploadBusyError) return new OciError('BLOB_UPLOAD_INVALID', err.message, undefined, 409);
  if (err instanceof BlobStoreFullError) return new OciError('INSUFFICIENT_STORAGE', err.message);
  if (err instanceof DigestMismatchError) return new OciError('DIGEST_INVALID', err.message);
  if (err instanceof InvalidError) return new OciError((err.code in OCI_ERRORS ? err.code : 'UNKNOWN') as OciCode, err.message, err.detail, 400);
  if (err instanceof DeniedError) return new OciError('DENIED', err.message);
  if (err instanceof ForbiddenError) return new OciError('DENIED', err.message);
  if (err instanceof UnauthorizedError) return new OciError('UNAUTHORIZED', err.message);
  if (err instanceof TooManyRequestsError) return new OciError('TOOMANYREQUESTS', err.message);
  if (err instanceof UnsupportedError) return new OciError('UNSUPPORTED', err.message);
  if (err instanceof UpstreamUnavailableError) return new OciError('UNAVAILABLE', err.message);
  const fastifyCode = (err as { code?: string; statusCode?: number }).statusCode;
  if (fastifyCode === 413) return new OciError('PAYLOAD_TOO_LARGE');
  if (fastifyCode && fastifyCode >= 400 && fastifyCode < 500) return new OciError('UNSUPPORTED', (err as Error).message, undefined, fastifyCode);
  return new OciError('UNKNOWN');
}

/** Writes `err` in the OCI shape; logs server-side failures with their cause. */
export function sendOciError(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const oci = toOciError(err);
  const status = oci.status ?? OCI_ERRORS[oci.code].status;
  if (status >= 500) request.log.error({ err }, 'docker request failed');
  else request.log.info({ code: oci.code, reason: oci.message }, 'docker request refused');
  reply.code(status).type('application/json');
  // A body the handler stopped reading (a write failed half-way) would leave the socket neither idle nor
  // readable: closing it after the reply tells the client to stop sending and frees the connection.
  if (!request.raw.complete) reply.header('connection', 'close');
  if (request.method === 'HEAD') return reply.send();
  return reply.send({ errors: [{ code: oci.code, message: oci.message, detail: oci.detail ?? null }] });
}

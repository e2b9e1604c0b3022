// Raw's error writer: the REST shape ({ message, details }, api/errors.ts) for everything, plus the two
// statuses only content requests meet: 502 when a proxy has no copy and cannot reach its upstream, 503 when
// the repository is offline. HEAD answers carry the status without a body.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendApiError } from '../../api/errors.js';
import { UpstreamUnavailableError } from '../../proxy/upstream.js';

/** The repository is switched offline. */
export class OfflineError extends Error {}

export function sendRawError(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const status = err instanceof UpstreamUnavailableError ? 502 : err instanceof OfflineError ? 503 : undefined;
  if (status === undefined) return sendApiError(err, request, reply);
  request.log.info({ status, reason: (err as Error).message }, 'raw request refused');
  return reply.code(status).type('application/json').send({ message: (err as Error).message });
}

// What every Docker handler receives: the resolved target, the reference from the URL, and the Wharf.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Wharf } from '../../../wharf.js';
import type { Target } from '../target.js';

export interface DockerContext {
  wharf: Wharf;
  target: Target;
  /** Tag, digest or upload id from the URL, when the route has one. */
  ref: string;
  /** Repository of a connector port, when the request came in on one. */
  fixed?: string;
}

export type Handler = (ctx: DockerContext, request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** True when the request carries a body (Content-Length > 0 or chunked). */
export function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  if (length !== undefined) return Number(length) > 0;
  return request.headers['transfer-encoding'] !== undefined;
}

/** The `Range` header value for an upload of `size` bytes (Distribution's convention: 0-0 when empty). */
export function uploadRange(size: number): string {
  return `0-${Math.max(size - 1, 0)}`;
}

export function query(request: FastifyRequest): Record<string, string | undefined> {
  const q = request.query as Record<string, string | string[] | undefined>;
  return Object.fromEntries(Object.entries(q).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
}

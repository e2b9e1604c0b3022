// Upload bodies and refused uploads. A store that fails half-way (full disk, quota, bad digest) must not
// destroy the request: the socket would go with it and the client, still sending, would report a broken
// pipe instead of the reason. So stores get a pass-through of the body, and a refusal first reads and drops
// what the client still sends (when that is of modest size) before answering.
import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';

/** Bodies up to this size are read to the end before an error reply; larger ones get it with Connection: close. */
const DRAIN_BYTES = 256 * 1024 * 1024;
const DRAIN_MS = 30_000;

/** The request body as a stream whose destruction leaves the request and its socket intact. */
export function uploadBody(request: FastifyRequest): Readable {
  const body = new PassThrough({ highWaterMark: 1024 * 1024 });
  request.raw.pipe(body);
  body.once('close', () => request.raw.unpipe(body));
  return body;
}

/**
 * Before an error reply: if the client is still sending a body of modest size, reads and drops the rest (at
 * most DRAIN_MS) so it gets to read the answer. The caller's reply sets Connection: close if it is not done.
 */
export async function settleBody(request: FastifyRequest): Promise<void> {
  const raw = request.raw;
  if (raw.complete || raw.destroyed || raw.readableEnded) return;
  const length = Number(request.headers['content-length'] ?? NaN);
  if (Number.isFinite(length) && length > DRAIN_BYTES) return;
  raw.unpipe(); // an uploadBody() nobody read would hold the rest back by backpressure
  raw.resume();
  const timer = new AbortController();
  const t = setTimeout(() => timer.abort(), DRAIN_MS);
  try {
    await once(raw, 'end', { signal: timer.signal });
  } catch {
    // too slow, or the client went away: the reply closes the connection
  } finally {
    clearTimeout(t);
  }
}

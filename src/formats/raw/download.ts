// Writes a raw file to the client: Content-Type and Content-Disposition, ETag and Last-Modified, conditional
// requests (If-None-Match, If-Modified-Since -> 304) and a single byte range (206, or 416 when unsatisfiable).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { matchesEtag, parseRange } from '../../http/range.js';
import type { RawFile } from './raw-store.js';
import type { ContentDisposition } from './schema.js';

/** `attachment; filename="x"` with the name escaped as RFC 6266 asks (and the UTF-8 form for other characters). */
function disposition(kind: ContentDisposition, path: string): string {
  if (kind === 'INLINE') return 'inline';
  const name = path.slice(path.lastIndexOf('/') + 1);
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '\\$&');
  return `attachment; filename="${ascii}"` + (ascii === name ? '' : `; filename*=UTF-8''${encodeURIComponent(name)}`);
}

function notModified(request: FastifyRequest, file: RawFile, etag: string | undefined): boolean {
  const inm = request.headers['if-none-match'];
  if (inm !== undefined) return etag !== undefined && matchesEtag(inm, etag);
  const ims = Date.parse(request.headers['if-modified-since'] ?? '');
  return !Number.isNaN(ims) && Math.floor(file.lastModified / 1000) * 1000 <= ims;
}

export async function sendFile(request: FastifyRequest, reply: FastifyReply, file: RawFile, kind: ContentDisposition): Promise<FastifyReply> {
  const etag = file.sha256 ? `"${file.sha256}"` : undefined;
  if (etag) reply.header('etag', etag);
  reply.header('last-modified', new Date(file.lastModified).toUTCString()).header('content-disposition', disposition(kind, file.path))
    .type(file.contentType);
  if (file.size !== undefined) reply.header('accept-ranges', 'bytes');
  const range = file.size === undefined ? undefined : parseRange(request.headers.range, file.size);
  if (notModified(request, file, etag)) {
    file.discard?.();
    return reply.code(304).send();
  }
  if (range === 'invalid') {
    file.discard?.();
    return reply.code(416).header('content-range', `bytes */${file.size}`).send();
  }
  if (range) {
    reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${file.size}`).header('content-length', range.end - range.start + 1);
  } else if (file.size !== undefined) {
    reply.header('content-length', file.size);
  }
  if (request.method === 'HEAD' || file.size === 0) {
    file.discard?.();
    return reply.send(request.method === 'HEAD' ? undefined : Buffer.alloc(0));
  }
  return reply.send(await file.open(range));
}

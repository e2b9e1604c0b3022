// GET, HEAD and DELETE /v2/<name>/blobs/<digest> (OCI end-2, end-10): Range and conditional requests.
import type { BlobHandle } from '../docker-store.js';
import { OciError } from '../errors.js';
import { sha256Of } from '../reference.js';
import { parseRange } from '../../../http/range.js';
import { audited, contentObject } from './audit.js';
import type { Handler } from './context.js';

export { parseRange } from '../../../http/range.js';

export const getBlob: Handler = async ({ target, ref }, request, reply) => {
  sha256Of(ref);
  const head = request.method === 'HEAD';
  // GET opens the blob at once: for a proxy that is the one upstream request, which also gives the size.
  const blob: { size: number; open?: BlobHandle['open'] } | undefined = head
    ? await target.store.statBlob(target.image, ref)
    : await target.store.openBlob(target.image, ref);
  if (!blob) throw new OciError('BLOB_UNKNOWN', `blob ${ref} not found in ${target.repo.name}`, { digest: ref });
  reply.header('docker-content-digest', ref).header('etag', `"${ref}"`).header('accept-ranges', 'bytes')
    .header('cache-control', 'max-age=31536000').type('application/octet-stream');
  if (request.headers['if-none-match'] === `"${ref}"`) return reply.code(304).send();
  const range = parseRange(request.headers.range, blob.size);
  if (range === 'invalid') {
    return reply.code(416).header('content-range', `bytes */${blob.size}`).send();
  }
  if (range) {
    reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${blob.size}`)
      .header('content-length', range.end - range.start + 1);
  } else {
    reply.header('content-length', blob.size);
  }
  if (!blob.open) return reply.send();
  if (blob.size === 0) return reply.send(Buffer.alloc(0));
  return reply.send(await blob.open(range));
};

export const deleteBlob: Handler = async (ctx, request, reply) => {
  const { target, ref } = ctx;
  sha256Of(ref);
  await audited(ctx, request, 'delete', contentObject(target.image, ref), { kind: 'blob', image: target.image, digest: ref },
    () => target.store.deleteBlob(target.image, ref));
  return reply.code(202).header('content-length', 0).send();
};

// GET, HEAD, PUT and DELETE /v2/<name>/manifests/<reference> (OCI end-3, end-7, end-9): exact bytes,
// digest headers, the OCI-Subject header for referrers.
import type { FastifyRequest } from 'fastify';
import type { ManifestInfo } from '../docker-store.js';
import { OciError } from '../errors.js';
import { MAX_MANIFEST_BYTES } from '../hosted.js';
import { audited, contentObject } from './audit.js';
import type { Handler } from './context.js';

export const getManifest: Handler = async ({ target, ref }, request, reply) => {
  const head = request.method === 'HEAD';
  const m: ManifestInfo & { bytes?: Buffer } = head
    ? await target.store.statManifest(target.image, ref)
    : await target.store.getManifest(target.image, ref);
  reply.header('docker-content-digest', m.digest).header('etag', `"${m.digest}"`).type(m.mediaType)
    .header('content-length', m.size);
  if (request.headers['if-none-match'] === `"${m.digest}"`) return reply.code(304).send();
  if (head) return reply.send();
  return reply.send(m.bytes);
};

/** Reads the body, refusing with 413 past the manifest size limit without buffering more. */
async function readManifest(request: FastifyRequest): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? 0);
  const tooLarge = () => new OciError('SIZE_INVALID', `manifest larger than the limit of ${MAX_MANIFEST_BYTES} bytes`, { limit: MAX_MANIFEST_BYTES }, 413);
  if (declared > MAX_MANIFEST_BYTES) {
    request.raw.resume();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request.raw) {
    size += (chunk as Buffer).length;
    if (size > MAX_MANIFEST_BYTES) {
      request.raw.resume();
      throw tooLarge();
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export const putManifest: Handler = async (ctx, request, reply) => {
  const { target, ref } = ctx;
  const bytes = await readManifest(request);
  const mediaType = request.headers['content-type'];
  const result = await audited(ctx, request, 'push', contentObject(target.image, ref), { image: target.image, reference: ref, mediaType },
    () => target.store.putManifest(target.image, ref, bytes, mediaType),
    (r) => ({ digest: r.digest, ...(r.repository !== target.repo.name ? { storedIn: r.repository } : {}) }));
  if (result.subject) reply.header('oci-subject', result.subject);
  return reply.code(201).header('location', `/v2/${target.urlName}/manifests/${result.digest}`)
    .header('docker-content-digest', result.digest).header('content-length', 0).send();
};

export const deleteManifest: Handler = async (ctx, request, reply) => {
  const { target, ref } = ctx;
  const kind = ref.includes(':') ? 'manifest' : 'tag';
  await audited(ctx, request, 'delete', contentObject(target.image, ref), { kind, image: target.image, reference: ref },
    () => target.store.deleteManifest(target.image, ref));
  return reply.code(202).header('content-length', 0).send();
};

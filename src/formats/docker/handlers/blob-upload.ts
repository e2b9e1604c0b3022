// Blob uploads (OCI end-4a/4b/5/6/11/13): single POST, monolithic PUT, chunked PATCH with Content-Range,
// status, cancel, and cross-repository mount.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { uploadBody } from '../../../http/request-body.js';
import { authorize } from '../../../security/access.js';
import { RangeMismatchError } from '../docker-store.js';
import { OciError } from '../errors.js';
import { sha256Of } from '../reference.js';
import { checkTokenScope } from '../token.js';
import { forPrincipal, resolveTarget, type Target } from '../target.js';
import { hasBody, query, uploadRange, type DockerContext, type Handler } from './context.js';

function sessionUrl(ctx: DockerContext, id: string): string {
  return `/v2/${ctx.target.urlName}/blobs/uploads/${id}`;
}

function blobCreated(ctx: DockerContext, reply: FastifyReply, digest: string) {
  return reply.code(201).header('location', `/v2/${ctx.target.urlName}/blobs/${digest}`)
    .header('docker-content-digest', digest).header('content-length', 0).send();
}

function accepted(ctx: DockerContext, reply: FastifyReply, id: string, size: number, status = 202) {
  return reply.code(status).header('location', sessionUrl(ctx, id)).header('range', uploadRange(size))
    .header('docker-upload-uuid', id).header('content-length', 0).send();
}

/** `Content-Range: <start>-<end>` of a chunk; checks it against Content-Length. */
function chunkStart(request: FastifyRequest): number | undefined {
  const header = request.headers['content-range'];
  if (!header) return undefined;
  const m = /^(?:bytes )?(\d+)-(\d+)$/.exec(header.trim());
  if (!m || Number(m[2]) < Number(m[1])) throw new OciError('BLOB_UPLOAD_INVALID', `invalid Content-Range: ${header}`, undefined, 416);
  const length = request.headers['content-length'];
  if (length !== undefined && Number(length) !== Number(m[2]) - Number(m[1]) + 1) {
    throw new OciError('SIZE_INVALID', `Content-Range ${header} does not match Content-Length ${length}`, undefined, 416);
  }
  return Number(m[1]);
}

/** Appends the request body to upload `id`, answering 416 with the current Range when out of order. */
async function append(ctx: DockerContext, request: FastifyRequest, reply: FastifyReply, id: string): Promise<number | undefined> {
  const start = chunkStart(request);
  try {
    return await ctx.target.store.appendUpload(ctx.target.image, id, uploadBody(request), start);
  } catch (err) {
    if (!(err instanceof RangeMismatchError)) throw err;
    request.raw.resume(); // drain what the client still sends
    reply.code(416).header('location', sessionUrl(ctx, id)).header('range', uploadRange(err.size)).header('docker-upload-uuid', id);
    reply.type('application/json').send({ errors: [{ code: 'BLOB_UPLOAD_INVALID', message: err.message, detail: { size: err.size } }] });
    return undefined;
  }
}

/** The repository a mount reads from, or undefined when it cannot be resolved or read: then the client
 *  simply uploads (the spec's 202 fallback), and nothing about the source is revealed. */
function mountSource(ctx: DockerContext, request: FastifyRequest, from: string): Target | undefined {
  try {
    checkTokenScope(request.user, from, 'read');
    const source = forPrincipal(ctx.wharf, resolveTarget(ctx.wharf, from, ctx.fixed), request.user);
    authorize(ctx.wharf.access, request.user, source.repo, 'read');
    return source;
  } catch {
    return undefined;
  }
}

export const startUpload: Handler = async (ctx, request, reply) => {
  const { target } = ctx;
  const q = query(request);
  if (q.mount) {
    sha256Of(q.mount);
    if (q.from) {
      const source = mountSource(ctx, request, q.from);
      if (source && await target.store.mountBlob(target.image, q.mount, source.store, source.image)) return blobCreated(ctx, reply, q.mount);
    } else if (await target.store.mountBlob(target.image, q.mount, target.store, target.image)) {
      // Without `from`, only a blob this repository already holds; through mountBlob, so write policies apply.
      return blobCreated(ctx, reply, q.mount);
    }
  }
  if (q.digest) sha256Of(q.digest);
  const id = await target.store.startUpload(target.image);
  if (q.digest) {
    try {
      if (hasBody(request)) await target.store.appendUpload(target.image, id, uploadBody(request));
      await target.store.completeUpload(target.image, id, q.digest);
    } catch (err) {
      // The client never learnt this session's id, so nobody else could ever finish or cancel it.
      await target.store.cancelUpload(target.image, id).catch(() => {});
      throw err;
    }
    return blobCreated(ctx, reply, q.digest);
  }
  return accepted(ctx, reply, id, 0);
};

export const patchUpload: Handler = async (ctx, request, reply) => {
  const size = await append(ctx, request, reply, ctx.ref);
  if (size === undefined) return reply;
  return accepted(ctx, reply, ctx.ref, size);
};

export const putUpload: Handler = async (ctx, request, reply) => {
  const digest = query(request).digest;
  if (!digest) throw new OciError('DIGEST_INVALID', 'the digest query parameter is required to complete an upload');
  sha256Of(digest);
  if (hasBody(request)) {
    if ((await append(ctx, request, reply, ctx.ref)) === undefined) return reply;
  } else {
    await ctx.target.store.uploadSize(ctx.target.image, ctx.ref);
  }
  await ctx.target.store.completeUpload(ctx.target.image, ctx.ref, digest);
  return blobCreated(ctx, reply, digest);
};

export const uploadStatus: Handler = async (ctx, _request, reply) => {
  const size = await ctx.target.store.uploadSize(ctx.target.image, ctx.ref);
  return accepted(ctx, reply, ctx.ref, size, 204);
};

export const cancelUpload: Handler = async (ctx, _request, reply) => {
  await ctx.target.store.cancelUpload(ctx.target.image, ctx.ref);
  return reply.code(204).send();
};

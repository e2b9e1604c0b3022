// Tags list (OCI end-8a/8b) and referrers (end-12a/12b). Pagination with n/last and a Link header.
import type { FastifyReply } from 'fastify';
import { OciError } from '../errors.js';
import { MEDIA } from '../manifest.js';
import { sha256Of } from '../reference.js';
import { query, type Handler } from './context.js';

export const UNBOUNDED = 100_000;

/** The `n` query parameter: a non-negative integer, or undefined. Throws PAGINATION_NUMBER_INVALID. */
export function pageSize(n: string | undefined): number | undefined {
  if (n === undefined || n === '') return undefined;
  if (!/^\d+$/.test(n)) throw new OciError('PAGINATION_NUMBER_INVALID', `invalid n: ${n}`, { n });
  return Math.min(Number(n), UNBOUNDED);
}

/** Adds `Link: <path?n=N&last=L>; rel="next"` when another page follows. */
export function linkNext(reply: FastifyReply, path: string, n: number | undefined, more: boolean, last: string | undefined): void {
  if (!more || n === undefined || last === undefined) return;
  reply.header('link', `<${path}?n=${n}&last=${encodeURIComponent(last)}>; rel="next"`);
}

export const listTags: Handler = async ({ target }, request, reply) => {
  const q = query(request);
  const n = pageSize(q.n);
  const page = n === 0 ? { items: [], more: false } : await target.store.tags(target.image, n ?? UNBOUNDED, q.last);
  linkNext(reply, `/v2/${target.urlName}/tags/list`, n, page.more, page.items.at(-1));
  return reply.send({ name: target.urlName, tags: page.items });
};

export const listReferrers: Handler = async ({ target, ref }, request, reply) => {
  sha256Of(ref);
  const artifactType = query(request).artifactType;
  const manifests = await target.store.referrers(target.image, ref, artifactType);
  if (artifactType) reply.header('oci-filters-applied', 'artifactType');
  return reply.type(MEDIA.ociIndex).send({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests });
};

// Audit events for changes to Docker content (manifest and tag pushes, manifest, tag and blob deletes),
// recorded here where the principal and the client address are known, so the stores stay free of HTTP.
// A change the store refuses or fails is recorded too, with the reason. Blob uploads are not recorded: a
// blob becomes content only through the manifest push that references it.
import type { FastifyRequest } from 'fastify';
import { actor } from '../../../security/audit.js';
import type { DockerContext } from './context.js';

/** image:tag, or image@digest when the reference is a digest. */
export function contentObject(image: string, reference: string): string {
  return reference.includes(':') ? `${image}@${reference}` : `${image}:${reference}`;
}

/** Runs `change` and records it as a repository.content event; returns its result or rethrows its error. */
export async function audited<T>(
  ctx: DockerContext, request: FastifyRequest, type: 'push' | 'delete', object: string, attributes: Record<string, unknown>,
  change: () => Promise<T>, detail?: (result: T) => Record<string, unknown>,
): Promise<T> {
  const event = { ...actor(request), domain: 'repository.content', type, repository: ctx.target.repo.name, object };
  try {
    const result = await change();
    ctx.wharf.audit.record({ ...event, attributes: { ...attributes, ...detail?.(result) } });
    return result;
  } catch (err) {
    ctx.wharf.audit.record({ ...event, outcome: 'failure', attributes: { ...attributes, reason: (err as Error).message } });
    throw err;
  }
}

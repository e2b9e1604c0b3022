// Audit events for changes to raw content (uploads and deletes), recorded where the principal and the client
// address are known, so the stores stay free of HTTP. A refused or failed change is recorded with the reason.
import type { FastifyRequest } from 'fastify';
import type { RepositoryConfig } from '../../repository/model.js';
import { actor } from '../../security/audit.js';
import type { Wharf } from '../../wharf.js';

/** Runs `change` and records it as a repository.content event on `path`; returns its result or rethrows. */
export async function audited<T>(
  wharf: Wharf, request: FastifyRequest, repo: RepositoryConfig, type: 'push' | 'delete', path: string,
  change: () => Promise<T>, detail?: (result: T) => Record<string, unknown>,
): Promise<T> {
  const event = { ...actor(request), domain: 'repository.content', type, repository: repo.name, object: path };
  try {
    const result = await change();
    wharf.audit.record({ ...event, attributes: { path, ...detail?.(result) } });
    return result;
  } catch (err) {
    wharf.audit.record({ ...event, outcome: 'failure', attributes: { path, reason: (err as Error).message } });
    throw err;
  }
}

// /repository/<raw repository>/<path>: GET and HEAD download (a directory serves its index.html; a directory
// named without its trailing slash is redirected to it, so relative links in a published site resolve), PUT
// uploads a file of any size as a stream, DELETE removes one. The path is checked before anything else
// (path.ts); then the privilege (nx-repository-view-raw-<repo>-read|add|delete), then the store acts.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { InvalidError, NotFoundError, UnsupportedError } from '../../repository/errors.js';
import type { RepositoryRequest } from '../../repository/format.js';
import { authorize, type Action } from '../../security/access.js';
import { audited } from './audit.js';
import { sendFile } from './download.js';
import { OfflineError } from './errors.js';
import { parseUrlPath } from './path.js';
import { contentDisposition } from './schema.js';
import { rawStoreFor } from './stores.js';

const ACTIONS: Record<string, Action> = { GET: 'read', HEAD: 'read', PUT: 'add', DELETE: 'delete' };

const join = (dir: string, name: string) => (dir ? `${dir}/${name}` : name);

export async function serveRaw({ wharf, repo, path: encoded }: RepositoryRequest, request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const { path, directory } = parseUrlPath(encoded);
  const action = ACTIONS[request.method];
  if (!action) throw new UnsupportedError(`${request.method} is not supported on raw repositories (GET, HEAD, PUT, DELETE)`);
  if (!repo.online) throw new OfflineError(`repository ${repo.name} is offline`);
  authorize(wharf.access, request.user, repo, action);
  const store = rawStoreFor(wharf, repo, request.user);

  if (request.method === 'PUT') {
    if (directory) throw new InvalidError('PATH_INVALID', 'a PUT needs a file path, not a directory (the path ends with /)');
    const length = request.headers['content-length'];
    await audited(wharf, request, repo, 'push', path,
      () => store.put(path, request.raw, length === undefined ? undefined : Number(length)),
      (s) => ({ sha256: s.sha256, size: s.size, created: s.created }));
    return reply.code(201).header('content-length', 0).send();
  }
  if (request.method === 'DELETE') {
    if (directory) throw new InvalidError('PATH_INVALID', 'a DELETE needs a file path, not a directory (the path ends with /)');
    await audited(wharf, request, repo, 'delete', path, () => store.delete(path));
    return reply.code(204).send();
  }

  const body = request.method === 'GET';
  const wanted = directory ? join(path, 'index.html') : path;
  const file = await store.get(wanted, body);
  if (file) return sendFile(request, reply, file, contentDisposition(repo));
  if (!directory && path && await store.get(join(path, 'index.html'), false)) {
    const url = (request.raw.url ?? '').split('?')[0];
    return reply.code(301).header('location', `${url}/`).header('content-length', 0).send();
  }
  const what = directory ? `${wanted} (the index of ${path || 'the root'}/)` : path;
  throw new NotFoundError('asset', `${what} not found in ${repo.name}`);
}

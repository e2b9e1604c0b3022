// /repository/<name>/<path>: the URL space that every format's native endpoints share (DESIGN.md 1.2; the
// same paths as Nexus). One route resolves the repository by name and hands the request to its format's
// `serve` hook. Bodies are not parsed here (formats stream them, whatever their size), and errors are written
// by the format's own writer, or in the REST shape.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendApiError } from '../api/errors.js';
import { formats } from '../formats/index.js';
import { NotFoundError } from '../repository/errors.js';
import { REPOSITORY_NAME } from '../repository/model.js';
import type { Wharf } from '../wharf.js';

const PREFIX = '/repository/';
const METHODS = ['GET', 'HEAD', 'PUT', 'POST', 'PATCH', 'DELETE'] as const;

/** Splits the raw request URL into the repository name and the rest of the path, still percent-encoded. */
export function splitRepositoryUrl(url: string): { name: string; path: string } {
  const pathname = url.split('?')[0].slice(PREFIX.length);
  const slash = pathname.indexOf('/');
  return slash < 0 ? { name: pathname, path: '' } : { name: pathname.slice(0, slash), path: pathname.slice(slash + 1) };
}

export function registerRepositoryPaths(app: FastifyInstance, wharf: Wharf): void {
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      // The raw URL, not Fastify's decoded parameters: the format must see exactly what the client sent.
      const { name, path } = splitRepositoryUrl(request.raw.url ?? '');
      const repo = REPOSITORY_NAME.test(name) ? wharf.repositories.get(name) : undefined;
      const format = repo && formats[repo.format];
      if (!repo || !format?.serve) {
        request.raw.resume();
        return sendApiError(new NotFoundError('repository', `no repository named ${name} serves /repository/ paths`), request, reply);
      }
      try {
        return await format.serve({ wharf, repo, path }, request, reply);
      } catch (err) {
        request.raw.resume(); // a refused upload: drain what the client still sends so it reads the answer
        return (format.sendError ?? sendApiError)(err, request, reply);
      }
    };
    for (const url of ['/repository/:name', '/repository/:name/*']) {
      scope.route({ method: [...METHODS], url, exposeHeadRoute: false, handler });
    }
  });
}

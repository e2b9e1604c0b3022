// The web UI at `/`: the production build of web/ (dist/web, written by `npm run build`), served as files.
// Vite names every asset by its content hash, so /assets/* is cached for a year as immutable; index.html is
// `no-cache` (revalidated by ETag), so a new build is seen on the next load. The build writes .br and .gz
// copies next to each text file; the one the client accepts is sent as is, nothing is compressed per request.
// Any other GET outside /v2, /service and /repository is a client-side route of the UI: it gets index.html.
// Other methods on unknown paths keep the app's own not-found answer.
// Nothing is read at start: a file is looked up when first asked for.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendApiError } from '../api/errors.js';
import { NotFoundError } from '../repository/errors.js';

/** dist/web of this checkout: two levels above both src/http/ui.ts and the bundle dist/bundle/wharf.js. */
export const UI_DIR = fileURLToPath(new URL('../../dist/web', import.meta.url));

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json', '.woff2': 'font/woff2',
  '.map': 'application/json', '.txt': 'text/plain; charset=utf-8',
};
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Not the UI's: these answer their own 404s (REST shape). */
const NOT_UI = /^\/(v2|service|repository)(\/|$)/;
/** A file name directly under the build or its assets/ folder; anything else (.., encoded slashes) is not a file. */
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*\.[a-z0-9]+$/;
// The UI loads only its own files and talks only to this origin; it is never framed.
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const extension = (name: string) => name.slice(name.lastIndexOf('.'));

/** Sends `name` from `dir` (precompressed when the client accepts it); false when there is no such file. */
async function sendFile(request: FastifyRequest, reply: FastifyReply, dir: string, name: string, cache: string): Promise<boolean> {
  const path = join(dir, name);
  const file = await stat(path).catch(() => undefined);
  if (!file?.isFile()) return false;
  const etag = `"${file.size.toString(16)}-${Math.floor(file.mtimeMs).toString(16)}"`;
  reply.header('cache-control', cache).header('etag', etag).header('x-content-type-options', 'nosniff')
    .type(TYPES[extension(name)] ?? 'application/octet-stream');
  if (extension(name) === '.html') reply.header('content-security-policy', CSP).header('referrer-policy', 'same-origin');
  if (request.headers['if-none-match'] === etag) {
    reply.code(304).send();
    return true;
  }
  const accepts = String(request.headers['accept-encoding'] ?? '');
  for (const [encoding, suffix] of [['br', '.br'], ['gzip', '.gz']] as const) {
    if (!new RegExp(`\\b${encoding}\\b`).test(accepts)) continue;
    const packed = await stat(path + suffix).catch(() => undefined);
    if (!packed?.isFile()) continue;
    reply.header('content-encoding', encoding).header('vary', 'accept-encoding').header('content-length', packed.size);
    reply.send(createReadStream(path + suffix)); // for HEAD, Node sends the headers only
    return true;
  }
  reply.header('content-length', file.size);
  reply.send(createReadStream(path));
  return true;
}

/** Registers `/assets/*` and `/*` (index.html for the UI's client-side routes). `dir`: the build to serve. */
export function registerUi(app: FastifyInstance, dir: string = UI_DIR): void {
  const notBuilt = (request: FastifyRequest, reply: FastifyReply) =>
    sendApiError(new NotFoundError('name', 'the web UI is not built: run `npm run build`'), request, reply);

  app.get<{ Params: { '*': string } }>('/assets/*', async (request, reply) => {
    const name = request.params['*'];
    if (FILE_NAME.test(name) && (await sendFile(request, reply, join(dir, 'assets'), name, IMMUTABLE))) return reply;
    return sendApiError(new NotFoundError('name', `no such file: /assets/${name}`), request, reply);
  });

  // A wildcard GET route, not a not-found handler: Docker's /v2 plugin already holds the root one. Unknown GETs
  // under /v2, /service and /repository still answer a 404 in the REST shape, with the REST API's wording.
  app.get('/*', async (request, reply) => {
    const path = (request.raw.url ?? '/').split('?')[0];
    if (NOT_UI.test(path)) return sendApiError(new NotFoundError('name', `no such endpoint: ${request.method} ${path}`), request, reply);
    const top = path.slice(1);
    if (FILE_NAME.test(top) && !top.endsWith('.html')) {
      // favicon.svg, robots.txt ...: files of web/public, not content-hashed
      if (await sendFile(request, reply, dir, top, 'public, max-age=3600')) return reply;
      return sendApiError(new NotFoundError('name', `no such file: ${path}`), request, reply);
    }
    if (await sendFile(request, reply, dir, 'index.html', 'no-cache')) return reply;
    return notBuilt(request, reply);
  });
}

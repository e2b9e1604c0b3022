// The Docker Registry HTTP API V2 / OCI Distribution endpoints: one catch-all route under /v2/ that
// parses the path, resolves the repository (target.ts), checks access and calls one handler.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { settleBody } from '../../http/request-body.js';
import { authorize, type Action } from '../../security/access.js';
import type { Wharf } from '../../wharf.js';
import { catalog } from './catalog.js';
import { OciError, sendOciError, toOciError } from './errors.js';
import { deleteBlob, getBlob } from './handlers/blob.js';
import { cancelUpload, patchUpload, putUpload, startUpload, uploadStatus } from './handlers/blob-upload.js';
import type { Handler } from './handlers/context.js';
import { listReferrers, listTags } from './handlers/listing.js';
import { deleteManifest, getManifest, putManifest } from './handlers/manifest.js';
import { forPrincipal, resolveTarget } from './target.js';
import { challenge, checkTokenScope, issueToken, scopeActions } from './token.js';

type Route = { [method: string]: [Action, Handler] };

const ROUTES: Record<string, Route> = {
  tags: { GET: ['read', listTags], HEAD: ['read', listTags] },
  manifest: { GET: ['read', getManifest], HEAD: ['read', getManifest], PUT: ['add', putManifest], DELETE: ['delete', deleteManifest] },
  uploads: { POST: ['add', startUpload] },
  upload: { GET: ['add', uploadStatus], PATCH: ['add', patchUpload], PUT: ['add', putUpload], DELETE: ['add', cancelUpload] },
  blob: { GET: ['read', getBlob], HEAD: ['read', getBlob], DELETE: ['delete', deleteBlob] },
  referrers: { GET: ['read', listReferrers] },
};

const PATH = /^(.+?)\/(?:(tags)\/list|(manifest)s\/([^/]+)|blobs\/(uploads)\/|blobs\/(upload)s\/([^/]+)|(blob)s\/([^/]+)|(referrers)\/([^/]+))$/;

/** Splits `<name>/<endpoint>` into name, route key and reference; undefined when no endpoint matches.
 *  The suffix is anchored at the end, so a name may itself contain "blobs" or "manifests" segments. */
export function parseV2Path(rest: string): { name: string; route: string; ref: string } | undefined {
  const m = PATH.exec(rest);
  if (!m) return undefined;
  return { name: m[1], route: m[2] ?? m[3] ?? m[5] ?? m[6] ?? m[8] ?? m[10], ref: m[4] ?? m[7] ?? m[9] ?? m[11] ?? '' };
}

/** Registers /v2/ on `app`; `fixed` is the repository a connector port serves. */
export function registerV2(app: FastifyInstance, wharf: Wharf, fixed?: string): void {
  app.register(async (v2) => {
    // Bodies are streamed by the handlers themselves: no parsing, no buffering, no size limit here.
    v2.removeAllContentTypeParsers();
    v2.addContentTypeParser('*', (_request, _payload, done) => done(null));
    v2.setErrorHandler(async (err, request, reply) => {
      await settleBody(request); // a refused upload: let the client finish sending so it reads the reason
      if (toOciError(err).code === 'UNAUTHORIZED' && !reply.hasHeader('www-authenticate')) {
        const parsed = parseV2Path((request.params as { '*'?: string })['*'] ?? '');
        const scope = parsed ? `repository:${parsed.name}:${scopeActions(request.method)}`
          : request.url.startsWith('/v2/_catalog') ? 'registry:catalog:*' : undefined;
        reply.header('www-authenticate', challenge(wharf, request, fixed, scope));
      }
      return sendOciError(err, request, reply);
    });
    v2.setNotFoundHandler((request, reply) => sendOciError(new OciError('UNSUPPORTED', `no such endpoint: ${request.method} ${request.url}`, undefined, 404), request, reply));
    // On sending rather than on request: replies to errors of earlier hooks (bad credentials) get it too.
    v2.addHook('onSend', async (_request, reply, payload) => {
      reply.header('docker-distribution-api-version', 'registry/2.0');
      return payload;
    });

    const ping = async (request: FastifyRequest, reply: FastifyReply) => {
      if (!request.user) throw new OciError('UNAUTHORIZED');
      return reply.send({});
    };
    v2.route({ method: ['GET', 'HEAD'], url: '/v2', exposeHeadRoute: false, handler: ping });
    v2.route({ method: ['GET', 'HEAD'], url: '/v2/', exposeHeadRoute: false, handler: ping });
    v2.get('/v2/token', (request, reply) => issueToken(wharf, fixed, request, reply));
    v2.route({
      method: ['GET', 'HEAD', 'PUT', 'POST', 'PATCH', 'DELETE'],
      url: '/v2/*',
      exposeHeadRoute: false,
      handler: async (request, reply) => {
        const rest = (request.params as { '*': string })['*'];
        if (rest === '_catalog' && (request.method === 'GET' || request.method === 'HEAD')) return catalog(wharf, fixed, request, reply);
        const parsed = parseV2Path(rest);
        const route = parsed && ROUTES[parsed.route];
        const entry = route?.[request.method];
        if (!parsed || !entry) throw new OciError('UNSUPPORTED', `no such endpoint: ${request.method} /v2/${rest}`, undefined, route ? 405 : 404);
        const target = forPrincipal(wharf, resolveTarget(wharf, parsed.name, fixed), request.user);
        checkTokenScope(request.user, parsed.name, entry[0]);
        authorize(wharf.access, request.user, target.repo, entry[0]);
        return entry[1]({ wharf, target, ref: decodeURIComponent(parsed.ref), fixed }, request, reply);
      },
    });
  });
}

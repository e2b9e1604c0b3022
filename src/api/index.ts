// The REST API plugin, registered once by http/server.ts: everything under /service/rest. It owns the one
// REST error writer (errors.ts), the JSON 404 for unknown REST paths, the OpenAPI document and docs page
// (openapi.ts), and the v1 resources, one file each. Adding a resource is one line in RESOURCES.
import type { FastifyInstance } from 'fastify';
import { NotFoundError, UnauthorizedError } from '../repository/errors.js';
import type { Wharf } from '../wharf.js';
import { sendApiError } from './errors.js';
import { registerOpenApi } from './openapi.js';
import { registerRepositoryRoutes } from './repositories.js';
import { registerRepositoryWriteRoutes } from './repository-write.js';
import { registerComponentRoutes } from './components.js';
import { registerSearchRoutes } from './search.js';
import { registerPrivilegeRoutes } from './security-privileges.js';
import { registerRoleRoutes } from './security-roles.js';
import { registerSettingsRoutes } from './security-settings.js';
import { registerLdapRoutes } from './security-ldap.js';
import { registerUserTokenRoutes } from './security-user-tokens.js';
import { registerUserRoutes } from './security-users.js';
import { registerAuditRoutes } from './audit.js';
import { registerTaskRoutes } from './tasks.js';
import { registerCleanupPolicyRoutes } from './cleanup-policies.js';
import { registerComponentUploadRoutes } from './components-upload.js';
import { registerBlobStoreRoutes } from './blobstores.js';
import { registerStatusCheckRoutes } from './status-check.js';
import { registerWebhookRoutes } from './webhooks.js';
import { registerCurrentUserRoutes } from './current-user.js';

export const REST_PREFIX = '/service/rest';

/** Each registers its routes, relative to /service/rest/v1. */
const RESOURCES: ((app: FastifyInstance, wharf: Wharf) => void)[] = [
  registerRepositoryRoutes,
  registerRepositoryWriteRoutes,
  registerComponentRoutes,
  registerSearchRoutes,
  registerUserRoutes,
  registerRoleRoutes,
  registerPrivilegeRoutes,
  registerSettingsRoutes,
  registerLdapRoutes,
  registerUserTokenRoutes,
  registerAuditRoutes,
  registerTaskRoutes,
  registerCleanupPolicyRoutes,
  registerComponentUploadRoutes,
  registerBlobStoreRoutes,
  registerStatusCheckRoutes,
  registerWebhookRoutes,
  registerCurrentUserRoutes,
];

export function registerRestApi(app: FastifyInstance, wharf: Wharf): void {
  app.register(async (rest) => {
    rest.setErrorHandler((err, request, reply) => sendApiError(err, request, reply));
    rest.setNotFoundHandler((request, reply) =>
      sendApiError(new NotFoundError('name', `no such endpoint: ${request.method} ${request.url.split('?')[0]}`), request, reply));
    // A Docker bearer token is scoped to registry actions: it must not act as the user's full login here.
    rest.addHook('onRequest', async (request) => {
      if (request.user?.dockerAccess) throw new UnauthorizedError('Docker registry tokens are not accepted by the REST API');
    });
    // Some Nexus clients send Content-Type: application/json on every request, DELETE included: an empty
    // JSON body is no body (Fastify's default refuses it); anything else goes to the default (safe) parser.
    const json = rest.getDefaultJsonParser('error', 'error');
    rest.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) =>
      (body === '' ? done(null, undefined) : json(request, body as string, done)));
    await registerOpenApi(rest);
    await rest.register(async (v1) => {
      for (const register of RESOURCES) register(v1, wharf);
    }, { prefix: '/v1' });
  }, { prefix: REST_PREFIX });
}

// REST v1 /webhooks (a Wharf extension modelled on Nexus's webhook capabilities): create, list, read, update
// and delete webhooks, and read each one's delivery log. The secret is write-only: replies say only whether
// one is set. Changes are audited (domain webhook). Needs nx-webhooks-<action>.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { InvalidError } from '../repository/errors.js';
import { actor } from '../security/audit.js';
import { normaliseWebhook, WebhookBodySchema, type Webhook, type WebhookBody } from '../webhooks/model.js';
import type { Delivery } from '../webhooks/store.js';
import type { Wharf } from '../wharf.js';
import { errorResponses, isoDate, NoContent } from './schemas.js';

const TAGS = ['webhooks'];

const WebhookXO = Type.Object({
  id: Type.String(),
  name: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  repository: Type.Union([Type.String(), Type.Null()], { description: 'null: a global webhook' }),
  secretSet: Type.Boolean({ description: 'Whether deliveries are signed (the secret itself is never returned)' }),
}, {
  description: 'A webhook',
  examples: [{ id: '6f1c2a7e-3d0b-4a8e-9a57-2b8f0c1d9e11', name: 'ci-trigger', url: 'https://ci.example/hooks/wharf', events: ['component'], repository: 'docker-hosted', secretSet: true }],
});

const DeliveryXO = Type.Object({
  id: Type.Integer(),
  deliveryId: Type.String({ description: 'The X-Nexus-Webhook-Delivery header of every attempt' }),
  time: Type.String({ description: 'When the event happened' }),
  updated: Type.String({ description: 'When the last attempt ended' }),
  event: Type.String({ description: 'rm:repository, rm:repository:component, rm:repository:asset or rm:audit' }),
  action: Type.Union([Type.String(), Type.Null()], { description: 'CREATED, UPDATED or DELETED (null for audit events)' }),
  state: Type.String({ description: 'pending (retrying), delivered or failed' }),
  attempts: Type.Integer(),
  statusCode: Type.Union([Type.Integer(), Type.Null()], { description: 'The last answer\'s status; null when none came' }),
  error: Type.Union([Type.String(), Type.Null()], { description: 'Why the last attempt failed' }),
}, { description: 'One delivery of an event' });

const DeliveryList = Type.Object({ items: Type.Array(DeliveryXO) }, {
  examples: [{
    items: [{
      id: 12, deliveryId: '0b7cf4a1-52f3-4c51-8d57-0f0d55d2b3a4', time: '2025-05-01T10:00:00.000Z', updated: '2025-05-01T10:00:04.210Z',
      event: 'rm:repository:component', action: 'CREATED', state: 'delivered', attempts: 2, statusCode: 200, error: null,
    }],
  }],
});

const IdParams = Type.Object({ id: Type.String({ description: 'The webhook\'s id (or its name)' }) });

const webhookXO = (h: Webhook): Static<typeof WebhookXO> =>
  ({ id: h.id, name: h.name, url: h.url, events: h.events, repository: h.repository, secretSet: Boolean(h.secret) });

const deliveryXO = (d: Delivery): Static<typeof DeliveryXO> => ({
  id: d.id, deliveryId: d.deliveryId, time: isoDate(d.createdAt)!, updated: isoDate(d.updatedAt)!, event: d.event, action: d.action,
  state: d.state, attempts: d.attempts, statusCode: d.statusCode, error: d.error,
});

/** Event kinds in any case; unknown fields refused by name (Fastify's validator would silently drop them). */
async function preValidation(request: FastifyRequest): Promise<void> {
  normaliseWebhook(request.body);
  const body = request.body;
  if (!body || typeof body !== 'object' || Array.isArray(body)) return;
  const unknown = Object.keys(body).filter((k) => !(k in WebhookBodySchema.properties));
  if (unknown.length) {
    throw new InvalidError('UNKNOWN_FIELD', `unknown field${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`,
      unknown.map((field) => ({ field, in: 'body', message: 'webhooks have no such field' })));
  }
}

/** A repository-scoped webhook must name an existing repository. */
function checkRepository(wharf: Wharf, body: WebhookBody): void {
  if (body.repository && !wharf.repositories.get(body.repository)) {
    throw new InvalidError('INVALID', `no repository named ${body.repository}`, [{ field: 'repository', in: 'body', message: 'no such repository' }]);
  }
}

function audit(wharf: Wharf, request: FastifyRequest, type: string, hook: Webhook): void {
  wharf.audit.record({
    ...actor(request), domain: 'webhook', type, object: hook.name, repository: hook.repository ?? undefined,
    attributes: { url: hook.url, events: hook.events, signed: Boolean(hook.secret) },
  });
}

export function registerWebhookRoutes(app: FastifyInstance, wharf: Wharf): void {
  const { store } = wharf.webhooks;

  app.get('/webhooks', {
    schema: {
      tags: TAGS, summary: 'List webhooks', description: 'Every webhook, global and repository-scoped, without secrets. Needs nx-webhooks-read.',
      response: { 200: Type.Array(WebhookXO, { examples: [[WebhookXO.examples[0]]] }), ...errorResponses(401, 403) },
    },
  }, async (request) => {
    wharf.access.checkDomain(request.user, 'webhooks', 'read');
    return (await store.list()).map(webhookXO);
  });

  app.post<{ Body: WebhookBody }>('/webhooks', {
    preValidation,
    schema: {
      tags: TAGS, summary: 'Create a webhook',
      description: 'Events of the chosen kinds (of one repository, or of all when repository is null) are POSTed to url as JSON in Nexus\'s webhook shapes, with X-Nexus-Webhook-Id, X-Nexus-Webhook-Delivery and, with a secret, X-Nexus-Webhook-Signature (HMAC-SHA1 hex of the body) and X-Wharf-Signature-256 (sha256=HMAC-SHA256 hex). Failures and non-2xx answers are retried with exponential back-off. 409 when the name is taken. Needs nx-webhooks-create.',
      body: WebhookBodySchema, response: { 201: WebhookXO, ...errorResponses(400, 401, 403, 409) },
    },
  }, async (request, reply) => {
    wharf.access.checkDomain(request.user, 'webhooks', 'create');
    checkRepository(wharf, request.body);
    const hook = await store.create(request.body);
    audit(wharf, request, 'create', hook);
    return reply.code(201).send(webhookXO(hook));
  });

  app.get<{ Params: Static<typeof IdParams> }>('/webhooks/:id', {
    schema: {
      tags: TAGS, summary: 'Read a webhook', description: 'One webhook by id or name, without its secret. Needs nx-webhooks-read.',
      params: IdParams, response: { 200: WebhookXO, ...errorResponses(401, 403, 404) },
    },
  }, async (request) => {
    wharf.access.checkDomain(request.user, 'webhooks', 'read');
    return webhookXO(await store.get(request.params.id));
  });

  app.put<{ Params: Static<typeof IdParams>; Body: WebhookBody }>('/webhooks/:id', {
    preValidation,
    schema: {
      tags: TAGS, summary: 'Update a webhook',
      description: 'Replaces the webhook\'s definition. Without secret the stored secret stays; secret: null removes it. Needs nx-webhooks-update.',
      params: IdParams, body: WebhookBodySchema, response: { 204: NoContent, ...errorResponses(400, 401, 403, 404, 409) },
    },
  }, async (request, reply) => {
    wharf.access.checkDomain(request.user, 'webhooks', 'update');
    checkRepository(wharf, request.body);
    audit(wharf, request, 'update', await store.update(request.params.id, request.body));
    return reply.code(204).send();
  });

  app.delete<{ Params: Static<typeof IdParams> }>('/webhooks/:id', {
    schema: {
      tags: TAGS, summary: 'Delete a webhook', description: 'Deletes the webhook and its delivery log; deliveries under way finish. Needs nx-webhooks-delete.',
      params: IdParams, response: { 204: NoContent, ...errorResponses(401, 403, 404) },
    },
  }, async (request, reply) => {
    wharf.access.checkDomain(request.user, 'webhooks', 'delete');
    audit(wharf, request, 'delete', await store.delete(request.params.id));
    return reply.code(204).send();
  });

  app.get<{ Params: Static<typeof IdParams> }>('/webhooks/:id/deliveries', {
    schema: {
      tags: TAGS, summary: 'Deliveries of a webhook, newest first',
      description: 'The last 100 deliveries: when, which event, state, attempts, the last status code and error. Needs nx-webhooks-read.',
      params: IdParams, response: { 200: DeliveryList, ...errorResponses(401, 403, 404) },
    },
  }, async (request) => {
    wharf.access.checkDomain(request.user, 'webhooks', 'read');
    const hook = await store.get(request.params.id);
    return { items: (await store.deliveries(hook.id)).map(deliveryXO) };
  });
}

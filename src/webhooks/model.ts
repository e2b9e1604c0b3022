// A webhook: where to POST which kinds of event, for one repository or for all (global), signed with its
// secret. The body schema is the one the REST API validates and wharf.yaml's `webhooks:` entries use.
import { Type, type Static } from '@sinclair/typebox';

/** Kinds a webhook subscribes to; each maps to one of Nexus's webhook event ids. */
export const WEBHOOK_EVENTS = ['repository', 'component', 'asset', 'audit'] as const;
export type WebhookEventKind = (typeof WEBHOOK_EVENTS)[number];

export const NEXUS_EVENT_ID: Record<WebhookEventKind, string> = {
  repository: 'rm:repository',
  component: 'rm:repository:component',
  asset: 'rm:repository:asset',
  audit: 'rm:audit',
};

export const WEBHOOK_NAME = '^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$';

export const WebhookBodySchema = Type.Object({
  name: Type.String({ pattern: WEBHOOK_NAME, description: 'Unique name' }),
  url: Type.String({ pattern: '^https?://[^\\s]+$', maxLength: 2048, description: 'Where deliveries are POSTed' }),
  events: Type.Array(Type.Union(WEBHOOK_EVENTS.map((e) => Type.Literal(e))), {
    minItems: 1, uniqueItems: true, description: 'repository (rm:repository), component (rm:repository:component), asset (rm:repository:asset), audit (rm:audit)',
  }),
  repository: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Null()], { description: 'Only events of this repository; null or absent: every repository (global)' })),
  secret: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Null()], {
    description: 'HMAC key of the signature headers; write-only. On update, absent keeps the stored secret and null removes it',
  })),
}, {
  additionalProperties: false,
  examples: [{ name: 'ci-trigger', url: 'https://ci.example/hooks/wharf', events: ['component'], repository: 'docker-hosted', secret: 'change-me' }],
});
export type WebhookBody = Static<typeof WebhookBodySchema>;

export interface Webhook {
  id: string;
  name: string;
  url: string;
  events: WebhookEventKind[];
  repository: string | null;
  secret: string | null;
}

/** Enum values in any case, as in the rest of wharf.yaml. */
export function normaliseWebhook(entry: unknown): void {
  const e = entry as { events?: unknown };
  if (e && Array.isArray(e.events)) e.events = e.events.map((v) => (typeof v === 'string' ? v.toLowerCase() : v));
}

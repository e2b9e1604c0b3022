// wharf.yaml `webhooks:` (the REST body of /v1/webhooks): checks at load time, the reconcile plan (create or
// update by name; `prune: true` deletes the others), and export. A secret is never exported (add it back,
// e.g. "${HOOK_SECRET}"); an entry without one keeps the stored secret, so applying an export changes nothing.
import type { Problem } from '../repository/format.js';
import { WebhookBodySchema, type Webhook, type WebhookBody } from '../webhooks/model.js';
import type { Wharf } from '../wharf.js';
import { diffFields, sameConfig, type FieldChange } from './diff.js';

export const WebhookEntrySchema = WebhookBodySchema;

export function checkWebhooks(config: { webhooks?: WebhookBody[] }): Problem[] {
  const problems: Problem[] = [];
  const names = new Set<string>();
  config.webhooks?.forEach((w, i) => {
    if (names.has(w.name)) problems.push({ key: `webhooks[${i}].name`, reason: `duplicate webhook ${w.name}` });
    names.add(w.name);
  });
  return problems;
}

export interface WebhookChange {
  kind: 'webhook';
  name: string;
  action: 'create' | 'update' | 'delete';
  fields?: FieldChange[];
}

/** What the file says, in stored form; secret undefined: keep the stored one. */
const desired = (w: WebhookBody, old?: Webhook) =>
  ({ url: w.url, events: [...w.events], repository: w.repository ?? null, secret: w.secret === undefined ? old?.secret ?? null : w.secret });
const current = (h: Webhook) => ({ url: h.url, events: h.events, repository: h.repository, secret: h.secret });

/** Plans the webhooks of `config`: calls `add` with each change and how to apply it. */
export async function planWebhooks(
  wharf: Wharf, config: { webhooks?: WebhookBody[] }, prune: boolean, add: (change: WebhookChange, apply: () => Promise<unknown>) => void,
): Promise<void> {
  if (!config.webhooks) return;
  const { store } = wharf.webhooks;
  const existing = new Map((await store.list()).map((h) => [h.name, h]));
  for (const entry of config.webhooks) {
    const old = existing.get(entry.name);
    const want = desired(entry, old);
    if (old && sameConfig(current(old), want)) continue;
    const fields = diffFields(old && current(old), want);
    add({ kind: 'webhook', name: entry.name, action: old ? 'update' : 'create', fields },
      () => (old ? store.update(old.id, entry) : store.create(entry)));
  }
  if (!prune) return;
  const declared = new Set(config.webhooks.map((w) => w.name));
  for (const hook of existing.values()) {
    if (!declared.has(hook.name)) add({ kind: 'webhook', name: hook.name, action: 'delete' }, () => store.delete(hook.id));
  }
}

/** The `webhooks:` section of `wharf config export`: every webhook, without its secret. */
export async function exportWebhooks(wharf: Wharf): Promise<WebhookBody[]> {
  return (await wharf.webhooks.store.list()).map((h) => ({ name: h.name, url: h.url, events: h.events, repository: h.repository }));
}

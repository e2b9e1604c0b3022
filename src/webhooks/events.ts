// What a webhook receives: the audit trail is the one place every change passes through, so webhook events
// are derived from audit events, in Nexus's webhook payload shapes:
//   rm:repository            domain repository, create/update/delete            { action, repository: { format, name, type } }
//   rm:repository:component  domain repository.content, a tag or a package      { repositoryName, action, component }
//   rm:repository:asset      domain repository.content, every stored file       { repositoryName, action, asset }
//   rm:audit                 every audit event, success or failure               { audit: { domain, type, context, attributes } }
// Content events come from successful changes only. What the content is (component name and version, asset
// path) is read from the attributes the format handlers record: image + reference or digest (Docker), path (raw,
// REST deletes). Every payload carries timestamp, nodeId and initiator ("user/address"), as Nexus's do.
import type { AuditRecord } from '../security/audit.js';
import type { WebhookEventKind } from './model.js';

export type WebhookAction = 'CREATED' | 'UPDATED' | 'DELETED';

export interface ContentSubject {
  component?: { name: string; group: string | null; version: string };
  asset: { path: string; name: string };
}

/** One event to deliver to the webhooks that subscribe to its kind (and its repository). */
export interface WebhookEvent {
  kind: WebhookEventKind;
  repository: string | null;
  action: WebhookAction | null;
  /** Filled in by the dispatcher: format, component and asset ids looked up when the event is delivered. */
  payload: Record<string, unknown>;
  subject?: ContentSubject;
}

const ACTION: Record<string, WebhookAction> = { create: 'CREATED', update: 'UPDATED', delete: 'DELETED', push: 'CREATED' };

const isDigest = (reference: string) => reference.includes(':');

/** The component and asset a repository.content event is about, or undefined when it names none. */
export function contentSubject(event: AuditRecord): ContentSubject | undefined {
  const a = event.attributes as { image?: string; reference?: string; digest?: string; kind?: string; path?: string; source?: string };
  if (typeof a.image === 'string') {
    if (a.kind === 'blob' && a.digest) return { asset: { path: `v2/-/blobs/${a.digest}`, name: a.image } };
    if (!a.reference) return undefined;
    const asset = { path: `v2/${a.image}/manifests/${a.reference}`, name: a.image };
    return isDigest(a.reference) ? { asset } : { asset, component: { name: a.image, group: null, version: a.reference } };
  }
  if (typeof a.path !== 'string') return undefined;
  const asset = { path: a.path, name: a.path };
  // REST deletes name the component as "[group/]name:version" in the object, the asset by its path.
  if (a.source === 'rest') {
    if (event.object === a.path) return { asset };
    const at = event.object.lastIndexOf(':');
    return at > 0 ? { asset, component: { name: event.object.slice(0, at), group: null, version: event.object.slice(at + 1) } } : { asset };
  }
  // A file pushed to a path-addressed format (raw) is its own component, as in Nexus.
  return { asset, component: { name: a.path, group: null, version: '' } };
}

/** The webhook events an audit event gives, before matching them against webhooks. */
export function webhookEvents(event: AuditRecord, nodeId: string): WebhookEvent[] {
  const base = { timestamp: event.timestamp, nodeId, initiator: `${event.userId}/${event.remoteAddress ?? ''}` };
  const events: WebhookEvent[] = [{
    kind: 'audit', repository: event.repository, action: null,
    payload: { ...base, audit: { domain: event.domain, type: event.type, context: event.object, outcome: event.outcome, repository: event.repository, attributes: event.attributes } },
  }];
  if (event.outcome !== 'success' || !event.repository) return events;
  const attributes = event.attributes as { format?: string; type?: string; created?: boolean };
  if (event.domain === 'repository' && ACTION[event.type] && event.type !== 'push') {
    events.push({
      kind: 'repository', repository: event.repository, action: ACTION[event.type],
      payload: { ...base, action: ACTION[event.type], repository: { format: attributes.format ?? null, name: event.repository, type: attributes.type ?? null } },
    });
  }
  if (event.domain === 'repository.content' && (event.type === 'push' || event.type === 'delete')) {
    const subject = contentSubject(event);
    if (!subject) return events;
    const action = event.type === 'delete' ? 'DELETED' : attributes.created === false ? 'UPDATED' : 'CREATED';
    const content = { ...base, repositoryName: event.repository, action };
    if (subject.component) events.push({ kind: 'component', repository: event.repository, action, payload: { ...content }, subject });
    events.push({ kind: 'asset', repository: event.repository, action, payload: { ...content }, subject });
  }
  return events;
}

// The audit event -> webhook event mapping for the cases the integration test does not push: raw files
// (created, then updated), REST deletes of a component and of an asset, Docker blob and digest deletes,
// failures (audit only) and changes outside repositories.
import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../security/audit.js';
import { webhookEvents } from './events.js';

const event = (e: Partial<AuditRecord>): AuditRecord => ({
  id: 0, timestamp: '2025-05-01T10:00:00.000Z', userId: 'ci', domain: 'repository.content', type: 'push', repository: 'files',
  object: '', outcome: 'success', remoteAddress: '10.0.0.7', attributes: {}, ...e,
});

const summary = (e: AuditRecord) => webhookEvents(e, 'node-1').map((w) => ({ kind: w.kind, action: w.action, subject: w.subject }));

describe('webhookEvents', () => {
  it('makes a raw file its own component, CREATED then UPDATED', () => {
    const created = event({ object: 'docs/index.html', attributes: { path: 'docs/index.html', created: true } });
    expect(summary(created)).toEqual([
      { kind: 'audit', action: null, subject: undefined },
      { kind: 'component', action: 'CREATED', subject: { asset: { path: 'docs/index.html', name: 'docs/index.html' }, component: { name: 'docs/index.html', group: null, version: '' } } },
      { kind: 'asset', action: 'CREATED', subject: expect.objectContaining({ asset: { path: 'docs/index.html', name: 'docs/index.html' } }) },
    ]);
    const updated = webhookEvents(event({ object: 'docs/index.html', attributes: { path: 'docs/index.html', created: false } }), 'node-1');
    expect(updated.slice(1).map((w) => w.payload.action)).toEqual(['UPDATED', 'UPDATED']);
    expect(updated[1].payload).toMatchObject({ initiator: 'ci/10.0.0.7', nodeId: 'node-1', repositoryName: 'files' });
  });

  it('maps REST deletes of a component and of an asset', () => {
    const component = summary(event({ type: 'delete', repository: 'docker-hosted', object: 'team/app:1.0', attributes: { path: 'v2/team/app/manifests/1.0', source: 'rest' } }));
    expect(component.map((e) => [e.kind, e.action])).toEqual([['audit', null], ['component', 'DELETED'], ['asset', 'DELETED']]);
    expect(component[1].subject?.component).toEqual({ name: 'team/app', group: null, version: '1.0' });
    const asset = summary(event({ type: 'delete', object: 'a/b.txt', attributes: { path: 'a/b.txt', source: 'rest' } }));
    expect(asset.map((e) => e.kind)).toEqual(['audit', 'asset']);
  });

  it('maps Docker digests and blobs to assets only', () => {
    const digest = 'sha256:' + 'a'.repeat(64);
    expect(summary(event({ repository: 'd', attributes: { image: 'team/app', reference: digest } })).map((e) => [e.kind, e.subject?.asset.path]))
      .toEqual([['audit', undefined], ['asset', `v2/team/app/manifests/${digest}`]]);
    expect(summary(event({ type: 'delete', repository: 'd', attributes: { kind: 'blob', image: 'team/app', digest } })).map((e) => [e.kind, e.action, e.subject?.asset.path]))
      .toEqual([['audit', null, undefined], ['asset', 'DELETED', `v2/-/blobs/${digest}`]]);
  });

  it('gives only the audit event for failures and for changes outside repositories', () => {
    expect(summary(event({ outcome: 'failure', attributes: { path: 'x', reason: 'denied' } })).map((e) => e.kind)).toEqual(['audit']);
    expect(summary(event({ domain: 'security.user', type: 'create', repository: null, object: 'bob' })).map((e) => e.kind)).toEqual(['audit']);
    expect(summary(event({ domain: 'repository', type: 'invalidate-cache', object: 'files' })).map((e) => e.kind)).toEqual(['audit']);
  });
});

// Webhooks end to end: REST CRUD (write-only secret, audited), deliveries to a real local HTTP receiver with
// both HMAC signatures checked, global versus repository-scoped matching, a Docker push by skopeo producing
// component and asset events, retry after a 500, a receiver that is down, a slow receiver that never delays
// the request, the delivery log, and the wharf.yaml section (reconcile and export).
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConfig } from '../../src/config/load.js';
import { exportConfig, reconcile } from '../../src/config/reconcile.js';
import { buildImage, skopeo, TempDirs } from '../helpers/images.js';
import { ADMIN_PASSWORD, freePort, startWharf, type TestWharf } from '../helpers/wharf.js';
import { basic, restClient } from './client.js';

interface Received { path: string; headers: IncomingHttpHeaders; body: string; json: any }

let receiver: Server;
let receiverUrl: string;
let received: Received[] = [];
/** Status codes to answer on a path, in turn (then 200). */
const script = new Map<string, number[]>();
let wharf: TestWharf;
let api: ReturnType<typeof restClient>;
const dirs = new TempDirs();

const on = (path: string) => received.filter((r) => r.path === path);
const idle = () => wharf.running.wharf.webhooks.dispatcher.idle();
const hmac = (algorithm: string, secret: string, body: string) => createHmac(algorithm, secret).update(body).digest('hex');

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ path: req.url!, headers: req.headers, body, json: JSON.parse(body) });
      const answer = () => res.writeHead(script.get(req.url!)?.shift() ?? 200).end('thanks');
      if (req.url === '/slow') setTimeout(answer, 3_000);
      else answer();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
  // One webhook from wharf.yaml: audit events (enum values in any case, as everywhere in the file).
  wharf = await startWharf({ config: `webhooks:\n  - { name: audit-feed, url: "${receiverUrl}/audit", events: [AUDIT], secret: "\${HOOK_SECRET}" }\n`, env: { HOOK_SECRET: 'yaml-secret' } });
  wharf.running.wharf.webhooks.dispatcher.configure({ backoffMs: 50, attempts: 3, timeoutMs: 5_000 });
  api = restClient(wharf);
});

afterAll(async () => {
  await wharf?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
  await dirs.removeAll();
});

const hook = (name: string, path: string, events: string[], extra: Record<string, unknown> = {}) =>
  ({ name, url: `${receiverUrl}${path}`, events, ...extra });

describe('webhook CRUD', () => {
  it('creates, reads, updates and deletes, never showing the secret, and audits each change', async () => {
    const created = await api('/webhooks', { method: 'POST', body: hook('crud', '/crud', ['component'], { repository: 'docker-hosted', secret: 's3cret' }) });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(String), name: 'crud', url: `${receiverUrl}/crud`, events: ['component'], repository: 'docker-hosted', secretSet: true });
    expect(JSON.stringify(created.body)).not.toContain('s3cret');
    const id = created.body.id;
    expect((await api(`/webhooks/${id}`)).body).toEqual(created.body);
    expect((await api('/webhooks/crud')).body.id).toBe(id); // by name too
    expect((await api('/webhooks')).body.map((h: { name: string }) => h.name)).toEqual(['audit-feed', 'crud']);

    // No secret in the body: the stored one stays; null removes it.
    expect((await api(`/webhooks/${id}`, { method: 'PUT', body: hook('crud', '/crud2', ['component', 'asset'], { repository: null }) })).status).toBe(204);
    expect((await api(`/webhooks/${id}`)).body).toMatchObject({ url: `${receiverUrl}/crud2`, events: ['component', 'asset'], repository: null, secretSet: true });
    expect((await api(`/webhooks/${id}`, { method: 'PUT', body: hook('crud', '/crud2', ['asset'], { secret: null }) })).status).toBe(204);
    expect((await api(`/webhooks/${id}`)).body.secretSet).toBe(false);

    expect((await api(`/webhooks/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await api(`/webhooks/${id}`)).status).toBe(404);
    await wharf.running.wharf.audit.flush();
    const audit = await api('/audit?domain=webhook&object=crud');
    expect(audit.body.items.map((e: { type: string }) => e.type)).toEqual(['delete', 'update', 'update', 'create']);
    expect(JSON.stringify(audit.body)).not.toContain('s3cret');
  });

  it('refuses bad bodies, duplicates and unknown webhooks', async () => {
    const bad = await api('/webhooks', { method: 'POST', body: hook('bad', '/x', ['tags']) });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/events/);
    expect((await api('/webhooks', { method: 'POST', body: hook('bad', '/x', []) })).status).toBe(400);
    expect((await api('/webhooks', { method: 'POST', body: { ...hook('bad', '/x', ['asset']), extra: 1 } })).body).toMatchObject({ message: 'unknown field: extra' });
    const noRepo = await api('/webhooks', { method: 'POST', body: hook('bad', '/x', ['asset'], { repository: 'nope' }) });
    expect(noRepo.status).toBe(400);
    expect(noRepo.body.message).toBe('no repository named nope');
    expect((await api('/webhooks', { method: 'POST', body: hook('audit-feed', '/x', ['asset']) })).status).toBe(409);
    expect((await api('/webhooks/no-such-hook')).status).toBe(404);
    expect((await api('/webhooks/no-such-hook/deliveries')).status).toBe(404);
    expect((await api('/webhooks/no-such-hook', { method: 'DELETE' })).status).toBe(404);
  });

  it('needs nx-webhooks privileges', async () => {
    expect((await api('/webhooks', { auth: null })).status).toBe(401);
    const user = { userId: 'hook-reader', firstName: 'H', lastName: 'R', emailAddress: 'h@r.example', password: 'pw-hook-reader', status: 'active', roles: ['hook-readers'] };
    expect((await api('/security/roles', { method: 'POST', body: { id: 'hook-readers', name: 'hook-readers', description: '', privileges: ['nx-webhooks-read'], roles: [] } })).status).toBe(200);
    expect((await api('/security/users', { method: 'POST', body: user })).status).toBe(200);
    const auth = basic('hook-reader', 'pw-hook-reader');
    expect((await api('/webhooks', { auth })).status).toBe(200);
    expect((await api('/webhooks', { auth, method: 'POST', body: hook('denied', '/x', ['asset']) })).status).toBe(403);
  });
});

describe('deliveries', () => {
  it('signs global repository events and repository-scoped content events from a Docker push', async () => {
    received = [];
    const ids: Record<string, string> = {};
    for (const [name, body] of Object.entries({
      global: hook('global-repos', '/global', ['repository'], { secret: 'global-secret' }),
      scoped: hook('hosted-content', '/scoped', ['component', 'asset'], { repository: 'docker-hosted', secret: 'scoped-secret' }),
      other: hook('raw-content', '/other', ['component', 'asset'], { repository: 'raw-hosted' }),
    })) ids[name] = (await api('/webhooks', { method: 'POST', body })).body.id;

    const layout = `${await dirs.make()}/layout`;
    const image = await buildImage(layout, 'v1', { layers: [{ path: 'hello.txt', size: 2048 }] });
    await skopeo(['copy', '--dest-tls-verify=false', '--dest-creds', `admin:${ADMIN_PASSWORD}`, image.ref, `docker://${wharf.host}/docker-hosted/team/app:1.0`]);
    const created = await api('/repositories/docker/hosted', { method: 'POST', body: { name: 'hooked', online: true, storage: { blobStoreName: 'default', strictContentTypeValidation: true, writePolicy: 'allow' } } });
    expect(created.status).toBe(201);
    await idle();

    // Repository-scoped: the tag is a component, the manifest under it an asset; nothing from other repositories.
    const scoped = on('/scoped');
    const component = scoped.find((r) => r.headers['x-nexus-webhook-id'] === 'rm:repository:component')!;
    expect(component.json).toEqual({
      timestamp: expect.any(String), nodeId: expect.any(String), initiator: 'admin/127.0.0.1', repositoryName: 'docker-hosted', action: 'CREATED',
      component: { id: expect.any(String), componentId: expect.any(String), format: 'docker', name: 'team/app', group: null, version: '1.0' },
    });
    expect((await api(`/components/${component.json.component.id}`)).body).toMatchObject({ name: 'team/app', version: '1.0' });
    const assets = scoped.filter((r) => r.headers['x-nexus-webhook-id'] === 'rm:repository:asset').map((r) => r.json.asset.name);
    expect(assets).toContain('v2/team/app/manifests/1.0');
    expect(scoped.every((r) => r.json.repositoryName === 'docker-hosted')).toBe(true);
    expect(on('/other')).toEqual([]);
    // Both signatures, each over the exact body, with the webhook's own secret.
    for (const r of scoped) {
      expect(r.headers['x-nexus-webhook-signature']).toBe(hmac('sha1', 'scoped-secret', r.body));
      expect(r.headers['x-wharf-signature-256']).toBe(`sha256=${hmac('sha256', 'scoped-secret', r.body)}`);
      expect(r.headers['x-nexus-webhook-delivery']).toMatch(/^[0-9a-f-]{36}$/);
      expect(r.headers['content-type']).toBe('application/json; charset=UTF-8');
    }
    // Global: the repository creation, whatever repository; no content events.
    const global = on('/global');
    expect(global.map((r) => r.headers['x-nexus-webhook-id'])).toEqual(['rm:repository']);
    expect(global[0].json).toMatchObject({ action: 'CREATED', repository: { name: 'hooked', format: 'docker', type: 'hosted' } });
    expect(global[0].headers['x-nexus-webhook-signature']).toBe(hmac('sha1', 'global-secret', global[0].body));
    // The yaml webhook saw the audit trail, the webhook creations included.
    const audit = on('/audit').map((r) => r.json.audit);
    expect(audit).toContainEqual(expect.objectContaining({ domain: 'webhook', type: 'create', context: 'global-repos' }));
    expect(audit).toContainEqual(expect.objectContaining({ domain: 'repository.content', type: 'push', context: 'team/app:1.0' }));
    expect(on('/audit')[0].headers['x-nexus-webhook-signature']).toBe(hmac('sha1', 'yaml-secret', on('/audit')[0].body));

    const log = await api(`/webhooks/${ids.scoped}/deliveries`);
    expect(log.body.items.length).toBe(scoped.length);
    expect(log.body.items[0]).toMatchObject({ state: 'delivered', attempts: 1, statusCode: 200, error: null });
    for (const id of Object.values(ids)) await api(`/webhooks/${id}`, { method: 'DELETE' });
  });

  it('retries after a 500 with the same delivery id, and gives up on a receiver that is down', async () => {
    received = [];
    script.set('/flaky', [500]);
    const flaky = (await api('/webhooks', { method: 'POST', body: hook('flaky', '/flaky', ['repository']) })).body.id;
    const deadPort = await freePort();
    const dead = (await api('/webhooks', { method: 'POST', body: { name: 'dead', url: `http://127.0.0.1:${deadPort}/hook`, events: ['repository'] } })).body.id;
    await api('/repositories/docker-hosted/invalidate-cache', { method: 'POST' }); // not a change: no event
    await api('/repositories/raw/hosted', { method: 'POST', body: { name: 'retried', online: true, storage: { blobStoreName: 'default', strictContentTypeValidation: false, writePolicy: 'allow' } } });
    await idle();

    const attempts = on('/flaky');
    expect(attempts.map((r) => r.headers['x-wharf-webhook-attempt'])).toEqual(['1', '2']);
    expect(attempts[1].headers['x-nexus-webhook-delivery']).toBe(attempts[0].headers['x-nexus-webhook-delivery']);
    expect(attempts[1].body).toBe(attempts[0].body);
    expect((await api(`/webhooks/${flaky}/deliveries`)).body.items).toEqual([expect.objectContaining({
      event: 'rm:repository', action: 'CREATED', state: 'delivered', attempts: 2, statusCode: 200, error: null,
    })]);
    const failed = (await api(`/webhooks/${dead}/deliveries`)).body.items;
    expect(failed).toEqual([expect.objectContaining({ state: 'failed', attempts: 3, statusCode: null, error: expect.stringMatching(/ECONNREFUSED/) })]);
    await api(`/webhooks/${flaky}`, { method: 'DELETE' });
    await api(`/webhooks/${dead}`, { method: 'DELETE' });
  });

  it('never makes the request wait for a slow receiver', async () => {
    received = [];
    const slow = (await api('/webhooks', { method: 'POST', body: hook('slow', '/slow', ['repository']) })).body.id;
    const started = Date.now();
    const res = await api('/repositories/raw-hosted', { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect(Date.now() - started).toBeLessThan(2_000); // the receiver takes 3 s
    await idle();
    expect(on('/slow').map((r) => r.json)).toEqual([expect.objectContaining({ action: 'DELETED', repository: { format: 'raw', name: 'raw-hosted', type: 'hosted' } })]);
    await api(`/webhooks/${slow}`, { method: 'DELETE' });
  });
});

describe('wharf.yaml webhooks', () => {
  it('exports webhooks without secrets, and applying the export changes nothing', async () => {
    const exported = await exportConfig(wharf.running.wharf);
    expect(exported.webhooks).toEqual([{ name: 'audit-feed', url: `${receiverUrl}/audit`, events: ['audit'], repository: null }]);
    expect((await api('/webhooks/audit-feed')).body.secretSet).toBe(true);
    expect(await reconcile(wharf.running.wharf, checkConfig(JSON.parse(JSON.stringify(exported)), 'export', {}), true)).toEqual([]);
    const changed = await reconcile(wharf.running.wharf, checkConfig({ prune: true, webhooks: [{ name: 'other', url: `${receiverUrl}/o`, events: ['asset'], secret: 'x' }] }, 'file', {}), true);
    expect(changed).toEqual([
      { kind: 'webhook', name: 'other', action: 'create', fields: expect.arrayContaining([{ path: 'secret', to: '***' }]) },
      { kind: 'webhook', name: 'audit-feed', action: 'delete' },
    ]);
    expect(() => checkConfig({ webhooks: [{ name: 'a', url: 'http://x', events: ['asset'] }, { name: 'a', url: 'http://y', events: ['asset'] }] }, 'file', {}))
      .toThrow(/webhooks\[1\]\.name: duplicate webhook a/);
  });
});

// Contract tests of /service/rest/v1/repositories against a real server: Nexus's documented bodies for docker
// hosted, proxy and group accepted as they are and round-tripped by GET, connector ports opened and closed live,
// health-check and invalidate-cache, and every error path (400 with the failing field, 401, 403, 404, 409).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getAsset } from '../../src/repository/assets.js';
import { freePort, startWharf, type TestWharf } from '../helpers/wharf.js';
import { makeImage, pushImage, v2 } from '../helpers/registry.js';
import { basic, restClient } from './client.js';

let wharf: TestWharf;
let api: ReturnType<typeof restClient>;
let hostedPort: number;
let movedPort: number;
const viewer = basic('viewer', 'viewer-pw');

beforeAll(async () => {
  wharf = await startWharf({
    config: `
security:
  roles: [ { id: viewer, privileges: [nx-repository-view-*-*-read] } ]
  users: [ { userId: viewer, password: viewer-pw, roles: [viewer] } ]
`,
  });
  api = restClient(wharf);
  hostedPort = await freePort();
  movedPort = await freePort();
});

afterAll(async () => {
  await wharf?.stop();
});

// Nexus's documentation examples for POST /v1/repositories/docker/{hosted,proxy,group}, with our names and ports.
const nexusHosted = () => ({
  name: 'nx-hosted', online: true,
  storage: { blobStoreName: 'default', strictContentTypeValidation: true, writePolicy: 'allow_once', latestPolicy: true },
  cleanup: { policyNames: [] as string[] }, component: { proprietaryComponents: true },
  docker: { v1Enabled: false, forceBasicAuth: true, httpPort: hostedPort, subdomain: 'docker-a' },
});
const nexusProxy = () => ({
  name: 'nx-proxy', online: true,
  storage: { blobStoreName: 'default', strictContentTypeValidation: true },
  cleanup: { policyNames: [] as string[] },
  proxy: { remoteUrl: `${wharf.url}/`, contentMaxAge: 1440, metadataMaxAge: 1440 },
  negativeCache: { enabled: true, timeToLive: 1440 },
  httpClient: {
    blocked: false, autoBlock: true,
    connection: { retries: 0, userAgentSuffix: 'string', timeout: 60, enableCircularRedirects: false, enableCookies: false, useTrustStore: false },
    authentication: { type: 'username', preemptive: false, username: 'admin', password: 'admin-test-password', ntlmHost: 'string', ntlmDomain: 'string' },
  },
  routingRule: 'string',
  replication: { preemptivePullEnabled: false, assetPathRegex: 'string' },
  docker: { v1Enabled: false, forceBasicAuth: true, httpPort: null, httpsPort: null, subdomain: 'docker-b' },
  dockerProxy: { indexType: 'REGISTRY', indexUrl: 'string', cacheForeignLayers: true, foreignLayerUrlWhitelist: ['string'] },
});
const nexusGroup = () => ({
  name: 'nx-group', online: true,
  storage: { blobStoreName: 'default', strictContentTypeValidation: true },
  group: { memberNames: ['nx-hosted', 'nx-proxy'], writableMember: 'nx-hosted' },
  docker: { v1Enabled: false, forceBasicAuth: true, httpPort: null, httpsPort: null, subdomain: 'docker-c' },
});

const v2Status = async (port: number) => {
  const res = await fetch(`http://127.0.0.1:${port}/v2/`);
  await res.arrayBuffer();
  return res.headers.get('docker-distribution-api-version');
};

describe('POST /repositories/docker/{type}', () => {
  it('creates a hosted repository from Nexus\'s body and opens its connector port at once', async () => {
    const res = await api('/repositories/docker/hosted', { method: 'POST', body: nexusHosted() });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(await v2Status(hostedPort)).toBe('registry/2.0');
  });

  it('creates a proxy with every field Nexus documents, and GET hides the password', async () => {
    const res = await api('/repositories/docker/proxy', { method: 'POST', body: nexusProxy() });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const got = await api('/repositories/docker/proxy/nx-proxy');
    expect(got.status).toBe(200);
    const expected = nexusProxy() as Record<string, any>;
    delete expected.httpClient.authentication.password;
    expected.docker = { v1Enabled: false, forceBasicAuth: true, subdomain: 'docker-b' }; // nulls mean "none"
    expect(got.body).toEqual({ ...expected, format: 'docker', type: 'proxy', url: `${wharf.url}/repository/nx-proxy` });
  });

  it('creates a group over them', async () => {
    const res = await api('/repositories/docker/group', { method: 'POST', body: nexusGroup() });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const list = await api('/repositories');
    expect(list.body.map((r: { name: string }) => r.name)).toEqual(expect.arrayContaining(['nx-group', 'nx-hosted', 'nx-proxy']));
  });

  it('round-trips the hosted body through GET, by format/type/name and by name', async () => {
    const want = { ...nexusHosted(), format: 'docker', type: 'hosted', url: `${wharf.url}/repository/nx-hosted` };
    expect((await api('/repositories/docker/hosted/nx-hosted')).body).toEqual(want);
    expect((await api('/repositories/nx-hosted')).body).toEqual(want);
  });

  it('accepts enum values in any case (ALLOW_ONCE, hub)', async () => {
    const body = { ...nexusHosted(), name: 'nx-upper', storage: { blobStoreName: 'default', writePolicy: 'ALLOW_ONCE' }, docker: {} };
    expect((await api('/repositories/docker/hosted', { method: 'POST', body })).status).toBe(201);
    expect((await api('/repositories/nx-upper')).body.storage.writePolicy).toBe('allow_once');
    expect((await api('/repositories/nx-upper', { method: 'DELETE' })).status).toBe(204);
  });

  it('names the failing field: unknown field, wrong type, hosted-only field on a group', async () => {
    const unknown = await api('/repositories/docker/hosted', { method: 'POST', body: { ...nexusHosted(), name: 'x1', colour: 'red' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.details).toEqual([expect.objectContaining({ field: 'colour', in: 'body' })]);
    const port = await api('/repositories/docker/hosted', { method: 'POST', body: { ...nexusHosted(), name: 'x2', docker: { httpPort: 'eighty' } } });
    expect(port.status).toBe(400);
    expect(port.body.details[0].field).toBe('docker.httpPort');
    const policy = await api('/repositories/docker/group', { method: 'POST', body: { ...nexusGroup(), name: 'x3', storage: { blobStoreName: 'default', writePolicy: 'allow' } } });
    expect(policy.status).toBe(400);
    expect(policy.body.details[0].field).toBe('storage.writePolicy');
  });

  it('refuses what the configuration rules refuse, with the key', async () => {
    const member = await api('/repositories/docker/group', { method: 'POST', body: { ...nexusGroup(), name: 'x4', group: { memberNames: ['nope'] } } });
    expect(member.status).toBe(400);
    expect(member.body.details).toEqual([{ field: 'group.memberNames[0]', in: 'body', message: 'no repository named nope' }]);
    const store = await api('/repositories/docker/hosted', { method: 'POST', body: { ...nexusHosted(), name: 'x5', docker: {}, storage: { blobStoreName: 'missing' } } });
    expect(store.status).toBe(400);
    expect(store.body.details[0].field).toBe('storage.blobStoreName');
    const port = await api('/repositories/docker/hosted', { method: 'POST', body: { ...nexusHosted(), name: 'x6' } });
    expect(port.status).toBe(400);
    expect(port.body.message).toContain(`port ${hostedPort} is also used by nx-hosted`);
    const proxy = await api('/repositories/docker/proxy', { method: 'POST', body: { ...nexusProxy(), name: 'x7', proxy: { remoteUrl: 'ftp://x' } } });
    expect(proxy.status).toBe(400);
  });

  it('409 for an existing name; 401 anonymous; 403 without repository-admin', async () => {
    expect((await api('/repositories/docker/hosted', { method: 'POST', body: nexusHosted() })).status).toBe(409);
    const anonymous = await api('/repositories/docker/hosted', { method: 'POST', body: { ...nexusHosted(), name: 'x8' }, auth: null });
    expect(anonymous.status).toBe(401);
    expect((await api('/repositories/docker/hosted', { method: 'POST', body: { ...nexusHosted(), name: 'x8' }, auth: viewer })).status).toBe(403);
    expect((await api('/repositories/docker/hosted/nx-hosted', { auth: viewer })).status).toBe(403);
  });
});

describe('PUT /repositories/docker/{type}/{name}', () => {
  it('moves the connector port live: the old one closes, the new one opens', async () => {
    const body = { ...nexusHosted(), docker: { ...nexusHosted().docker, httpPort: movedPort } };
    const res = await api('/repositories/docker/hosted/nx-hosted', { method: 'PUT', body });
    expect(res.status, JSON.stringify(res.body)).toBe(204);
    expect(await v2Status(movedPort)).toBe('registry/2.0');
    await expect(fetch(`http://127.0.0.1:${hostedPort}/v2/`)).rejects.toThrow();
  });

  it('keeps the stored upstream password when the body leaves it out (as GET shows it)', async () => {
    const body = (await api('/repositories/docker/proxy/nx-proxy')).body;
    delete body.url; delete body.format; delete body.type;
    body.proxy.metadataMaxAge = 5;
    expect((await api('/repositories/docker/proxy/nx-proxy', { method: 'PUT', body })).status).toBe(204);
    const stored = wharf.running.wharf.repositories.get('nx-proxy') as any;
    expect(stored.proxy.metadataMaxAge).toBe(5);
    expect(stored.httpClient.authentication.password).toBe('admin-test-password');
  });

  it('400 when the name differs or the type is another; 404 for an unknown repository', async () => {
    expect((await api('/repositories/docker/hosted/nx-hosted', { method: 'PUT', body: { ...nexusHosted(), name: 'other' } })).status).toBe(400);
    expect((await api('/repositories/docker/hosted/nx-group', { method: 'PUT', body: { ...nexusHosted(), name: 'nx-group', docker: {} } })).status).toBe(400);
    expect((await api('/repositories/docker/hosted/missing', { method: 'PUT', body: { ...nexusHosted(), name: 'missing' } })).status).toBe(404);
    expect((await api('/repositories/docker/hosted/nx-proxy')).status).toBe(404);
  });
});

describe('actions', () => {
  it('health-check asks a proxy\'s upstream now', async () => {
    const res = await api('/repositories/nx-proxy/health-check', { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'nx-proxy', healthy: true });
    expect(res.body.checks.map((c: { name: string }) => c.name)).toEqual(['online', 'blobStore', 'upstream']);
    const hosted = await api('/repositories/nx-hosted/health-check', { method: 'POST' });
    expect(hosted.body).toEqual({ name: 'nx-hosted', healthy: true, checks: [
      { name: 'online', healthy: true, message: 'online' }, { name: 'blobStore', healthy: true, message: 'blob store default is open' },
    ] });
  });

  it('invalidate-cache makes cached tags stale so the next pull asks the upstream; 400 for hosted', async () => {
    await pushImage(wharf, 'nx-hosted/team/app', '1.0', makeImage('invalidate'));
    const pulled = await v2(wharf, 'nx-proxy/nx-hosted/team/app/manifests/1.0');
    expect(pulled.status).toBe(200);
    await pulled.arrayBuffer();
    const db = wharf.running.wharf.db;
    const path = 'v2/nx-hosted/team/app/manifests/1.0';
    expect(Number((await getAsset(db, 'nx-proxy', path))!.updated_at)).toBeGreaterThan(0);
    expect((await api('/repositories/nx-proxy/invalidate-cache', { method: 'POST' })).status).toBe(204);
    expect(Number((await getAsset(db, 'nx-proxy', path))!.updated_at)).toBe(0);
    expect((await v2(wharf, 'nx-proxy/nx-hosted/team/app/manifests/1.0')).status).toBe(200);
    expect(Number((await getAsset(db, 'nx-proxy', path))!.updated_at)).toBeGreaterThan(0);
    expect((await api('/repositories/nx-group/invalidate-cache', { method: 'POST' })).status).toBe(204);
    const hosted = await api('/repositories/nx-hosted/invalidate-cache', { method: 'POST' });
    expect(hosted.status).toBe(400);
    expect((await api('/repositories/missing/invalidate-cache', { method: 'POST' })).status).toBe(404);
  });
});

describe('DELETE /repositories/{name}', () => {
  it('409 while a group lists it; then deletes, closes its port, and audits', async () => {
    const busy = await api('/repositories/nx-hosted', { method: 'DELETE' });
    expect(busy.status).toBe(409);
    expect(busy.body.message).toContain('member of group nx-group');
    expect((await api('/repositories/nx-group', { method: 'DELETE' })).status).toBe(204);
    expect((await api('/repositories/nx-hosted', { method: 'DELETE' })).status).toBe(204);
    await expect(fetch(`http://127.0.0.1:${movedPort}/v2/`)).rejects.toThrow();
    expect((await api('/repositories/nx-hosted')).status).toBe(404);
    expect((await api('/repositories/nx-hosted', { method: 'DELETE' })).status).toBe(404);
    expect((await api('/repositories/docker', { method: 'DELETE' })).status).toBe(409); // the default Docker repository
    await wharf.running.wharf.audit.flush?.();
  });
});

// The audit trail over real HTTP: configuration from wharf.yaml at start, Docker pushes and deletes, REST
// security changes and failed logins each produce one event with the right fields, in the database (queried
// through GET /service/rest/v1/audit, with paging and filters) and in $WHARF_DATA/log/audit.log.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, restClient } from '../api/client.js';
import { makeImage, pushBlob, pushImage, putManifest, v2 } from '../helpers/registry.js';
import { blob } from '../helpers/oci.js';
import { startWharf, type TestWharf } from '../helpers/wharf.js';

let t: TestWharf;
let api: ReturnType<typeof restClient>;

interface Event {
  id: number;
  timestamp: string;
  userId: string;
  domain: string;
  type: string;
  repository: string | null;
  object: string;
  outcome: string;
  remoteAddress: string | null;
  attributes: Record<string, unknown>;
}

const ALICE = basic('alice', 'alice-password-1');

beforeAll(async () => {
  t = await startWharf({
    config: `
repositories:
  - { name: hosted, format: docker, type: hosted }
  - { name: frozen, format: docker, type: hosted, storage: { blobStoreName: default, writePolicy: allow_once } }
security:
  roles:
    - { id: auditor, privileges: [nx-audit-read] }
    - { id: developer, privileges: [nx-repository-view-docker-hosted-*] }
  users:
    - { userId: alice, password: "\${ALICE_PW}", roles: [auditor] }
    - { userId: dev, password: dev-password-1, roles: [developer] }
`,
    env: { ALICE_PW: 'alice-password-1' },
  });
  api = restClient(t);
});

afterAll(async () => {
  await t?.stop();
});

/** Every event matching the query, following continuation tokens. */
async function events(query: Record<string, string> = {}, auth = ALICE): Promise<Event[]> {
  const all: Event[] = [];
  let token: string | null = null;
  do {
    const q = new URLSearchParams({ ...query, ...(token ? { continuationToken: token } : {}) });
    const res = await api(`/audit?${q}`, { auth });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    all.push(...res.body.items);
    token = res.body.continuationToken;
  } while (token);
  return all;
}

describe('audit trail', () => {
  it('records what wharf.yaml created at start, as system, once: a restart with the same file adds nothing', async () => {
    const repos = await events({ domain: 'repository' });
    const hosted = repos.filter((e) => e.object === 'hosted');
    expect(hosted).toHaveLength(1);
    expect(hosted[0]).toMatchObject({ userId: 'system', type: 'create', repository: 'hosted', outcome: 'success', remoteAddress: null, attributes: { format: 'docker', type: 'hosted' } });
    expect(repos.map((e) => e.object).sort()).toEqual(['frozen', 'hosted']);
    expect((await events({ domain: 'security.role' })).map((e) => `${e.type} ${e.object} ${e.userId}`).sort()).toEqual(['create auditor system', 'create developer system']);
    expect((await events({ domain: 'security.user' })).map((e) => `${e.type} ${e.object}`).sort()).toEqual(['create alice', 'create dev']);
    expect((await events({ domain: 'blobstore' })).map((e) => e.object)).toEqual(['default']);
    expect(Date.parse(hosted[0].timestamp)).toBeGreaterThan(Date.now() - 120_000);

    const before = (await events()).length;
    await t.restart();
    expect((await events()).length).toBe(before);
  });

  it('records a push with the principal, address, repository, image, reference and digest', async () => {
    const image = await pushImage(t, 'hosted/team/app', '1.0', makeImage('audit push'));
    const pushes = await events({ domain: 'repository.content', type: 'push', object: 'team/app:1.0' });
    expect(pushes).toHaveLength(1);
    expect(pushes[0]).toMatchObject({
      userId: 'admin', repository: 'hosted', object: 'team/app:1.0', outcome: 'success', remoteAddress: '127.0.0.1',
      attributes: { image: 'team/app', reference: '1.0', digest: image.manifest.digest, mediaType: 'application/vnd.oci.image.manifest.v1+json' },
    });
    // Blob uploads are not events of their own: the manifest push is.
    expect(await events({ domain: 'repository.content', repository: 'hosted' })).toHaveLength(1);
  });

  it('records deletes of a tag, a manifest and a blob, and a refused push as a failure', async () => {
    const image = await pushImage(t, 'hosted/team/del', '1.0', makeImage('audit delete'));
    expect((await v2(t, 'hosted/team/del/manifests/1.0', { method: 'DELETE' })).status).toBe(202);
    await pushImage(t, 'hosted/team/del', '2.0', image);
    expect((await v2(t, `hosted/team/del/manifests/${image.manifest.digest}`, { method: 'DELETE' })).status).toBe(202);
    expect((await v2(t, `hosted/team/del/blobs/${image.layers[0].digest}`, { method: 'DELETE' })).status).toBe(202);
    const deletes = (await events({ type: 'delete', object: 'team/del' })).reverse();
    expect(deletes.map((e) => [e.attributes.kind, e.object, e.userId, e.outcome])).toEqual([
      ['tag', 'team/del:1.0', 'admin', 'success'],
      ['manifest', `team/del@${image.manifest.digest}`, 'admin', 'success'],
      ['blob', `team/del@${image.layers[0].digest}`, 'admin', 'success'],
    ]);

    await pushImage(t, 'frozen/team/app', '1.0', makeImage('frozen one'));
    const other = makeImage('frozen two');
    for (const b of [other.config, ...other.layers]) await pushBlob(t, 'frozen/team/app', b);
    expect((await putManifest(t, 'frozen/team/app', '1.0', other.manifest)).status).toBe(403);
    const frozen = await events({ repository: 'frozen', type: 'push' });
    expect(frozen.map((e) => e.outcome)).toEqual(['failure', 'success']);
    expect(frozen[0].attributes.reason).toMatch(/allow/i);
  });

  it('records each failed login once, with the name tried and the address; a good login is not an event', async () => {
    const since = new Date().toISOString();
    expect((await v2(t, '', { headers: { authorization: basic('alice', 'wrong-password-x') } })).status).toBe(401);
    expect((await api('/security/users', { auth: basic('nobody', 'wrong-password-y') })).status).toBe(401);
    expect((await v2(t, '', { headers: { authorization: 'Bearer not-a-token' } })).status).toBe(401);
    expect((await v2(t, '', { headers: { authorization: ALICE } })).status).toBe(200);
    const failed = (await events({ domain: 'security.login', since })).reverse();
    expect(failed.map((e) => [e.type, e.userId, e.object, e.outcome, e.remoteAddress, e.attributes.scheme])).toEqual([
      ['login-failed', 'alice', 'alice', 'failure', '127.0.0.1', 'basic'],
      ['login-failed', 'nobody', 'nobody', 'failure', '127.0.0.1', 'basic'],
      ['login-failed', 'anonymous', '', 'failure', '127.0.0.1', 'bearer'],
    ]);
  });

  it('records user, role, token and settings changes made through the REST API, with who made them', async () => {
    expect((await api('/security/roles', { method: 'POST', body: { id: 'ops', privileges: ['nx-users-read'], roles: [] } })).status).toBe(200);
    expect((await api('/security/users', { method: 'POST', body: { userId: 'carol', firstName: 'C', lastName: 'D', emailAddress: 'c@example.org', password: 'carol-password-1', roles: ['ops'] } })).status).toBe(200);
    expect((await api('/security/users/carol/change-password', { method: 'PUT', body: 'carol-password-2' })).status).toBe(204);
    const token = await api('/security/user-tokens', { method: 'POST', body: { name: 'ci' }, auth: basic('carol', 'carol-password-2') });
    expect(token.status).toBe(201);
    expect((await api('/security/anonymous', { method: 'PUT', body: { enabled: true } })).status).toBe(200);
    expect((await api('/security/users/carol', { method: 'DELETE' })).status).toBe(204);
    expect((await api('/security/roles/ops', { method: 'DELETE' })).status).toBe(204);

    const changes = (await events({ domain: 'security' })).filter((e) => e.domain !== 'security.login' && e.userId !== 'system').reverse();
    expect(changes.map((e) => `${e.userId} ${e.type} ${e.domain} ${e.object}`)).toEqual([
      'admin create security.role ops',
      'admin create security.user carol',
      'admin change-password security.user carol',
      `carol create security.token ${token.body.id}`,
      'admin delete security.user carol',
      'admin delete security.role ops',
    ]);
    expect(changes[1].attributes).toEqual({ roles: ['ops'], status: 'active' });
    expect((await events({ domain: 'settings', userId: 'admin' })).map((e) => e.object)).toEqual(['anonymous']);
  });

  it('pages newest first with continuation tokens, and filters by user, type, object, outcome and time', async () => {
    const all = await events();
    const ids = all.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(new Set(ids).size).toBe(ids.length);

    const first = await api('/audit?limit=3', { auth: ALICE });
    expect(first.body.items.map((e: Event) => e.id)).toEqual(ids.slice(0, 3));
    const second = await api(`/audit?limit=3&continuationToken=${first.body.continuationToken}`, { auth: ALICE });
    expect(second.body.items.map((e: Event) => e.id)).toEqual(ids.slice(3, 6));
    const paged = await events({ limit: '2' });
    expect(paged.map((e) => e.id)).toEqual(ids);
    const last = await api(`/audit?limit=${all.length}`, { auth: ALICE });
    expect(last.body.continuationToken).toBeNull();

    expect((await events({ userId: 'system' })).every((e) => e.userId === 'system')).toBe(true);
    expect((await events({ outcome: 'failure' })).every((e) => e.outcome === 'failure')).toBe(true);
    expect((await events({ object: 'TEAM/DEL' })).length).toBeGreaterThanOrEqual(3);
    expect(await events({ object: '%' })).toEqual([]); // LIKE wildcards are literal text
    const domains = new Set((await events({ domain: 'security' })).map((e) => e.domain));
    expect([...domains].sort()).toEqual(['security.login', 'security.role', 'security.token', 'security.user']);
    expect(await events({ until: '2000-01-01' })).toEqual([]);
    const middle = all[Math.floor(all.length / 2)];
    const since = await events({ since: middle.timestamp });
    expect(since.every((e) => e.timestamp >= middle.timestamp)).toBe(true);
    expect(since.length).toBeLessThan(all.length);

    expect((await api('/audit?continuationToken=bogus', { auth: ALICE })).status).toBe(400);
    expect((await api('/audit?since=yesterday', { auth: ALICE })).status).toBe(400);
  });

  it('needs nx-audit-read', async () => {
    expect((await api('/audit', { auth: null })).status).toBe(401);
    expect((await api('/audit', { auth: basic('dev', 'dev-password-1') })).status).toBe(403);
    expect((await api('/audit', { auth: ALICE })).status).toBe(200);
    expect((await api('/audit')).status).toBe(200); // admin (nx-all)
    const privileges = await api('/security/privileges');
    expect(privileges.body.map((p: { name: string }) => p.name)).toContain('nx-audit-read');
  });

  it('records nothing for a blob upload alone', async () => {
    const before = (await events({ domain: 'repository.content' })).length;
    await pushBlob(t, 'hosted/team/lonely', blob('lonely blob'));
    expect((await events({ domain: 'repository.content' })).length).toBe(before);
  });

  it('appends every event as a JSON line to log/audit.log', async () => {
    const file = join(t.dataDir, 'log', 'audit.log');
    const all = await events();
    let lines: Event[] = [];
    for (let i = 0; i < 50; i++) {
      lines = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Event) : [];
      if (lines.length >= all.length) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(lines.map((e) => e.id).sort((a, b) => a - b)).toEqual(all.map((e) => e.id).sort((a, b) => a - b));
    const push = lines.find((e) => e.type === 'push' && e.object === 'team/app:1.0');
    expect(push).toEqual(all.find((e) => e.id === push?.id));
  });
});

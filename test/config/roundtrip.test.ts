// Configuration as code, end to end on real servers: a file with every kind of object provisions a server;
// objects added through the REST API join it; export -> apply on a fresh data directory reproduces the state;
// a second apply reports no change; --dry-run reports field-level differences and changes nothing; prune: true
// deletes what the file does not list (and refuses what would break what stays).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { formatChanges } from '../../src/cli/config-report.js';
import { checkConfig, ConfigError } from '../../src/config/load.js';
import { exportConfig, reconcile, ReconcileError } from '../../src/config/reconcile.js';
import { freePort, startWharf, type TestWharf } from '../helpers/wharf.js';
import { restClient } from '../api/client.js';

const env = { LDAP_PW: 'ldap-secret', CI_PW: 'ci-secret' };
let a: TestWharf;
let b: TestWharf | undefined;
let stopped = false;

/** Sections another part of Wharf adds later: included in the round trip as soon as the loader accepts them. */
function supported(section: Record<string, unknown>): boolean {
  try {
    checkConfig(section, 'probe.yaml', {});
    return true;
  } catch (e) {
    return !(e instanceof ConfigError && e.problems.some((p) => /not supported by this version/.test(p.reason)));
  }
}

const OPTIONAL_SECTIONS = {
  cleanupPolicies: [{ name: 'keep-last-20', format: 'docker', criteria: { lastDownloaded: 90 } }],
  tasks: [{ name: 'weekly-compact', type: 'blobstore.compact', blobStoreName: 'docker-hub', cron: '0 3 * * 0' }],
  webhooks: [{ name: 'ci-trigger', url: 'https://ci.example/hooks/wharf', events: ['component', 'asset'], repository: 'platform-latest', secret: '${CI_PW}' }],
};

async function fullConfig(): Promise<string> {
  const [release, hub] = [await freePort(), await freePort()];
  const doc: Record<string, unknown> = {
    blobStores: [{ name: 'docker-hub', type: 'file' }, { name: 'docker-platform', type: 'file', path: 'blobs/platform' }],
    repositories: [
      { name: 'platform-release', format: 'docker', type: 'hosted', storage: { blobStoreName: 'docker-platform', writePolicy: 'ALLOW_ONCE', latestPolicy: true }, docker: { httpPort: release } },
      { name: 'platform-latest', format: 'docker', type: 'hosted', storage: { blobStoreName: 'docker-platform', writePolicy: 'allow' } },
      {
        name: 'hub', format: 'docker', type: 'proxy', storage: { blobStoreName: 'docker-hub' },
        proxy: { remoteUrl: 'https://registry-1.docker.io', contentMaxAge: -1, metadataMaxAge: 1440 }, dockerProxy: { indexType: 'hub' },
        negativeCache: { enabled: true, timeToLive: 60 }, docker: { httpPort: hub },
        httpClient: { autoBlock: true, authentication: { type: 'username', username: 'me', password: '${CI_PW}' } },
      },
      {
        name: 'all', format: 'docker', type: 'group', group: { memberNames: ['platform-release', 'platform-latest', 'hub'], writableMember: 'platform-latest', writeRoutes: [{ tagPattern: '^v?\\d+\\.\\d+\\.\\d+$', member: 'platform-release' }] },
      },
      { name: 'files', format: 'raw', type: 'hosted', storage: { blobStoreName: 'default' } },
    ],
    docker: { defaultRepository: 'all' },
    http: { trustedProxies: ['loopback'] },
    security: {
      anonymous: { enabled: false },
      realms: ['local', 'dockerToken', 'ldap'],
      ldap: { url: 'ldap://127.0.0.1:1389', bindDn: 'cn=wharf,dc=example', bindPassword: '${LDAP_PW}', userBaseDn: 'ou=people,dc=example', groupBaseDn: 'ou=groups,dc=example' },
      roles: [{ id: 'platform-dev', description: 'Platform developers', privileges: ['nx-repository-view-docker-platform-latest-*'], roles: [] }],
      users: [{ userId: 'ci', firstName: 'CI', password: '${CI_PW}', roles: ['platform-dev'] }],
    },
  };
  for (const [key, value] of Object.entries(OPTIONAL_SECTIONS)) if (supported({ [key]: value })) doc[key] = value;
  return stringify(doc);
}

beforeAll(async () => {
  a = await startWharf({ config: await fullConfig(), env });
});

afterAll(async () => {
  if (!stopped) await a?.stop();
  await b?.stop();
});

/** An export as a file to apply: the LDAP bind password is added back as a reference, as the docs say. */
function applicable(exported: Awaited<ReturnType<typeof exportConfig>>): string {
  const doc = structuredClone(exported);
  if (doc.security?.ldap) doc.security.ldap.bindPassword = '${LDAP_PW}';
  return stringify(doc);
}

describe('export -> apply on a fresh data directory', () => {
  it('reproduces every object, API-made ones included, and the admin password', async () => {
    const api = restClient(a);
    expect((await api('/security/users', { method: 'POST', body: { userId: 'made-by-api', firstName: 'A', lastName: 'B', emailAddress: 'a@b.c', password: 'pw-1', status: 'active', roles: ['platform-dev'] } })).status).toBe(200);
    expect((await api('/repositories/docker/hosted', { method: 'POST', body: { name: 'made-by-api', online: false, storage: { blobStoreName: 'default', writePolicy: 'deny' }, docker: {} } })).status).toBe(201);

    const exported = await exportConfig(a.running.wharf);
    expect(exported.repositories?.map((r) => r.name)).toEqual(['all', 'docker', 'docker-hosted', 'docker-hub', 'files', 'hub', 'made-by-api', 'platform-latest', 'platform-release'].filter((n) => exported.repositories!.some((r) => r.name === n)));
    expect(exported.security?.users?.map((u) => u.userId)).toEqual(['admin', 'ci', 'made-by-api']);
    expect(exported.security?.users?.every((u) => u.passwordHash?.startsWith('scrypt$') && u.password === undefined)).toBe(true);
    expect(exported.security?.ldap?.bindPassword).toBeUndefined();
    expect(exported.http).toEqual({ trustedProxies: ['loopback'] });

    // The same connector ports are declared: the first server stops before the second takes them.
    const serverA = structuredClone(a.running.wharf.server);
    await a.stop();
    stopped = true;
    const freshDir = mkdtempSync(join(tmpdir(), 'wharf-roundtrip-'));
    b = await startWharf({ dataDir: freshDir, config: applicable(exported), env: { ...env, WHARF_ADMIN_PASSWORD: 'not-used' } });
    const again = await exportConfig(b.running.wharf);
    expect(again).toEqual(exported);
    expect(b.running.wharf.server).toEqual(serverA);
    // Users keep their passwords (the hash travelled): the API user signs in on the new server.
    const signIn = await fetch(`${b.url}/service/rest/v1/status`, { headers: { authorization: `Basic ${Buffer.from('made-by-api:pw-1').toString('base64')}` } });
    expect(signIn.status).toBe(200);
    expect((await restClient(b)('/security/users')).status).toBe(200); // admin's password came from A
  });

  it('a second apply of the same file reports no change', async () => {
    const config = checkConfig(parse(applicable(await exportConfig(b!.running.wharf))), 'export.yaml', env);
    expect(await reconcile(b!.running.wharf, config, true)).toEqual([]);
    expect(await reconcile(b!.running.wharf, config)).toEqual([]);
  });
});

describe('apply --dry-run', () => {
  it('reports created, updated and deleted objects field by field, and changes nothing', async () => {
    const wharf = b!.running.wharf;
    const doc = parse(applicable(await exportConfig(wharf)));
    doc.prune = true;
    doc.repositories = doc.repositories.filter((r: { name: string }) => r.name !== 'made-by-api');
    doc.repositories.find((r: { name: string }) => r.name === 'hub').proxy.metadataMaxAge = 30;
    doc.repositories.push({ name: 'new-one', format: 'docker', type: 'hosted', storage: { blobStoreName: 'default' } });
    doc.security.users.find((u: { userId: string }) => u.userId === 'ci').password = 'rotated';
    delete doc.security.users.find((u: { userId: string }) => u.userId === 'ci').passwordHash;
    const config = checkConfig(doc, 'changed.yaml', env);
    const before = await exportConfig(wharf);

    const changes = await reconcile(wharf, config, true);
    expect(changes).toEqual([
      { kind: 'repository', name: 'hub', action: 'update', fields: [{ path: 'proxy.metadataMaxAge', from: 1440, to: 30 }] },
      { kind: 'repository', name: 'new-one', action: 'create', fields: expect.arrayContaining([{ path: 'name', to: 'new-one' }]) },
      { kind: 'user', name: 'ci', action: 'update', fields: [{ path: 'password', from: '***', to: '***' }] },
      { kind: 'repository', name: 'made-by-api', action: 'delete' },
    ]);
    expect(await exportConfig(wharf)).toEqual(before);
    const report = formatChanges(changes, true);
    expect(report).toContain('~ repository hub (would update)\n    proxy.metadataMaxAge: 1440 -> 30');
    expect(report).toContain('- repository made-by-api (would delete)');
    expect(report).toMatch(/4 change\(s\) \(dry run, nothing changed\)$/);

    expect(await reconcile(wharf, config)).toHaveLength(4);
    expect(wharf.repositories.get('made-by-api')).toBeUndefined();
    expect(await reconcile(wharf, config)).toEqual([]);
  });

  it('prune refuses, before changing anything, to delete the default Docker repository', async () => {
    const wharf = b!.running.wharf;
    const doc = parse(applicable(await exportConfig(wharf)));
    doc.prune = true;
    delete doc.docker;
    doc.repositories = doc.repositories.filter((r: { name: string }) => r.name !== 'all');
    doc.repositories.find((r: { name: string }) => r.name === 'platform-latest').online = false;
    const config = checkConfig(doc, 'bad.yaml', env);
    await expect(reconcile(wharf, config)).rejects.toThrow(ReconcileError);
    await expect(reconcile(wharf, config)).rejects.toThrow('prune: all is the default Docker repository');
    expect(wharf.repositories.get('platform-latest')?.online).toBe(true);
    expect(wharf.repositories.get('all')).toBeDefined();
  });

  it('without prune, objects the file does not list are kept', async () => {
    const wharf = b!.running.wharf;
    const config = checkConfig({ repositories: [{ name: 'only-this', format: 'docker', type: 'hosted' }] }, 'small.yaml', env);
    const changes = await reconcile(wharf, config);
    expect(changes.map((c) => `${c.action} ${c.name}`)).toEqual(['create only-this']);
    expect(wharf.repositories.get('hub')).toBeDefined();
  });
});

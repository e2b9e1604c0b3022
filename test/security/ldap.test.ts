// The LDAP realm against a real slapd: LDAP users log in and get the roles named like their groups (proved
// with podman login + push), wrong passwords and filter-injection attempts are refused, and an LDAP outage
// refuses only LDAP users, with one warning, until the directory is back.
import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load.js';
import { exportConfig, reconcile } from '../../src/config/reconcile.js';
import type { LdapSettings } from '../../src/config/schema.js';
import { LdapRealm } from '../../src/security/ldap.js';
import { buildImage, Podman, TempDirs, type BuiltImage } from '../helpers/images.js';
import { SERVICE_DN, Slapd, SUFFIX } from '../helpers/slapd.js';
import { adminAuth, startWharf, type TestWharf } from '../helpers/wharf.js';

const SERVICE_PASSWORD = 'service-password-1';
const ALICE = { uid: 'alice', password: 'alice-password-1', groups: ['platform-dev'] };
const BOB = { uid: 'bob', password: 'bob-password-1' };

const dirs = new TempDirs();
let slapd: Slapd;
let wharf: TestWharf;
let image: BuiltImage;
let podman: Podman;
let layoutDir: string | undefined;

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const ping = async (authorization?: string) =>
  (await fetch(`${wharf.url}/v2/`, { headers: authorization ? { authorization } : {} })).status;

const config = () => `
repositories:
  - { name: docker-hosted, format: docker, type: hosted }
security:
  anonymous: { enabled: false }
  realms: [local, dockerToken, ldap]
  ldap:
    url: "${slapd.url}"
    bindDn: "${SERVICE_DN}"
    bindPassword: "\${LDAP_PW}"
    userBaseDn: "ou=people,${SUFFIX}"
    groupBaseDn: "ou=groups,${SUFFIX}"
    groupMemberFormat: "\${dn}"
    connectionTimeout: 2
    cacheTtl: 0
  roles:
    - { id: platform-dev, privileges: [nx-repository-view-docker-docker-hosted-*] }
`;

beforeAll(async () => {
  slapd = await Slapd.start(dirs, SERVICE_PASSWORD, [ALICE, BOB]);
  wharf = await startWharf({ config: config(), env: { LDAP_PW: SERVICE_PASSWORD } });
  // podman names an image pulled from oci:<path> after the path, which must then be lowercase (mkdtemp's is not).
  layoutDir = join(tmpdir(), `wharf-ldap-${randomBytes(6).toString('hex')}`);
  image = await buildImage(join(layoutDir, 'layout'), 'img', { layers: [{ path: '/hello', size: 4096 }] });
  podman = await Podman.create(dirs);
  await podman.run(['pull', '--quiet', '--signature-policy', join(podman.dir, 'policy.json'), image.ref]);
});

afterAll(async () => {
  await wharf?.stop();
  await slapd?.stop();
  await dirs.removeAll();
  if (layoutDir) await rm(layoutDir, { recursive: true, force: true });
});

/** `podman login` as `user` (throws when refused), then `podman push` of the test image; resolves to push's error text, or ''. */
async function loginAndPush(user: string, password: string, name: string): Promise<string> {
  const authfile = join(podman.dir, `auth-${user}.json`);
  await podman.run(['login', '--tls-verify=false', '--authfile', authfile, '-u', user, '-p', password, wharf.host]);
  const { stdout } = await podman.run(['images', '--quiet', '--no-trunc']);
  const id = stdout.trim().split('\n')[0];
  try {
    await podman.run(['push', '--tls-verify=false', '--authfile', authfile, id, `docker://${wharf.host}/docker-hosted/${name}`]);
    return '';
  } catch (e) {
    return (e as Error).message;
  }
}

describe('LDAP realm', () => {
  it('logs LDAP users in with Basic, and refuses wrong passwords', async () => {
    expect(await ping()).toBe(401);
    expect(await ping(basic('alice', ALICE.password))).toBe(200);
    expect(await ping(basic('bob', BOB.password))).toBe(200);
    expect(await ping(basic('alice', 'wrong'))).toBe(401);
    expect(await ping(basic('alice', BOB.password))).toBe(401);
    expect(await ping(basic('nobody', 'whatever'))).toBe(401);
    expect(await ping(adminAuth)).toBe(200);
  });

  it('gives an LDAP user the roles named like their groups: alice (platform-dev) pushes, bob may not', async () => {
    expect(await loginAndPush('alice', ALICE.password, 'ldap/app:1')).toBe('');
    const head = await fetch(`${wharf.url}/v2/docker-hosted/ldap/app/manifests/1`, {
      method: 'HEAD', headers: { authorization: adminAuth, accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    expect(head.status).toBe(200);
    const denied = await loginAndPush('bob', BOB.password, 'ldap/bob:1');
    expect(denied).toMatch(/denied|unauthorized|forbidden|403|401/i); // bob's login worked: only the push was refused
    await expect(loginAndPush('bob', 'wrong', 'ldap/bob:1')).rejects.toThrow(/podman failed/);
    expect((await fetch(`${wharf.url}/v2/docker-hosted/ldap/bob/manifests/1`, { method: 'HEAD', headers: { authorization: adminAuth } })).status).toBe(404);
  });

  it('treats LDAP filter syntax in the user name as a literal value', async () => {
    for (const user of ['*', 'a*', ')(uid=*', 'alice)(uid=*', '*)(|(uid=*', 'alice\\', '(uid=alice)', 'alice\u0000']) {
      expect(await ping(basic(user, ALICE.password)), user).toBe(401);
    }
    // An empty password would be an LDAP "unauthenticated bind", which servers accept: it must never get that far.
    expect(await ping(`Basic ${Buffer.from('alice:').toString('base64')}`)).toBe(401);
  });

  it('persists the LDAP settings: a second apply changes nothing, and export omits the bind password', async () => {
    const env = { LDAP_PW: SERVICE_PASSWORD };
    const checked = loadConfigFile(join(wharf.dataDir, 'wharf.yaml'), env);
    expect(await reconcile(wharf.running.wharf, checked)).toEqual([]);
    const exported = await exportConfig(wharf.running.wharf);
    expect(exported.security?.ldap).toMatchObject({ url: slapd.url, bindDn: SERVICE_DN, userIdAttribute: 'uid', groupMemberFormat: '${dn}' });
    expect(exported.security?.ldap).not.toHaveProperty('bindPassword');
    expect(JSON.stringify(exported)).not.toContain(SERVICE_PASSWORD);
    await wharf.restart(); // read back from the database
    expect(await ping(basic('alice', ALICE.password))).toBe(200);
  });

  it('when slapd is down: local admin still logs in, LDAP users get 401, one warning; back when slapd is', async () => {
    await slapd.stop();
    try {
      for (let i = 0; i < 5; i++) {
        expect(await ping(adminAuth)).toBe(200);
        expect(await ping(basic('alice', ALICE.password))).toBe(401);
      }
      expect((await fetch(`${wharf.url}/service/rest/v1/status`)).status).toBe(200);
      const warnings = await waitForLines(join(wharf.dataDir, 'log', 'wharf.log'), `LDAP server ${slapd.url} is unavailable`);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/ECONNREFUSED/);
      expect(warnings[0]).not.toContain(SERVICE_PASSWORD);
    } finally {
      await slapd.restart();
    }
    expect(await ping(basic('alice', ALICE.password))).toBe(200);
    expect(await loginAndPush('alice', ALICE.password, 'ldap/app:2')).toBe('');
  });
});

describe('LdapRealm', () => {
  const settings = (over: Partial<LdapSettings> = {}): LdapSettings => ({
    url: slapd.url, bindDn: SERVICE_DN, bindPassword: SERVICE_PASSWORD, userBaseDn: `ou=people,${SUFFIX}`, userSubtree: false,
    userObjectClass: 'inetOrgPerson', userIdAttribute: 'uid', groupBaseDn: `ou=groups,${SUFFIX}`, groupSubtree: false,
    groupObjectClass: 'groupOfNames', groupIdAttribute: 'cn', groupMemberAttribute: 'member', groupMemberFormat: '${dn}',
    connectionTimeout: 2, cacheTtl: 60, ...over,
  });
  const logged: string[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void logged.push(line) });

  it('returns the principal with group roles, and remembers it for cacheTtl while the directory is down', async () => {
    const realm = new LdapRealm(() => settings(), log);
    try {
      expect(await realm.authenticate('alice', ALICE.password)).toEqual({ userId: 'alice', roles: ['platform-dev'], realm: 'ldap' });
      expect(await realm.authenticate('bob', BOB.password)).toEqual({ userId: 'bob', roles: [], realm: 'ldap' });
      expect(await realm.authenticate('alice', 'wrong')).toBeUndefined();
      await slapd.stop();
      try {
        expect(await realm.authenticate('alice', ALICE.password)).toMatchObject({ userId: 'alice' }); // cached
        expect(await realm.authenticate('alice', 'wrong')).toBeUndefined(); // a cache of successes only
        for (let i = 0; i < 3; i++) expect(await realm.authenticate('bob', 'not-cached')).toBeUndefined();
        const warnings = logged.filter((l) => l.includes('is unavailable'));
        expect(warnings).toHaveLength(1);
        expect(JSON.parse(warnings[0])).toMatchObject({ level: 40, ldapUrl: slapd.url });
        expect(logged.join('\n')).not.toContain(SERVICE_PASSWORD);
        expect(logged.join('\n')).not.toContain(ALICE.password);
      } finally {
        await slapd.restart();
      }
      expect(await realm.authenticate('alice', 'wrong')).toBeUndefined(); // asks the directory again (not cached)
      expect(logged.some((l) => l.includes('reachable again'))).toBe(true);
    } finally {
      await realm.close();
    }
  });

  it('gives up on a directory that does not answer after connectionTimeout, with one warning', async () => {
    logged.length = 0;
    const realm = new LdapRealm(() => settings({ connectionTimeout: 1, cacheTtl: 0 }), log);
    expect(await realm.authenticate('alice', ALICE.password)).toMatchObject({ userId: 'alice' }); // opens the shared connection
    slapd.pause();
    try {
      const started = Date.now();
      const results = await Promise.all([1, 2, 3].map(() => realm.authenticate('alice', ALICE.password)));
      expect(results).toEqual([undefined, undefined, undefined]);
      expect(Date.now() - started).toBeLessThan(5000); // the broken shared connection is retried once, then it is an outage
      const warnings = logged.filter((l) => l.includes('is unavailable'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/timed? ?out/i);
    } finally {
      slapd.resume();
    }
    expect(await realm.authenticate('alice', ALICE.password)).toMatchObject({ userId: 'alice' });
    await realm.close();
  });

  it('reports a wrong service password as an outage, and finds users in subtrees only when asked', async () => {
    logged.length = 0;
    const wrong = new LdapRealm(() => settings({ bindPassword: 'nope', cacheTtl: 0 }), log);
    expect(await wrong.authenticate('alice', ALICE.password)).toBeUndefined();
    expect(logged.join('\n')).toMatch(new RegExp(`bind as ${SERVICE_DN} failed: invalid credentials \\(LDAP result 49\\)`));
    expect(logged.join('\n')).not.toContain('nope');
    await wrong.close();
    // Anonymous searches: the anonymous bind works, but this directory hides ou=people from anonymous users,
    // which is a configuration problem worth the warning (not a wrong password).
    const anonymous = new LdapRealm(() => settings({ bindDn: undefined, bindPassword: undefined, cacheTtl: 0 }), log);
    expect(await anonymous.authenticate('alice', ALICE.password)).toBeUndefined();
    expect(logged.filter((l) => l.includes('is unavailable')).map((l) => JSON.parse(l).error)).toEqual([
      `bind as ${SERVICE_DN} failed: invalid credentials (LDAP result 49)`, 'search failed: no such object (LDAP result 32)',
    ]);
    await anonymous.close();
    const fromTop = new LdapRealm(() => settings({ userBaseDn: SUFFIX, cacheTtl: 0 }), log);
    expect(await fromTop.authenticate('alice', ALICE.password)).toBeUndefined();
    await fromTop.close();
    const subtree = new LdapRealm(() => settings({ userBaseDn: SUFFIX, userSubtree: true, cacheTtl: 0 }), log);
    expect(await subtree.authenticate('alice', ALICE.password)).toMatchObject({ userId: 'alice', roles: ['platform-dev'] });
    await subtree.close();
  });
});

/** Lines of a log file containing `text`, once at least one is there (the logger writes asynchronously). */
async function waitForLines(file: string, text: string): Promise<string[]> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const lines = (await readFile(file, 'utf8').catch(() => '')).split('\n').filter((l) => l.includes(text));
    if (lines.length || Date.now() > deadline) {
      await new Promise((r) => setTimeout(r, 300)); // room for a second line, which must not come
      return (await readFile(file, 'utf8')).split('\n').filter((l) => l.includes(text));
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

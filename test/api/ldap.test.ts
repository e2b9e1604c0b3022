// Contract tests of /service/rest/v1/security/ldap against a real slapd: Nexus's shapes, create then log in
// as an LDAP user with Basic, verify-connection's success and failures, the bind password never in a reply
// or an export, nx-ldap-* privileges, audit events, and persistence across a restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportConfig } from '../../src/config/reconcile.js';
import { TempDirs } from '../helpers/images.js';
import { SERVICE_DN, Slapd, SUFFIX } from '../helpers/slapd.js';
import { freePort, startWharf, type TestWharf } from '../helpers/wharf.js';
import { basic, restClient } from './client.js';

const SERVICE_PASSWORD = 'service-password-7';
const CAROL = { uid: 'carol', password: 'carol-password-1', groups: ['ldap-readers'] };

const dirs = new TempDirs();
let slapd: Slapd;
let wharf: TestWharf;
let api: ReturnType<typeof restClient>;
const reader = basic('lr', 'lr-pw');
const nobody = basic('np', 'np-pw');

/** The server as a Nexus client would create it (relative base DNs under searchBase). */
const server = (overrides: Record<string, unknown> = {}) => ({
  name: 'corp', protocol: 'ldap', host: '127.0.0.1', port: slapd.port, searchBase: SUFFIX,
  authScheme: 'SIMPLE', authUsername: SERVICE_DN, authPassword: SERVICE_PASSWORD,
  connectionTimeoutSeconds: 2, connectionRetryDelaySeconds: 300, maxIncidentsCount: 3,
  userBaseDn: 'ou=people', userSubtree: false, userObjectClass: 'inetOrgPerson', userIdAttribute: 'uid',
  userRealNameAttribute: 'cn', userEmailAddressAttribute: 'mail', ldapGroupsAsRoles: true, groupType: 'static',
  groupBaseDn: 'ou=groups', groupSubtree: false, groupObjectClass: 'groupOfNames', groupIdAttribute: 'cn',
  groupMemberAttribute: 'member', groupMemberFormat: '${dn}', cacheTtlSeconds: 0,
  ...overrides,
});

beforeAll(async () => {
  slapd = await Slapd.start(dirs, SERVICE_PASSWORD, [CAROL]);
  wharf = await startWharf({
    config: `
security:
  anonymous: { enabled: false }
  realms: [local, dockerToken, ldap]
  roles:
    - { id: ldap-reader, privileges: [nx-ldap-read] }
    - { id: ldap-readers, privileges: [nx-repository-view-*-*-browse, nx-repository-view-*-*-read] }
  users:
    - { userId: lr, password: lr-pw, roles: [ldap-reader] }
    - { userId: np, password: np-pw, roles: [] }
`,
  });
  api = restClient(wharf);
});

afterAll(async () => {
  await wharf?.stop();
  await slapd?.stop();
  await dirs.removeAll();
});

const carol = basic(CAROL.uid, CAROL.password);

describe('/security/ldap', () => {
  it('starts empty; creating it lets LDAP users log in with Basic at once', async () => {
    expect((await api('/security/ldap')).body).toEqual([]);
    expect((await api('/repositories', { auth: carol })).status).toBe(401);
    const created = await api('/security/ldap', { method: 'POST', body: server() });
    expect(created.status).toBe(201);
    expect((await api('/repositories', { auth: carol })).status).toBe(200);
    expect((await api('/repositories', { auth: basic(CAROL.uid, 'wrong') })).status).toBe(401);
  });

  it('reads it back in Nexus\'s shape, without the password', async () => {
    const list = await api('/security/ldap');
    expect(list.status).toBe(200);
    const { authPassword: _secret, ...expected } = server();
    expect(list.body).toEqual([{ id: 'corp', order: 0, useTrustStore: false, userMemberOfAttribute: '', ...expected }]);
    const one = await api('/security/ldap/corp');
    expect(one.body).toEqual(list.body[0]);
    expect(JSON.stringify([list.body, one.body])).not.toContain(SERVICE_PASSWORD);
    expect((await api('/security/ldap/other')).status).toBe(404);
  });

  it('refuses a second server, unsupported Nexus options and unknown fields, by field', async () => {
    const second = await api('/security/ldap', { method: 'POST', body: server({ name: 'second' }) });
    expect(second.status).toBe(400);
    const bad = await api('/security/ldap/corp', { method: 'PUT', body: server({ groupType: 'dynamic', userLdapFilter: '(x=1)', authPassword: undefined, port: slapd.port + 1 }) });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['authPassword', 'groupType', 'userLdapFilter']);
    const unknown = await api('/security/ldap/corp', { method: 'PUT', body: server({ colour: 'blue' }) });
    expect(unknown.status).toBe(400);
    expect(unknown.body.details).toEqual([{ field: 'colour', in: 'body', message: 'unknown field' }]);
  });

  it('updates without resending the password (same host), effective at once', async () => {
    const { authPassword: _kept, ...body } = server({ userIdAttribute: 'cn', cacheTtlSeconds: 0 });
    expect((await api('/security/ldap/corp', { method: 'PUT', body })).status).toBe(204);
    expect((await api('/security/ldap/corp')).body.userIdAttribute).toBe('cn');
    expect((await api('/repositories', { auth: carol })).status).toBe(200); // cn is carol too: the stored bind password still works
    const back = { ...body, userIdAttribute: 'uid' };
    expect((await api('/security/ldap/corp', { method: 'PUT', body: back })).status).toBe(204);
  });

  it('verify-connection binds with the given settings and saves nothing', async () => {
    const ok = await api('/security/ldap/verify-connection', { method: 'POST', body: server({ name: undefined }) });
    expect(ok.status).toBe(200);
    expect(ok.body.success).toBe(true);
    expect(ok.body.message).toContain(SERVICE_DN);
    const stored = await api('/security/ldap/verify-connection', { method: 'POST', body: server({ authPassword: undefined }) });
    expect(stored.body.success).toBe(true); // the stored password, same host

    const wrong = await api('/security/ldap/verify-connection', { method: 'POST', body: server({ authPassword: 'wrong-password' }) });
    expect(wrong.status).toBe(200);
    expect(wrong.body).toEqual({ success: false, message: expect.stringMatching(/invalid credentials/i) });

    const closed = await api('/security/ldap/verify-connection', { method: 'POST', body: server({ port: await freePort() }) });
    expect(closed.body.success).toBe(false);
    expect(closed.body.message).toMatch(/ECONNREFUSED|connect/i);

    const noBase = await api('/security/ldap/verify-connection', { method: 'POST', body: server({ userBaseDn: 'ou=nobody' }) });
    expect(noBase.body).toEqual({ success: false, message: expect.stringContaining(`ou=nobody,${SUFFIX}`) });

    // A different host must be given the password: the stored one is never sent elsewhere.
    const elsewhere = await api('/security/ldap/verify-connection', { method: 'POST', body: server({ authPassword: undefined, host: 'localhost' }) });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.details[0].field).toBe('authPassword');
    expect((await api('/security/ldap/corp')).body.port).toBe(slapd.port);
  });

  it('verify-user-mapping lists users with the groups (roles) they would get', async () => {
    const mapped = await api('/security/ldap/verify-user-mapping', { method: 'POST', body: server() });
    expect(mapped.status).toBe(200);
    expect(mapped.body).toEqual({ success: true, message: '1 user found', users: [
      { userId: 'carol', dn: `uid=carol,ou=people,${SUFFIX}`, name: 'carol', email: 'carol@example.org', groups: ['ldap-readers'] },
    ] });
    const down = await api('/security/ldap/verify-user-mapping', { method: 'POST', body: server({ port: await freePort() }) });
    expect(down.body).toMatchObject({ success: false, users: [] });
  });

  it('needs nx-ldap-read to read and nx-ldap-create/update/delete to change or test', async () => {
    expect((await api('/security/ldap', { auth: reader })).status).toBe(200);
    expect((await api('/security/ldap', { auth: nobody })).status).toBe(403);
    expect((await api('/security/ldap/corp', { auth: nobody })).status).toBe(403);
    expect((await api('/security/ldap/corp', { method: 'PUT', body: server(), auth: reader })).status).toBe(403);
    expect((await api('/security/ldap/corp', { method: 'DELETE', auth: reader })).status).toBe(403);
    expect((await api('/security/ldap/verify-connection', { method: 'POST', body: server(), auth: reader })).status).toBe(403);
    expect((await api('/security/ldap/verify-user-mapping', { method: 'POST', body: server(), auth: reader })).status).toBe(403);
    expect((await api('/security/ldap/change-order', { method: 'POST', body: ['corp'], auth: reader })).status).toBe(403);
    expect((await api('/security/ldap', { auth: null })).status).toBe(401);
  });

  it('change-order accepts the one server', async () => {
    expect((await api('/security/ldap/change-order', { method: 'POST', body: ['corp'] })).status).toBe(204);
    expect((await api('/security/ldap/change-order', { method: 'POST', body: ['corp', 'other'] })).status).toBe(400);
  });

  it('persists across a restart, shows in config export without the password, and is audited', async () => {
    await wharf.restart();
    expect((await api('/security/ldap/corp')).body.host).toBe('127.0.0.1');
    expect((await api('/repositories', { auth: carol })).status).toBe(200);
    const exported = await exportConfig(wharf.running.wharf);
    expect(exported.security?.ldap).toMatchObject({ url: slapd.url, bindDn: SERVICE_DN, userBaseDn: `ou=people,${SUFFIX}`, connectionTimeout: 2 });
    expect(JSON.stringify(exported)).not.toContain(SERVICE_PASSWORD);
    const audit = await api('/audit?domain=security.ldap');
    expect(audit.body.items.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['create', 'update']));
    expect(JSON.stringify(audit.body)).not.toContain(SERVICE_PASSWORD);
  });

  it('deletes it: LDAP users are refused at once and after a restart', async () => {
    expect((await api('/security/ldap/corp', { method: 'DELETE' })).status).toBe(204);
    expect((await api('/security/ldap')).body).toEqual([]);
    expect((await api('/repositories', { auth: carol })).status).toBe(401);
    await wharf.restart();
    expect((await api('/security/ldap')).body).toEqual([]);
    expect((await api('/repositories', { auth: carol })).status).toBe(401);
    expect((await api('/security/ldap/corp', { method: 'DELETE' })).status).toBe(404);
  });
});

// Contract tests of /service/rest/v1/security/anonymous and /security/realms: Nexus's shapes, validation,
// privileges nx-settings-read/update, the effect of a change, and that changes survive a restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWharf, type TestWharf } from '../helpers/wharf.js';
import { basic, restClient } from './client.js';

let wharf: TestWharf;
let api: ReturnType<typeof restClient>;
const settingsReader = basic('sr', 'sr-pw');

beforeAll(async () => {
  wharf = await startWharf({
    config: `
security:
  roles:
    - { id: settings-reader, privileges: [nx-settings-read] }
  users:
    - { userId: sr, password: sr-pw, roles: [settings-reader] }
`,
  });
  api = restClient(wharf);
});

afterAll(async () => {
  await wharf?.stop();
});

describe('/security/anonymous', () => {
  it('reads the setting in Nexus\'s shape', async () => {
    const res = await api('/security/anonymous');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ enabled: true, userId: 'anonymous', realmName: 'NexusAuthorizingRealm' });
  });

  it('turns anonymous access off and on, effective at once and after a restart', async () => {
    expect((await api('/repositories', { auth: null })).body.length).toBeGreaterThan(0);
    const off = await api('/security/anonymous', { method: 'PUT', body: { enabled: false, userId: 'anonymous', realmName: 'NexusAuthorizingRealm' } });
    expect(off.status).toBe(200);
    expect(off.body).toEqual({ enabled: false, userId: 'anonymous', realmName: 'NexusAuthorizingRealm' });
    expect((await api('/repositories', { auth: null })).body).toEqual([]);
    await wharf.restart();
    expect((await api('/security/anonymous')).body.enabled).toBe(false);
    expect((await api('/security/anonymous', { method: 'PUT', body: { enabled: true } })).body.enabled).toBe(true);
    expect((await api('/repositories', { auth: null })).body.length).toBeGreaterThan(0);
  });

  it('refuses another anonymous user id and a body without enabled (400)', async () => {
    const other = await api('/security/anonymous', { method: 'PUT', body: { enabled: true, userId: 'guest' } });
    expect(other.status).toBe(400);
    expect(other.body.details[0].field).toBe('userId');
    const missing = await api('/security/anonymous', { method: 'PUT', body: { userId: 'anonymous' } });
    expect(missing.status).toBe(400);
    expect(missing.body.details[0].field).toBe('enabled');
  });

  it('needs nx-settings-read to read and nx-settings-update to change', async () => {
    expect((await api('/security/anonymous', { auth: settingsReader })).status).toBe(200);
    expect((await api('/security/anonymous', { method: 'PUT', body: { enabled: false }, auth: settingsReader })).status).toBe(403);
    expect((await api('/security/anonymous', { auth: null })).status).toBe(401);
    expect((await api('/security/anonymous', { method: 'PUT', body: { enabled: false }, auth: null })).status).toBe(401);
    expect((await api('/security/anonymous')).body.enabled).toBe(true);
  });
});

describe('/security/realms', () => {
  it('lists the active realms and the available ones', async () => {
    expect((await api('/security/realms/active')).body).toEqual(['local', 'dockerToken']);
    expect((await api('/security/realms/available')).body).toEqual([
      { id: 'local', name: 'Local Authenticating Realm' },
      { id: 'dockerToken', name: 'Docker Bearer Token Realm' },
      { id: 'ldap', name: 'LDAP Realm' },
    ]);
  });

  it('replaces the active realms (204), effective at once and after a restart', async () => {
    expect((await api('/security/realms/active', { method: 'PUT', body: ['local'] })).status).toBe(204);
    expect((await api('/security/realms/active')).body).toEqual(['local']);
    // Without the dockerToken realm, /v2/token does not issue tokens.
    expect((await fetch(`${wharf.url}/v2/token?service=wharf`)).status).toBe(404);
    await wharf.restart();
    expect((await api('/security/realms/active')).body).toEqual(['local']);
    expect((await api('/security/realms/active', { method: 'PUT', body: ['local', 'dockerToken'] })).status).toBe(204);
    expect((await fetch(`${wharf.url}/v2/token?service=wharf`)).status).toBe(200);
  });

  it('refuses unknown realm ids, an empty list and duplicates (400)', async () => {
    const unknown = await api('/security/realms/active', { method: 'PUT', body: ['local', 'kerberos'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.details[0].field).toBe('1');
    expect((await api('/security/realms/active', { method: 'PUT', body: [] })).status).toBe(400);
    expect((await api('/security/realms/active', { method: 'PUT', body: ['local', 'local'] })).status).toBe(400);
    expect((await api('/security/realms/active', { method: 'PUT', body: { realms: ['local'] } })).status).toBe(400);
    expect((await api('/security/realms/active')).body).toEqual(['local', 'dockerToken']);
  });

  it('needs nx-settings-read to read and nx-settings-update to change', async () => {
    expect((await api('/security/realms/active', { auth: settingsReader })).status).toBe(200);
    expect((await api('/security/realms/available', { auth: settingsReader })).status).toBe(200);
    expect((await api('/security/realms/active', { method: 'PUT', body: ['local'], auth: settingsReader })).status).toBe(403);
    expect((await api('/security/realms/active', { auth: null })).status).toBe(401);
    expect((await api('/security/realms/active', { method: 'PUT', body: ['local'], auth: null })).status).toBe(401);
  });
});

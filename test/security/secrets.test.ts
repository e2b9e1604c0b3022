// No password, token or other secret ever appears in a log line, an error message, an API response (other
// than the one reply that hands a new token out) or the audit trail: a server logging at debug level gets
// wrong and right passwords, API tokens (as Basic password and as Bearer), Docker tokens, bad tokens, an LDAP
// realm that is down, and password changes; then wharf.log, audit.log and every reply are scanned.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, restClient } from '../api/client.js';
import { freePort, startWharf, type TestWharf } from '../helpers/wharf.js';

const SECRETS = {
  ciPassword: 'ci-Pw-1f0c9e5a',
  wrongPassword: 'wrong-Pw-7c2d41b8',
  wrongLdapPassword: 'wrong-Ldap-Pw-5e93a0d2',
  ldapBindPassword: 'bind-Pw-0a8f6c3e',
  newPassword: 'new-Pw-3b7e91c4',
  newUserPassword: 'user-Pw-92d4e6f1',
  fakeToken: 'wharf_00000000-0000-4000-8000-000000000000_fakeFakeFakeFakeFakeFakeFakeFake1234',
};

let t: TestWharf;
let api: ReturnType<typeof restClient>;
/** Secrets learnt during the test: the API token and a Docker token. */
const issued: string[] = [];
/** Bodies and headers of every reply that must not carry a secret. */
const replies: string[] = [];

async function call(path: string, authorization?: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(`${t.url}${path}`, { ...init, headers: { ...(authorization ? { authorization } : {}), ...(init.headers as Record<string, string>) } });
  replies.push(`${res.status} ${JSON.stringify([...res.headers])} ${await res.clone().text()}`);
  return res;
}

beforeAll(async () => {
  const closedPort = await freePort(); // nothing listens: the LDAP realm is down
  t = await startWharf({
    config: `
security:
  realms: [local, dockerToken, ldap]
  ldap:
    url: "ldap://127.0.0.1:${closedPort}"
    bindDn: "cn=wharf,dc=example,dc=org"
    bindPassword: "\${LDAP_PW}"
    userBaseDn: "ou=people,dc=example,dc=org"
    groupBaseDn: "ou=groups,dc=example,dc=org"
    connectionTimeout: 1
  users:
    - { userId: ci, password: "\${CI_PW}", roles: [nx-admin] }
`,
    env: { WHARF_LOG_LEVEL: 'debug', CI_PW: SECRETS.ciPassword, LDAP_PW: SECRETS.ldapBindPassword },
  });
  api = restClient(t);
});

afterAll(async () => {
  await t?.stop();
});

describe('secrets', () => {
  it('never reach a log line, an error message, an API reply or the audit trail', async () => {
    const ci = basic('ci', SECRETS.ciPassword);
    // Wrong passwords: local user, unknown user (tried against the LDAP realm, which is down), token endpoint.
    expect((await call('/v2/', basic('ci', SECRETS.wrongPassword))).status).toBe(401);
    expect((await call('/service/rest/v1/security/users', basic('ci', SECRETS.wrongPassword))).status).toBe(401);
    expect((await call('/v2/token?service=wharf&scope=repository:docker-hosted/app:pull', basic('ci', SECRETS.wrongPassword))).status).toBe(401);
    expect((await call('/v2/', basic('someone', SECRETS.wrongLdapPassword))).status).toBe(401);
    // The right password.
    expect((await call('/v2/', ci)).status).toBe(200);
    expect((await call('/service/rest/v1/security/users', ci)).status).toBe(200);

    // An API token: created (its one reply is not scanned), then used as Basic password and as Bearer.
    const created = await fetch(`${t.url}/service/rest/v1/security/user-tokens`, {
      method: 'POST', headers: { authorization: ci, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'ci' }),
    });
    expect(created.status).toBe(201);
    const token = ((await created.json()) as { token: string }).token;
    issued.push(token, token.split('_')[2]);
    expect((await call('/v2/', basic('ci', token))).status).toBe(200);
    expect((await call('/service/rest/v1/security/users', `Bearer ${token}`)).status).toBe(200);
    expect((await call('/service/rest/v1/security/user-tokens', `Bearer ${token}`)).status).toBe(200);
    // Wrong tokens: a made-up one, and a real one for another user name.
    expect((await call('/v2/', `Bearer ${SECRETS.fakeToken}`)).status).toBe(401);
    expect((await call('/service/rest/v1/security/users', basic('ci', SECRETS.fakeToken))).status).toBe(401);
    expect((await call('/v2/', basic('admin', token))).status).toBe(401);

    // A Docker token: issued (reply not scanned), used, tampered with.
    const tokenReply = await fetch(`${t.url}/v2/token?service=wharf&scope=registry:catalog:*`, { headers: { authorization: ci } });
    const dockerToken = ((await tokenReply.json()) as { token: string }).token;
    issued.push(dockerToken);
    expect((await call('/v2/_catalog', `Bearer ${dockerToken}`)).status).toBe(200);
    expect((await call('/v2/_catalog', `Bearer ${dockerToken}x`)).status).toBe(401);
    expect((await call('/service/rest/v1/security/users', `Bearer ${dockerToken}`)).status).toBe(401);

    // Password changes and a new user through the REST API.
    expect((await call('/service/rest/v1/security/users/ci/change-password', ci, { method: 'PUT', body: SECRETS.newPassword, headers: { 'content-type': 'text/plain' } })).status).toBe(204);
    expect((await call('/service/rest/v1/security/users', basic('ci', SECRETS.newPassword), {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'dana', firstName: 'D', lastName: 'E', emailAddress: 'd@example.org', password: SECRETS.newUserPassword, roles: [] }),
    })).status).toBe(200);
    expect((await call('/service/rest/v1/security/users', basic('ci', SECRETS.newPassword))).status).toBe(200);

    const audit = await api('/audit?limit=1000');
    expect(audit.status).toBe(200);
    expect(audit.body.items.some((e: { type: string }) => e.type === 'login-failed')).toBe(true);
    replies.push(JSON.stringify(audit.body));

    // The end marker: once its request line is in wharf.log, everything before it is too.
    expect((await call('/service/rest/v1/status?end-of-secrets-test')).status).toBe(200);
    const log = await readWhenContains(join(t.dataDir, 'log', 'wharf.log'), 'end-of-secrets-test');
    expect(log).toContain('"msg":"request"'); // info lines (every request) are in the scan, and debug ones if any
    expect(log).toContain('login failed');
    await t.stop();
    const auditLog = readFileSync(join(t.dataDir, 'log', 'audit.log'), 'utf8');
    expect(auditLog).toContain('login-failed');

    const forbidden = [...Object.values(SECRETS), ...issued, Buffer.from(`ci:${SECRETS.ciPassword}`).toString('base64')];
    for (const [where, text] of [['wharf.log', log], ['audit.log', auditLog], ['replies', replies.join('\n')]] as const) {
      for (const secret of forbidden) expect(text.includes(secret), `${where} contains ${secret.slice(0, 12)}…`).toBe(false);
    }
  });
});

async function readWhenContains(file: string, marker: string): Promise<string> {
  let text = '';
  for (let i = 0; i < 100 && !text.includes(marker); i++) {
    text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (!text.includes(marker)) await new Promise((r) => setTimeout(r, 20));
  }
  expect(text).toContain(marker);
  return text;
}

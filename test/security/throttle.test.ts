// Failed-login throttling over real HTTP: after the limit of failures for a user name or an address, further
// attempts get 429 (OCI TOOMANYREQUESTS on /v2, { message } on REST) with Retry-After, without a password
// check; one warn line and one audit event per block; successes do not count; the block expires. Limits are
// lowered through the running server's throttle so the test takes seconds, not minutes.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, restClient } from '../api/client.js';
import { expectOciError, v2 } from '../helpers/registry.js';
import { adminAuth, startWharf, type TestWharf } from '../helpers/wharf.js';

const BACKOFF_MS = 1000;
const WINDOW_MS = 2000;
let t: TestWharf;
let api: ReturnType<typeof restClient>;

const ALICE = basic('alice', 'alice-password-1');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  t = await startWharf({
    config: `
security:
  users:
    - { userId: alice, password: alice-password-1, roles: [nx-admin] }
    - { userId: bob, password: bob-password-1, roles: [nx-admin] }
`,
  });
  t.running.wharf.loginGuard.throttle.configure({ userLimit: 3, addressLimit: 8, windowMs: WINDOW_MS, backoffMs: BACKOFF_MS });
  api = restClient(t);
});

afterAll(async () => {
  await t?.stop();
});

/** The lines of wharf.log containing `text`, once the asynchronous log stream has written them. */
async function logLines(text: string, atLeast: number): Promise<string[]> {
  const file = join(t.dataDir, 'log', 'wharf.log');
  let lines: string[] = [];
  for (let i = 0; i < 50; i++) {
    lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l.includes(text)) : [];
    if (lines.length >= atLeast) break;
    await sleep(20);
  }
  return lines;
}

async function loginEvents(object: string): Promise<{ type: string; userId: string }[]> {
  const res = await api(`/audit?domain=security.login&object=${object}`);
  expect(res.status).toBe(200);
  return res.body.items;
}

describe('failed-login throttling', () => {
  it('blocks a user name after the limit, even with the right password, and lets it in after the back-off', async () => {
    for (let i = 0; i < 3; i++) expect((await v2(t, '', { headers: { authorization: basic('alice', `wrong-${i}`) } })).status).toBe(401);

    const refused = await v2(t, '', { headers: { authorization: ALICE } });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    await expectOciError(refused, 429, 'TOOMANYREQUESTS');
    const rest = await api('/security/users', { auth: ALICE });
    expect(rest.status).toBe(429);
    expect(rest.body.message).toMatch(/too many failed logins/);
    expect(rest.headers.get('retry-after')).toBeTruthy();
    // The token endpoint is a login too.
    expect((await v2(t, 'token?service=wharf', { headers: { authorization: ALICE } })).status).toBe(429);
    // Other names from the same address are not affected (the address is below its limit).
    expect((await v2(t, '', { headers: { authorization: basic('bob', 'bob-password-1') } })).status).toBe(200);

    // One warn line and one block event, however many attempts were refused; refused attempts are not failures.
    expect(await logLines('too many failed logins for user alice', 1)).toHaveLength(1);
    const recorded = (await loginEvents('alice')).map((e) => e.type);
    expect(recorded).toEqual(['login-blocked', 'login-failed', 'login-failed', 'login-failed']);

    await sleep(BACKOFF_MS + 100);
    expect((await v2(t, '', { headers: { authorization: ALICE } })).status).toBe(200);
  });

  it('does not count successful logins', async () => {
    for (let i = 0; i < 10; i++) expect((await v2(t, '', { headers: { authorization: basic('bob', 'bob-password-1') } })).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await v2(t, '', { headers: { authorization: basic('bob', 'nope') } })).status).toBe(401);
    expect((await v2(t, '', { headers: { authorization: basic('bob', 'bob-password-1') } })).status).toBe(200);
  });

  it('blocks an address after the limit of failures under any names or bad tokens; anonymous requests still work', async () => {
    t.running.wharf.loginGuard.throttle.configure({ userLimit: 100, addressLimit: 4 });
    await sleep(WINDOW_MS + 100); // a fresh window: the earlier failures from 127.0.0.1 no longer count
    const names = ['x1', 'x2', 'x3'];
    for (const n of names) await v2(t, '', { headers: { authorization: basic(n, 'wrong') } });
    expect((await v2(t, '', { headers: { authorization: 'Bearer wharf-not-a-token' } })).status).toBe(401);

    await expectOciError(await v2(t, '', { headers: { authorization: adminAuth } }), 429, 'TOOMANYREQUESTS');
    expect((await v2(t, '', { headers: { authorization: 'Bearer anything' } })).status).toBe(429);
    expect((await fetch(`${t.url}/service/rest/v1/status`)).status).toBe(200);
    expect(await logLines('too many failed logins for address 127.0.0.1', 1)).toHaveLength(1);

    await sleep(BACKOFF_MS + 100);
    expect((await v2(t, '', { headers: { authorization: adminAuth } })).status).toBe(200);
  });
});

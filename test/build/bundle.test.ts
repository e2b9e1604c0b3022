// The built CLI (bin/wharf.js -> dist/bundle/, scripts/build.mjs), run as `wharf serve`: what only the bundle
// can get wrong. The other tests run src/ in-process, so a chunk loaded on first use (undici, for a proxy), a
// package that finds its files through __dirname (the Swagger UI) or the schema compilers loaded on first use
// (http/lazy-schemas.ts) could break in the bundle alone. `npm test` builds the bundle before the tests run.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startWharf, type TestWharf } from '../helpers/wharf.js';
import { spawnWharf, type WharfProcess } from '../helpers/wharf-process.js';

const auth = { authorization: `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}` };
let upstream: TestWharf; // an in-process Wharf with a raw hosted repository: the proxy's upstream
let built: WharfProcess;

beforeAll(async () => {
  upstream = await startWharf({ config: 'repositories:\n  - { name: files, format: raw, type: hosted }\n' });
  built = await spawnWharf();
  writeFileSync(join(built.dataDir, 'wharf.yaml'), [
    'repositories:',
    '  - name: mirror',
    '    format: raw',
    '    type: proxy',
    `    proxy: { remoteUrl: "${upstream.url}/repository/files/" }`,
    '',
  ].join('\n'));
  await built.start();
});

afterAll(async () => {
  await built?.stop();
  await upstream?.stop();
});

describe('the bundled server', () => {
  it('fetches through a proxy repository (the HTTP client is a chunk loaded on first use)', async () => {
    const body = randomBytes(3 * 1024 * 1024 + 5);
    expect((await fetch(`${upstream.url}/repository/files/tool/1.0/tool.bin`, { method: 'PUT', body, headers: auth })).status).toBe(201);
    for (let i = 0; i < 2; i++) { // cold from the upstream, then from the cache
      const res = await fetch(`${built.url}/repository/mirror/tool/1.0/tool.bin`);
      expect(res.status, built.output()).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(body)).toBe(true);
    }
  });

  it('validates REST bodies with the schema compilers loaded on first use', async () => {
    const res = await fetch(`${built.url}/service/rest/v1/security/users`, {
      method: 'POST', body: JSON.stringify({ firstName: 'x' }), headers: { ...auth, 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect((await res.json()).message).toMatch(/userId/);
    const users = await (await fetch(`${built.url}/service/rest/v1/security/users`, { headers: auth })).json();
    expect(users).toEqual(expect.arrayContaining([expect.objectContaining({ userId: 'admin' })]));
  });

  it('serves the OpenAPI document and the Swagger UI with its static files', async () => {
    const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
    const doc = await (await fetch(`${built.url}/service/rest/openapi.json`)).json();
    expect(doc.info.version).toBe(version);
    const page = await fetch(`${built.url}/service/rest/docs/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('swagger-ui-bundle.js');
    const script = await fetch(`${built.url}/service/rest/docs/static/swagger-ui-bundle.js`);
    expect(script.status).toBe(200);
    expect((await script.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
  });
});

// The OpenAPI document: valid OpenAPI 3, complete (every /service/rest/v1 route the server has is in it, and
// nothing else), every operation described with examples; and the docs page works with no external assets.
import { validate, compileErrors } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWharf, type TestWharf } from '../helpers/wharf.js';

let wharf: TestWharf;
let doc: { openapi: string; paths: Record<string, Record<string, { description?: string; summary?: string }>> };

beforeAll(async () => {
  wharf = await startWharf();
  const res = await fetch(`${wharf.url}/service/rest/openapi.json`);
  expect(res.status).toBe(200);
  doc = await res.json();
});

afterAll(async () => {
  await wharf?.stop();
});

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/** "METHOD /path/{param}" for every route of the server's printRoutes tree (HEAD left out: Fastify adds it to GET). */
function serverRoutes(tree: string): string[] {
  const stack: string[] = [];
  const routes: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([│ ]*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1].length / 4;
    stack.length = depth;
    stack.push(m[2]);
    const path = stack.join('').replace(/\/+/g, '/').replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    for (const method of (m[3] ?? '').split(', ').filter((x) => x && x !== 'HEAD')) routes.push(`${method} ${path}`);
  }
  return routes;
}

describe('OpenAPI document', () => {
  it('is valid OpenAPI 3', async () => {
    expect(doc.openapi).toMatch(/^3\./);
    const result = await validate(structuredClone(doc) as never);
    if (!result.valid) throw new Error(compileErrors(result));
    expect(result.valid).toBe(true);
  });

  it('lists exactly the /service/rest/v1 routes the server has', () => {
    const inServer = serverRoutes(wharf.running.apps[0].printRoutes({ commonPrefix: false }))
      .filter((r) => r.split(' ')[1].startsWith('/service/rest/v1/')).sort();
    const inDoc = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).filter((m) => METHODS.includes(m)).map((m) => `${m.toUpperCase()} ${path}`)).sort();
    expect(inServer).toContain('POST /service/rest/v1/security/users');
    expect(inServer).toContain('PUT /service/rest/v1/security/users/{userId}/change-password');
    expect(inDoc).toEqual(inServer);
    for (const path of Object.keys(doc.paths)) expect(path).toMatch(/^\/service\/rest\/v1\//);
  });

  it('describes every operation, with examples', () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (!METHODS.includes(method)) continue;
        expect(op.description, `${method} ${path}`).toBeTruthy();
        expect(op.summary, `${method} ${path}`).toBeTruthy();
        expect(JSON.stringify(op), `${method} ${path} has an example`).toMatch(/"examples?":/);
      }
    }
  });

  it('documents request bodies and error responses', () => {
    const create = doc.paths['/service/rest/v1/security/users'].post as never as {
      requestBody: { content: Record<string, { schema: { required: string[] } }> }; responses: Record<string, unknown>;
    };
    expect(create.requestBody.content['application/json'].schema.required).toEqual(expect.arrayContaining(['userId', 'password']));
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '409']));
    const changePassword = doc.paths['/service/rest/v1/security/users/{userId}/change-password'].put as never as { requestBody: { content: Record<string, unknown> } };
    expect(Object.keys(changePassword.requestBody.content)).toEqual(['text/plain']);
  });
});

describe('docs page', () => {
  it('serves Swagger UI whose assets all come from this server', async () => {
    const page = await fetch(`${wharf.url}/service/rest/docs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(assets.length).toBeGreaterThan(3);
    for (const asset of assets) {
      const res = await fetch(new URL(asset, `${wharf.url}/service/rest/docs`));
      expect(res.status, asset).toBe(200);
      await res.arrayBuffer();
    }
    // The page loads the document relative to itself (docs/json): the same document.
    expect(await (await fetch(`${wharf.url}/service/rest/docs/json`)).json()).toEqual(doc);
  });

  it('answers unknown REST paths with a JSON 404', async () => {
    const res = await fetch(`${wharf.url}/service/rest/v1/no-such-thing`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ message: 'no such endpoint: GET /service/rest/v1/no-such-thing' });
  });
});

import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { startWharf, type TestWharf } from '../../test/helpers/wharf.js';
import { compileAll, lazyCompilers, pendingCount } from './lazy-schemas.js';

describe('lazy schema compilers', () => {
  let wharf: TestWharf | undefined;
  afterAll(() => wharf?.stop());

  it('compile on first use and behave as Fastify\'s own: errors, coercion, defaults, response filtering', async () => {
    const app = Fastify({ schemaController: { compilersFactory: lazyCompilers } });
    app.post('/things', {
      schema: {
        querystring: { type: 'object', properties: { n: { type: 'integer' } } },
        body: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, kind: { type: 'string', default: 'plain' } } },
        response: { 200: { type: 'object', properties: { name: { type: 'string' }, kind: { type: 'string' }, n: { type: 'integer' } } } },
      },
    }, async (request) => ({ ...(request.body as object), n: (request.query as { n: number }).n, secret: 'not in the schema' }));
    await app.ready();
    const before = pendingCount();
    expect(before).toBeGreaterThanOrEqual(3); // querystring, body, response: none compiled yet

    const bad = await app.inject({ method: 'POST', url: '/things', payload: { kind: 'x' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toBe("body must have required property 'name'");
    const wrongType = await app.inject({ method: 'POST', url: '/things?n=many', payload: { name: 'a' } });
    expect(wrongType.json().message).toBe('querystring/n must be integer');

    const good = await app.inject({ method: 'POST', url: '/things?n=5', payload: { name: 'a' } });
    expect(good.statusCode).toBe(200);
    expect(good.json()).toEqual({ name: 'a', kind: 'plain', n: 5 }); // coerced, defaulted, `secret` dropped
    expect(pendingCount()).toBe(before - 3);
    await app.close();
  });

  it('build every schema of a running server', async () => {
    wharf = await startWharf();
    expect(pendingCount()).toBeGreaterThan(20); // the REST API's, left for their first request
    compileAll(); // throws on a schema ajv or fast-json-stringify refuses
    expect(pendingCount()).toBe(0);
  });
});

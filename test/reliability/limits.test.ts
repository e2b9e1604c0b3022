// Limits over real sockets: a client that sends its headers one byte a second (slow loris) is cut off, oversized
// headers get 431, oversized manifests and REST bodies get 413 in their format's error shape, and the server
// keeps answering throughout.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTTP_LIMITS } from '../../src/http/server.js';
import { expectOciError, putManifest, v2 } from '../helpers/registry.js';
import { blob } from '../helpers/oci.js';
import { adminAuth, startWharf, type TestWharf } from '../helpers/wharf.js';

let wharf: TestWharf;

beforeAll(async () => {
  wharf = await startWharf();
});

afterAll(async () => {
  await wharf?.stop();
});

const alive = async () => expect((await fetch(`${wharf.url}/service/rest/v1/status`)).status).toBe(200);

/** Opens a socket and drips `text` into it one byte per `everyMs`; resolves with what the server answered
 *  and how long the socket stayed open (or rejects after `giveUpMs`). */
function drip(text: string, everyMs: number, giveUpMs: number): Promise<{ answer: string; openMs: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(wharf.port, '127.0.0.1');
    let answer = '';
    let i = 0;
    const timer = setInterval(() => {
      if (i < text.length && !socket.destroyed) socket.write(text[i++]);
    }, everyMs);
    const giveUp = setTimeout(() => { socket.destroy(); reject(new Error(`still connected after ${giveUpMs} ms`)); }, giveUpMs);
    socket.on('data', (d) => { answer += d.toString(); });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve({ answer, openMs: Date.now() - started });
    });
  });
}

describe('limits', { timeout: 90_000 }, () => {
  it(`cuts off a client that sends its headers one byte a second after about ${HTTP_LIMITS.headersTimeout / 1000} s`, async () => {
    const headers = `GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${adminAuth}\r\n${'X-Slow: loris\r\n'.repeat(10)}\r\n`;
    const slow = [drip(headers, 1_000, 45_000), drip(headers, 1_000, 45_000), drip(headers, 1_000, 45_000)];
    await alive(); // the other clients are served meanwhile
    for (const { answer, openMs } of await Promise.all(slow)) {
      expect(openMs).toBeGreaterThanOrEqual(HTTP_LIMITS.headersTimeout - 1_000);
      expect(openMs).toBeLessThan(HTTP_LIMITS.headersTimeout + 5_000);
      expect(answer).toMatch(/^(HTTP\/1\.1 408|$)/);
    }
    await alive();
  });

  it('answers 431 to headers over the size limit and keeps serving', async () => {
    const res = await fetch(`${wharf.url}/v2/`, { headers: { 'x-big': 'a'.repeat(HTTP_LIMITS.maxHeaderSize + 1) } });
    expect(res.status).toBe(431);
    const many = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`x-h${i}`, 'value']));
    expect((await fetch(`${wharf.url}/service/rest/v1/status`, { headers: many })).status).toBe(431);
    await alive();
  });

  it('refuses a manifest over 4 MiB with 413 in the OCI shape, without reading it all', async () => {
    const huge = blob(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', pad: 'x'.repeat(5 * 1024 * 1024) }));
    const res = await putManifest(wharf, 'docker-hosted/huge', 'v1', huge);
    await expectOciError(res, 413, 'SIZE_INVALID');
    await alive();
  });

  it('refuses a REST body over the body limit with 413 { message }', async () => {
    const res = await fetch(`${wharf.url}/service/rest/v1/security/users`, {
      method: 'POST', headers: { authorization: adminAuth, 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'big', pad: 'x'.repeat(17 * 1024 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ message: expect.any(String) });
    await alive();
  });

  it('answers 400 to a deeply nested REST body instead of overflowing the stack', async () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const res = await fetch(`${wharf.url}/service/rest/v1/security/roles`, {
      method: 'POST', headers: { authorization: adminAuth, 'content-type': 'application/json' }, body: deep,
    });
    expect(res.status).toBe(400);
    const manifest = await v2(wharf, 'docker-hosted/deep/manifests/v1', { method: 'PUT', body: `{"a":${deep}}`, headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' } });
    expect(manifest.status).toBe(400);
    await alive();
  });
});

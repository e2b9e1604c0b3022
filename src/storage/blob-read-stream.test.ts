import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobReadStream } from './blob-read-stream.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('BlobReadStream', () => {
  let dir: string;
  let app: FastifyInstance;
  let base: string;
  const files: Buffer[] = [];
  const streams: BlobReadStream[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wharf-read-'));
    // Sizes around the 1 MiB chunk: not a multiple, exactly one, several, and empty.
    for (const size of [3.5 * 2 ** 20 + 17, 2 ** 20, 5 * 2 ** 20 + 1, 0, 10]) files.push(randomBytes(size));
    files.forEach((bytes, i) => writeFileSync(join(dir, String(i)), bytes));
    app = Fastify();
    // Served the way the blob handlers do: reply.send(stream), which pipes it into the response.
    app.get<{ Params: { n: string }; Querystring: { start?: string; end?: string } }>('/:n', async (req, reply) => {
      const handle = await open(join(dir, req.params.n), 'r');
      const { start, end } = req.query;
      const stream = new BlobReadStream(handle, Number(start ?? 0), end === undefined ? Infinity : Number(end));
      streams.push(stream);
      return reply.type('application/octet-stream').send(stream);
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = async (path: string) => Buffer.from(await (await fetch(base + path)).arrayBuffer());

  it('serves whole files and byte ranges into concurrent HTTP responses, reusing buffers without mixing them', async () => {
    const wanted = [
      ...files.map((bytes, i) => [`/${i}`, bytes] as const),
      [`/0?start=1000&end=${2 ** 20 + 5000}`, files[0].subarray(1000, 2 ** 20 + 5000)] as const,
      [`/2?start=${3 * 2 ** 20 - 1}&end=${3 * 2 ** 20 + 1}`, files[2].subarray(3 * 2 ** 20 - 1, 3 * 2 ** 20 + 1)] as const,
    ];
    // Twice each, all at once, so responses share the buffer pool while others are in flight.
    const got = await Promise.all([...wanted, ...wanted].map(([path]) => get(path)));
    got.forEach((bytes, i) => {
      const want = wanted[i % wanted.length][1];
      expect(bytes.length).toBe(want.length);
      expect(sha(bytes)).toBe(sha(want));
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(streams.every((s) => s.destroyed)).toBe(true); // ended, and so closed their files
  });

  it('gives other consumers fresh buffers they may keep', async () => {
    const stream = new BlobReadStream(await open(join(dir, '2'), 'r'), 10, Infinity);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    expect(chunks.length).toBeGreaterThan(2);
    expect(new Set(chunks.map((c) => c.buffer)).size).toBe(chunks.length);
    expect(sha(Buffer.concat(chunks))).toBe(sha(files[2].subarray(10)));
  });

  it('stops reading and closes the file when the client goes away', async () => {
    streams.length = 0;
    await new Promise<void>((resolve, reject) => {
      const req = request(`${base}/2`, (res) => {
        res.once('data', () => {
          req.destroy(); // after the first chunk of five
          resolve();
        });
      });
      req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(e)));
      req.end();
    });
    await expect.poll(() => streams[0]?.destroyed, { timeout: 2000 }).toBe(true);
  });
});

// A refused upload answers with its reason, promptly, to a client still sending the body: the rest of a body of
// modest size is read and dropped first (else clients report a broken pipe), even when the store refused before
// reading any of it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v2 } from '../helpers/registry.js';
import { startWharf, type TestWharf } from '../helpers/wharf.js';

let t: TestWharf;

beforeAll(async () => {
  t = await startWharf();
});

afterAll(async () => {
  await t?.stop();
});

describe('refused uploads', () => {
  it('answers a PATCH with an 8 MiB body to an unknown upload with BLOB_UPLOAD_UNKNOWN at once', async () => {
    const started = Date.now();
    const res = await v2(t, 'docker-hosted/team/app/blobs/uploads/00000000-0000-4000-8000-000000000000', {
      method: 'PATCH', body: Buffer.alloc(8 * 1024 * 1024, 1), headers: { 'content-type': 'application/octet-stream' },
    });
    expect(res.status).toBe(404);
    expect((await res.json()).errors[0].code).toBe('BLOB_UPLOAD_UNKNOWN');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

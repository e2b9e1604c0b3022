// The hosted Docker tests of the file store, again on an S3 blob store: the same test files (push with every
// upload style, pull with ranges, real skopeo/podman clients), with `default` redefined as an S3 store on a
// local s3rver, each server under its own key prefix.
import { afterAll, expect, it } from 'vitest';
import { startS3 } from '../helpers/s3.js';
import { testBlobStores } from '../helpers/wharf.js';

const s3 = await startS3();
let servers = 0;
testBlobStores.yaml = () => `blobStores:\n  - ${s3.blobStoreYaml('default', `server-${++servers}`)}`;
afterAll(() => s3.stop());

await import('../docker/push.test.js');
await import('../docker/pull.test.js');
await import('../docker/clients.test.js');

it('kept the blobs of those tests in the S3 bucket', async () => {
  const { readdir } = await import('node:fs/promises');
  expect(servers).toBeGreaterThanOrEqual(3);
  expect((await readdir(`${s3.dir}/${s3.bucket}`)).some((d) => d.startsWith('server-'))).toBe(true);
});

// A real S3-compatible server for tests: s3rver (see docs/decisions/s3-test-server.md) in a child process,
// on 127.0.0.1 with an ephemeral port, its objects in a temp directory, one bucket created at start.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** s3rver's built-in account (it checks signatures against it). */
export const S3_ACCESS_KEY = 'S3RVER';
export const S3_SECRET_KEY = 'S3RVER';

export interface TestS3 {
  endpoint: string;
  bucket: string;
  /** Where s3rver keeps buckets and objects (`<dir>/<bucket>/...`). */
  dir: string;
  /** Settings of an S3 blob store on this server, as wharf.yaml and the S3BlobStore take them. */
  blobStore(name: string, prefix?: string): Record<string, unknown>;
  /** The same as a one-line YAML flow mapping. */
  blobStoreYaml(name: string, prefix?: string, extra?: string): string;
  stop(): Promise<void>;
}

const require = createRequire(import.meta.url);

export async function startS3(bucket = 'wharf'): Promise<TestS3> {
  const dir = await mkdtemp(join(tmpdir(), 'wharf-s3-'));
  const bin = join(dirname(require.resolve('s3rver/package.json')), 'bin', 's3rver.js');
  const child = spawn(process.execPath, [bin, '-d', dir, '-a', '127.0.0.1', '-p', '0', '--silent', '--no-vhost-buckets', '--configure-bucket', bucket], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const endpoint = await listening(child);
  const settings = (name: string, prefix = '') => ({
    name, type: 's3', bucket, region: 'us-east-1', endpoint, forcePathStyle: true, prefix,
    accessKeyId: S3_ACCESS_KEY, secretAccessKey: S3_SECRET_KEY,
  });
  return {
    endpoint, bucket, dir,
    blobStore: settings,
    blobStoreYaml(name, prefix = '', extra = '') {
      const s = settings(name, prefix);
      return `{ name: ${name}, type: s3, bucket: ${bucket}, region: us-east-1, endpoint: "${endpoint}", forcePathStyle: true, `
        + `prefix: "${s.prefix}", accessKeyId: ${S3_ACCESS_KEY}, secretAccessKey: ${S3_SECRET_KEY}${extra ? `, ${extra}` : ''} }`;
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves with the endpoint once s3rver prints "S3rver listening on <address>:<port>"; rejects if it exits first. */
function listening(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(new Error(`s3rver did not start within 20 s\n${out}${err}`)), 20_000);
    const fail = (e: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(e);
    };
    child.stderr!.on('data', (d) => (err += d));
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /S3rver listening on ([\d.]+):(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(`http://${m[1]}:${m[2]}`);
      }
    });
    child.once('exit', (code) => fail(new Error(`s3rver exited with ${code}\n${out}${err}`)));
  });
}

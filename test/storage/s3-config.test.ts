// Blob store entries of wharf.yaml: the flat S3 form of DESIGN.md 1.4 and Nexus's REST form give the same store,
// ${ENV} secrets, sizes such as 500GB, enum case, and the messages for what is wrong; export leaves secrets out.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkConfig, ConfigError } from '../../src/config/load.js';
import { exportedBlobStore } from '../../src/config/blob-store-schema.js';
import { parseSize } from '../../src/storage/blob-quota.js';

const check = (yaml: string, env: Record<string, string> = {}) => checkConfig(parse(yaml), 'wharf.yaml', env);

function problems(yaml: string, env: Record<string, string> = {}): string[] {
  try {
    check(yaml, env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${p.key}: ${p.reason}`);
    throw e;
  }
  return [];
}

describe('S3 blob store entries', () => {
  it('reads the flat form with ${ENV} secrets and a 500GB soft quota', () => {
    const config = check(`
blobStores:
  - { name: releases, type: S3, bucket: wharf, region: us-east-1, endpoint: "\${S3_ENDPOINT}", prefix: rel, forcePathStyle: true,
      accessKeyId: AKIA1, secretAccessKey: "\${S3_SECRET}", softQuota: { type: SpaceUsedQuota, limit: 500GB }, hardQuota: { type: spaceUsedQuota, limit: 1.5 TiB } }
`, { S3_ENDPOINT: 'http://127.0.0.1:9000', S3_SECRET: 'shh' });
    expect(config.blobStores).toEqual([{
      name: 'releases', type: 's3', bucket: 'wharf', region: 'us-east-1', endpoint: 'http://127.0.0.1:9000', prefix: 'rel', forcePathStyle: true,
      accessKeyId: 'AKIA1', secretAccessKey: 'shh',
      softQuota: { type: 'spaceUsedQuota', limit: 500 * 1024 ** 3 }, hardQuota: { type: 'spaceUsedQuota', limit: 1.5 * 1024 ** 4 },
    }]);
    expect(exportedBlobStore(config.blobStores![0])).not.toHaveProperty('secretAccessKey');
  });

  it('reads Nexus\'s REST form (bucketConfiguration) into the same flat entry', () => {
    const config = check(`
blobStores:
  - name: releases
    type: s3
    softQuota: { type: spaceUsedQuota, limit: 1000 }
    bucketConfiguration:
      bucket: { name: wharf, region: eu-west-1, prefix: rel, expiration: 3 }
      bucketSecurity: { accessKeyId: AKIA1, secretAccessKey: shh }
      advancedBucketConnection: { endpoint: "https://s3.example", forcePathStyle: true }
`);
    expect(config.blobStores).toEqual([{
      name: 'releases', type: 's3', bucket: 'wharf', region: 'eu-west-1', prefix: 'rel', accessKeyId: 'AKIA1', secretAccessKey: 'shh',
      endpoint: 'https://s3.example', forcePathStyle: true, softQuota: { type: 'spaceUsedQuota', limit: 1000 },
    }]);
  });

  it('names what is wrong, by key', () => {
    expect(problems(`
blobStores:
  - { name: a, type: s3, region: x }
  - { name: b, type: s3, bucket: wharf, accessKeyId: AKIA1 }
  - { name: c, type: file, bucket: wharf }
  - { name: d, type: s3, bucket: wharf, softQuota: { type: spaceRemainingQuota, limit: 5 } }
  - { name: e, type: file, softQuota: { type: spaceUsedQuota, limit: lots } }
  - { name: f, type: s3, bucket: wharf, bucketConfiguration: { encryption: { encryptionType: kms } } }
`)).toEqual([
      'blobStores[4].softQuota.limit: Expected integer',
      'blobStores[5].encryption: Unexpected property',
    ]);
    expect(problems(`
blobStores:
  - { name: a, type: s3, region: x }
  - { name: b, type: s3, bucket: wharf, accessKeyId: AKIA1 }
  - { name: c, type: file, bucket: wharf }
  - { name: d, type: s3, bucket: wharf, softQuota: { type: spaceRemainingQuota, limit: 5 } }
`)).toEqual([
      'blobStores[0].bucket: required for an s3 blob store',
      'blobStores[1].secretAccessKey: required with accessKeyId (export omits it: add it back, e.g. "${S3_SECRET}")',
      'blobStores[2].bucket: only s3 blob stores take this setting',
      'blobStores[3].softQuota.type: an S3 bucket has no remaining space to measure: use spaceUsedQuota',
    ]);
  });
});

describe('sizes', () => {
  it('parses byte counts and binary units', () => {
    expect(parseSize('2048')).toBe(2048);
    expect(parseSize('10 B')).toBe(10);
    expect(parseSize('1KB')).toBe(1024);
    expect(parseSize('1.5 MiB')).toBe(1.5 * 1024 ** 2);
    expect(parseSize('500GB')).toBe(500 * 1024 ** 3);
    expect(parseSize('2t')).toBe(2 * 1024 ** 4);
    expect(parseSize('lots')).toBeUndefined();
    expect(parseSize('-1GB')).toBeUndefined();
  });
});

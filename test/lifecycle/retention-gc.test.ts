// The storage lifecycle end to end: 30 tags with shared layers, a retain-10 policy whose preview lists the
// 20 oldest, a run that removes exactly them, GC + compaction that free exactly their unique bytes on disk,
// skopeo pulls of every remaining tag, and a skopeo push that runs while GC collects.
import { randomBytes } from 'node:crypto';
import { readFile, utimes } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectBlob, layoutDescriptor, skopeo, TempDirs } from '../helpers/images.js';
import { blob, imageManifest, type Blob } from '../helpers/oci.js';
import { pushBlob, pushManifest, v2 } from '../helpers/registry.js';
import { ADMIN_PASSWORD, startWharf, type TestWharf } from '../helpers/wharf.js';
import { taskTypes } from '../../src/tasks/types/index.js';
import { hex, rest, runTask, storeFiles, sum, writeLayout } from './helpers.js';

const CONFIG = `repositories:
  - name: lc
    format: docker
    type: hosted
    storage: { blobStoreName: default, writePolicy: allow }
    cleanup: { policyNames: [keep-10] }
`;

/** A layer of `n` random bytes, gzipped as its media type says (skopeo rewrites manifests of layers that are not). */
const layer = (n: number) => blob(gzipSync(randomBytes(n)));

interface Tag {
  tag: string;
  config: Blob;
  unique: Blob;
  manifest: Blob;
}

let t: TestWharf;
const temp = new TempDirs();
const shared = [layer(200_000), layer(100_000)];
const tags: Tag[] = [];

beforeAll(async () => {
  t = await startWharf({ config: CONFIG });
  for (let i = 0; i < 30; i++) {
    const config = blob(JSON.stringify({ architecture: 'amd64', os: 'linux', build: i }));
    const unique = layer(20_000 + i);
    const manifest = imageManifest(config, [...shared, unique]);
    for (const b of [config, ...shared, unique]) await pushBlob(t, 'lc/app', b);
    await pushManifest(t, 'lc/app', `v${i}`, manifest);
    tags.push({ tag: `v${i}`, config, unique, manifest });
  }
}, 120_000);

afterAll(async () => {
  await t?.stop();
  await temp.removeAll();
});

async function pullAndCheck(name: string, tag: string, manifest: Blob, blobs: Blob[]): Promise<void> {
  const out = join(await temp.make('wharf-pull-'), 'layout');
  await skopeo(['copy', '--quiet', '--src-tls-verify=false', '--src-creds', `admin:${ADMIN_PASSWORD}`, `docker://${t.host}/lc/${name}:${tag}`, `oci:${out}:${tag}`]);
  expect((await layoutDescriptor(out, tag)).digest).toBe(manifest.digest);
  for (const b of blobs) await expectBlob(out, b.digest);
}

describe('retention, garbage collection and compaction', () => {
  it('previews and removes the 20 oldest tags, then frees exactly their unique bytes', async () => {
    const created = await rest(t, 'POST', '/cleanup-policies', { name: 'keep-10', format: 'docker', criteria: { retain: 10 } });
    expect(created.status, JSON.stringify(created.json)).toBe(201);

    const preview = await rest(t, 'GET', '/cleanup-policies/keep-10/preview?repository=lc');
    expect(preview.status).toBe(200);
    expect(preview.json.total).toBe(20);
    expect(preview.json.items.map((i: { name: string; version: string }) => `${i.name}:${i.version}`))
      .toEqual(tags.slice(0, 20).map((x) => `app:${x.tag}`));

    const before = storeFiles(t.dataDir);
    const cleanup = await runTask(t, 'repository.cleanup', { repositoryName: 'lc' });
    expect(cleanup.run.state, cleanup.run.message).toBe('ok');
    expect(cleanup.run.message).toBe('removed 20 component(s) from 1 repository(ies)');
    const list = await v2(t, 'lc/app/tags/list');
    expect(((await list.json()) as { tags: string[] }).tags.sort()).toEqual(tags.slice(20).map((x) => x.tag).sort());
    expect(storeFiles(t.dataDir)).toEqual(before); // cleanup only removes tags: bytes wait for GC and compaction

    const gc = await runTask(t, 'repository.docker.gc', { repositoryName: 'lc', graceMinutes: 0 });
    expect(gc.run.state, gc.run.message).toBe('ok');
    expect(gc.run.message).toMatch(/^removed 20 manifests, 40 blobs; marked 60 blob\(s\)/);
    expect(storeFiles(t.dataDir)).toEqual(before); // marked, not deleted yet
    const compact = await runTask(t, 'blobstore.compact', { blobStoreName: 'default' });
    expect(compact.run.state, compact.run.message).toBe('ok');

    const after = storeFiles(t.dataDir);
    const removed = tags.slice(0, 20).flatMap((x) => [x.config, x.unique, x.manifest]);
    const freed = removed.reduce((n, b) => n + b.size, 0);
    expect(sum(before) - sum(after)).toBe(freed);
    for (const b of removed) expect(after.has(hex(b))).toBe(false);
    for (const x of tags.slice(20)) for (const b of [x.config, x.unique, x.manifest, ...shared]) expect(after.get(hex(b))).toBe(b.size);
    expect(compact.run.message).toMatch(/^deleted 60 blob\(s\)/);

    // A second GC finds nothing more: what is left is referenced.
    const again = await runTask(t, 'repository.docker.gc', { repositoryName: 'lc', graceMinutes: 0 });
    expect(again.run.message).toMatch(/^removed 0 manifests, 0 blobs; marked 0 blob/);

    for (const x of tags.slice(20)) await pullAndCheck('app', x.tag, x.manifest, [x.config, ...shared, x.unique]);
  }, 120_000);

  it('a skopeo push re-using blobs that GC is collecting completes intact', async () => {
    // An old image whose tag is gone: its layers are garbage, older than the grace period.
    const layers = [layer(50_000), layer(60_000)];
    const doomed = layer(30_000);
    const oldConfig = blob(JSON.stringify({ architecture: 'amd64', os: 'linux', old: true }));
    for (const b of [oldConfig, ...layers, doomed]) await pushBlob(t, 'lc/other', b);
    const oldManifest = imageManifest(oldConfig, [...layers, doomed]);
    await pushManifest(t, 'lc/other', 'old', oldManifest);
    expect((await v2(t, 'lc/other/manifests/old', { method: 'DELETE' })).status).toBe(202);
    const { db } = t.running.wharf;
    const longAgo = Date.now() - 2 * 3_600_000;
    await db.updateTable('assets').set({ updated_at: longAgo }).where('repository', '=', 'lc').execute();
    for (const b of [oldConfig, ...layers, doomed, oldManifest]) {
      await utimes(join(t.dataDir, 'blobs', 'default', 'content', 'sha256', hex(b).slice(0, 2), hex(b)), longAgo / 1000, longAgo / 1000);
    }

    // The new image shares those layers and adds a fresh one; skopeo HEADs the shared ones and skips them.
    const fresh = layer(40_000);
    const config = blob(JSON.stringify({ architecture: 'amd64', os: 'linux', fresh: true }));
    const manifest = imageManifest(config, [...layers, fresh]);
    const layout = join(await temp.make('wharf-push-'), 'layout');
    await writeLayout(layout, 'new', manifest, [config, ...layers, fresh]);

    const gc = taskTypes['repository.docker.gc'];
    const logs: string[] = [];
    let pushed = false;
    const push = skopeo(['copy', '--quiet', '--dest-tls-verify=false', '--dest-creds', `admin:${ADMIN_PASSWORD}`, `oci:${layout}:new`, `docker://${t.host}/lc/other:new`])
      .finally(() => { pushed = true; });
    let rounds = 0;
    while (!pushed || rounds < 2) {
      await gc.run({ wharf: t.running.wharf, properties: { repositoryName: 'lc', graceMinutes: 10 }, log: (l) => logs.push(l), signal: new AbortController().signal });
      rounds++;
    }
    await push;
    expect(logs.join('\n')).toMatch(/lc: removed 1 manifests/); // GC did collect while the push ran
    const compact = await runTask(t, 'blobstore.compact', {});
    expect(compact.run.state).toBe('ok');

    const files = storeFiles(t.dataDir);
    expect(files.has(hex(doomed))).toBe(false);
    expect(files.has(hex(oldManifest))).toBe(false);
    for (const b of [config, ...layers, fresh, manifest]) expect(files.get(hex(b))).toBe(b.size);
    await pullAndCheck('other', 'new', manifest, [config, ...layers, fresh]);
    const raw = await readFile(join(layout, 'blobs', 'sha256', hex(manifest)));
    expect(raw.equals(manifest.bytes)).toBe(true);
  }, 120_000);
});

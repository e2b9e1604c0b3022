// The example configurations in examples/ are real: each validates, provisions a server, and behaves as its
// comments say (release tags immutable, latest tags movable, the release registry on its own port).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadConfigFile } from '../../src/config/load.js';
import { reconcile } from '../../src/config/reconcile.js';
import { makeImage, pushImage, putManifest } from '../helpers/registry.js';
import { freePort, startWharf, type TestWharf } from '../helpers/wharf.js';
import { restClient } from '../api/client.js';

const FILE = 'examples/seed-docker-platform.yaml';
let wharf: TestWharf;
let releasePort: number;

beforeAll(async () => {
  // The same file, with the release port moved to a free one so the test never collides with anything.
  releasePort = await freePort();
  const doc = parse(readFileSync(FILE, 'utf8'));
  doc.repositories.find((r: { name: string }) => r.name === 'docker-platform-release').docker.httpPort = releasePort;
  wharf = await startWharf({ config: stringify(doc) });
});

afterAll(async () => {
  await wharf?.stop();
});

describe(FILE, () => {
  it('validates as it is', () => {
    const config = loadConfigFile(FILE, {});
    expect(config.repositories?.map((r) => r.name)).toEqual(['docker-platform-release', 'docker-platform-latest', 'docker-hub', 'docker-all']);
  });

  it('provisions the blob stores, repositories, default repository and tasks', async () => {
    const api = restClient(wharf);
    expect((await api('/repositories')).body.map((r: { name: string }) => r.name)).toEqual(['docker-all', 'docker-hub', 'docker-platform-latest', 'docker-platform-release']);
    expect(wharf.running.wharf.server.docker.defaultRepository).toBe('docker-all');
    const stores = await wharf.running.wharf.db.selectFrom('blob_stores').select('name').orderBy('name').execute();
    expect(stores.map((s) => s.name)).toEqual(['default', 'docker-hub', 'docker-platform']);
    const tasks = await api('/tasks');
    expect(tasks.body.items.map((t: { name: string }) => t.name)).toEqual(expect.arrayContaining(['compact-docker-hub', 'compact-docker-platform']));
  });

  it('behaves as described: release tags immutable (own port), latest tags movable, release-looking pushes routed', async () => {
    const release = { url: `http://127.0.0.1:${releasePort}` };
    const one = makeImage('seed-one');
    const two = makeImage('seed-two');
    await pushImage(release, 'team/app', '1.0.0', one);
    await pushImage(release, 'team/app', 'x', two);
    const moved = await putManifest(release, 'team/app', '1.0.0', two.manifest);
    expect(moved.status).toBe(403); // DENIED: allow_once
    await moved.arrayBuffer();
    await pushImage(wharf, 'docker-platform-latest/team/app', 'dev', one);
    await pushImage(wharf, 'docker-platform-latest/team/app', 'dev', two); // moves the tag
    await pushImage(wharf, 'team/app', '2.0.0', one); // through the default repository, the group
    const search = await restClient(wharf)('/search?docker.imageName=team/app&docker.imageTag=2.0.0');
    expect(search.body.items.map((c: { repository: string }) => c.repository)).toEqual(['docker-platform-release']);
  });

  it('applying it again changes nothing', async () => {
    const doc = parse(readFileSync(FILE, 'utf8'));
    doc.repositories.find((r: { name: string }) => r.name === 'docker-platform-release').docker.httpPort = releasePort;
    const { checkConfig } = await import('../../src/config/load.js');
    expect(await reconcile(wharf.running.wharf, checkConfig(doc, FILE, {}))).toEqual([]);
  });
});

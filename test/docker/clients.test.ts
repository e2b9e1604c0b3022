// Real container clients against a real Wharf: images built with umoci, pushed with skopeo through the three
// Docker routes (path routing, default repository, connector port), pulled back after a restart with skopeo
// and podman. Digests must survive byte for byte, and so must the content of every layer.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MEDIA_DOCKER_LIST, MEDIA_DOCKER_MANIFEST, MEDIA_OCI_INDEX, MEDIA_OCI_MANIFEST, Podman, TempDirs, buildImage, expectBlob, inspectRaw,
  layoutDescriptor, readJsonBlob, sha256, sha256File, skopeo, unpackedFiles, writeImageIndex,
  type BuiltImage, type ImageIndex, type ImageManifest,
} from '../helpers/images.js';
import { ADMIN_PASSWORD, freePort, startWharf, type TestWharf } from '../helpers/wharf.js';

const CREDS = ['--dest-creds', `admin:${ADMIN_PASSWORD}`];
const hosted = (name: string, extra = '') =>
  `  - { name: ${name}, format: docker, type: hosted, online: true, storage: { blobStoreName: default, writePolicy: allow }${extra} }`;

describe('real container clients (skopeo, podman, umoci)', () => {
  const dirs = new TempDirs();
  let t: TestWharf;
  let connectorPort: number;
  let work: string;
  let podman: Podman;

  beforeAll(async () => {
    connectorPort = await freePort();
    t = await startWharf({
      config: [
        'repositories:',
        hosted('docker-hosted'),
        hosted('docker-default'),
        hosted('docker-port', `, docker: { httpPort: ${connectorPort} }`),
        'docker: { defaultRepository: docker-default }',
        '',
      ].join('\n'),
    });
    work = await dirs.make('wharf-clients-');
    podman = await Podman.create(dirs);
  });

  afterAll(async () => {
    await t?.stop();
    await dirs.removeAll();
    if (t) await rm(t.dataDir, { recursive: true, force: true });
  });

  /** Pushes `image` (or one of its tags) with skopeo; returns the digest skopeo wrote. */
  async function push(ref: string, dest: string, extra: string[] = []): Promise<string> {
    const digestFile = join(work, `digest-${Math.random().toString(36).slice(2)}`);
    await skopeo(['copy', '--quiet', '--dest-tls-verify=false', ...CREDS, '--digestfile', digestFile, ...extra, ref, `docker://${dest}`]);
    return (await readFile(digestFile, 'utf8')).trim();
  }

  /** Pulls `src` with skopeo into a new OCI layout; returns the layout directory. */
  async function pullToLayout(src: string, tag: string, extra: string[] = []): Promise<string> {
    const out = join(await dirs.make('wharf-pulled-'), 'layout');
    await skopeo(['copy', '--quiet', '--src-tls-verify=false', ...extra, `docker://${src}`, `oci:${out}:${tag}`]);
    return out;
  }

  /** Pulled layout holds the pushed manifest, config and layers, byte for byte, and unpacks to the same files. */
  async function expectSameImage(out: string, tag: string, image: BuiltImage): Promise<void> {
    const pulled = await layoutDescriptor(out, tag);
    expect(pulled.digest).toBe(image.digest);
    expect(pulled.mediaType).toBe(MEDIA_OCI_MANIFEST);
    for (const d of [{ digest: image.digest }, image.manifest.config, ...image.manifest.layers]) await expectBlob(out, d.digest);
    expect(await readJsonBlob<ImageManifest>(out, image.digest)).toEqual(image.manifest);
    expect(await unpackedFiles(out, tag, Object.keys(image.files), await dirs.make('wharf-unpack-'))).toEqual(image.files);
  }

  const pushed = new Map<string, { digest: string; name: string }>();
  const routes = [
    { route: 'path routing', dest: () => `${t.host}/docker-hosted/team/app:1.0`, sameRepo: () => [] as string[] },
    { route: 'the default repository', dest: () => `${t.host}/team/app:1.0`, sameRepo: () => [`${t.host}/docker-default/team/app:1.0`] },
    { route: 'a connector port', dest: () => `127.0.0.1:${connectorPort}/team/app:1.0`, sameRepo: () => [`${t.host}/docker-port/team/app:1.0`] },
  ];

  it.each(routes)('round-trips a multi-layer image pushed through $route', async ({ route, dest, sameRepo }) => {
    const layout = join(work, `app-${pushed.size}`);
    const image = await buildImage(layout, '1.0', {
      layers: [{ path: '/app/small.bin', size: 300 * 1024 }, { path: '/app/medium.bin', size: 1024 * 1024 }, { path: '/data/large.bin', size: 3 * 1024 * 1024 }],
      cmd: ['/app/small.bin', '--serve'],
      labels: { 'org.example.route': route, 'org.example.team': 'team' },
    });
    const name = dest();
    expect(await push(image.ref, name)).toBe(image.digest);
    pushed.set(route, { digest: image.digest, name });

    await t.restart();

    // skopeo: the manifest bytes, every blob and every file come back unchanged.
    const raw = await inspectRaw(`docker://${name}`);
    expect(raw.digest).toBe(image.digest);
    for (const alias of sameRepo()) expect((await inspectRaw(`docker://${alias}`)).digest).toBe(image.digest);
    const repoName = name.slice(0, name.lastIndexOf(':'));
    const { stdout: tags } = await skopeo(['list-tags', '--tls-verify=false', `docker://${repoName}`]);
    expect(JSON.parse(tags).Tags).toEqual(['1.0']);
    await expectSameImage(await pullToLayout(name, 'pulled'), 'pulled', image);

    // podman: same digest in its store, same configuration, same files.
    await podman.pull(name);
    const inspected = await podman.inspect(name);
    expect(inspected.Digest).toBe(image.digest);
    expect(inspected.RepoDigests).toContain(`${repoName}@${image.digest}`);
    expect(inspected.Config?.Cmd).toEqual(['/app/small.bin', '--serve']);
    expect(inspected.Config?.Labels).toMatchObject({ 'org.example.route': route });
    expect((await podman.imageDigests())[name]).toBe(image.digest);
    expect(await podman.files(name, Object.keys(image.files))).toEqual(image.files);
  });

  it('keeps what each route pushed in its own repository', async () => {
    expect([...pushed.keys()]).toEqual(routes.map((r) => r.route));
    const digests = [...pushed.values()].map((p) => p.digest);
    expect(new Set(digests).size).toBe(3);
    for (const { name, digest } of pushed.values()) expect((await inspectRaw(`docker://${name}`)).digest).toBe(digest);
  });

  it('round-trips a multi-platform OCI index with skopeo --all', async () => {
    const layout = join(work, 'multi');
    const platforms = ['amd64', 'arm64'];
    const images: Record<string, BuiltImage> = {};
    for (const arch of platforms) {
      images[arch] = await buildImage(layout, arch, {
        layers: [{ path: `/opt/${arch}/base.bin`, size: 400 * 1024 }, { path: `/opt/${arch}/app.bin`, size: 900 * 1024 }],
        cmd: [`/opt/${arch}/app.bin`], labels: { 'org.example.arch': arch }, architecture: arch, os: 'linux',
      });
    }
    const index = await writeImageIndex(layout, 'multi', platforms.map((arch) => ({ digest: images[arch].digest, platform: { architecture: arch, os: 'linux' } })));
    const name = `${t.host}/docker-hosted/team/multi:2.0`;
    expect(await push(`oci:${layout}:multi`, name, ['--all'])).toBe(index.digest);

    await t.restart();

    const raw = await inspectRaw(`docker://${name}`);
    expect(raw.digest).toBe(index.digest);
    expect(raw.bytes.equals(index.bytes)).toBe(true);
    for (const arch of platforms) {
      expect((await inspectRaw(`docker://${t.host}/docker-hosted/team/multi@${images[arch].digest}`)).digest).toBe(images[arch].digest);
    }

    const out = await pullToLayout(name, 'multi', ['--all']);
    const pulled = await layoutDescriptor(out, 'multi');
    expect(pulled).toMatchObject({ digest: index.digest, mediaType: MEDIA_OCI_INDEX });
    await expectBlob(out, index.digest);
    const pulledIndex = await readJsonBlob<ImageIndex>(out, index.digest);
    expect(pulledIndex.manifests.map((m) => [m.digest, m.platform?.architecture])).toEqual(platforms.map((a) => [images[a].digest, a]));
    for (const arch of platforms) {
      const image = images[arch];
      for (const d of [{ digest: image.digest }, image.manifest.config, ...image.manifest.layers]) await expectBlob(out, d.digest);
      const config = await readJsonBlob<{ architecture: string; os: string }>(out, image.manifest.config.digest);
      expect(config).toMatchObject({ architecture: arch, os: 'linux' });
    }

    // podman picks the child for the platform it is asked for, and finds the same files.
    for (const arch of platforms) {
      await podman.pull(name, ['--arch', arch, '--os', 'linux']);
      const inspected = await podman.inspect(name);
      expect(inspected.Architecture).toBe(arch);
      // podman records the digest it pulled by tag (the index) and the child it chose among its repo digests.
      expect(inspected.Digest).toBe(index.digest);
      expect(inspected.RepoDigests).toEqual(expect.arrayContaining([`${t.host}/docker-hosted/team/multi@${index.digest}`, `${t.host}/docker-hosted/team/multi@${images[arch].digest}`]));
      expect(await podman.files(name, Object.keys(images[arch].files))).toEqual(images[arch].files);
    }

    // The same index converted to a Docker manifest list (through the default repository).
    const listName = `${t.host}/team/list:2.0`;
    const listDigest = await push(`oci:${layout}:multi`, listName, ['--all', '--format', 'v2s2']);
    await t.restart();
    const list = await inspectRaw(`docker://${listName}`);
    expect(list.digest).toBe(listDigest);
    expect(list.json.mediaType).toBe(MEDIA_DOCKER_LIST);
    const children = list.json.manifests as { digest: string; mediaType: string; platform: { architecture: string } }[];
    expect(children.map((c) => [c.mediaType, c.platform.architecture])).toEqual(platforms.map((a) => [MEDIA_DOCKER_MANIFEST, a]));
    for (const child of children) expect((await inspectRaw(`docker://${t.host}/team/list@${child.digest}`)).digest).toBe(child.digest);
  });

  it('copies between repositories of one registry with a cross-repository blob mount', async () => {
    const image = await buildImage(join(work, 'mount'), '1.0', { layers: [{ path: '/m/one.bin', size: 1536 * 1024 }] });
    const source = `${t.host}/docker-hosted/team/mount:1.0`;
    expect(await push(image.ref, source)).toBe(image.digest);
    await t.restart();
    // skopeo remembers where it pushed the layer and asks the destination to mount it from there.
    const dest = `${t.host}/docker-port/copied/mount:1.0`;
    const { stderr } = await skopeo(['--debug', 'copy', '--src-tls-verify=false', '--dest-tls-verify=false', ...CREDS, `docker://${source}`, `docker://${dest}`]);
    expect(stderr).toMatch(/mount OK/);
    expect((await inspectRaw(`docker://127.0.0.1:${connectorPort}/copied/mount:1.0`)).digest).toBe(image.digest);
    await expectSameImage(await pullToLayout(`127.0.0.1:${connectorPort}/copied/mount:1.0`, 'pulled'), 'pulled', image);
  });

  it('round-trips a Docker schema 2 image (skopeo --format v2s2)', async () => {
    const layout = join(work, 'legacy');
    const image = await buildImage(layout, '1.0', {
      layers: [{ path: '/legacy/one.bin', size: 500 * 1024 }, { path: '/legacy/two.bin', size: 2 * 1024 * 1024 }],
      cmd: ['/legacy/one.bin'],
    });
    const name = `127.0.0.1:${connectorPort}/team/legacy:1.0`;
    const digest = await push(image.ref, name, ['--format', 'v2s2']);
    expect(digest).not.toBe(image.digest); // converted from OCI, so a new manifest

    await t.restart();

    const raw = await inspectRaw(`docker://${name}`);
    expect(raw.digest).toBe(digest);
    expect(raw.json.mediaType).toBe(MEDIA_DOCKER_MANIFEST);
    const head = await fetch(`http://${t.host}/v2/docker-port/team/legacy/manifests/1.0`, { method: 'HEAD', headers: { accept: MEDIA_DOCKER_MANIFEST } });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe(MEDIA_DOCKER_MANIFEST);
    expect(head.headers.get('docker-content-digest')).toBe(digest);

    // The dir: transport keeps the manifest exactly as the registry served it, and blobs by digest.
    const dir = join(await dirs.make('wharf-pulled-'), 'dir');
    await skopeo(['copy', '--quiet', '--src-tls-verify=false', `docker://${name}`, `dir:${dir}`]);
    const manifestBytes = await readFile(join(dir, 'manifest.json'));
    expect(sha256(manifestBytes)).toBe(digest);
    const manifest = JSON.parse(manifestBytes.toString('utf8')) as ImageManifest;
    expect(manifest.layers.map((l) => l.digest)).toEqual(image.manifest.layers.map((l) => l.digest));
    for (const d of [manifest.config, ...manifest.layers]) expect(await sha256File(join(dir, d.digest.split(':')[1]))).toBe(d.digest);

    await podman.pull(name);
    const inspected = await podman.inspect(name);
    expect(inspected.Digest).toBe(digest);
    expect(inspected.Config?.Cmd).toEqual(['/legacy/one.bin']);
    expect(await podman.files(name, Object.keys(image.files))).toEqual(image.files);
  });

  it('out of the box: pushes through the default group `docker` into docker-hosted, with the bearer token realm', async () => {
    const plain = await startWharf();
    try {
      const image = await buildImage(join(work, 'plain'), '1.0', { layers: [{ path: '/p/one.bin', size: 700 * 1024 }, { path: '/p/two.bin', size: 300 * 1024 }] });
      expect(await push(image.ref, `${plain.host}/team/app:1.0`)).toBe(image.digest);
      await plain.restart();
      expect((await inspectRaw(`docker://${plain.host}/docker-hosted/team/app:1.0`)).digest).toBe(image.digest);
      await expectSameImage(await pullToLayout(`${plain.host}/team/app:1.0`, 'pulled'), 'pulled', image);
      const ref = `${plain.host}/team/app:1.0`;
      await podman.pull(ref);
      expect((await podman.inspect(ref)).Digest).toBe(image.digest);
      expect(await podman.files(ref, Object.keys(image.files))).toEqual(image.files);
    } finally {
      await plain.stop();
      await rm(plain.dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a push without credentials, with an error the client shows', async () => {
    const image = await buildImage(join(work, 'anon'), '1.0', { layers: [{ path: '/x.bin', size: 1024 }] });
    const err = await skopeo(['copy', '--quiet', '--dest-tls-verify=false', image.ref, `docker://${t.host}/docker-hosted/team/anon:1.0`])
      .then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(/authentication required|unauthorized/i);
    await expect(inspectRaw(`docker://${t.host}/docker-hosted/team/anon:1.0`)).rejects.toThrow(/manifest unknown|not found/i);
  });
});

// Real container tooling for integration tests: builds OCI images with umoci in local layouts, and drives
// skopeo and podman (isolated storage per instance) with failure messages that carry the tool's stderr.
import { execFile, type ExecFileException } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const MEDIA_OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const MEDIA_OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const MEDIA_DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const MEDIA_DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
const REF_NAME = 'org.opencontainers.image.ref.name';

/** Hides the password of `--creds user:password` style arguments in messages. */
function shown(args: string[]): string {
  return args.map((a, i) => (/^--(?:src-|dest-)?creds$/.test(args[i - 1] ?? '') ? a.replace(/:.*/, ':***') : a))
    .map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Kills the command after this long; default 60 s. */
  timeoutMs?: number;
}

/** Runs a program (no shell) and returns its output; throws with the command line, exit status and stderr. */
export async function run(cmd: string, args: string[], options: RunOptions = {}): Promise<{ stdout: string; stderr: string }> {
  try {
    return await execFileAsync(cmd, args, {
      cwd: options.cwd, env: { ...process.env, ...options.env }, timeout: options.timeoutMs ?? 60_000,
      maxBuffer: 64 * 1024 * 1024, encoding: 'utf8',
    });
  } catch (err) {
    const e = err as ExecFileException & { stdout?: string; stderr?: string };
    const status = e.killed ? `killed (${e.signal}) after the ${options.timeoutMs ?? 60_000} ms timeout` : `exit status ${e.code}`;
    const stdout = (e.stdout ?? '').trim();
    throw new Error(`${cmd} failed with ${status}: ${shown([cmd, ...args])}\n`
      + `stderr:\n${(e.stderr ?? '').trim() || '(empty)'}${stdout ? `\nstdout:\n${stdout.slice(-4000)}` : ''}`);
  }
}

/** Temporary directories created by a test file, removed together by `removeAll()`. */
export class TempDirs {
  private readonly dirs: string[] = [];

  async make(prefix = 'wharf-images-'): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }

  async removeAll(): Promise<void> {
    await Promise.all(this.dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  }
}

export function sha256(bytes: Buffer | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** sha256 digest of a file, streamed. */
export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path).on('error', reject).on('data', (c) => hash.update(c)).on('end', () => resolve(`sha256:${hash.digest('hex')}`));
  });
}

// ---- OCI layouts ----

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { architecture: string; os: string; variant?: string };
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
}

export function blobPath(layout: string, digest: string): string {
  const [alg, hex] = digest.split(':');
  return join(layout, 'blobs', alg, hex);
}

export async function readLayoutIndex(layout: string): Promise<ImageIndex> {
  return JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as ImageIndex;
}

/** The descriptor that index.json of `layout` names `tag`; throws when there is none. */
export async function layoutDescriptor(layout: string, tag: string): Promise<Descriptor> {
  const index = await readLayoutIndex(layout);
  const found = index.manifests.filter((m) => m.annotations?.[REF_NAME] === tag);
  if (found.length !== 1) throw new Error(`${layout}/index.json has ${found.length} entries for tag ${tag}: ${JSON.stringify(index)}`);
  return found[0];
}

export async function readBlob(layout: string, digest: string): Promise<Buffer> {
  return readFile(blobPath(layout, digest));
}

export async function readJsonBlob<T>(layout: string, digest: string): Promise<T> {
  return JSON.parse((await readBlob(layout, digest)).toString('utf8')) as T;
}

/** Checks that `layout` holds `digest` with exactly those bytes (hashing the file, not trusting its name). */
export async function expectBlob(layout: string, digest: string): Promise<void> {
  const path = blobPath(layout, digest);
  if (!existsSync(path)) throw new Error(`blob ${digest} is missing from ${layout}`);
  const actual = await sha256File(path);
  if (actual !== digest) throw new Error(`blob ${path} has content ${actual}, expected ${digest}`);
}

// ---- building images with umoci ----

export interface ImageSpec {
  /** One layer per file: a regular file of `size` random bytes at `path` inside the image. */
  layers: { path: string; size: number }[];
  cmd?: string[];
  labels?: Record<string, string>;
  architecture?: string;
  os?: string;
}

export interface BuiltImage {
  layout: string;
  tag: string;
  /** skopeo/umoci reference, `oci:<layout>:<tag>`. */
  ref: string;
  digest: string;
  manifest: ImageManifest;
  /** sha256 digest of each file the layers hold, by path inside the image. */
  files: Record<string, string>;
}

async function umoci(args: string[]): Promise<void> {
  await run('umoci', args);
}

/** Builds image `tag` in the OCI layout directory `layout` (created when missing), one umoci layer per file. */
export async function buildImage(layout: string, tag: string, spec: ImageSpec): Promise<BuiltImage> {
  if (!existsSync(join(layout, 'oci-layout'))) await umoci(['init', '--layout', layout]);
  const image = `${layout}:${tag}`;
  await umoci(['new', '--image', image]);
  const sources = `${layout}.src`;
  await mkdir(sources, { recursive: true });
  const files: Record<string, string> = {};
  for (const [i, layer] of spec.layers.entries()) {
    const content = randomBytes(layer.size);
    const source = join(sources, `${tag}-${i}`);
    await writeFile(source, content);
    await umoci(['insert', '--rootless', '--image', image, source, layer.path]);
    files[layer.path] = sha256(content);
  }
  await rm(sources, { recursive: true, force: true });
  const config = [
    ...(spec.cmd ?? []).flatMap((c) => ['--config.cmd', c]),
    ...Object.entries(spec.labels ?? {}).flatMap(([k, v]) => ['--config.label', `${k}=${v}`]),
    ...(spec.architecture ? ['--architecture', spec.architecture] : []),
    ...(spec.os ? ['--os', spec.os] : []),
  ];
  if (config.length) await umoci(['config', '--image', image, ...config]);
  const descriptor = await layoutDescriptor(layout, tag);
  const manifest = await readJsonBlob<ImageManifest>(layout, descriptor.digest);
  if (manifest.layers.length !== spec.layers.length) {
    throw new Error(`umoci built ${manifest.layers.length} layers for ${image}, expected ${spec.layers.length}`);
  }
  return { layout, tag, ref: `oci:${image}`, digest: descriptor.digest, manifest, files };
}

/** Writes an OCI image index over `children` (already in `layout`) into its blobs and tags it `tag`. */
export async function writeImageIndex(layout: string, tag: string, children: { digest: string; platform: Descriptor['platform'] }[]): Promise<{ digest: string; index: ImageIndex; bytes: Buffer }> {
  const top = await readLayoutIndex(layout);
  const manifests = children.map(({ digest, platform }) => {
    const entry = top.manifests.find((m) => m.digest === digest);
    if (!entry) throw new Error(`${layout} has no manifest ${digest} to put into index ${tag}`);
    return { mediaType: entry.mediaType, digest, size: entry.size, platform };
  });
  const index: ImageIndex = { schemaVersion: 2, mediaType: MEDIA_OCI_INDEX, manifests };
  const bytes = Buffer.from(JSON.stringify(index));
  const digest = sha256(bytes);
  await writeFile(blobPath(layout, digest), bytes);
  top.manifests = top.manifests.filter((m) => m.annotations?.[REF_NAME] !== tag);
  top.manifests.push({ mediaType: MEDIA_OCI_INDEX, digest, size: bytes.length, annotations: { [REF_NAME]: tag } });
  await writeFile(join(layout, 'index.json'), JSON.stringify(top));
  return { digest, index, bytes };
}

/** Unpacks `layout:tag` with umoci into a new directory and returns the sha256 of each file in `paths`. */
export async function unpackedFiles(layout: string, tag: string, paths: string[], into: string): Promise<Record<string, string>> {
  const bundle = join(into, `bundle-${tag}`);
  await umoci(['unpack', '--rootless', '--image', `${layout}:${tag}`, bundle]);
  const out: Record<string, string> = {};
  for (const p of paths) out[p] = await sha256File(join(bundle, 'rootfs', p));
  return out;
}

// ---- skopeo ----

/** Runs skopeo without consulting the host's signature policy. */
export function skopeo(args: string[], options?: RunOptions) {
  return run('skopeo', ['--insecure-policy', ...args], options);
}

/** The raw manifest bytes skopeo reads from a `docker://` reference, and their digest. */
export async function inspectRaw(ref: string): Promise<{ bytes: Buffer; digest: string; json: Record<string, unknown> }> {
  const { stdout } = await skopeo(['inspect', '--raw', '--tls-verify=false', ref]);
  const bytes = Buffer.from(stdout, 'utf8');
  return { bytes, digest: sha256(bytes), json: JSON.parse(stdout) as Record<string, unknown> };
}

// ---- podman ----

export interface PodmanImage {
  Id: string;
  Digest: string;
  RepoDigests: string[];
  Architecture: string;
  Os: string;
  Config?: { Cmd?: string[]; Labels?: Record<string, string> };
}

/** podman with its own storage, run root, temp dir, events log and policy: nothing shared with the host. */
export class Podman {
  private constructor(readonly dir: string) {}

  static async create(dirs: TempDirs): Promise<Podman> {
    const dir = await dirs.make('wharf-podman-');
    for (const sub of ['root', 'run', 'tmp']) await mkdir(join(dir, sub));
    await writeFile(join(dir, 'policy.json'), JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
    await writeFile(join(dir, 'registries.conf'), 'unqualified-search-registries = []\n');
    // REGISTRY_AUTH_FILE must exist: podman stats it before every pull, not only on login
    await writeFile(join(dir, 'auth.json'), JSON.stringify({ auths: {} }));
    await writeFile(join(dir, 'storage.conf'), `[storage]\ndriver = "vfs"\ngraphroot = "${join(dir, 'root')}"\nrunroot = "${join(dir, 'run')}"\n`);
    return new Podman(dir);
  }

  /** The global options that make this instance independent of the host's podman state. */
  get globalArgs(): string[] {
    return [
      '--root', join(this.dir, 'root'), '--runroot', join(this.dir, 'run'), '--tmpdir', join(this.dir, 'tmp'),
      '--storage-driver', 'vfs', '--events-backend', 'file', '--cgroup-manager', 'cgroupfs',
    ];
  }

  run(args: string[]) {
    return run('podman', [...this.globalArgs, ...args], {
      env: {
        CONTAINERS_REGISTRIES_CONF: join(this.dir, 'registries.conf'), CONTAINERS_STORAGE_CONF: join(this.dir, 'storage.conf'),
        REGISTRY_AUTH_FILE: join(this.dir, 'auth.json'), // `podman login` writes here, not to the host's auth file
      },
    });
  }

  /** Pulls `ref` (host:port/name:tag) over plain HTTP; returns the image id. */
  async pull(ref: string, extra: string[] = []): Promise<string> {
    const { stdout } = await this.run(['pull', '--quiet', '--tls-verify=false', '--signature-policy', join(this.dir, 'policy.json'), ...extra, ref]);
    return stdout.trim().split('\n').pop() ?? '';
  }

  async inspect(ref: string): Promise<PodmanImage> {
    const { stdout } = await this.run(['image', 'inspect', ref]);
    return (JSON.parse(stdout) as PodmanImage[])[0];
  }

  /** `podman images --digests`: name:tag -> manifest digest. */
  async imageDigests(): Promise<Record<string, string>> {
    const { stdout } = await this.run(['images', '--digests', '--format', '{{.Repository}}:{{.Tag}} {{.Digest}}']);
    return Object.fromEntries(stdout.trim().split('\n').filter(Boolean).map((l) => l.split(' ') as [string, string]));
  }

  /** sha256 of each file in `paths` inside the image's root file system (podman image mount). */
  async files(ref: string, paths: string[]): Promise<Record<string, string>> {
    const { stdout } = await this.run(['image', 'mount', ref]);
    const root = stdout.trim();
    try {
      const out: Record<string, string> = {};
      for (const p of paths) out[p] = await sha256File(join(root, p));
      return out;
    } finally {
      await this.run(['image', 'unmount', ref]);
    }
  }
}

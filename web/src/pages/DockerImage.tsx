// One Docker image tag: its manifest (or index with a manifest per platform), layers with sizes, config,
// creation time, referrers (signatures, SBOMs) and the pull command for each route that reaches it. Read from
// the registry API with the user's credentials, as a Docker client would.
import { api, registry } from '../api';
import { bytes, date, shortDigest } from '../format';
import { Link, navigate, useLocation, withQuery } from '../router';
import type { RepositoryConfig } from '../types';
import { Badge, CopyText, ErrorNote, Loading, PageHeader, Section, Table, useLoad } from '../ui';

interface Descriptor { mediaType: string; digest: string; size: number; platform?: { os: string; architecture: string; variant?: string }; artifactType?: string; annotations?: Record<string, string> }
interface Manifest { mediaType?: string; config?: Descriptor; layers?: Descriptor[]; manifests?: Descriptor[]; subject?: Descriptor; artifactType?: string; annotations?: Record<string, string> }
interface ImageConfig {
  created?: string; architecture?: string; os?: string; author?: string;
  config?: { Cmd?: string[]; Entrypoint?: string[]; Env?: string[]; WorkingDir?: string; User?: string; Labels?: Record<string, string>; ExposedPorts?: Record<string, unknown> };
  history?: { created?: string; created_by?: string; empty_layer?: boolean }[];
}

const isIndex = (m: Manifest) => Array.isArray(m.manifests);
const platformName = (p?: Descriptor['platform']) => (p ? [p.os, p.architecture, p.variant].filter(Boolean).join('/') : 'unknown');

/** `team/app:1.0` or `team/app@sha256:...` into the image name and the reference. */
export function splitReference(text: string): { name: string; reference: string; shown: string } {
  const at = text.indexOf('@');
  if (at > 0) return { name: text.slice(0, at), reference: text.slice(at + 1), shown: text.slice(at) };
  const colon = text.lastIndexOf(':');
  return colon > text.lastIndexOf('/') ? { name: text.slice(0, colon), reference: text.slice(colon + 1), shown: `:${text.slice(colon + 1)}` } : { name: text, reference: 'latest', shown: ':latest' };
}

async function manifestAt(repo: string, name: string, reference: string): Promise<{ manifest: Manifest; digest: string; mediaType: string }> {
  const res = await registry(`${repo}/${name}/manifests/${reference}`);
  const manifest = await res.json() as Manifest;
  return { manifest, digest: res.headers.get('docker-content-digest') ?? reference, mediaType: res.headers.get('content-type') ?? manifest.mediaType ?? '' };
}

async function loadImage(repo: string, name: string, reference: string, platform: string | null) {
  const top = await manifestAt(repo, name, reference);
  let image = top;
  let platforms: Descriptor[] = [];
  if (isIndex(top.manifest)) {
    platforms = top.manifest.manifests!;
    const chosen = platforms.find((p) => p.digest === platform) ?? platforms.find((p) => p.platform?.os !== 'unknown') ?? platforms[0];
    image = chosen ? await manifestAt(repo, name, chosen.digest) : top;
  }
  const configDigest = image.manifest.config?.digest;
  const config = configDigest && image.manifest.config?.mediaType?.includes('config')
    ? await registry(`${repo}/${name}/blobs/${configDigest}`, 'application/json, */*').then((r) => r.json() as Promise<ImageConfig>).catch(() => undefined)
    : undefined;
  const referrers = await registry(`${repo}/${name}/referrers/${top.digest}`, 'application/vnd.oci.image.index.v1+json')
    .then((r) => r.json() as Promise<Manifest>).then((m) => m.manifests ?? []).catch(() => [] as Descriptor[]);
  // The default route (`host/<image>`) reaches this repository when it answers the same digest there.
  const viaDefault = await registry(`${name}/manifests/${reference}`, undefined, 'HEAD')
    .then((r) => r.headers.get('docker-content-digest') === top.digest).catch(() => false);
  const repoConfig = await api<RepositoryConfig>(`/repositories/${encodeURIComponent(repo)}`).catch(() => undefined);
  return { top, image, platforms, config, referrers, viaDefault, repoConfig };
}

export function DockerImage({ repo, reference: text }: { repo: string; reference: string }) {
  const { query } = useLocation();
  const { name, reference, shown } = splitReference(text);
  const platform = query.get('platform');
  const { data, error, loading } = useLoad(() => loadImage(repo, name, reference, platform), [repo, name, reference, platform]);
  const host = location.host;
  const layers = data?.image.manifest.layers ?? [];
  const total = layers.reduce((n, l) => n + l.size, 0);
  const port = data?.repoConfig?.docker?.httpPort;

  return (
    <>
      <PageHeader
        crumbs={<><Link to="/browse">Repositories</Link> / <Link to={`/browse/${encodeURIComponent(repo)}`}>{repo}</Link> / </>}
        title={<>{name}<span className="muted">{shown}</span></>}
        subtitle={data && <>Digest <code>{data.top.digest}</code></>}
      />
      <ErrorNote error={error} />
      {loading && !data && <Loading label="Reading the manifest" />}
      {data && (
        <div className="grid">
          <Section title="Pull">
            <dl className="props">
              <dt>Path route</dt><dd><CopyText value={`docker pull ${host}/${repo}/${name}${shown}`} label="path-route pull command" /></dd>
              {data.viaDefault && <><dt>Default route</dt><dd><CopyText value={`docker pull ${host}/${name}${shown}`} label="default-route pull command" /></dd></>}
              {port && <><dt>Connector port</dt><dd><CopyText value={`docker pull ${location.hostname}:${port}/${name}${shown}`} label="connector-port pull command" /></dd></>}
              <dt>By digest</dt><dd><CopyText value={`docker pull ${host}/${repo}/${name}@${data.top.digest}`} label="pull-by-digest command" /></dd>
            </dl>
          </Section>
          <Section title="Manifest">
            <dl className="props">
              <dt>Media type</dt><dd className="mono">{data.top.mediaType}</dd>
              {data.config?.created && <><dt>Created</dt><dd>{date(data.config.created)}</dd></>}
              <dt>Platform</dt><dd>{data.config ? platformName({ os: data.config.os ?? '?', architecture: data.config.architecture ?? '?' }) : '—'}</dd>
              <dt>Size</dt><dd>{bytes(total)} in {layers.length} layer{layers.length === 1 ? '' : 's'}</dd>
              {data.image.manifest.config && <><dt>Config</dt><dd className="mono">{shortDigest(data.image.manifest.config.digest)} ({bytes(data.image.manifest.config.size)})</dd></>}
            </dl>
          </Section>
          {data.platforms.length > 0 && (
            <Section wide title={`Platforms (${data.platforms.length})`}>
              <Table<Descriptor>
                caption="Platforms of the index" rows={data.platforms} rowKey={(p) => p.digest}
                columns={[
                  { header: 'Platform', cell: (p) => <button type="button" className="linklike" aria-pressed={p.digest === data.image.digest} onClick={() => navigate(location.pathname + withQuery(query, { platform: p.digest }))}>{platformName(p.platform)}</button> },
                  { header: 'Digest', cell: (p) => <span className="mono">{shortDigest(p.digest)}</span> },
                  { header: 'Size', cell: (p) => bytes(p.size), className: 'num' },
                ]}
              />
            </Section>
          )}
          <Section wide title={`Layers${data.platforms.length ? ` of ${platformName(data.platforms.find((p) => p.digest === data.image.digest)?.platform)}` : ''}`}>
            <Table<Descriptor & { i: number }>
              caption="Layers" rows={layers.map((l, i) => ({ ...l, i }))} rowKey={(l) => `${l.i}-${l.digest}`} empty="No layers."
              columns={[
                { header: '#', cell: (l) => l.i + 1, className: 'num' },
                { header: 'Digest', cell: (l) => <span className="mono" title={l.digest}>{shortDigest(l.digest)}</span> },
                { header: 'Media type', cell: (l) => <span className="muted">{l.mediaType.replace(/^application\//, '')}</span> },
                { header: 'Size', cell: (l) => bytes(l.size), className: 'num' },
              ]}
            />
          </Section>
          {data.config?.config && (
            <Section title="Config">
              <dl className="props">
                {data.config.config.Entrypoint && <><dt>Entrypoint</dt><dd className="mono">{JSON.stringify(data.config.config.Entrypoint)}</dd></>}
                {data.config.config.Cmd && <><dt>Cmd</dt><dd className="mono">{JSON.stringify(data.config.config.Cmd)}</dd></>}
                {data.config.config.WorkingDir && <><dt>Working dir</dt><dd className="mono">{data.config.config.WorkingDir}</dd></>}
                {data.config.config.User && <><dt>User</dt><dd className="mono">{data.config.config.User}</dd></>}
                {data.config.config.Env?.length ? <><dt>Environment</dt><dd><ul className="plain mono">{data.config.config.Env.map((e) => <li key={e}>{e}</li>)}</ul></dd></> : null}
                {data.config.config.ExposedPorts && <><dt>Ports</dt><dd className="mono">{Object.keys(data.config.config.ExposedPorts).join(', ')}</dd></>}
                {Object.entries(data.config.config.Labels ?? {}).map(([k, v]) => <div key={k}><dt>{k}</dt><dd>{v}</dd></div>)}
              </dl>
            </Section>
          )}
          <Section title={`Referrers (${data.referrers.length})`}>
            <Table<Descriptor>
              caption="Referrers" rows={data.referrers} rowKey={(r) => r.digest} empty="No signatures, SBOMs or attestations refer to this image."
              columns={[
                { header: 'Artifact type', cell: (r) => <Badge tone="info">{r.artifactType ?? r.mediaType}</Badge> },
                { header: 'Digest', cell: (r) => <Link to={`/browse/${encodeURIComponent(repo)}/image/${name}@${r.digest}`} className="mono">{shortDigest(r.digest)}</Link> },
                { header: 'Size', cell: (r) => bytes(r.size), className: 'num' },
                { header: 'Created', cell: (r) => date(r.annotations?.['org.opencontainers.image.created']) },
              ]}
            />
          </Section>
        </div>
      )}
    </>
  );
}

// Inside a repository: its components (image tags, files) or its assets, paged by the server, newest
// pages appended with "Load more". A Docker component opens the image view.
import { api } from '../api';
import { bytes, date, shortDigest } from '../format';
import { Link, navigate, useLocation, withQuery } from '../router';
import { useSession } from '../session';
import type { Asset, Component, Page } from '../types';
import { ConfirmButton, CopyText, ErrorNote, MoreButton, PageHeader, Table, useAction, usePaged } from '../ui';

export const imageLink = (repo: string, name: string, version: string) =>
  `/browse/${encodeURIComponent(repo)}/image/${name.split('/').map(encodeURIComponent).join('/')}:${encodeURIComponent(version)}`;

export function RepositoryContent({ repo }: { repo: string }) {
  const { query } = useLocation();
  const { user } = useSession();
  const view = query.get('view') === 'assets' ? 'assets' : 'components';
  const components = usePaged((token) => api<Page<Component>>('/components', { query: { repository: repo, continuationToken: token } }), [repo, view === 'components']);
  const assets = usePaged((token) => (view === 'assets' ? api<Page<Asset>>('/assets', { query: { repository: repo, continuationToken: token } }) : Promise.resolve({ items: [], continuationToken: null })), [repo, view]);
  const action = useAction();
  const remove = (id: string, kind: 'components' | 'assets') => action.run(async () => {
    await api(`/${kind}/${encodeURIComponent(id)}`, { method: 'DELETE' });
    (kind === 'components' ? components : assets).reload();
  });

  return (
    <>
      <PageHeader
        crumbs={<><Link to="/browse">Repositories</Link> / </>} title={repo}
        actions={(
          <div className="segmented" role="group" aria-label="Show">
            <button type="button" aria-pressed={view === 'components'} onClick={() => navigate(`/browse/${encodeURIComponent(repo)}`)}>Components</button>
            <button type="button" aria-pressed={view === 'assets'} onClick={() => navigate(`/browse/${encodeURIComponent(repo)}${withQuery(query, { view: 'assets' })}`)}>Assets</button>
          </div>
        )}
      />
      <ErrorNote error={action.error} />
      {view === 'components' ? (
        <>
          <ErrorNote error={components.error} />
          <Table<Component>
            caption={`Components of ${repo}`} rows={components.items} rowKey={(c) => c.id} loading={components.loading}
            empty="No components. Push or upload something to see it here."
            columns={[
              { header: 'Name', cell: (c) => (c.format === 'docker' ? <Link to={imageLink(c.repository, c.name, c.version)}><strong>{c.name}</strong></Link> : <strong>{c.name}</strong>) },
              { header: 'Version', cell: (c) => (c.format === 'docker' ? <Link to={imageLink(c.repository, c.name, c.version)}>{c.version}</Link> : c.version) },
              { header: 'Assets', cell: (c) => c.assets.length, className: 'num' },
              { header: 'Size', cell: (c) => bytes(c.assets.reduce((n, a) => n + a.fileSize, 0)), className: 'num' },
              { header: 'Last updated', cell: (c) => date(c.assets.map((a) => a.lastModified ?? '').sort().at(-1)) },
              { header: <span className="sr-only">Actions</span>, cell: (c) => !user?.anonymous && <ConfirmButton label="Delete" confirm={`Delete ${c.name}:${c.version}?`} onConfirm={() => remove(c.id, 'components')} /> },
            ]}
          />
          <MoreButton paged={components} />
        </>
      ) : (
        <>
          <ErrorNote error={assets.error} />
          <Table<Asset>
            caption={`Assets of ${repo}`} rows={assets.items} rowKey={(a) => a.id} loading={assets.loading} empty="No assets."
            columns={[
              { header: 'Path', cell: (a) => <span className="mono">{a.path.replace(/sha256:[0-9a-f]{64}/, (d) => shortDigest(d))}</span> },
              { header: 'Type', cell: (a) => <span className="muted">{a.contentType}</span> },
              { header: 'Size', cell: (a) => bytes(a.fileSize), className: 'num' },
              { header: 'Updated', cell: (a) => date(a.lastModified) },
              { header: 'Downloaded', cell: (a) => date(a.lastDownloaded) },
              { header: 'Download URL', cell: (a) => <CopyText value={a.downloadUrl} label="download URL" /> },
              { header: <span className="sr-only">Actions</span>, cell: (a) => !user?.anonymous && <ConfirmButton label="Delete" confirm="Delete this asset?" onConfirm={() => remove(a.id, 'assets')} /> },
            ]}
          />
          <MoreButton paged={assets} />
        </>
      )}
    </>
  );
}

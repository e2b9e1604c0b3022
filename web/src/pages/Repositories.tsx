// Browse: every repository the user may browse, with its status, URL and blob store.
import { api } from '../api';
import { Link } from '../router';
import type { RepositoryConfig, RepositoryStatus, RepositorySummary } from '../types';
import { Badge, CopyText, ErrorNote, PageHeader, Table, useLoad } from '../ui';

interface Row extends RepositorySummary { status?: RepositoryStatus; config?: RepositoryConfig }

export function statusBadge(status?: RepositoryStatus) {
  if (!status) return <Badge>unknown</Badge>;
  if (!status.online) return <Badge tone="danger">offline</Badge>;
  const up = status.upstream;
  if (up && up.status !== 'ready') return <Badge tone="warn">upstream {up.status}{up.reason ? `: ${up.reason}` : ''}</Badge>;
  return <Badge tone="ok">online</Badge>;
}

/** The repositories with their status and (when the user may read configurations) their configuration. */
export async function loadRepositories(): Promise<Row[]> {
  const list = await api<RepositorySummary[]>('/repositories');
  return Promise.all(list.map(async (r) => ({
    ...r,
    status: await api<RepositoryStatus>(`/repositories/${encodeURIComponent(r.name)}/status`).catch(() => undefined),
    config: await api<RepositoryConfig>(`/repositories/${encodeURIComponent(r.name)}`).catch(() => undefined),
  })));
}

export function Repositories() {
  const { data, error, loading } = useLoad(loadRepositories, []);
  return (
    <>
      <PageHeader title="Repositories" subtitle="Everything you may browse. Open one to see its components." />
      <ErrorNote error={error} />
      <Table<Row>
        caption="Repositories" loading={loading} rows={data ?? []} rowKey={(r) => r.name}
        empty={loading ? 'Loading…' : 'No repositories you may browse.'}
        columns={[
          { header: 'Name', cell: (r) => <Link to={`/browse/${encodeURIComponent(r.name)}`}><strong>{r.name}</strong></Link> },
          { header: 'Format', cell: (r) => <Badge tone="info">{r.format}</Badge> },
          { header: 'Type', cell: (r) => r.type },
          { header: 'Status', cell: (r) => statusBadge(r.status) },
          { header: 'URL', cell: (r) => <CopyText value={r.url} label={`URL of ${r.name}`} /> },
          { header: 'Blob store', cell: (r) => r.config?.storage?.blobStoreName ?? '—' },
        ]}
      />
    </>
  );
}

// System status: the server's version, its status checks, blob stores, and each repository's health
// (upstream state for proxies), with an on-demand health check that asks the upstream now.
import { useState } from 'react';
import { api } from '../api';
import { bytes } from '../format';
import { useSession } from '../session';
import type { BlobStore } from '../types';
import { Badge, Bar, ErrorNote, PageHeader, Section, Table, useAction, useLoad } from '../ui';
import { loadRepositories, statusBadge } from './Repositories';

interface Check { healthy: boolean; message: string | null; details?: Record<string, string> }
interface HealthCheck { name: string; healthy: boolean; checks: { name: string; healthy: boolean; message: string }[] }

export function SystemStatus() {
  const { can } = useSession();
  const version = useLoad(() => fetch('/service/rest/openapi.json').then((r) => r.json()).then((d: { info?: { version?: string } }) => d.info?.version ?? '?'), []);
  const checks = useLoad(() => api<Record<string, Check>>('/status/check'), []);
  const stores = useLoad(() => (can('blobstores', 'read') ? api<BlobStore[]>('/blobstores') : Promise.resolve([])), []);
  const repos = useLoad(loadRepositories, []);
  const [results, setResults] = useState<Record<string, HealthCheck>>({});
  const action = useAction();
  const check = (name: string) => action.run(async () => {
    const r = await api<HealthCheck>(`/repositories/${encodeURIComponent(name)}/health-check`, { method: 'POST' });
    setResults((old) => ({ ...old, [name]: r }));
  });

  return (
    <>
      <PageHeader title="System status" subtitle={<>Wharf {version.data ?? '…'}</>} actions={<button type="button" onClick={() => { checks.reload(); stores.reload(); repos.reload(); }}>Refresh</button>} />
      <ErrorNote error={checks.error ?? action.error} />
      <div className="grid">
        <Section title="Checks">
          <ul className="checklist">
            {Object.entries(checks.data ?? {}).map(([name, c]) => (
              <li key={name}>
                <Badge tone={c.healthy ? 'ok' : 'danger'}>{c.healthy ? 'healthy' : 'unhealthy'}</Badge> <strong>{name}</strong>
                {c.message && <span className="muted"> — {c.message}</span>}
                {c.details && <ul>{Object.entries(c.details).map(([k, v]) => <li key={k}><code>{k}</code>: {v}</li>)}</ul>}
              </li>
            ))}
          </ul>
        </Section>
        {!!stores.data?.length && (
          <Section title="Blob stores">
            {stores.data.map((s) => {
              const max = s.hardQuota?.limit ?? s.softQuota?.limit ?? (s.availableSpaceInBytes && s.availableSpaceInBytes > 0 ? s.totalSizeInBytes + s.availableSpaceInBytes : 0);
              return (
                <div key={s.name} className="store-line">
                  <div><strong>{s.name}</strong> <span className="muted">{bytes(s.totalSizeInBytes)}{max ? ` of ${bytes(max)}` : ''}, {s.blobCount} blobs</span></div>
                  {max > 0 && <Bar value={s.totalSizeInBytes} max={max} warn={s.softQuota?.limit ?? max * 0.9} label={`Usage of ${s.name}`} />}
                </div>
              );
            })}
          </Section>
        )}
      </div>
      <Section title="Repositories">
        <Table
          caption="Repository health" rows={repos.data ?? []} rowKey={(r) => r.name} loading={repos.loading}
          columns={[
            { header: 'Repository', cell: (r) => <strong>{r.name}</strong> },
            { header: 'Kind', cell: (r) => `${r.format} ${r.type}` },
            { header: 'Status', cell: (r) => statusBadge(r.status) },
            { header: 'Upstream', cell: (r) => (r.type === 'proxy' ? <span className="mono small-text">{String(r.attributes?.proxy?.remoteUrl ?? '')}</span> : '—') },
            {
              header: 'Health check', cell: (r) => {
                const res = results[r.name];
                return (
                  <>
                    {can('repository-admin', 'read') && <button type="button" className="small" disabled={action.busy} onClick={() => void check(r.name)}>Check now</button>}
                    {res && <div className="small-text">{res.checks.map((c) => <div key={c.name}><Badge tone={c.healthy ? 'ok' : 'danger'}>{c.name}</Badge> {c.message}</div>)}</div>}
                  </>
                );
              },
            },
          ]}
        />
      </Section>
    </>
  );
}

// Privileges (read-only, as in Nexus they are named by pattern): filter by name, description or type.
import { useState } from 'react';
import { api } from '../api';
import type { Privilege } from '../types';
import { Badge, ErrorNote, PageHeader, Table, useLoad } from '../ui';

export function Privileges() {
  const { data, error, loading } = useLoad(() => api<Privilege[]>('/security/privileges'), []);
  const [filter, setFilter] = useState('');
  const f = filter.toLowerCase();
  const rows = (data ?? []).filter((p) => !f || p.name.includes(f) || p.description.toLowerCase().includes(f) || p.type.includes(f));
  return (
    <>
      <PageHeader title="Privileges" subtitle="What roles can grant. nx-repository-view-<format>-<repository>-<action> covers content; * is any."
        actions={<input type="search" aria-label="Filter privileges" placeholder="Filter…" value={filter} onChange={(e) => setFilter(e.target.value)} />} />
      <ErrorNote error={error} />
      <Table<Privilege>
        caption="Privileges" rows={rows} rowKey={(p) => p.name} loading={loading} empty="No privilege matches the filter."
        columns={[
          { header: 'Name', cell: (p) => <span className="mono">{p.name}</span> },
          { header: 'Type', cell: (p) => <Badge tone="info">{p.type}</Badge> },
          { header: 'Description', cell: (p) => p.description },
        ]}
      />
    </>
  );
}

// Search across repositories with Nexus's filters (keyword, repository, format, name, version, sha256).
// The filters live in the URL, so a search is a link to share; results page on the server.
import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../api';
import { bytes } from '../format';
import { Link, navigate, useLocation } from '../router';
import type { Component, Page, RepositorySummary } from '../types';
import { Badge, ErrorNote, Field, MoreButton, PageHeader, Table, useLoad, usePaged } from '../ui';
import { imageLink } from './RepositoryContent';

const FILTERS = ['q', 'repository', 'format', 'name', 'version', 'sha256'] as const;

export function Search() {
  const { query } = useLocation();
  const current = Object.fromEntries(FILTERS.map((f) => [f, query.get(f) ?? ''])) as Record<(typeof FILTERS)[number], string>;
  const [form, setForm] = useState(current);
  const repos = useLoad(() => api<RepositorySummary[]>('/repositories'), []);
  const active = FILTERS.some((f) => current[f]);
  const key = JSON.stringify(current);
  useEffect(() => setForm(current), [key]); // back and forward show their own filters
  const results = usePaged((token) => (active ? api<Page<Component>>('/search', { query: { ...current, continuationToken: token } }) : Promise.resolve({ items: [], continuationToken: null })), [key]);
  const formats = [...new Set((repos.data ?? []).map((r) => r.format))];

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const params = new URLSearchParams();
    for (const f of FILTERS) if (form[f].trim()) params.set(f, form[f].trim());
    navigate(`/search${params.size ? `?${params}` : ''}`);
  };
  const set = (f: (typeof FILTERS)[number]) => (e: { target: { value: string } }) => setForm({ ...form, [f]: e.target.value });

  return (
    <>
      <PageHeader title="Search" subtitle="Find components across every repository you may browse. * is a wildcard in name and version." />
      <form className="card filters" role="search" onSubmit={submit}>
        <Field label="Keyword">{(id) => <input id={id} type="search" value={form.q} onChange={set('q')} placeholder="name, version or group" />}</Field>
        <Field label="Repository">{(id) => (
          <select id={id} value={form.repository} onChange={set('repository')}>
            <option value="">Any</option>
            {(repos.data ?? []).filter((r) => r.type !== 'group').map((r) => <option key={r.name}>{r.name}</option>)}
          </select>
        )}</Field>
        <Field label="Format">{(id) => <select id={id} value={form.format} onChange={set('format')}><option value="">Any</option>{formats.map((f) => <option key={f}>{f}</option>)}</select>}</Field>
        <Field label="Name">{(id) => <input id={id} value={form.name} onChange={set('name')} placeholder="team/*" />}</Field>
        <Field label="Version">{(id) => <input id={id} value={form.version} onChange={set('version')} placeholder="1.*" />}</Field>
        <Field label="SHA-256">{(id) => <input id={id} value={form.sha256} onChange={set('sha256')} placeholder="of an asset or manifest" />}</Field>
        <div className="filter-actions"><button type="submit" className="primary">Search</button></div>
      </form>
      <ErrorNote error={results.error} />
      {active && (
        <>
          <Table<Component>
            caption="Search results" rows={results.items} rowKey={(c) => c.id} loading={results.loading} empty="Nothing matches. Loosen a filter or use * in the name."
            columns={[
              { header: 'Name', cell: (c) => (c.format === 'docker' ? <Link to={imageLink(c.repository, c.name, c.version)}><strong>{c.name}</strong></Link> : <strong>{c.name}</strong>) },
              { header: 'Version', cell: (c) => c.version },
              { header: 'Repository', cell: (c) => <Link to={`/browse/${encodeURIComponent(c.repository)}`}>{c.repository}</Link> },
              { header: 'Format', cell: (c) => <Badge tone="info">{c.format}</Badge> },
              { header: 'Size', cell: (c) => bytes(c.assets.reduce((n, a) => n + a.fileSize, 0)), className: 'num' },
            ]}
          />
          <MoreButton paged={results} />
        </>
      )}
    </>
  );
}

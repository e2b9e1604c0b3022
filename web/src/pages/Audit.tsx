// The audit log: who changed what, newest first, with filters kept in the URL (a filtered view is a link to
// share) and pages fetched from the server as you scroll with "Load more".
import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../api';
import { date } from '../format';
import { navigate, useLocation } from '../router';
import type { AuditEvent, Page } from '../types';
import { Badge, ErrorNote, Field, MoreButton, PageHeader, Table, usePaged } from '../ui';

const FILTERS = ['userId', 'domain', 'type', 'repository', 'object', 'outcome', 'since', 'until'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;
const DOMAINS = ['security', 'security.login', 'security.user', 'security.role', 'security.token', 'settings', 'repository', 'repository.content', 'blobstore'];

export function Audit() {
  const { query } = useLocation();
  const current = Object.fromEntries(FILTERS.map((f) => [f, query.get(f) ?? ''])) as Filters;
  const [form, setForm] = useState(current);
  const key = JSON.stringify(current);
  useEffect(() => setForm(current), [key]); // back and forward show their own filters
  // A day picked as "until" includes that whole day.
  const until = /^\d{4}-\d{2}-\d{2}$/.test(current.until) ? `${current.until}T23:59:59.999Z` : current.until;
  const events = usePaged((token) => api<Page<AuditEvent>>('/audit', { query: { ...current, until, limit: 50, continuationToken: token } }), [key]);
  const [open, setOpen] = useState<number>();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const params = new URLSearchParams();
    for (const f of FILTERS) if (form[f].trim()) params.set(f, form[f].trim());
    navigate(`/admin/audit${params.size ? `?${params}` : ''}`);
  };
  const set = (f: keyof Filters) => (e: { target: { value: string } }) => setForm({ ...form, [f]: e.target.value });

  return (
    <>
      <PageHeader title="Audit log" subtitle="Every change, push, deletion and failed sign-in, newest first." />
      <form className="card filters" role="search" aria-label="Filter the audit log" onSubmit={submit}>
        <Field label="User">{(id) => <input id={id} value={form.userId} onChange={set('userId')} />}</Field>
        <Field label="Domain">{(id) => <select id={id} value={form.domain} onChange={set('domain')}><option value="">Any</option>{DOMAINS.map((d) => <option key={d}>{d}</option>)}</select>}</Field>
        <Field label="Type">{(id) => <input id={id} value={form.type} onChange={set('type')} placeholder="create, delete, push…" />}</Field>
        <Field label="Repository">{(id) => <input id={id} value={form.repository} onChange={set('repository')} />}</Field>
        <Field label="Object contains">{(id) => <input id={id} value={form.object} onChange={set('object')} />}</Field>
        <Field label="Outcome">{(id) => <select id={id} value={form.outcome} onChange={set('outcome')}><option value="">Any</option><option>success</option><option>failure</option></select>}</Field>
        <Field label="Since">{(id) => <input id={id} type="date" value={form.since} onChange={set('since')} />}</Field>
        <Field label="Until">{(id) => <input id={id} type="date" value={form.until} onChange={set('until')} />}</Field>
        <div className="filter-actions"><button type="submit" className="primary">Filter</button><button type="button" onClick={() => { setForm(Object.fromEntries(FILTERS.map((f) => [f, ''])) as Filters); navigate('/admin/audit'); }}>Clear</button></div>
      </form>
      <ErrorNote error={events.error} />
      <Table<AuditEvent>
        caption="Audit events" rows={events.items} rowKey={(e) => String(e.id)} loading={events.loading} empty="No events match these filters."
        columns={[
          { header: 'When', cell: (e) => date(e.timestamp) },
          { header: 'User', cell: (e) => e.userId },
          { header: 'Domain', cell: (e) => <span className="mono">{e.domain}</span> },
          { header: 'Type', cell: (e) => e.type },
          { header: 'Object', cell: (e) => <strong>{e.object}</strong> },
          { header: 'Repository', cell: (e) => e.repository ?? '—' },
          { header: 'Outcome', cell: (e) => <Badge tone={e.outcome === 'success' ? 'ok' : 'danger'}>{e.outcome}</Badge> },
          { header: 'From', cell: (e) => <span className="muted">{e.remoteAddress ?? '—'}</span> },
          { header: 'Details', cell: (e) => (Object.keys(e.attributes).length ? <button type="button" className="small" aria-expanded={open === e.id} onClick={() => setOpen(open === e.id ? undefined : e.id)}>{open === e.id ? 'Hide' : 'Show'}</button> : '—') },
        ]}
      />
      {open !== undefined && <pre className="log" aria-label="Event details">{JSON.stringify(events.items.find((e) => e.id === open)?.attributes, null, 2)}</pre>}
      <MoreButton paged={events} />
    </>
  );
}

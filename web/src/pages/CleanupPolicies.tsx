// Cleanup policies: the list, and a form whose preview shows exactly what a run would delete from a chosen
// repository (the API's preview calls the same selection as the cleanup task), before anything is saved.
import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api';
import { date } from '../format';
import { Link, navigate } from '../router';
import { useSession } from '../session';
import type { CleanupPolicy, CleanupPreview, RepositorySummary } from '../types';
import { Badge, ConfirmButton, ErrorNote, Field, Loading, PageHeader, Section, Table, useAction, useLoad } from '../ui';

const describe = (c: CleanupPolicy['criteria']) => [
  c.lastBlobUpdated && `updated > ${c.lastBlobUpdated} d ago`,
  c.lastDownloaded && `not downloaded for ${c.lastDownloaded} d`,
  c.prerelease !== undefined && (c.prerelease ? 'prereleases' : 'releases'),
  c.regex && `matches /${c.regex}/`,
  c.retain && `keep newest ${c.retain}`,
].filter(Boolean).join(' · ') || 'everything';

export function CleanupPolicies() {
  const { can } = useSession();
  const { data, error, loading, reload } = useLoad(() => api<CleanupPolicy[]>('/cleanup-policies'), []);
  const action = useAction();
  return (
    <>
      <PageHeader title="Cleanup policies" subtitle="Criteria for what the nightly cleanup deletes from the repositories that name a policy."
        actions={can('settings', 'create') && <Link to="/admin/cleanup/new" className="button primary">Create policy</Link>} />
      <ErrorNote error={error ?? action.error} />
      <Table<CleanupPolicy>
        caption="Cleanup policies" rows={data ?? []} rowKey={(p) => p.name} loading={loading} empty="No cleanup policies yet."
        columns={[
          { header: 'Name', cell: (p) => <Link to={`/admin/cleanup/${encodeURIComponent(p.name)}`}><strong>{p.name}</strong></Link> },
          { header: 'Format', cell: (p) => <Badge tone="info">{p.format}</Badge> },
          { header: 'Criteria', cell: (p) => describe(p.criteria) },
          { header: 'Notes', cell: (p) => <span className="muted">{p.notes}</span> },
          { header: <span className="sr-only">Actions</span>, cell: (p) => can('settings', 'delete') && <ConfirmButton label="Delete" confirm={`Delete ${p.name}?`} onConfirm={() => action.run(async () => { await api(`/cleanup-policies/${encodeURIComponent(p.name)}`, { method: 'DELETE' }); reload(); })} /> },
        ]}
      />
    </>
  );
}

interface Form { name: string; format: string; notes: string; lastBlobUpdated: string; lastDownloaded: string; release: string; regex: string; retain: string }
const EMPTY: Form = { name: '', format: 'docker', notes: '', lastBlobUpdated: '', lastDownloaded: '', release: '', regex: '', retain: '' };

function criteria(f: Form): CleanupPolicy['criteria'] {
  return {
    ...(f.lastBlobUpdated && { lastBlobUpdated: Number(f.lastBlobUpdated) }),
    ...(f.lastDownloaded && { lastDownloaded: Number(f.lastDownloaded) }),
    ...(f.release && { prerelease: f.release === 'prerelease' }),
    ...(f.regex && { regex: f.regex }),
    ...(f.retain && { retain: Number(f.retain) }),
  };
}

function validate(f: Form, creating: boolean): Record<string, string> {
  const e: Record<string, string> = {};
  if (creating && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/.test(f.name)) e.name = 'Letters, digits, dot, dash and underscore.';
  for (const k of ['lastBlobUpdated', 'lastDownloaded', 'retain'] as const) if (f[k] && !(/^\d+$/.test(f[k]) && Number(f[k]) >= 1)) e[k] = 'A whole number, at least 1.';
  if (f.regex) { try { new RegExp(f.regex); } catch { e.regex = 'Not a valid regular expression.'; } }
  return e;
}

export function CleanupPolicyForm({ name }: { name?: string }) {
  const { can } = useSession();
  const editing = name !== undefined;
  const [form, setForm] = useState<Form>(EMPTY);
  const [touched, setTouched] = useState(false);
  const existing = useLoad(() => (editing ? api<CleanupPolicy>(`/cleanup-policies/${encodeURIComponent(name)}`) : Promise.resolve(undefined)), [name]);
  const repos = useLoad(() => api<RepositorySummary[]>('/repositories'), []);
  const [repository, setRepository] = useState('');
  const [preview, setPreview] = useState<CleanupPreview>();
  const save = useAction();
  const previewing = useAction();

  useEffect(() => {
    const p = existing.data;
    if (!p) return;
    const c = p.criteria;
    setForm({ name: p.name, format: p.format, notes: p.notes, lastBlobUpdated: c.lastBlobUpdated ? String(c.lastBlobUpdated) : '', lastDownloaded: c.lastDownloaded ? String(c.lastDownloaded) : '', release: c.prerelease === undefined ? '' : c.prerelease ? 'prerelease' : 'release', regex: c.regex ?? '', retain: c.retain ? String(c.retain) : '' });
  }, [existing.data]);

  const candidates = (repos.data ?? []).filter((r) => r.format === form.format && r.type !== 'group');
  useEffect(() => { if (!candidates.some((r) => r.name === repository)) setRepository(candidates[0]?.name ?? ''); }, [candidates.map((r) => r.name).join(), repository]);

  const local = validate(form, !editing);
  const server = save.error instanceof ApiError ? save.error.fieldErrors() : {};
  const err = (k: string) => (touched ? local[k] : undefined) ?? server[k] ?? server[`criteria.${k}`];
  const set = (k: keyof Form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (Object.keys(local).length) return;
    const body = { name: form.name, format: form.format, notes: form.notes, criteria: criteria(form) };
    const ok = await save.run(() => (editing ? api(`/cleanup-policies/${encodeURIComponent(name)}`, { method: 'PUT', body }) : api('/cleanup-policies', { method: 'POST', body })).then(() => true));
    if (ok) navigate('/admin/cleanup');
  };
  const runPreview = async () => {
    setTouched(true);
    if (Object.keys(local).length || !repository) return;
    setPreview(await previewing.run(() => api<CleanupPreview>('/cleanup-policies/preview', { method: 'POST', body: { repository, policy: { format: form.format, notes: form.notes, criteria: criteria(form) } } })));
  };

  if (existing.loading && editing) return <Loading />;
  return (
    <>
      <PageHeader crumbs={<><Link to="/admin/cleanup">Cleanup policies</Link> / </>} title={editing ? name : 'Create cleanup policy'} subtitle="All criteria must hold for a component to be deleted. Try them with the preview first." />
      <ErrorNote error={existing.error} />
      <form onSubmit={submit} noValidate>
        <Section title="Criteria">
          <div className="form-grid">
            <Field label="Name" error={err('name')}>{(id) => <input id={id} value={form.name} disabled={editing} required onChange={set('name')} />}</Field>
            <Field label="Format">{(id) => <select id={id} value={form.format} disabled={editing} onChange={set('format')}><option>docker</option><option>raw</option></select>}</Field>
            <Field label="Last updated more than (days)" error={err('lastBlobUpdated')}>{(id) => <input id={id} inputMode="numeric" value={form.lastBlobUpdated} onChange={set('lastBlobUpdated')} />}</Field>
            <Field label="Not downloaded for (days)" error={err('lastDownloaded')} hint="Never downloaded counts from the last update">{(id, d) => <input id={id} inputMode="numeric" aria-describedby={d} value={form.lastDownloaded} onChange={set('lastDownloaded')} />}</Field>
            <Field label="Release type">{(id) => <select id={id} value={form.release} onChange={set('release')}><option value="">Any</option><option value="release">Releases only</option><option value="prerelease">Prereleases only</option></select>}</Field>
            <Field label="Matching (regex on name:version)" error={err('regex')}>{(id) => <input id={id} value={form.regex} onChange={set('regex')} placeholder="team/.*:pr-.*" />}</Field>
            <Field label="Keep the newest N of each name" error={err('retain')}>{(id) => <input id={id} inputMode="numeric" value={form.retain} onChange={set('retain')} />}</Field>
            <Field label="Notes" wide>{(id) => <input id={id} value={form.notes} onChange={set('notes')} />}</Field>
          </div>
        </Section>
        <Section title="Preview" actions={(
          <div className="inline">
            <label htmlFor="preview-repo" className="sr-only">Repository to preview</label>
            <select id="preview-repo" value={repository} onChange={(e) => setRepository(e.target.value)}>{candidates.map((r) => <option key={r.name}>{r.name}</option>)}</select>
            <button type="button" onClick={() => void runPreview()} disabled={previewing.busy || !repository}>{previewing.busy ? 'Selecting…' : 'Preview'}</button>
          </div>
        )}>
          <ErrorNote error={previewing.error} />
          {preview ? (
            <>
              <p role="status"><strong>{preview.total}</strong> component{preview.total === 1 ? '' : 's'} of {repository} would be deleted now.</p>
              <Table
                caption="Components a run would delete" rows={preview.items} rowKey={(i) => `${i.repository}/${i.name}:${i.version}`} empty="Nothing matches: a run would delete nothing."
                columns={[
                  { header: 'Name', cell: (i) => i.name }, { header: 'Version', cell: (i) => i.version },
                  { header: 'Last updated', cell: (i) => date(i.lastUpdated) }, { header: 'Last downloaded', cell: (i) => date(i.lastDownloaded) },
                ]}
              />
            </>
          ) : <p className="muted">Choose a repository and press Preview to see what these criteria select. Nothing is deleted.</p>}
        </Section>
        <ErrorNote error={save.error} title="Not saved" />
        <div className="form-actions">
          {can('settings', editing ? 'update' : 'create') && <button type="submit" className="primary" disabled={save.busy}>{editing ? 'Save' : 'Create policy'}</button>}
          <Link to="/admin/cleanup" className="button">Cancel</Link>
        </div>
      </form>
    </>
  );
}

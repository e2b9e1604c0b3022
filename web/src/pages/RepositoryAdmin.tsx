// Administration of repositories: the list with edit and delete, and one form for creating and editing every
// format and type. The form checks what the API checks (name pattern, required upstream URL, members, port
// range) before sending, and shows the API's own field errors when it refuses anyway.
import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api';
import { Link, navigate } from '../router';
import { useSession } from '../session';
import type { BlobStore, CleanupPolicy, RepositoryConfig, RepositorySummary } from '../types';
import { Badge, Checkbox, ConfirmButton, CopyText, ErrorNote, Field, Loading, PageHeader, Section, Table, useAction, useLoad } from '../ui';
import { loadRepositories, statusBadge } from './Repositories';

export function RepositoryAdmin() {
  const { can } = useSession();
  const { data, error, loading, reload } = useLoad(loadRepositories, []);
  const action = useAction();
  return (
    <>
      <PageHeader title="Repositories" subtitle="Create, change and delete repositories."
        actions={can('repository-admin', 'add') && <Link to="/admin/repositories/new" className="button primary">Create repository</Link>} />
      <ErrorNote error={error ?? action.error} />
      <Table
        caption="Repositories" loading={loading} rows={data ?? []} rowKey={(r) => r.name}
        columns={[
          { header: 'Name', cell: (r) => <Link to={`/admin/repositories/${encodeURIComponent(r.name)}`}><strong>{r.name}</strong></Link> },
          { header: 'Format', cell: (r) => <Badge tone="info">{r.format}</Badge> },
          { header: 'Type', cell: (r) => r.type },
          { header: 'Status', cell: (r) => statusBadge(r.status) },
          { header: 'Blob store', cell: (r) => r.config?.storage?.blobStoreName ?? '—' },
          { header: 'URL', cell: (r) => <CopyText value={r.url} label={`URL of ${r.name}`} /> },
          {
            header: <span className="sr-only">Actions</span>,
            cell: (r) => can('repository-admin', 'delete') && (
              <ConfirmButton label="Delete" confirm={`Delete ${r.name} and its content?`}
                onConfirm={() => action.run(async () => { await api(`/repositories/${encodeURIComponent(r.name)}`, { method: 'DELETE' }); reload(); })} />
            ),
          },
        ]}
      />
    </>
  );
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
const TYPES: Record<string, string[]> = { docker: ['hosted', 'proxy', 'group'], raw: ['hosted', 'proxy', 'group'] };

interface Form {
  format: string; type: string; name: string; online: boolean; blobStoreName: string; strict: boolean;
  writePolicy: string; latestPolicy: boolean; remoteUrl: string; contentMaxAge: string; metadataMaxAge: string;
  negativeCache: boolean; negativeTtl: string; members: string[]; writableMember: string; httpPort: string;
  indexType: string; contentDisposition: string; policyNames: string[];
}

const EMPTY: Form = {
  format: 'docker', type: 'hosted', name: '', online: true, blobStoreName: 'default', strict: true, writePolicy: 'allow',
  latestPolicy: false, remoteUrl: '', contentMaxAge: '-1', metadataMaxAge: '1440', negativeCache: true, negativeTtl: '1440',
  members: [], writableMember: '', httpPort: '', indexType: 'REGISTRY', contentDisposition: 'ATTACHMENT', policyNames: [],
};

function fromConfig(c: RepositoryConfig): Form {
  return {
    ...EMPTY, format: c.format, type: c.type, name: c.name, online: c.online, blobStoreName: c.storage?.blobStoreName ?? 'default',
    strict: c.storage?.strictContentTypeValidation ?? true, writePolicy: c.storage?.writePolicy ?? 'allow', latestPolicy: !!c.storage?.latestPolicy,
    remoteUrl: c.proxy?.remoteUrl ?? '', contentMaxAge: String(c.proxy?.contentMaxAge ?? -1), metadataMaxAge: String(c.proxy?.metadataMaxAge ?? 1440),
    negativeCache: c.negativeCache?.enabled ?? true, negativeTtl: String(c.negativeCache?.timeToLive ?? 1440),
    members: c.group?.memberNames ?? [], writableMember: c.group?.writableMember ?? '', httpPort: c.docker?.httpPort ? String(c.docker.httpPort) : '',
    indexType: c.dockerProxy?.indexType ?? 'REGISTRY', contentDisposition: c.raw?.contentDisposition ?? 'ATTACHMENT', policyNames: c.cleanup?.policyNames ?? [],
  };
}

/** The problems the API would answer with, by the field names it uses. */
export function validate(f: Form): Record<string, string> {
  const e: Record<string, string> = {};
  if (!NAME.test(f.name)) e.name = 'Letters, digits, dot, dash and underscore; starts with a letter or digit; at most 200.';
  if (!f.blobStoreName) e['storage.blobStoreName'] = 'Choose a blob store.';
  if (f.type === 'proxy' && !/^https?:\/\/[^/\s]+/.test(f.remoteUrl)) e['proxy.remoteUrl'] = 'An http:// or https:// URL of the upstream.';
  for (const [key, value, min] of [['proxy.contentMaxAge', f.contentMaxAge, -1], ['proxy.metadataMaxAge', f.metadataMaxAge, -1], ['negativeCache.timeToLive', f.negativeTtl, 0]] as const) {
    if (f.type === 'proxy' && (!/^-?\d+$/.test(value) || Number(value) < min)) e[key] = `A whole number of minutes, at least ${min}.`;
  }
  if (f.type === 'group' && !f.members.length) e['group.memberNames'] = 'Choose at least one member.';
  if (f.format === 'docker' && f.httpPort && !(/^\d+$/.test(f.httpPort) && Number(f.httpPort) >= 1 && Number(f.httpPort) <= 65535)) e['docker.httpPort'] = 'A port from 1 to 65535, or empty for none.';
  return e;
}

/** The REST body: `base` (the stored configuration, for fields this form does not show) with the form applied. */
export function toBody(f: Form, base: Record<string, unknown> = {}): Record<string, unknown> {
  const { url: _url, format: _format, type: _type, ...kept } = base;
  const body: Record<string, any> = { ...kept, name: f.name, online: f.online };
  body.storage = { ...(kept.storage as object), blobStoreName: f.blobStoreName, strictContentTypeValidation: f.strict };
  if (f.type === 'hosted') Object.assign(body.storage, { writePolicy: f.writePolicy, ...(f.format === 'docker' ? { latestPolicy: f.latestPolicy } : {}) });
  if (f.type === 'proxy') {
    body.proxy = { ...(kept.proxy as object), remoteUrl: f.remoteUrl.trim(), contentMaxAge: Number(f.contentMaxAge), metadataMaxAge: Number(f.metadataMaxAge) };
    body.negativeCache = { enabled: f.negativeCache, timeToLive: Number(f.negativeTtl) };
    if (f.format === 'docker') body.dockerProxy = { ...(kept.dockerProxy as object), indexType: f.indexType };
  }
  if (f.type === 'group') body.group = { ...(kept.group as object), memberNames: f.members, ...(f.format === 'docker' ? { writableMember: f.writableMember || null } : {}) };
  if (f.format === 'docker') body.docker = { ...(kept.docker as object), httpPort: f.httpPort ? Number(f.httpPort) : null };
  if (f.format === 'raw') body.raw = { ...(kept.raw as object), contentDisposition: f.contentDisposition };
  body.cleanup = f.policyNames.length ? { policyNames: f.policyNames } : null;
  return body;
}

export function RepositoryForm({ name }: { name?: string }) {
  const { can } = useSession();
  const editing = name !== undefined;
  const [form, setForm] = useState<Form>(EMPTY);
  const [base, setBase] = useState<Record<string, unknown>>();
  const [touched, setTouched] = useState(false);
  const action = useAction();
  const existing = useLoad(() => (editing ? api<RepositoryConfig>(`/repositories/${encodeURIComponent(name)}`) : Promise.resolve(undefined)), [name]);
  const repos = useLoad(() => api<RepositorySummary[]>('/repositories'), []);
  const stores = useLoad(() => (can('blobstores', 'read') ? api<BlobStore[]>('/blobstores') : Promise.resolve([])), []);
  const policies = useLoad(() => (can('settings', 'read') ? api<CleanupPolicy[]>('/cleanup-policies') : Promise.resolve([])), []);

  useEffect(() => {
    if (!existing.data) return;
    setForm(fromConfig(existing.data));
    api<Record<string, unknown>>(`/repositories/${existing.data.format}/${existing.data.type}/${encodeURIComponent(existing.data.name)}`).then(setBase, () => setBase({}));
  }, [existing.data]);

  const local = validate(form);
  const server = action.error instanceof ApiError ? action.error.fieldErrors() : {};
  const err = (key: string) => (touched ? local[key] : undefined) ?? server[key];
  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm((f) => ({ ...f, [key]: value }));
  const members = (repos.data ?? []).filter((r) => r.format === form.format && r.name !== form.name);
  const mayWrite = editing ? can('repository-admin', 'edit') : can('repository-admin', 'add');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (Object.keys(local).length) return;
    const path = `/repositories/${form.format}/${form.type}`;
    const done = await action.run(async () => {
      if (editing) await api(`${path}/${encodeURIComponent(name)}`, { method: 'PUT', body: toBody(form, base) });
      else await api(path, { method: 'POST', body: toBody(form) });
      return true;
    });
    if (done) navigate('/admin/repositories');
  };

  if (editing && existing.loading) return <Loading />;
  if (existing.error) return <ErrorNote error={existing.error} />;
  return (
    <>
      <PageHeader crumbs={<><Link to="/admin/repositories">Repositories</Link> / </>} title={editing ? name : 'Create repository'}
        subtitle={editing ? `${form.format} ${form.type}` : 'Choose a format and type, then fill in what that kind needs.'} />
      <form onSubmit={submit} noValidate className="form">
        <Section title="Kind">
          <div className="form-grid">
            <Field label="Format">{(id) => <select id={id} value={form.format} disabled={editing} onChange={(e) => setForm({ ...form, format: e.target.value, members: [], writableMember: '' })}>{Object.keys(TYPES).map((f) => <option key={f}>{f}</option>)}</select>}</Field>
            <Field label="Type" hint={{ hosted: 'Stores what clients push.', proxy: 'Caches an upstream registry or site.', group: 'One URL over several repositories.' }[form.type]}>
              {(id, d) => <select id={id} aria-describedby={d} value={form.type} disabled={editing} onChange={(e) => set('type', e.target.value)}>{TYPES[form.format].map((t) => <option key={t}>{t}</option>)}</select>}
            </Field>
            <Field label="Name" error={err('name')} hint="Part of every URL: /repository/<name>, and /v2/<name>/... for Docker.">
              {(id, d) => <input id={id} value={form.name} disabled={editing} required aria-invalid={!!err('name')} aria-describedby={d} onChange={(e) => set('name', e.target.value)} />}
            </Field>
            <div className="field"><Checkbox label="Online" hint="(offline repositories refuse every request)" checked={form.online} onChange={(v) => set('online', v)} /></div>
          </div>
        </Section>
        <Section title="Storage">
          <div className="form-grid">
            <Field label="Blob store" error={err('storage.blobStoreName')}>
              {(id) => (stores.data?.length
                ? <select id={id} value={form.blobStoreName} onChange={(e) => set('blobStoreName', e.target.value)}>{stores.data.map((s) => <option key={s.name}>{s.name}</option>)}</select>
                : <input id={id} value={form.blobStoreName} onChange={(e) => set('blobStoreName', e.target.value)} />)}
            </Field>
            {form.type === 'hosted' && (
              <Field label="Write policy" hint="allow_once makes tags and files immutable.">
                {(id, d) => <select id={id} aria-describedby={d} value={form.writePolicy} onChange={(e) => set('writePolicy', e.target.value)}><option value="allow">allow (redeploy)</option><option value="allow_once">allow_once (immutable)</option><option value="deny">deny (read-only)</option></select>}
              </Field>
            )}
            {form.type === 'hosted' && form.format === 'docker' && <div className="field"><Checkbox label="Allow redeploying latest" hint="(with allow_once)" checked={form.latestPolicy} onChange={(v) => set('latestPolicy', v)} /></div>}
            <div className="field"><Checkbox label="Strict content type validation" checked={form.strict} onChange={(v) => set('strict', v)} /></div>
          </div>
        </Section>
        {form.type === 'proxy' && (
          <Section title="Upstream">
            <div className="form-grid">
              <Field label="Remote URL" error={err('proxy.remoteUrl')} wide hint={form.format === 'docker' ? 'e.g. https://registry-1.docker.io' : 'e.g. https://downloads.example.com/releases'}>
                {(id, d) => <input id={id} type="url" required value={form.remoteUrl} aria-invalid={!!err('proxy.remoteUrl')} aria-describedby={d} onChange={(e) => set('remoteUrl', e.target.value)} />}
              </Field>
              <Field label="Content max age (minutes)" error={err('proxy.contentMaxAge')} hint="-1: cache forever">{(id, d) => <input id={id} inputMode="numeric" value={form.contentMaxAge} aria-describedby={d} onChange={(e) => set('contentMaxAge', e.target.value)} />}</Field>
              <Field label="Metadata max age (minutes)" error={err('proxy.metadataMaxAge')} hint="How long tags and indexes stay fresh">{(id, d) => <input id={id} inputMode="numeric" value={form.metadataMaxAge} aria-describedby={d} onChange={(e) => set('metadataMaxAge', e.target.value)} />}</Field>
              {form.format === 'docker' && <Field label="Index type" hint="HUB maps official images to library/">{(id, d) => <select id={id} aria-describedby={d} value={form.indexType} onChange={(e) => set('indexType', e.target.value)}><option>REGISTRY</option><option>HUB</option><option>CUSTOM</option></select>}</Field>}
              <div className="field"><Checkbox label="Cache upstream 404s" checked={form.negativeCache} onChange={(v) => set('negativeCache', v)} /></div>
              {form.negativeCache && <Field label="404 cache time (minutes)" error={err('negativeCache.timeToLive')}>{(id) => <input id={id} inputMode="numeric" value={form.negativeTtl} onChange={(e) => set('negativeTtl', e.target.value)} />}</Field>}
            </div>
          </Section>
        )}
        {form.type === 'group' && (
          <Section title="Members">
            <fieldset className="checks" aria-invalid={!!err('group.memberNames')}>
              <legend>Members, in the order reads try them</legend>
              {members.map((r) => <Checkbox key={r.name} label={`${r.name} (${r.type})`} checked={form.members.includes(r.name)} onChange={(v) => set('members', v ? [...form.members, r.name] : form.members.filter((m) => m !== r.name))} />)}
              {!members.length && <p className="muted">No other {form.format} repositories yet.</p>}
            </fieldset>
            {err('group.memberNames') && <div className="field-error">{err('group.memberNames')}</div>}
            {form.format === 'docker' && (
              <Field label="Writable member" hint="Pushes to the group go here; none: the group refuses pushes.">
                {(id, d) => <select id={id} aria-describedby={d} value={form.writableMember} onChange={(e) => set('writableMember', e.target.value)}><option value="">None</option>{form.members.map((m) => <option key={m}>{m}</option>)}</select>}
              </Field>
            )}
          </Section>
        )}
        {(form.format === 'docker' || form.format === 'raw') && (
          <Section title={form.format === 'docker' ? 'Docker' : 'Raw'}>
            <div className="form-grid">
              {form.format === 'docker' && (
                <Field label="Connector HTTP port" error={err('docker.httpPort')} hint="Optional: this repository also answers /v2/ on its own port.">
                  {(id, d) => <input id={id} inputMode="numeric" value={form.httpPort} aria-describedby={d} onChange={(e) => set('httpPort', e.target.value)} />}
                </Field>
              )}
              {form.format === 'raw' && (
                <Field label="Content disposition" hint="INLINE lets browsers show files (static sites).">
                  {(id, d) => <select id={id} aria-describedby={d} value={form.contentDisposition} onChange={(e) => set('contentDisposition', e.target.value)}><option>ATTACHMENT</option><option>INLINE</option></select>}
                </Field>
              )}
            </div>
          </Section>
        )}
        {(policies.data ?? []).some((p) => p.format === form.format) && (
          <Section title="Cleanup">
            <fieldset className="checks"><legend>Cleanup policies the nightly cleanup applies</legend>
              {(policies.data ?? []).filter((p) => p.format === form.format).map((p) => <Checkbox key={p.name} label={p.name} checked={form.policyNames.includes(p.name)} onChange={(v) => set('policyNames', v ? [...form.policyNames, p.name] : form.policyNames.filter((n) => n !== p.name))} />)}
            </fieldset>
          </Section>
        )}
        <ErrorNote error={action.error} title={editing ? 'Not saved' : 'Not created'} />
        {touched && Object.keys(local).length > 0 && <div className="note error" role="alert">Fix the fields marked above.</div>}
        <div className="form-actions">
          {mayWrite && <button type="submit" className="primary" disabled={action.busy}>{action.busy ? 'Saving…' : editing ? 'Save' : 'Create repository'}</button>}
          <Link to="/admin/repositories" className="button">Cancel</Link>
        </div>
      </form>
    </>
  );
}

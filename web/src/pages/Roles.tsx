// Roles: the list, and a form with the privileges (filterable) and contained roles a role grants.
import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api';
import { Link, navigate } from '../router';
import { useSession } from '../session';
import type { Privilege, Role } from '../types';
import { Badge, Checkbox, ConfirmButton, ErrorNote, Field, Loading, PageHeader, Section, Table, useAction, useLoad } from '../ui';

export function Roles() {
  const { can } = useSession();
  const { data, error, loading, reload } = useLoad(() => api<Role[]>('/security/roles'), []);
  const action = useAction();
  return (
    <>
      <PageHeader title="Roles" subtitle="A role grants privileges and the privileges of the roles it contains."
        actions={can('roles', 'create') && <Link to="/admin/roles/new" className="button primary">Create role</Link>} />
      <ErrorNote error={error ?? action.error} />
      <Table<Role>
        caption="Roles" rows={data ?? []} rowKey={(r) => r.id} loading={loading}
        columns={[
          { header: 'Role', cell: (r) => <Link to={`/admin/roles/${encodeURIComponent(r.id)}`}><strong>{r.id}</strong></Link> },
          { header: 'Description', cell: (r) => r.description || '—' },
          { header: 'Privileges', cell: (r) => <span className="mono small-text">{r.privileges.join(', ') || '—'}</span> },
          { header: 'Contains', cell: (r) => r.roles.join(', ') || '—' },
          { header: 'Source', cell: (r) => (r.readOnly ? <Badge>built-in</Badge> : r.source) },
          { header: <span className="sr-only">Actions</span>, cell: (r) => can('roles', 'delete') && !r.readOnly && <ConfirmButton label="Delete" confirm={`Delete ${r.id}?`} onConfirm={() => action.run(async () => { await api(`/security/roles/${encodeURIComponent(r.id)}`, { method: 'DELETE' }); reload(); })} /> },
        ]}
      />
    </>
  );
}

const EMPTY = { id: '', name: '', description: '', privileges: [] as string[], roles: [] as string[] };

export function RoleForm({ id }: { id?: string }) {
  const { can } = useSession();
  const editing = id !== undefined;
  const [form, setForm] = useState(EMPTY);
  const [filter, setFilter] = useState('');
  const [touched, setTouched] = useState(false);
  const existing = useLoad(() => (editing ? api<Role>(`/security/roles/${encodeURIComponent(id)}`) : Promise.resolve(undefined)), [id]);
  const privileges = useLoad(() => (can('privileges', 'read') ? api<Privilege[]>('/security/privileges') : Promise.resolve([])), []);
  const roles = useLoad(() => api<Role[]>('/security/roles'), []);
  const save = useAction();
  useEffect(() => { if (existing.data) setForm({ ...EMPTY, ...existing.data }); }, [existing.data]);

  const readOnly = !!existing.data?.readOnly;
  const local: Record<string, string> = {};
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/.test(form.id)) local.id = 'Letters, digits, dot, dash and underscore.';
  const server = save.error instanceof ApiError ? save.error.fieldErrors() : {};
  const err = (k: string) => (touched ? local[k] : undefined) ?? server[k];
  const toggle = (key: 'privileges' | 'roles', value: string, on: boolean) => setForm((f) => ({ ...f, [key]: on ? [...f[key], value] : f[key].filter((x) => x !== value) }));
  const shown = (privileges.data ?? []).filter((p) => !filter || p.name.includes(filter) || p.description.toLowerCase().includes(filter.toLowerCase()));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (Object.keys(local).length) return;
    const body = { ...form, name: form.name || form.id };
    const ok = await save.run(() => (editing ? api(`/security/roles/${encodeURIComponent(id)}`, { method: 'PUT', body }) : api('/security/roles', { method: 'POST', body })).then(() => true));
    if (ok) navigate('/admin/roles');
  };

  if (editing && existing.loading) return <Loading />;
  return (
    <>
      <PageHeader crumbs={<><Link to="/admin/roles">Roles</Link> / </>} title={editing ? id : 'Create role'} subtitle={readOnly ? 'A built-in role: it cannot change.' : undefined} />
      <ErrorNote error={existing.error} />
      <form onSubmit={submit} noValidate>
        <Section title="Role">
          <div className="form-grid">
            <Field label="Role ID" error={err('id')}>{(fid) => <input id={fid} value={form.id} disabled={editing} required onChange={(e) => setForm({ ...form, id: e.target.value })} />}</Field>
            <Field label="Name">{(fid) => <input id={fid} value={form.name} disabled={readOnly} onChange={(e) => setForm({ ...form, name: e.target.value })} />}</Field>
            <Field label="Description" wide>{(fid) => <input id={fid} value={form.description} disabled={readOnly} onChange={(e) => setForm({ ...form, description: e.target.value })} />}</Field>
          </div>
        </Section>
        <Section title={`Privileges (${form.privileges.length} chosen)`} actions={<input type="search" aria-label="Filter privileges" placeholder="Filter…" value={filter} onChange={(e) => setFilter(e.target.value)} />}>
          {err('privileges') && <div className="field-error">{err('privileges')}</div>}
          <fieldset className="checks columns scroll" disabled={readOnly}><legend className="sr-only">Privileges</legend>
            {shown.map((p) => <Checkbox key={p.name} label={<span className="mono">{p.name}</span>} checked={form.privileges.includes(p.name)} onChange={(v) => toggle('privileges', p.name, v)} />)}
          </fieldset>
        </Section>
        <Section title="Contained roles">
          <fieldset className="checks columns" disabled={readOnly}><legend className="sr-only">Contained roles</legend>
            {(roles.data ?? []).filter((r) => r.id !== form.id).map((r) => <Checkbox key={r.id} label={r.id} checked={form.roles.includes(r.id)} onChange={(v) => toggle('roles', r.id, v)} />)}
          </fieldset>
        </Section>
        <ErrorNote error={save.error} title="Not saved" />
        <div className="form-actions">
          {!readOnly && can('roles', editing ? 'update' : 'create') && <button type="submit" className="primary" disabled={save.busy}>{editing ? 'Save' : 'Create role'}</button>}
          <Link to="/admin/roles" className="button">Cancel</Link>
        </div>
      </form>
    </>
  );
}

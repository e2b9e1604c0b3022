// Users: the list, and a form to create one (local) or change its names, status and roles. LDAP users are
// read-only here except for their roles.
import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api';
import { Link, navigate } from '../router';
import { useSession } from '../session';
import type { Role, User } from '../types';
import { Badge, Checkbox, ConfirmButton, ErrorNote, Field, Loading, PageHeader, Section, Table, useAction, useLoad } from '../ui';

export function Users() {
  const { can, user: me } = useSession();
  const { data, error, loading, reload } = useLoad(() => api<User[]>('/security/users'), []);
  const action = useAction();
  return (
    <>
      <PageHeader title="Users" actions={can('users', 'create') && <Link to="/admin/users/new" className="button primary">Create user</Link>} />
      <ErrorNote error={error ?? action.error} />
      <Table<User>
        caption="Users" rows={data ?? []} rowKey={(u) => u.userId} loading={loading}
        columns={[
          { header: 'User', cell: (u) => <Link to={`/admin/users/${encodeURIComponent(u.userId)}`}><strong>{u.userId}</strong></Link> },
          { header: 'Name', cell: (u) => `${u.firstName} ${u.lastName}`.trim() || '—' },
          { header: 'Email', cell: (u) => u.emailAddress || '—' },
          { header: 'Realm', cell: (u) => (u.source === 'default' ? 'local' : u.source) },
          { header: 'Status', cell: (u) => <Badge tone={u.status === 'active' ? 'ok' : 'neutral'}>{u.status}</Badge> },
          { header: 'Roles', cell: (u) => u.roles.join(', ') || '—' },
          { header: <span className="sr-only">Actions</span>, cell: (u) => can('users', 'delete') && u.userId !== me?.userId && <ConfirmButton label="Delete" confirm={`Delete ${u.userId}?`} onConfirm={() => action.run(async () => { await api(`/security/users/${encodeURIComponent(u.userId)}`, { method: 'DELETE' }); reload(); })} /> },
        ]}
      />
    </>
  );
}

const EMPTY = { userId: '', firstName: '', lastName: '', emailAddress: '', password: '', status: 'active', roles: [] as string[] };

export function UserForm({ userId }: { userId?: string }) {
  const { can } = useSession();
  const editing = userId !== undefined;
  const [form, setForm] = useState(EMPTY);
  const [readOnly, setReadOnly] = useState(false);
  const [touched, setTouched] = useState(false);
  const [newPassword, setNewPassword] = useState('');
  const [passwordSaved, setPasswordSaved] = useState(false);
  const existing = useLoad(() => (editing ? api<User[]>('/security/users', { query: { userId } }).then((l) => l.find((u) => u.userId === userId)) : Promise.resolve(undefined)), [userId]);
  const roles = useLoad(() => (can('roles', 'read') ? api<Role[]>('/security/roles') : Promise.resolve([])), []);
  const save = useAction();
  const password = useAction();

  useEffect(() => {
    const u = existing.data;
    if (u) { setForm({ ...EMPTY, ...u, password: '' }); setReadOnly(u.readOnly); }
  }, [existing.data]);

  const local: Record<string, string> = {};
  if (!/^[A-Za-z0-9][A-Za-z0-9._@-]{0,199}$/.test(form.userId)) local.userId = 'Letters, digits and . _ @ -; starts with a letter or digit.';
  if (!editing && !form.password) local.password = 'Required for a new user.';
  if (form.emailAddress && !/^[^@\s]+@[^@\s]+$/.test(form.emailAddress)) local.emailAddress = 'An email address, or empty.';
  const server = save.error instanceof ApiError ? save.error.fieldErrors() : {};
  const err = (k: string) => (touched ? local[k] : undefined) ?? server[k];
  const set = (k: keyof typeof EMPTY) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (Object.keys(local).length) return;
    const { password: pw, ...rest } = form;
    const ok = await save.run(() => (editing
      ? api(`/security/users/${encodeURIComponent(userId)}`, { method: 'PUT', body: rest })
      : api('/security/users', { method: 'POST', body: { ...rest, password: pw } })).then(() => true));
    if (ok) navigate('/admin/users');
  };

  if (editing && existing.loading) return <Loading />;
  if (editing && !existing.data && !existing.error) return <ErrorNote error={new ApiError(404, `no such user: ${userId}`)} />;
  return (
    <>
      <PageHeader crumbs={<><Link to="/admin/users">Users</Link> / </>} title={editing ? userId : 'Create user'} subtitle={readOnly ? 'This user comes from LDAP: only its roles can change here.' : undefined} />
      <ErrorNote error={existing.error} />
      <form onSubmit={submit} noValidate>
        <Section title="Account">
          <div className="form-grid">
            <Field label="User ID" error={err('userId')}>{(id) => <input id={id} value={form.userId} disabled={editing} required autoComplete="off" onChange={set('userId')} />}</Field>
            {!editing && <Field label="Password" error={err('password')}>{(id) => <input id={id} type="password" autoComplete="new-password" value={form.password} required onChange={set('password')} />}</Field>}
            <Field label="First name">{(id) => <input id={id} value={form.firstName} disabled={readOnly} onChange={set('firstName')} />}</Field>
            <Field label="Last name">{(id) => <input id={id} value={form.lastName} disabled={readOnly} onChange={set('lastName')} />}</Field>
            <Field label="Email" error={err('emailAddress')}>{(id) => <input id={id} type="email" value={form.emailAddress} disabled={readOnly} onChange={set('emailAddress')} />}</Field>
            <Field label="Status">{(id) => <select id={id} value={form.status} disabled={readOnly} onChange={set('status')}><option value="active">active</option><option value="disabled">disabled</option></select>}</Field>
          </div>
        </Section>
        <Section title="Roles">
          <fieldset className="checks columns"><legend className="sr-only">Roles</legend>
            {(roles.data ?? []).map((r) => <Checkbox key={r.id} label={r.id} hint={r.description ? `— ${r.description}` : undefined} checked={form.roles.includes(r.id)} onChange={(v) => setForm((f) => ({ ...f, roles: v ? [...f.roles, r.id] : f.roles.filter((x) => x !== r.id) }))} />)}
          </fieldset>
          {err('roles') && <div className="field-error">{err('roles')}</div>}
        </Section>
        <ErrorNote error={save.error} title="Not saved" />
        <div className="form-actions">
          {can('users', editing ? 'update' : 'create') && <button type="submit" className="primary" disabled={save.busy}>{editing ? 'Save' : 'Create user'}</button>}
          <Link to="/admin/users" className="button">Cancel</Link>
        </div>
      </form>
      {editing && !readOnly && can('users', 'update') && (
        <Section title="Password">
          <form className="inline" onSubmit={async (e) => { e.preventDefault(); setPasswordSaved(false); if (await password.run(() => api(`/security/users/${encodeURIComponent(userId)}/change-password`, { method: 'PUT', body: newPassword }).then(() => true))) { setPasswordSaved(true); setNewPassword(''); } }}>
            <label htmlFor="new-password">New password</label>
            <input id="new-password" type="password" autoComplete="new-password" required value={newPassword} onChange={(e) => setNewPassword(e.target.value)} />
            <button type="submit" disabled={password.busy || !newPassword}>Change password</button>
            {passwordSaved && <span role="status" className="ok-text">Password changed.</span>}
          </form>
          <ErrorNote error={password.error} />
        </Section>
      )}
    </>
  );
}

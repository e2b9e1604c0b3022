// The LDAP server (REST /security/ldap, Nexus's shape): where the directory is, the service account, and how
// users and groups are found. "Test connection" and "Test user mapping" try the form's settings unsaved. The
// bind password is never shown: left empty on an existing server, the stored one is kept (same host, account).
import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api';
import { Link } from '../router';
import { useSession } from '../session';
import { Checkbox, ConfirmButton, ErrorNote, Field, Loading, PageHeader, Section, useAction, useLoad } from '../ui';

interface LdapServer {
  name: string; protocol: 'ldap' | 'ldaps'; host: string; port: number; searchBase: string;
  authScheme: 'SIMPLE' | 'NONE'; authUsername: string; authPassword?: string; connectionTimeoutSeconds: number;
  userBaseDn: string; userSubtree: boolean; userObjectClass: string; userIdAttribute: string;
  userRealNameAttribute: string; userEmailAddressAttribute: string;
  groupBaseDn: string; groupSubtree: boolean; groupObjectClass: string; groupIdAttribute: string;
  groupMemberAttribute: string; groupMemberFormat: string; cacheTtlSeconds: number;
}

const EMPTY: LdapServer = {
  name: 'ldap', protocol: 'ldap', host: '', port: 389, searchBase: '', authScheme: 'SIMPLE', authUsername: '', authPassword: '',
  connectionTimeoutSeconds: 10, userBaseDn: 'ou=people', userSubtree: false, userObjectClass: 'inetOrgPerson', userIdAttribute: 'uid',
  userRealNameAttribute: 'cn', userEmailAddressAttribute: 'mail', groupBaseDn: 'ou=groups', groupSubtree: false,
  groupObjectClass: 'groupOfNames', groupIdAttribute: 'cn', groupMemberAttribute: 'member', groupMemberFormat: '${dn}', cacheTtlSeconds: 60,
};

interface MappedUser { userId: string; name?: string; email?: string; groups: string[] }

type TextKey = Exclude<{ [K in keyof LdapServer]-?: LdapServer[K] extends string | number | undefined ? K : never }[keyof LdapServer], undefined>;

export function LdapSettings() {
  const { can } = useSession();
  const existing = useLoad(() => api<(LdapServer & { id: string; order: number })[]>('/security/ldap'), []);
  const realms = useLoad(() => (can('settings', 'read') ? api<string[]>('/security/realms/active') : Promise.resolve(undefined)), []);
  const [form, setForm] = useState<LdapServer>(EMPTY);
  const [saved, setSaved] = useState('');
  const [tested, setTested] = useState<{ success: boolean; message: string; users?: MappedUser[] }>();
  const save = useAction();
  const test = useAction();
  const current = existing.data?.[0];
  const mayChange = can('ldap', current ? 'update' : 'create');

  useEffect(() => {
    if (!current) return;
    const { id: _id, order: _order, ...rest } = current;
    setForm({ ...EMPTY, ...rest, authPassword: '' });
  }, [current]);

  /** The form as a request body: numbers as numbers, an empty password left out (keep the stored one). */
  const body = () => {
    const { authPassword, ...rest } = form;
    return { ...rest, port: Number(form.port), connectionTimeoutSeconds: Number(form.connectionTimeoutSeconds), cacheTtlSeconds: Number(form.cacheTtlSeconds), ...(authPassword ? { authPassword } : {}) };
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved('');
    const ok = await save.run(() => (current
      ? api(`/security/ldap/${encodeURIComponent(current.name)}`, { method: 'PUT', body: body() })
      : api('/security/ldap', { method: 'POST', body: body() })).then(() => true));
    if (ok) { setSaved('LDAP server saved.'); existing.reload(); }
  };
  const testConnection = () => {
    setTested(undefined);
    return test.run(async () => setTested(await api<{ success: boolean; message: string }>('/security/ldap/verify-connection', { method: 'POST', body: body() })));
  };
  const testMapping = () => {
    setTested(undefined);
    return test.run(async () => setTested(await api<{ success: boolean; message: string; users: MappedUser[] }>('/security/ldap/verify-user-mapping', { method: 'POST', body: body() })));
  };
  const remove = () => save.run(async () => {
    await api(`/security/ldap/${encodeURIComponent(current!.name)}`, { method: 'DELETE' });
    setForm(EMPTY);
    setSaved('LDAP server deleted.');
    existing.reload();
  });

  const fieldErrors = { ...(test.error instanceof ApiError ? test.error.fieldErrors() : {}), ...(save.error instanceof ApiError ? save.error.fieldErrors() : {}) };
  const text = (k: TextKey, label: string, hint?: string, type = 'text') => (
    <Field label={label} hint={hint} error={fieldErrors[k]}>
      {(id, describedBy) => <input id={id} type={type} aria-describedby={describedBy} value={String(form[k] ?? '')} disabled={!mayChange}
        autoComplete={type === 'password' ? 'new-password' : 'off'} onChange={(e) => setForm((f) => ({ ...f, [k]: e.target.value }))} />}
    </Field>
  );
  const check = (k: 'userSubtree' | 'groupSubtree', label: string) => (
    <Checkbox label={label} checked={form[k]} onChange={(v) => { if (mayChange) setForm((f) => ({ ...f, [k]: v })); }} />
  );

  if (existing.loading && !existing.data) return <Loading />;
  return (
    <>
      <PageHeader crumbs={<><Link to="/admin/security">Realms &amp; access</Link> / </>} title="LDAP server"
        subtitle="Users and groups from a directory: a group's id is a role id." />
      <ErrorNote error={existing.error} />
      {saved && <div className="note ok" role="status">{saved}</div>}
      {current && realms.data && !realms.data.includes('ldap') && (
        <div className="note warn">The LDAP realm is not active: activate it on <Link to="/admin/security">Realms &amp; access</Link> for LDAP users to sign in.</div>
      )}
      <form onSubmit={submit} noValidate>
        <Section title="Connection">
          <div className="form-grid">
            {text('name', 'Name')}
            <Field label="Protocol" error={fieldErrors.protocol}>{(id) => (
              <select id={id} value={form.protocol} disabled={!mayChange} onChange={(e) => setForm((f) => ({ ...f, protocol: e.target.value as 'ldap' | 'ldaps', port: e.target.value === 'ldaps' ? 636 : 389 }))}>
                <option value="ldap">ldap</option><option value="ldaps">ldaps</option>
              </select>)}
            </Field>
            {text('host', 'Host')}
            {text('port', 'Port', undefined, 'number')}
            {text('searchBase', 'Search base', 'e.g. dc=example,dc=org')}
            {text('connectionTimeoutSeconds', 'Timeout (seconds)', undefined, 'number')}
            <Field label="Authentication" error={fieldErrors.authScheme}>{(id) => (
              <select id={id} value={form.authScheme} disabled={!mayChange} onChange={(e) => setForm((f) => ({ ...f, authScheme: e.target.value as 'SIMPLE' | 'NONE' }))}>
                <option value="SIMPLE">Simple bind</option><option value="NONE">Anonymous</option>
              </select>)}
            </Field>
            {form.authScheme === 'SIMPLE' && text('authUsername', 'Bind DN', 'The service account, e.g. cn=wharf,dc=example,dc=org')}
            {form.authScheme === 'SIMPLE' && text('authPassword', 'Bind password', current ? 'Leave empty to keep the stored password (same host and bind DN).' : undefined, 'password')}
          </div>
        </Section>
        <Section title="Users">
          <div className="form-grid">
            {text('userBaseDn', 'User base DN', 'Relative to the search base')}
            {text('userObjectClass', 'Object class')}
            {text('userIdAttribute', 'User ID attribute')}
            {text('userRealNameAttribute', 'Real name attribute')}
            {text('userEmailAddressAttribute', 'Email attribute')}
            {text('cacheTtlSeconds', 'Remember logins (seconds)', '0: ask the directory every time', 'number')}
          </div>
          {check('userSubtree', 'Search user subtree')}
        </Section>
        <Section title="Groups">
          <div className="form-grid">
            {text('groupBaseDn', 'Group base DN', 'Relative to the search base')}
            {text('groupObjectClass', 'Object class')}
            {text('groupIdAttribute', 'Group ID attribute', 'Its value is the role id')}
            {text('groupMemberAttribute', 'Member attribute')}
            {text('groupMemberFormat', 'Member format', '${dn} or ${username}')}
          </div>
          {check('groupSubtree', 'Search group subtree')}
        </Section>
        {tested && (
          <div className={`note ${tested.success ? 'ok' : 'error'}`} role="status">
            <p>{tested.message}</p>
            {!!tested.users?.length && <ul>{tested.users.map((u) => <li key={u.userId}><strong>{u.userId}</strong>{u.name ? ` (${u.name})` : ''} — roles: {u.groups.join(', ') || 'none'}</li>)}</ul>}
          </div>
        )}
        <ErrorNote error={test.error} title="Not tested" />
        <ErrorNote error={save.error} title="Not saved" />
        {mayChange && (
          <div className="form-actions">
            <button type="submit" className="primary" disabled={save.busy}>{current ? 'Save' : 'Create LDAP server'}</button>
            <button type="button" disabled={test.busy} onClick={() => void testConnection()}>Test connection</button>
            <button type="button" disabled={test.busy} onClick={() => void testMapping()}>Test user mapping</button>
            {current && can('ldap', 'delete') && <ConfirmButton label="Delete" confirm={`Delete LDAP server ${current.name}?`} onConfirm={remove} />}
          </div>
        )}
      </form>
    </>
  );
}

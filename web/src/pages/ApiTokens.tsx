// The signed-in user's API tokens: create one (its text is shown once, to copy), see when each was last
// used, revoke it. A token is the password of `user:token` Basic auth, or a Bearer token.
import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { date } from '../format';
import { useSession } from '../session';
import type { ApiToken } from '../types';
import { ConfirmButton, CopyText, ErrorNote, Field, PageHeader, Section, Table, useAction, useLoad } from '../ui';

export function ApiTokens() {
  const { user } = useSession();
  const { data, error, loading, reload } = useLoad(() => (user?.anonymous ? Promise.resolve([]) : api<ApiToken[]>('/security/user-tokens')), [user?.userId]);
  const [name, setName] = useState('');
  const [expires, setExpires] = useState('');
  const [privileges, setPrivileges] = useState('');
  const [created, setCreated] = useState<ApiToken & { token: string }>();
  const action = useAction();

  if (user?.anonymous) return <><PageHeader title="API tokens" /><p>Sign in to manage your API tokens.</p></>;

  const create = async (e: FormEvent) => {
    e.preventDefault();
    const body = {
      name: name.trim(),
      ...(expires ? { expiresAt: new Date(`${expires}T23:59:59`).toISOString() } : {}),
      ...(privileges.trim() ? { privileges: privileges.split(/[\s,]+/).filter(Boolean) } : {}),
    };
    const token = await action.run(() => api<ApiToken & { token: string }>('/security/user-tokens', { method: 'POST', body }));
    if (token) { setCreated(token); setName(''); setExpires(''); setPrivileges(''); reload(); }
  };

  return (
    <>
      <PageHeader title="API tokens" subtitle={<>For CI and scripts: use <code>{user?.userId}:&lt;token&gt;</code> as Basic credentials, or <code>Authorization: Bearer &lt;token&gt;</code>.</>} />
      <ErrorNote error={error ?? action.error} />
      {created && (
        <div className="note ok" role="status">
          <p><strong>Token {created.name} created.</strong> Copy it now: it is not shown again.</p>
          <CopyText value={created.token} label="the new token" />
        </div>
      )}
      <Section title="New token">
        <form onSubmit={create} className="form-grid">
          <Field label="Name">{(id) => <input id={id} required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} placeholder="ci-push" />}</Field>
          <Field label="Expires on" hint="Empty: never">{(id, d) => <input id={id} type="date" aria-describedby={d} value={expires} onChange={(e) => setExpires(e.target.value)} />}</Field>
          <Field label="Only these privileges" wide hint="Optional, space or comma separated, e.g. nx-repository-view-docker-docker-hosted-*. Empty: all of yours.">
            {(id, d) => <input id={id} aria-describedby={d} value={privileges} onChange={(e) => setPrivileges(e.target.value)} />}
          </Field>
          <div className="form-actions"><button type="submit" className="primary" disabled={action.busy || !name.trim()}>Create token</button></div>
        </form>
      </Section>
      <Table<ApiToken>
        caption="Your API tokens" rows={data ?? []} rowKey={(t) => t.id} loading={loading} empty="No tokens yet."
        columns={[
          { header: 'Name', cell: (t) => <strong>{t.name}</strong> },
          { header: 'Privileges', cell: (t) => <span className="mono small-text">{t.privileges.join(', ') || 'all of yours'}</span> },
          { header: 'Created', cell: (t) => date(t.createdAt) },
          { header: 'Expires', cell: (t) => (t.expiresAt ? date(t.expiresAt) : 'never') },
          { header: 'Last used', cell: (t) => date(t.lastUsedAt) },
          { header: <span className="sr-only">Actions</span>, cell: (t) => <ConfirmButton label="Revoke" confirm={`Revoke ${t.name}?`} onConfirm={() => action.run(async () => { await api(`/security/user-tokens/${t.id}`, { method: 'DELETE' }); reload(); })} /> },
        ]}
      />
    </>
  );
}

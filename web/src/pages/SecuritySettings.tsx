// Realms and anonymous access: which realms authenticate, in which order, and whether requests without
// credentials may read. LDAP's server has its own page (LdapSettings.tsx).
import { useEffect, useState } from 'react';
import { api } from '../api';
import { Link } from '../router';
import { useSession } from '../session';
import { Checkbox, ErrorNote, PageHeader, Section, useAction, useLoad } from '../ui';

interface Realm { id: string; name: string }

export function SecuritySettings() {
  const { can } = useSession();
  const available = useLoad(() => api<Realm[]>('/security/realms/available'), []);
  const active = useLoad(() => api<string[]>('/security/realms/active'), []);
  const anonymous = useLoad(() => api<{ enabled: boolean }>('/security/anonymous'), []);
  const [order, setOrder] = useState<string[]>([]);
  const [saved, setSaved] = useState('');
  const action = useAction();
  useEffect(() => { if (active.data) setOrder(active.data); }, [active.data]);
  const mayUpdate = can('settings', 'update');

  const move = (id: string, by: number) => setOrder((o) => {
    const i = o.indexOf(id);
    const j = i + by;
    if (j < 0 || j >= o.length) return o;
    const next = [...o];
    [next[i], next[j]] = [next[j], next[i]];
    return next;
  });
  const saveRealms = () => action.run(async () => { await api('/security/realms/active', { method: 'PUT', body: order }); setSaved('Realms saved.'); active.reload(); });
  const setAnonymous = (enabled: boolean) => action.run(async () => {
    await api('/security/anonymous', { method: 'PUT', body: { enabled, userId: 'anonymous', realmName: 'NexusAuthorizingRealm' } });
    setSaved(enabled ? 'Anonymous access is on.' : 'Anonymous access is off.');
    anonymous.reload();
  });

  return (
    <>
      <PageHeader title="Realms & access" subtitle="How people sign in, and what they may do without signing in." />
      <ErrorNote error={available.error ?? active.error ?? anonymous.error ?? action.error} />
      {saved && <div className="note ok" role="status">{saved}</div>}
      <Section title="Anonymous access">
        <Checkbox label="Allow anonymous read and browse" hint="(the nx-anonymous role)" checked={!!anonymous.data?.enabled} onChange={(v) => { if (mayUpdate) void setAnonymous(v); }} />
      </Section>
      <Section title="Active realms" actions={mayUpdate && <button type="button" className="primary" disabled={action.busy} onClick={() => void saveRealms()}>Save realms</button>}>
        <p className="muted">Realms are tried in this order. {can('ldap', 'read')
          ? <>LDAP's server, bind account and mappings: <Link to="/admin/security/ldap">LDAP server</Link>.</>
          : <>LDAP's server, bind account and mappings need the nx-ldap-read privilege to see.</>}</p>
        <ol className="realms">
          {order.map((id, i) => (
            <li key={id}>
              <span><strong>{available.data?.find((r) => r.id === id)?.name ?? id}</strong> <span className="mono muted">{id}</span></span>
              {mayUpdate && (
                <span className="inline">
                  <button type="button" className="small" disabled={i === 0} onClick={() => move(id, -1)} aria-label={`Move ${id} up`}>↑</button>
                  <button type="button" className="small" disabled={i === order.length - 1} onClick={() => move(id, 1)} aria-label={`Move ${id} down`}>↓</button>
                  <button type="button" className="small" onClick={() => setOrder(order.filter((x) => x !== id))}>Deactivate</button>
                </span>
              )}
            </li>
          ))}
        </ol>
        {mayUpdate && (available.data ?? []).filter((r) => !order.includes(r.id)).map((r) => (
          <button key={r.id} type="button" className="small" onClick={() => setOrder([...order, r.id])}>Activate {r.name}</button>
        ))}
      </Section>
    </>
  );
}

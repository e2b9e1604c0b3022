// Blob stores with their usage against their quotas (or the free disk space), and a form for a new file store.
import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { bytes } from '../format';
import { useSession } from '../session';
import type { BlobStore } from '../types';
import { Badge, Bar, ConfirmButton, ErrorNote, Field, PageHeader, Section, Table, useAction, useLoad } from '../ui';

/** The bar's scale: the hard quota, else the soft quota, else what the disk could still hold. */
function scale(s: BlobStore): { max: number; warn?: number; text: string } | undefined {
  if (s.hardQuota) return { max: s.hardQuota.limit, warn: s.softQuota?.limit, text: `hard quota ${bytes(s.hardQuota.limit)}` };
  if (s.softQuota) return { max: s.softQuota.limit, warn: s.softQuota.limit * 0.9, text: `soft quota ${bytes(s.softQuota.limit)}` };
  if (s.availableSpaceInBytes && s.availableSpaceInBytes > 0) return { max: s.totalSizeInBytes + s.availableSpaceInBytes, warn: (s.totalSizeInBytes + s.availableSpaceInBytes) * 0.9, text: `${bytes(s.availableSpaceInBytes)} free on disk` };
  return undefined;
}

const SIZE = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB)?$/i;
const UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

export function BlobStores() {
  const { can } = useSession();
  const { data, error, loading, reload } = useLoad(() => api<BlobStore[]>('/blobstores'), []);
  const action = useAction();
  const [name, setName] = useState('');
  const [path, setPath] = useState('');
  const [soft, setSoft] = useState('');
  const [hard, setHard] = useState('');
  const [touched, setTouched] = useState(false);
  const sizeOf = (text: string) => { const m = SIZE.exec(text.trim()); return m ? Math.round(Number(m[1]) * UNITS[(m[2] ?? 'B').toUpperCase()]) : undefined; };
  const errors: Record<string, string> = {};
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/.test(name)) errors.name = 'Letters, digits, dot, dash and underscore.';
  if (soft && !sizeOf(soft)) errors.soft = 'A size such as 500GB.';
  if (hard && !sizeOf(hard)) errors.hard = 'A size such as 1TB.';

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (Object.keys(errors).length) return;
    const body = {
      name, ...(path ? { path } : {}),
      ...(soft ? { softQuota: { type: 'spaceUsedQuota', limit: sizeOf(soft) } } : {}),
      ...(hard ? { hardQuota: { type: 'spaceUsedQuota', limit: sizeOf(hard) } } : {}),
    };
    if (await action.run(() => api('/blobstores/file', { method: 'POST', body }).then(() => true))) {
      setName(''); setPath(''); setSoft(''); setHard(''); setTouched(false); reload();
    }
  };

  return (
    <>
      <PageHeader title="Blob stores" subtitle="Where the bytes live. Same content is stored once per store; compaction frees what garbage collection marked." />
      <ErrorNote error={error ?? action.error} />
      <Table<BlobStore>
        caption="Blob stores" rows={data ?? []} rowKey={(s) => s.name} loading={loading}
        columns={[
          { header: 'Name', cell: (s) => <strong>{s.name}</strong> },
          { header: 'Type', cell: (s) => s.type },
          { header: 'State', cell: (s) => (s.unavailable ? <Badge tone="danger">unavailable</Badge> : <Badge tone="ok">ready</Badge>) },
          { header: 'Blobs', cell: (s) => s.blobCount.toLocaleString(), className: 'num' },
          {
            header: 'Usage', cell: (s) => {
              const sc = scale(s);
              return (
                <div className="usage">
                  <span>{bytes(s.totalSizeInBytes)}{sc ? ` of ${sc.text}` : ''}</span>
                  {sc && <Bar value={s.totalSizeInBytes} max={sc.max} warn={sc.warn} label={`Usage of ${s.name}`} />}
                </div>
              );
            },
          },
          { header: 'Reclaimable', cell: (s) => bytes(s.reclaimableSizeInBytes ?? 0), className: 'num' },
          { header: <span className="sr-only">Actions</span>, cell: (s) => can('blobstores', 'delete') && s.name !== 'default' && <ConfirmButton label="Delete" confirm={`Delete blob store ${s.name}?`} onConfirm={() => action.run(async () => { await api(`/blobstores/${encodeURIComponent(s.name)}`, { method: 'DELETE' }); reload(); })} /> },
        ]}
      />
      {can('blobstores', 'create') && (
        <Section title="New file blob store">
          <form onSubmit={create} noValidate className="form-grid">
            <Field label="Name" error={touched ? errors.name : undefined}>{(id) => <input id={id} value={name} required onChange={(e) => setName(e.target.value)} />}</Field>
            <Field label="Path" hint="Relative to the data directory; default blobs/<name>">{(id, d) => <input id={id} aria-describedby={d} value={path} onChange={(e) => setPath(e.target.value)} />}</Field>
            <Field label="Soft quota" hint="Warns past it, e.g. 500GB" error={touched ? errors.soft : undefined}>{(id, d) => <input id={id} aria-describedby={d} value={soft} onChange={(e) => setSoft(e.target.value)} />}</Field>
            <Field label="Hard quota" hint="Refuses writes past it" error={touched ? errors.hard : undefined}>{(id, d) => <input id={id} aria-describedby={d} value={hard} onChange={(e) => setHard(e.target.value)} />}</Field>
            <div className="form-actions"><button type="submit" className="primary" disabled={action.busy}>Create blob store</button></div>
          </form>
        </Section>
      )}
    </>
  );
}

// The building blocks every page uses, so tables, forms, errors and actions look and behave the same.
import { useCallback, useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { ApiError } from './api';

/** Runs `load` when `deps` change; `reload` runs it again. Errors land in `error`, never thrown. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { data?: T; error?: Error; loading: boolean; reload: () => void; setData: (d: T) => void } {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then((data) => live && setState({ data, loading: false }), (error: Error) => live && setState({ error, loading: false }));
    return () => { live = false; };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  return { ...state, reload: useCallback(() => setTick((t) => t + 1), []), setData: (data: T) => setState({ data, loading: false }) };
}

/** A list the server pages with continuationToken: the first page on `deps` change, `more()` appends the next. */
export function usePaged<T>(fetchPage: (token?: string) => Promise<{ items: T[]; continuationToken: string | null }>, deps: unknown[]) {
  const [items, setItems] = useState<T[]>([]);
  const [token, setToken] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<Error>();
  const generation = useRef(0);
  const run = (next?: string) => {
    const g = ++generation.current;
    setLoading(true);
    fetchPage(next).then((page) => {
      if (g !== generation.current) return;
      setItems((old) => (next ? [...old, ...page.items] : page.items));
      setToken(page.continuationToken);
      setError(undefined);
      setLoading(false);
    }, (err: Error) => { if (g === generation.current) { setError(err); setLoading(false); } });
  };
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => run(), deps);
  return { items, loading, error, hasMore: token !== null, more: () => token && run(token), reload: () => run() };
}

export function PageHeader({ title, subtitle, actions, crumbs }: { title: ReactNode; subtitle?: ReactNode; actions?: ReactNode; crumbs?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        {crumbs && <nav aria-label="Breadcrumb" className="crumbs">{crumbs}</nav>}
        <h1 tabIndex={-1} id="page-title">{title}</h1>
        {subtitle && <p className="subtitle">{subtitle}</p>}
      </div>
      {actions && <div className="actions">{actions}</div>}
    </header>
  );
}

const HINTS: Record<number, string> = {
  0: '',
  401: 'Sign in with an account that has access, then try again.',
  403: 'Your account lacks the privilege for this. Ask an administrator to add it to one of your roles.',
  404: 'It may have been deleted or renamed. Go back to the list and reload.',
  409: 'It conflicts with the current state: change the name or remove what is in the way first.',
  429: 'Too many failed sign-ins: wait a minute before trying again.',
};

export function ErrorNote({ error, title }: { error?: Error | null; title?: string }) {
  if (!error) return null;
  const status = error instanceof ApiError ? error.status : -1;
  const fields = error instanceof ApiError ? Object.entries(error.fieldErrors()) : [];
  const hint = HINTS[status] ?? (status >= 500 ? 'The server failed. Its log has the details; try again in a moment.' : '');
  return (
    <div className="note error" role="alert">
      <strong>{title ?? (status > 0 ? `Error ${status}` : 'Error')}:</strong> {error.message}
      {fields.length > 0 && <ul>{fields.map(([f, m]) => <li key={f}><code>{f}</code>: {m}</li>)}</ul>}
      {hint && <div className="hint">{hint}</div>}
    </div>
  );
}

export function Loading({ label = 'Loading' }: { label?: string }) {
  return <div className="loading" role="status" aria-live="polite"><span className="spinner" aria-hidden="true" />{label}…</div>;
}

export interface Column<T> {
  header: ReactNode;
  cell: (row: T) => ReactNode;
  className?: string;
}

export function Table<T>({ columns, rows, rowKey, empty, caption, loading }: {
  columns: Column<T>[]; rows: T[]; rowKey: (row: T) => string; empty?: ReactNode; caption?: string; loading?: boolean;
}) {
  return (
    <div className="table-wrap">
      <table aria-busy={loading || undefined}>
        {caption && <caption className="sr-only">{caption}</caption>}
        <thead><tr>{columns.map((c, i) => <th key={i} scope="col" className={c.className}>{c.header}</th>)}</tr></thead>
        <tbody>
          {rows.map((row) => <tr key={rowKey(row)}>{columns.map((c, i) => <td key={i} className={c.className}>{c.cell(row)}</td>)}</tr>)}
          {!rows.length && !loading && <tr><td colSpan={columns.length} className="empty">{empty ?? 'Nothing here yet.'}</td></tr>}
        </tbody>
      </table>
    </div>
  );
}

export function MoreButton({ paged }: { paged: { hasMore: boolean; loading: boolean; more: () => void } }) {
  if (paged.loading) return <Loading />;
  if (!paged.hasMore) return null;
  return <div className="more"><button type="button" onClick={paged.more}>Load more</button></div>;
}

/** A labelled form control: `children` gets the id through the render function. */
export function Field({ label, hint, error, children, wide }: { label: ReactNode; hint?: ReactNode; error?: string; wide?: boolean; children: (id: string, describedBy?: string) => ReactNode }) {
  const id = useId();
  const hintId = hint || error ? `${id}-hint` : undefined;
  return (
    <div className={`field${error ? ' invalid' : ''}${wide ? ' wide' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children(id, hintId)}
      {(hint || error) && <div id={hintId} className={error ? 'field-error' : 'field-hint'}>{error ?? hint}</div>}
    </div>
  );
}

export function Checkbox({ label, checked, onChange, hint }: { label: ReactNode; checked: boolean; onChange: (v: boolean) => void; hint?: ReactNode }) {
  return (
    <label className="checkbox">
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      <span>{label}{hint && <small> {hint}</small>}</span>
    </label>
  );
}

/** A text to copy (URL, pull command), with a button that says when it worked. */
export function CopyText({ value, label }: { value: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  const ref = useRef<HTMLElement>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      // Plain-HTTP pages have no clipboard API: select the text so Ctrl+C copies it.
      const range = document.createRange();
      range.selectNodeContents(ref.current!);
      getSelection()?.removeAllRanges();
      getSelection()?.addRange(range);
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  return (
    <span className="copy">
      <code ref={ref}>{value}</code>
      <button type="button" className="small" onClick={() => void copy()} aria-label={`Copy ${label ?? value}`}>{copied ? 'Copied' : 'Copy'}</button>
    </span>
  );
}

/** A usage bar: value of max, turning amber past `warn` and red past `max`. */
export function Bar({ value, max, warn, label }: { value: number; max: number; warn?: number; label: string }) {
  const ratio = max > 0 ? Math.min(value / max, 1) : 0;
  const level = value >= max ? 'danger' : warn !== undefined && value >= warn ? 'warn' : 'ok';
  return (
    <div className={`bar ${level}`} role="meter" aria-valuemin={0} aria-valuemax={max} aria-valuenow={value} aria-label={label}>
      <div style={{ width: `${(ratio * 100).toFixed(1)}%` }} />
    </div>
  );
}

export function Badge({ tone = 'neutral', children }: { tone?: 'ok' | 'warn' | 'danger' | 'neutral' | 'info'; children: ReactNode }) {
  return <span className={`badge ${tone}`}>{children}</span>;
}

/** A delete (or other irreversible) action that asks once, inline, before it acts. */
export function ConfirmButton({ label, confirm, onConfirm, disabled }: { label: string; confirm: string; onConfirm: () => Promise<void> | void; disabled?: boolean }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  if (!asking) return <button type="button" className="small danger" disabled={disabled} onClick={() => setAsking(true)}>{label}</button>;
  return (
    <span className="confirm" role="group" aria-label={confirm}>
      <span>{confirm}</span>
      <button type="button" className="small danger" disabled={busy} autoFocus onClick={async () => { setBusy(true); try { await onConfirm(); } finally { setBusy(false); setAsking(false); } }}>Yes</button>
      <button type="button" className="small" onClick={() => setAsking(false)}>No</button>
    </span>
  );
}

/** Runs an action with a busy flag and its error; the page shows both. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const run = async <T,>(action: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(undefined);
    try {
      return await action();
    } catch (err) {
      setError(err as Error);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run, setError };
}

export function Section({ title, children, actions, wide }: { title: ReactNode; children: ReactNode; actions?: ReactNode; wide?: boolean }) {
  const id = useId();
  return (
    <section className={`card${wide ? ' span-all' : ''}`} aria-labelledby={id}>
      <div className="card-head"><h2 id={id}>{title}</h2>{actions}</div>
      {children}
    </section>
  );
}

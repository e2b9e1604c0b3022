// A small client-side router over the History API: shareable URLs, back/forward, and links that stay plain
// <a href> elements (open in a new tab, copy link address). Patterns: '/browse/:repo', trailing '*' for the rest.
import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

const listeners = new Set<() => void>();
const notify = () => listeners.forEach((l) => l());
window.addEventListener('popstate', notify);

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === location.pathname + location.search) return;
  history[options.replace ? 'replaceState' : 'pushState'](null, '', to);
  window.scrollTo(0, 0);
  notify();
}

export function useLocation(): { path: string; query: URLSearchParams } {
  const href = useSyncExternalStore((l) => { listeners.add(l); return () => listeners.delete(l); }, () => location.pathname + location.search);
  const url = new URL(href, location.origin);
  return { path: url.pathname, query: url.searchParams };
}

/** The parameters of `path` under `pattern`, or undefined when it does not match. */
export function match(pattern: string, path: string): Record<string, string> | undefined {
  const parts = pattern.split('/');
  const segments = path.split('/');
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p === '*') { params['*'] = segments.slice(i).map(decodeURIComponent).join('/'); return params; }
    if (segments[i] === undefined) return undefined;
    if (p.startsWith(':')) params[p.slice(1)] = decodeURIComponent(segments[i]);
    else if (p !== segments[i]) return undefined;
  }
  return segments.length === parts.length ? params : undefined;
}

export function Link({ to, onClick, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const click = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={click} {...rest} />;
}

/** A query string from the current one with `changes` applied (empty values removed). */
export function withQuery(query: URLSearchParams, changes: Record<string, string | undefined>): string {
  const next = new URLSearchParams(query);
  for (const [k, v] of Object.entries(changes)) if (v) next.set(k, v); else next.delete(k);
  const text = next.toString();
  return text ? `?${text}` : '';
}

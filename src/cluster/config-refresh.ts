// Several nodes on one PostgreSQL database each hold the repositories in memory; a change made through one
// node reaches the others by this periodic re-read (docs/decisions/scale-out.md). SQLite means one node:
// nothing to refresh.
import type { Logger } from 'pino';
import { isPostgres } from '../storage/database.js';
import type { Wharf } from '../wharf.js';

export const CONFIG_REFRESH_MS = 2_000;

/** Starts the refresh loop; returns the function that stops it. */
export function refreshSharedConfig(wharf: Wharf, log: Logger, everyMs = CONFIG_REFRESH_MS): () => void {
  if (!isPostgres(wharf.db)) return () => {};
  let running = false;
  const timer = setInterval(() => {
    if (running) return; // a slow database: skip a beat rather than pile up reads
    running = true;
    wharf.repositories.refresh()
      .catch((err) => log.warn({ err }, 'repository refresh failed'))
      .finally(() => { running = false; });
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

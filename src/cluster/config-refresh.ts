// Several nodes on one PostgreSQL database each hold the repositories, roles and server settings (anonymous
// access, realms, LDAP, default Docker repository) in memory; a change made through one node reaches the others
// by this periodic re-read (docs/decisions/scale-out.md). SQLite means one node:
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
    refreshOnce(wharf)
      .catch((err) => log.warn({ err }, 'configuration refresh failed'))
      .finally(() => { running = false; });
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** One re-read of what other nodes may have changed. */
export async function refreshOnce(wharf: Wharf): Promise<void> {
  await wharf.repositories.refresh();
  await wharf.roles.load();
  const kv = await wharf.db.selectFrom('kv').select('value').where('key', '=', 'server').executeTakeFirst();
  // As reload() does: settings absent from the row (a deleted LDAP server) are cleared.
  if (kv) Object.assign(wharf.server, { ldap: undefined, ldapServer: undefined }, JSON.parse(kv.value));
}

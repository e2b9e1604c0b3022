// Changing server-level settings (anonymous access, active realms) from the REST API. They are stored where
// config/reconcile.ts keeps them (the kv row 'server', JSON), so a restart and other nodes see the change;
// a wharf.yaml that declares the same key wins again on the next reconcile, as configuration as code should.
import type { ServerSettings, Wharf } from '../wharf.js';

/** Applies `change` to a copy of the settings, writes it, then makes it live. Throws (and changes nothing) on a database error. */
export async function updateServerSettings(wharf: Wharf, change: (settings: ServerSettings) => void): Promise<void> {
  const next = structuredClone(wharf.server);
  change(next);
  const value = JSON.stringify(next);
  await wharf.db.insertInto('kv').values({ key: 'server', value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
  Object.assign(wharf.server, next);
}

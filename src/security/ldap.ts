// The LDAP realm: users and their groups live in a directory (ldap-directory.ts); an LDAP group name is a
// role id (Nexus's "external role mapping"), so a wharf.yaml role named like the group applies. Successful
// logins are remembered for cacheTtl seconds, keyed by a keyed hash of user and password (never the
// password). When the directory is down, LDAP users are refused and one warning says so (not one per
// request); the settings are read at each call, so a reconcile that changes them takes effect at once.
import { createHmac, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { LdapSettings } from '../config/schema.js';
import type { Principal } from './access.js';
import { LdapDirectory, LdapUnavailableError } from './ldap-directory.js';

/** While the directory stays down, the warning is repeated at most this often. */
const WARN_EVERY_MS = 5 * 60_000;
const MAX_CACHED = 10_000;

export class LdapRealm {
  private directory?: { settings: string; directory: LdapDirectory };
  private readonly cache = new Map<string, { principal: Principal; until: number }>();
  /** Per-process key: cache keys cannot be precomputed from guessed passwords. */
  private readonly cacheKey = randomBytes(32);
  private down?: { warnedAt: number };

  /** `settings` is read at each call (undefined: no LDAP configured). */
  constructor(private readonly settings: () => LdapSettings | undefined, private readonly log: Logger) {}

  /**
   * The principal (realm 'ldap', roles = the user's group ids) for these credentials; undefined when they
   * are wrong, no LDAP is configured, or the directory cannot be reached. Never throws.
   */
  async authenticate(userId: string, password: string): Promise<Principal | undefined> {
    const s = this.settings();
    if (!s || !userId || !password) return undefined;
    const directory = this.directoryFor(s);
    const key = createHmac('sha256', this.cacheKey).update(userId).update('\0').update(password).digest('base64');
    const hit = this.cache.get(key);
    if (hit && hit.until > Date.now()) return hit.principal;
    try {
      const user = await directory.authenticate(userId, password);
      this.reachable(s);
      if (!user) return undefined;
      const principal: Principal = { userId: user.userId, roles: user.groups, realm: 'ldap' };
      if (s.cacheTtl > 0) {
        if (this.cache.size >= MAX_CACHED) this.cache.clear();
        this.cache.set(key, { principal, until: Date.now() + s.cacheTtl * 1000 });
      }
      return principal;
    } catch (e) {
      if (!(e instanceof LdapUnavailableError)) throw e;
      this.unreachable(s, e);
      return undefined;
    }
  }

  /** Closes the directory connection. Safe to call twice. */
  async close(): Promise<void> {
    const d = this.directory;
    this.directory = undefined;
    await d?.directory.close();
  }

  /** The directory for the current settings; a change of settings closes the old one and forgets the cache. */
  private directoryFor(s: LdapSettings): LdapDirectory {
    const key = JSON.stringify(s);
    if (this.directory?.settings !== key) {
      void this.directory?.directory.close();
      this.directory = { settings: key, directory: new LdapDirectory(s) };
      this.cache.clear();
      this.down = undefined;
    }
    return this.directory.directory;
  }

  private unreachable(s: LdapSettings, e: Error): void {
    const now = Date.now();
    if (this.down && now - this.down.warnedAt < WARN_EVERY_MS) return;
    this.down = { warnedAt: now };
    this.log.warn({ ldapUrl: s.url, error: e.message },
      `LDAP server ${s.url} is unavailable (${e.message}): LDAP users cannot log in until it is back; local users are not affected`);
  }

  private reachable(s: LdapSettings): void {
    if (!this.down) return;
    this.down = undefined;
    this.log.info({ ldapUrl: s.url }, `LDAP server ${s.url} is reachable again`);
  }
}

// One LDAP directory as the LDAP realm sees it: find a user under userBaseDn, check the password by binding
// as that user, and list the groups that name the user as a member. Searches run on one shared connection
// bound as the service account (bindDn); each password check binds on a short-lived connection of its own,
// so the shared one never changes identity. Filters are built as structured ldapts filters, never by
// pasting text into a filter string, so a user name like `*` or `)(uid=*` is only ever a literal value.
import { AndFilter, Client, EqualityFilter, InvalidCredentialsError, ResultCodeError, type Entry } from 'ldapts';
import type { LdapSettings } from '../config/schema.js';

/** The directory could not answer (down, timed out, refused the service account): not the user's fault. */
export class LdapUnavailableError extends Error {}

export interface LdapUser {
  userId: string;
  dn: string;
  groups: string[];
  email?: string;
  name?: string;
}

export class LdapDirectory {
  private pending?: Promise<Client>;
  private current?: Client;

  constructor(private readonly s: LdapSettings) {}

  /**
   * The user these credentials belong to; undefined when there is no such user, several match, or the
   * password is wrong. Throws LdapUnavailableError when the directory cannot be asked. Safe to call
   * concurrently. Never sends an empty password (an LDAP "unauthenticated bind" would succeed).
   */
  async authenticate(userId: string, password: string): Promise<LdapUser | undefined> {
    if (!userId || !password) return undefined;
    const entry = await this.findUser(userId);
    if (!entry) return undefined;
    if (!(await this.checkPassword(entry.dn, password))) return undefined;
    const canonical = first(entry, this.s.userIdAttribute) ?? userId;
    const groups = await this.groupsOf(entry.dn, canonical);
    return {
      userId: canonical, dn: entry.dn, groups,
      email: this.s.userEmailAddressAttribute && first(entry, this.s.userEmailAddressAttribute),
      name: this.s.userRealNameAttribute && first(entry, this.s.userRealNameAttribute),
    };
  }

  /**
   * Checks these settings without logging anyone in: connects, binds as the service account (or anonymously)
   * and reads the user and group base entries. Resolves to what was checked; throws LdapUnavailableError
   * saying what failed. Closes its connection either way.
   */
  async verifyConnection(): Promise<string> {
    try {
      for (const base of [this.s.userBaseDn, this.s.groupBaseDn]) {
        await this.withService((c) => c.search(base, { scope: 'base', attributes: ['1.1'] }))
          .catch((e: unknown) => {
            const failure = unavailable(e, 'search');
            throw new LdapUnavailableError(failure.message.replace(/^search failed/, `reading ${base || 'the root entry'} failed`));
          });
      }
      return `connected to ${this.s.url}, bound ${this.s.bindDn ? `as ${this.s.bindDn}` : 'anonymously'}, and read ${this.s.userBaseDn} and ${this.s.groupBaseDn}`;
    } finally {
      await this.close();
    }
  }

  /**
   * Up to `limit` users as these settings map them (id, name, email, groups), to check a mapping before
   * saving it. One page of a paged search, so a large directory is not read whole. Closes its connection.
   */
  async sampleUsers(limit: number): Promise<LdapUser[]> {
    const s = this.s;
    try {
      const filter = new EqualityFilter({ attribute: 'objectClass', value: s.userObjectClass });
      const attributes = [s.userIdAttribute, s.userEmailAddressAttribute, s.userRealNameAttribute].filter((a): a is string => !!a);
      const entries = await this.withService(async (c) => {
        for await (const page of c.searchPaginated(s.userBaseDn, { scope: s.userSubtree ? 'sub' : 'one', filter, attributes, paged: { pageSize: limit } })) {
          return page.searchEntries.slice(0, limit);
        }
        return [];
      });
      const users: LdapUser[] = [];
      for (const entry of entries) {
        const userId = first(entry, s.userIdAttribute);
        if (!userId) continue;
        users.push({
          userId, dn: entry.dn, groups: await this.groupsOf(entry.dn, userId),
          email: s.userEmailAddressAttribute && first(entry, s.userEmailAddressAttribute),
          name: s.userRealNameAttribute && first(entry, s.userRealNameAttribute),
        });
      }
      return users;
    } finally {
      await this.close();
    }
  }

  /** Closes the shared connection. Safe to call twice; a later authenticate() opens a new one. */
  async close(): Promise<void> {
    const client = this.current;
    this.current = undefined;
    this.pending = undefined;
    await client?.unbind().catch(() => undefined);
  }

  private async findUser(userId: string): Promise<Entry | undefined> {
    const s = this.s;
    const filter = new AndFilter({ filters: [
      new EqualityFilter({ attribute: 'objectClass', value: s.userObjectClass }),
      new EqualityFilter({ attribute: s.userIdAttribute, value: userId }),
    ] });
    const attributes = [s.userIdAttribute, s.userEmailAddressAttribute, s.userRealNameAttribute].filter((a): a is string => !!a);
    const { searchEntries } = await this.withService((c) => c.search(s.userBaseDn, {
      scope: s.userSubtree ? 'sub' : 'one', filter, attributes, sizeLimit: 2,
    }));
    return searchEntries.length === 1 ? searchEntries[0] : undefined; // two matches: ambiguous, refuse
  }

  private async groupsOf(dn: string, userId: string): Promise<string[]> {
    const s = this.s;
    const member = s.groupMemberFormat.replace(/\$\{dn\}/g, dn).replace(/\$\{username\}/g, userId);
    const filter = new AndFilter({ filters: [
      new EqualityFilter({ attribute: 'objectClass', value: s.groupObjectClass }),
      new EqualityFilter({ attribute: s.groupMemberAttribute, value: member }),
    ] });
    const { searchEntries } = await this.withService((c) => c.search(s.groupBaseDn, {
      scope: s.groupSubtree ? 'sub' : 'one', filter, attributes: [s.groupIdAttribute],
    }));
    return [...new Set(searchEntries.map((e) => first(e, s.groupIdAttribute)).filter((g): g is string => !!g))];
  }

  /** True when `dn` binds with `password`; false for wrong credentials. */
  private async checkPassword(dn: string, password: string): Promise<boolean> {
    const client = this.client();
    try {
      await client.bind(dn, password);
      return true;
    } catch (e) {
      // Wrong password, or the server refuses this account (locked, expired): the user's problem, not an outage.
      if (e instanceof InvalidCredentialsError || e instanceof ResultCodeError) return false;
      throw unavailable(e, 'bind as the user');
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }

  private client(): Client {
    const ms = this.s.connectionTimeout * 1000;
    return new Client({ url: this.s.url, connectTimeout: ms, timeout: ms });
  }

  /** The shared service connection: opened once, reopened when the server closed it. */
  private service(): Promise<Client> {
    if (this.current && !this.current.isConnected) {
      this.current = undefined;
      this.pending = undefined;
    }
    if (!this.pending) {
      const opening: Promise<Client> = this.openService().then(
        (c) => {
          if (this.pending === opening) this.current = c;
          else void c.unbind().catch(() => undefined); // closed while opening: do not leak the socket
          return c;
        },
        (e) => {
          if (this.pending === opening) this.pending = undefined;
          throw e;
        },
      );
      this.pending = opening;
    }
    return this.pending;
  }

  private async openService(): Promise<Client> {
    const client = this.client();
    try {
      // Without bindDn an anonymous bind (empty name and password): it also opens the connection now, so
      // concurrent searches never race to open it.
      await client.bind(this.s.bindDn ?? '', this.s.bindPassword ?? '');
      return client;
    } catch (e) {
      await client.unbind().catch(() => undefined);
      throw unavailable(e, this.s.bindDn ? `bind as ${this.s.bindDn}` : 'connect');
    }
  }

  /**
   * Runs `op` on the service connection. A kept connection that broke (server restarted, idle timeout)
   * is replaced and `op` retried once; a fresh connection that fails is an outage.
   */
  private async withService<T>(op: (c: Client) => Promise<T>): Promise<T> {
    for (;;) {
      const reused = !!this.current?.isConnected;
      const client = await this.service();
      try {
        return await op(client);
      } catch (e) {
        if (e instanceof ResultCodeError) throw unavailable(e, 'search'); // the server answered: retrying will not help
        if (this.current === client) await this.close();
        if (!reused) throw unavailable(e, 'search');
      }
    }
  }
}

function unavailable(e: unknown, what: string): LdapUnavailableError {
  if (e instanceof LdapUnavailableError) return e;
  return new LdapUnavailableError(`${what} failed: ${describe(e)}`);
}

/** One line about an error: ldapts result errors say little in their message ("Code: 0x31"), so name them. */
function describe(e: unknown): string {
  if (!(e instanceof ResultCodeError)) return (e instanceof Error ? e.message : String(e)).split('\n')[0];
  const kind = e.name.replace(/Error$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  const detail = e.message.replace(/\s*Code: 0x[0-9a-f]+$/i, '').trim();
  return `${kind} (LDAP result ${e.code})${detail ? `: ${detail}` : ''}`;
}

/** The first value of an attribute, matching its name in any case (servers may answer `CN` for `cn`). */
function first(entry: Entry, attribute: string): string | undefined {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === attribute.toLowerCase());
  const value = key === undefined ? undefined : entry[key];
  const v = Array.isArray(value) ? value[0] : value;
  return v === undefined ? undefined : Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
}

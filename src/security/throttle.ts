// Failed-login throttling, per user name and per source address: failures are counted in a window that
// opens at the first one; past the limit the name or address is blocked for a back-off period, during which
// attempts are refused before any password is checked (guessing gets nowhere and costs no scrypt or LDAP
// bind). Successes do not count. Memory is bounded: at most maxEntries names and addresses are tracked.
// Pure bookkeeping: no HTTP, no logging (login-guard.ts does that).

export interface ThrottleOptions {
  /** The window failures are counted in. */
  windowMs: number;
  /** Failures of one user name within the window that start a block. */
  userLimit: number;
  /** Failures from one address (an IPv6 /64) within the window that start a block. */
  addressLimit: number;
  /** How long a block lasts. */
  backoffMs: number;
  /** Names and addresses tracked at most; the least recently failed are forgotten first. */
  maxEntries: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = {
  windowMs: 60_000, userLimit: 10, addressLimit: 30, backoffMs: 60_000, maxEntries: 50_000,
};

/** A block that a failure started. */
export interface Block {
  kind: 'user' | 'address';
  key: string;
  failures: number;
  ms: number;
}

interface Entry {
  windowStart: number;
  failures: number;
  blockedUntil: number;
}

/** The key an address is counted under: IPv4 as is (also when IPv4-mapped), IPv6 by its /64, which one
 *  client usually owns whole. */
export function addressKey(ip: string | undefined): string {
  // A socket closed before the request was handled has no address any more: all such requests share one key.
  if (!ip) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1];
  if (!ip.includes(':')) return ip;
  const bare = ip.split('%')[0];
  const [head, tail] = bare.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(Math.max(8 - h.length - t.length, 0)).fill('0'), ...t];
  return `${groups.slice(0, 4).map((g) => (parseInt(g, 16) || 0).toString(16)).join(':')}::/64`;
}

export class LoginThrottle {
  readonly options: ThrottleOptions;
  private readonly entries = new Map<string, Entry>();

  constructor(options: Partial<ThrottleOptions> = {}, private readonly now: () => number = Date.now) {
    this.options = { ...DEFAULT_THROTTLE, ...options };
  }

  /** Changes limits from now on (tests, settings); counts so far are kept. */
  configure(options: Partial<ThrottleOptions>): void {
    Object.assign(this.options, options);
  }

  /** Milliseconds until this user name and address may try again; 0 when neither is blocked. */
  retryAfter(userId: string | undefined, address: string): number {
    const now = this.now();
    let wait = 0;
    for (const key of this.keys(userId, address)) {
      const e = this.entries.get(key);
      if (!e) continue;
      if (e.blockedUntil > now) wait = Math.max(wait, e.blockedUntil - now);
      else if (e.blockedUntil) this.entries.delete(key); // the block is over: start counting afresh
    }
    return wait;
  }

  /** Counts a failed login of `userId` (undefined: a bad token) from `address`; returns the blocks it started. */
  fail(userId: string | undefined, address: string): Block[] {
    const now = this.now();
    const started: Block[] = [];
    for (const key of this.keys(userId, address)) {
      const user = key.startsWith('u:');
      let e = this.entries.get(key);
      const expired = e && (e.blockedUntil ? e.blockedUntil <= now : now - e.windowStart >= this.options.windowMs);
      if (!e || expired) {
        e = { windowStart: now, failures: 0, blockedUntil: 0 };
      }
      e.failures++;
      if (!e.blockedUntil && e.failures >= (user ? this.options.userLimit : this.options.addressLimit)) {
        e.blockedUntil = now + this.options.backoffMs;
        started.push({ kind: user ? 'user' : 'address', key: key.slice(2), failures: e.failures, ms: this.options.backoffMs });
      }
      this.entries.delete(key); // re-insert: Map order is then least recently failed first
      this.entries.set(key, e);
    }
    this.bound(now);
    return started;
  }

  /** How many names and addresses are tracked (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }

  private keys(userId: string | undefined, address: string): string[] {
    // Lower case: LDAP matches names case-insensitively, so case variants must share one count.
    const keys = [`a:${addressKey(address)}`];
    if (userId) keys.push(`u:${userId.slice(0, 256).toLowerCase()}`);
    return keys;
  }

  /** Forgets what no longer matters, then the least recently failed, until within maxEntries. */
  private bound(now: number): void {
    if (this.entries.size <= this.options.maxEntries) return;
    for (const [key, e] of this.entries) {
      if (e.blockedUntil <= now && now - e.windowStart >= this.options.windowMs) this.entries.delete(key);
    }
    // Still full: drop a tenth at once, so the sweep above does not run on every failure.
    const excess = this.entries.size - Math.floor(this.options.maxEntries * 0.9);
    if (excess <= 0) return;
    let n = 0;
    for (const key of this.entries.keys()) {
      if (n++ >= excess) break;
      this.entries.delete(key);
    }
  }
}

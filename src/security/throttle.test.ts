import { describe, expect, it } from 'vitest';
import { addressKey, LoginThrottle } from './throttle.js';

function clock() {
  const c = { t: 1_000_000, now: () => c.t };
  return c;
}

describe('LoginThrottle', () => {
  it('blocks a user name after userLimit failures in the window, for backoffMs, then counts afresh', () => {
    const c = clock();
    const t = new LoginThrottle({ userLimit: 3, addressLimit: 100, windowMs: 1000, backoffMs: 5000 }, c.now);
    expect(t.fail('ci', '10.0.0.1')).toEqual([]);
    expect(t.fail('CI', '10.0.0.2')).toEqual([]); // case variants share one count
    expect(t.fail('ci', '10.0.0.3')).toEqual([{ kind: 'user', key: 'ci', failures: 3, ms: 5000 }]);
    expect(t.retryAfter('ci', '10.0.0.9')).toBe(5000);
    expect(t.retryAfter('other', '10.0.0.1')).toBe(0);
    c.t += 4999;
    expect(t.retryAfter('ci', '10.0.0.9')).toBe(1);
    c.t += 1;
    expect(t.retryAfter('ci', '10.0.0.9')).toBe(0);
    expect(t.fail('ci', '10.0.0.1')).toEqual([]);
  });

  it('forgets failures older than the window', () => {
    const c = clock();
    const t = new LoginThrottle({ userLimit: 2, windowMs: 1000 }, c.now);
    t.fail('ci', '10.0.0.1');
    c.t += 1000;
    expect(t.fail('ci', '10.0.0.1')).toEqual([]);
    expect(t.fail('ci', '10.0.0.1')).toHaveLength(1);
  });

  it('blocks an address after addressLimit failures, whatever the names, and bad tokens (no name) count', () => {
    const c = clock();
    const t = new LoginThrottle({ userLimit: 100, addressLimit: 3, backoffMs: 2000 }, c.now);
    t.fail('a', '2001:db8:1:2::1');
    t.fail(undefined, '2001:db8:1:2:ffff::7'); // the same /64
    expect(t.fail('c', '2001:0db8:0001:0002::9')).toEqual([{ kind: 'address', key: '2001:db8:1:2::/64', failures: 3, ms: 2000 }]);
    expect(t.retryAfter('someone', '2001:db8:1:2::42')).toBe(2000);
    expect(t.retryAfter('someone', '2001:db8:1:3::42')).toBe(0);
  });

  it('keeps a block when a failure that passed the check earlier arrives late', () => {
    const c = clock();
    const t = new LoginThrottle({ userLimit: 1, windowMs: 10, backoffMs: 1000 }, c.now);
    t.fail('ci', '1.1.1.1');
    c.t += 500; // past the window, inside the block
    t.fail('ci', '1.1.1.1');
    expect(t.retryAfter('ci', '9.9.9.9')).toBe(500);
  });

  it('stays within maxEntries under a flood of distinct names and addresses', () => {
    const t = new LoginThrottle({ maxEntries: 1000 });
    for (let i = 0; i < 20_000; i++) t.fail(`user${i}`, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    expect(t.size).toBeLessThanOrEqual(1000);
  });

  it('can be reconfigured at run time', () => {
    const t = new LoginThrottle();
    t.configure({ userLimit: 1 });
    expect(t.fail('ci', '1.1.1.1')).toHaveLength(1);
  });
});

describe('addressKey', () => {
  it('keeps IPv4 (also IPv4-mapped) and reduces IPv6 to its /64', () => {
    expect(addressKey('192.0.2.1')).toBe('192.0.2.1');
    expect(addressKey(undefined)).toBe('unknown'); // the client's socket closed before the login was checked
    expect(addressKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey('2001:db8::')).toBe('2001:db8:0:0::/64');
  });
});

// What the authentication hook does around a credential check: refuses a throttled user name or address
// (429 with Retry-After) before any password is looked at, and for each failed login counts it, records one
// audit event and, when that failure starts a block, writes one warn line. Only the name tried and the
// address are ever recorded, never the password or token.
import type { Logger } from 'pino';
import { TooManyRequestsError } from '../repository/errors.js';
import type { Audit } from './audit.js';
import type { LoginThrottle } from './throttle.js';

export type LoginScheme = 'basic' | 'bearer';

export class LoginGuard {
  constructor(readonly throttle: LoginThrottle, private readonly audit: Audit, private readonly log: Logger) {}

  /** Throws TooManyRequestsError, with Retry-After set on `reply`, while `userId` or `address` is blocked. */
  check(userId: string | undefined, address: string, reply: { header(name: string, value: string): unknown }): void {
    const ms = this.throttle.retryAfter(userId, address);
    if (ms <= 0) return;
    const seconds = Math.ceil(ms / 1000);
    reply.header('retry-after', String(seconds));
    throw new TooManyRequestsError(`too many failed logins; try again in ${seconds} s`, seconds);
  }

  /** Counts, audits and (when a block starts) logs a failed login of `userId` (undefined for a token). */
  failed(userId: string | undefined, address: string, scheme: LoginScheme): void {
    const who = userId || 'anonymous';
    this.audit.record({
      domain: 'security.login', type: 'login-failed', userId: who, object: userId ?? '', outcome: 'failure',
      remoteAddress: address, attributes: { scheme },
    });
    for (const block of this.throttle.fail(userId, address)) {
      const seconds = Math.round(block.ms / 1000);
      this.log.warn({ [block.kind === 'user' ? 'userId' : 'address']: block.key, ip: address, failures: block.failures, blockedForMs: block.ms },
        `too many failed logins for ${block.kind} ${block.key}: further attempts refused for ${seconds} s`);
      this.audit.record({
        domain: 'security.login', type: 'login-blocked', userId: who, object: block.key, outcome: 'failure',
        remoteAddress: address, attributes: { scheme, blocked: block.kind, failures: block.failures, seconds },
      });
    }
  }
}

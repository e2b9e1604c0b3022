import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { LOG_REDACT } from './redact.js';

describe('LOG_REDACT', () => {
  it('censors authorization headers, passwords and tokens wherever a log line carries them', () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const log = pino({ redact: LOG_REDACT }, sink);
    log.info({ req: { headers: { authorization: 'Basic c2VjcmV0', cookie: 's=1', accept: '*/*' } } }, 'request');
    log.info({ user: { userId: 'ci', password: 'hunter2' }, ldap: { bindPassword: 'ldap-pw' }, token: 'wharf_x' }, 'config');
    const text = lines.join('');
    for (const secret of ['c2VjcmV0', 'hunter2', 'ldap-pw', 'wharf_x', 's=1']) expect(text).not.toContain(secret);
    expect(text).toContain('*/*');
    expect(text).toContain('"userId":"ci"');
  });
});

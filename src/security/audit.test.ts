import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../storage/database.js';
import { actor, Audit } from './audit.js';
import { testDatabaseUrl } from '../../test/helpers/postgres.js';

let db: Db | undefined;
afterEach(async () => {
  await db?.destroy();
  db = undefined;
});

async function open() {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-audit-'));
  db = await openDatabase((await testDatabaseUrl(dir)) ?? join(dir, 'db', 'wharf.sqlite'));
  const file = join(dir, 'log', 'audit.log');
  return { audit: new Audit(db, file, pino({ level: 'silent' })), file };
}

describe('Audit', () => {
  it('queues without waiting, then stores and appends each event once, in order, with secret-looking keys redacted', async () => {
    const { audit, file } = await open();
    audit.record({ domain: 'security.user', type: 'create', userId: 'admin', object: 'ci', attributes: { roles: ['x'], password: 'p', nested: { bindPassword: 'b', token: 't', tokenId: 'id-1' } } });
    audit.record({ ...actor({ ip: '10.0.0.1' }), domain: 'security.login', type: 'login-failed', outcome: 'failure' });
    await audit.close();
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.id, l.type, l.userId, l.remoteAddress])).toEqual([[1, 'create', 'admin', null], [2, 'login-failed', 'anonymous', '10.0.0.1']]);
    expect(lines[0].attributes).toEqual({ roles: ['x'], password: '[redacted]', nested: { bindPassword: '[redacted]', token: '[redacted]', tokenId: 'id-1' } });
    const { items } = await audit.query({}, 10);
    expect(items.map((e) => e.id)).toEqual([2, 1]);
    expect(items[1]).toEqual(lines[0]);
  });

  it('filters by domain with its sub-domains, and treats LIKE wildcards in object as text', async () => {
    const { audit } = await open();
    for (const [domain, object] of [['security', 'a_b'], ['security.user', 'axb'], ['securityx', 'a%b'], ['repository', 'a_b']]) audit.record({ domain, type: 't', object });
    await audit.flush();
    expect((await audit.query({ domain: 'security' }, 10)).items.map((e) => e.domain)).toEqual(['security.user', 'security']);
    expect((await audit.query({ object: '_' }, 10)).items.map((e) => e.object)).toEqual(['a_b', 'a_b']);
    expect((await audit.query({ object: '%' }, 10)).items.map((e) => e.object)).toEqual(['a%b']);
    const first = await audit.query({}, 3);
    expect(first.next).toBe(2);
    expect((await audit.query({}, 3, first.next)).items.map((e) => e.id)).toEqual([1]);
    await audit.close();
  });
});

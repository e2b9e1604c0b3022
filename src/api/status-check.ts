// REST v1 /status/check: Nexus's system status checks, a map of check name -> { healthy, message }. Blob store
// checks live here: "Blob Stores Quota" (a soft quota exceeded or a hard quota reached is unhealthy) and
// "Blob Stores Ready" (every store can be counted). Other checks add an entry to CHECKS (system-checks.ts: database,
// disk space, blob store writes, proxy upstreams, scheduler). Each result carries Nexus's `time` (epoch ms) and
// `duration` (ms); a check that throws is reported unhealthy with its error. Needs nx-healthcheck-read.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Wharf } from '../wharf.js';
import { errorResponses } from './schemas.js';
import { blobStoresWritableCheck, databaseCheck, diskSpaceCheck, proxyUpstreamsCheck, schedulerCheck } from './system-checks.js';

interface CheckResult {
  healthy: boolean;
  message: string | null;
  details?: Record<string, string>;
}

async function blobStoreQuotas(wharf: Wharf): Promise<CheckResult> {
  const details: Record<string, string> = {};
  for (const name of wharf.blobStores.names()) {
    const { soft, hard } = await wharf.blobStores.metered(name).quotaStatus().catch(() => ({ soft: undefined, hard: undefined }));
    const message = [soft, hard].filter(Boolean).join('; ');
    if (message) details[name] = message;
  }
  const names = Object.keys(details);
  return names.length
    ? { healthy: false, message: `blob stores over quota: ${names.join(', ')}`, details }
    : { healthy: true, message: 'all blob stores are within their quotas' };
}

async function blobStoresReady(wharf: Wharf): Promise<CheckResult> {
  const details: Record<string, string> = {};
  for (const name of wharf.blobStores.names()) {
    await wharf.blobStores.metered(name).usage().catch((e: Error) => (details[name] = e.message));
  }
  const names = Object.keys(details);
  return names.length ? { healthy: false, message: `unavailable: ${names.join(', ')}`, details } : { healthy: true, message: null };
}

const CHECKS: Record<string, (wharf: Wharf) => Promise<CheckResult>> = {
  'Blob Stores Quota': blobStoreQuotas,
  'Blob Stores Ready': blobStoresReady,
  'Blob Stores Writable': blobStoresWritableCheck,
  Database: databaseCheck,
  'Disk Space': (wharf) => diskSpaceCheck(wharf),
  'Proxy Repositories': proxyUpstreamsCheck,
  Scheduler: schedulerCheck,
};

/** Runs one check with Nexus's timing fields; never throws. */
async function timed(wharf: Wharf, check: (wharf: Wharf) => Promise<CheckResult>) {
  const time = Date.now();
  const result = await check(wharf).catch((err: Error): CheckResult => ({ healthy: false, message: err.message }));
  return { ...result, time, duration: Date.now() - time };
}

const Check = Type.Object({
  healthy: Type.Boolean(),
  message: Type.Union([Type.String(), Type.Null()]),
  details: Type.Optional(Type.Record(Type.String(), Type.String())),
  time: Type.Integer({ description: 'When the check ran, in milliseconds since the epoch' }),
  duration: Type.Integer({ description: 'How long it took, in milliseconds' }),
});

export function registerStatusCheckRoutes(app: FastifyInstance, wharf: Wharf): void {
  app.get('/status/check', {
    schema: {
      tags: ['status'], summary: 'System status checks', description: 'Each check with whether it is healthy and why: blob store quotas, readiness and writes, the database, free disk space, proxy upstreams (probed at most once a minute; an auto-blocked one is not asked) and failed tasks. Needs nx-healthcheck-read.',
      response: {
        200: Type.Record(Type.String(), Check, { examples: [{ 'Blob Stores Quota': { healthy: true, message: 'all blob stores are within their quotas', time: 1714557600000, duration: 1 }, Database: { healthy: true, message: 'the database answered in 0.4 ms', details: { engine: 'sqlite', latencyMs: '0.4' }, time: 1714557600000, duration: 0 } }] }),
        ...errorResponses(401, 403),
      },
    },
  }, async (request) => {
    wharf.access.checkDomain(request.user, 'healthcheck', 'read');
    const entries = await Promise.all(Object.entries(CHECKS).map(async ([name, check]) => [name, await timed(wharf, check)] as const));
    return Object.fromEntries(entries);
  });
}

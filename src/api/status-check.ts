// REST v1 /status/check: Nexus's system status checks, a map of check name -> { healthy, message }. Blob store
// checks live here: "Blob Stores Quota" (a soft quota exceeded or a hard quota reached is unhealthy) and
// "Blob Stores Ready" (every store can be counted). Other checks add an entry to CHECKS. Needs nx-healthcheck-read.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Wharf } from '../wharf.js';
import { errorResponses } from './schemas.js';

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
};

const Check = Type.Object({
  healthy: Type.Boolean(),
  message: Type.Union([Type.String(), Type.Null()]),
  details: Type.Optional(Type.Record(Type.String(), Type.String())),
});

export function registerStatusCheckRoutes(app: FastifyInstance, wharf: Wharf): void {
  app.get('/status/check', {
    schema: {
      tags: ['status'], summary: 'System status checks', description: 'Each check with whether it is healthy and why. Needs nx-healthcheck-read.',
      response: {
        200: Type.Record(Type.String(), Check, { examples: [{ 'Blob Stores Quota': { healthy: true, message: 'all blob stores are within their quotas' } }] }),
        ...errorResponses(401, 403),
      },
    },
  }, async (request) => {
    wharf.access.checkDomain(request.user, 'healthcheck', 'read');
    const entries = await Promise.all(Object.entries(CHECKS).map(async ([name, check]) => [name, await check(wharf)] as const));
    return Object.fromEntries(entries);
  });
}

// System status checks of /v1/status/check beyond the blob store ones of status-check.ts: the database answers
// (with its latency), free disk space under the data directory and file blob stores, each blob store accepts a
// write, proxy upstreams are reachable, and no scheduled task's last run failed. Each returns Nexus's
// { healthy, message, details }; status-check.ts adds the timing and runs them all in parallel.
import { randomUUID } from 'node:crypto';
import { statfs } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { formats } from '../formats/index.js';
import type { RepositoryConfig } from '../repository/model.js';
import { isPostgres } from '../storage/database.js';
import type { Wharf } from '../wharf.js';

export interface CheckResult {
  healthy: boolean;
  message: string | null;
  details?: Record<string, string>;
}

/** Below this many free bytes a disk is reported unhealthy (Nexus warns at a few GB too). */
export const MIN_FREE_BYTES = 1024 ** 3;
/** A proxy's upstream probe answer is reused this long: a status check never floods upstreams. */
const PROBE_TTL_MS = 60_000;
/** A probe or blob store write taking longer than this counts as failed (it goes on, and is cached when it ends). */
const SLOW_MS = 5_000;

const gb = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GB`;

function withDeadline<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer within ${SLOW_MS / 1000} s`)), SLOW_MS); });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

export async function databaseCheck(wharf: Wharf): Promise<CheckResult> {
  const engine = isPostgres(wharf.db) ? 'postgresql' : 'sqlite';
  const started = performance.now();
  try {
    await withDeadline(sql`select 1`.execute(wharf.db), 'the database');
  } catch (err) {
    return { healthy: false, message: `the database does not answer: ${(err as Error).message}`, details: { engine } };
  }
  const ms = (performance.now() - started).toFixed(1);
  return { healthy: true, message: `the database answered in ${ms} ms`, details: { engine, latencyMs: ms } };
}

/** Free space where the data directory lives and where each file blob store writes. */
export async function diskSpaceCheck(wharf: Wharf, minFree = MIN_FREE_BYTES): Promise<CheckResult> {
  const free: Record<string, number> = {};
  const fs = await statfs(wharf.settings.dataDir);
  free['data directory'] = fs.bavail * fs.bsize;
  for (const name of wharf.blobStores.names()) {
    const available = await wharf.blobStores.metered(name).availableSpace().catch(() => Infinity);
    if (Number.isFinite(available)) free[`blob store ${name}`] = available;
  }
  const low = Object.entries(free).filter(([, bytes]) => bytes < minFree).map(([where]) => where);
  const details = Object.fromEntries(Object.entries(free).map(([where, bytes]) => [where, `${gb(bytes)} free`]));
  return low.length
    ? { healthy: false, message: `less than ${gb(minFree)} free: ${low.join(', ')}`, details }
    : { healthy: true, message: `at least ${gb(minFree)} free everywhere`, details };
}

/** Each blob store takes a small upload (started, appended, cancelled: no content is ever written). */
export async function blobStoresWritableCheck(wharf: Wharf): Promise<CheckResult> {
  const details: Record<string, string> = {};
  await Promise.all(wharf.blobStores.names().map(async (name) => {
    const store = wharf.blobStores.get(name);
    const id = `status-check-${randomUUID()}`;
    try {
      await withDeadline((async () => {
        await store.startUpload(id);
        await store.appendUpload(id, Readable.from([Buffer.from('wharf status check')]));
      })(), `blob store ${name}`);
    } catch (err) {
      details[name] = (err as Error).message;
    } finally {
      await store.cancelUpload(id).catch(() => {});
    }
  }));
  const names = Object.keys(details);
  return names.length ? { healthy: false, message: `not writable: ${names.join(', ')}`, details } : { healthy: true, message: 'every blob store accepts writes' };
}

type Probe = { reachable: boolean; message: string };
const probes = new WeakMap<Wharf, Map<string, { at: number; result: Promise<Probe> }>>();

/** The repository's upstream, asked at most once per PROBE_TTL_MS; an auto-blocked upstream is not asked. */
async function upstreamState(wharf: Wharf, repo: RepositoryConfig): Promise<{ healthy: boolean; message: string }> {
  const format = formats[repo.format];
  const state = format?.upstreamStatus?.(wharf, repo);
  if (state?.status === 'blocked') return { healthy: true, message: 'blocked by configuration' };
  if (state?.status === 'auto-blocked') return { healthy: false, message: `auto-blocked until ${state.blockedUntil}: ${state.reason ?? 'the upstream failed'}` };
  if (!format?.probeUpstream) return { healthy: true, message: state?.status ?? 'ready' };
  const cache = probes.get(wharf) ?? new Map<string, { at: number; result: Promise<Probe> }>();
  probes.set(wharf, cache);
  const key = `${repo.name}\n${(repo.proxy as { remoteUrl?: string } | undefined)?.remoteUrl}`;
  let entry = cache.get(key);
  if (!entry || Date.now() - entry.at > PROBE_TTL_MS) {
    entry = { at: Date.now(), result: format.probeUpstream(wharf, repo).catch((e: Error) => ({ reachable: false, message: e.message })) };
    cache.set(key, entry);
  }
  const probe = await withDeadline(entry.result, 'the upstream').catch((e: Error) => ({ reachable: false, message: e.message }));
  return { healthy: probe.reachable, message: probe.message };
}

export async function proxyUpstreamsCheck(wharf: Wharf): Promise<CheckResult> {
  const proxies = wharf.repositories.list().filter((r) => r.type === 'proxy' && r.online);
  const states = await Promise.all(proxies.map(async (r) => [r.name, await upstreamState(wharf, r)] as const));
  const details = Object.fromEntries(states.map(([name, s]) => [name, s.message]));
  const down = states.filter(([, s]) => !s.healthy).map(([name]) => name);
  if (!proxies.length) return { healthy: true, message: 'no online proxy repositories' };
  return down.length
    ? { healthy: false, message: `upstream unreachable: ${down.join(', ')}`, details }
    : { healthy: true, message: `${proxies.length} proxy upstream(s) reachable`, details };
}

/** Unhealthy when the last finished run of an enabled task failed. */
export async function schedulerCheck(wharf: Wharf): Promise<CheckResult> {
  const { tasks } = wharf.lifecycle;
  const details: Record<string, string> = {};
  for (const task of (await tasks.list()).filter((t) => t.enabled)) {
    const last = (await tasks.runs(task.id, 5)).find((r) => r.state !== 'running');
    if (last?.state === 'failed') details[task.name] = `failed at ${new Date(last.endedAt ?? last.startedAt).toISOString()}: ${last.message}`;
  }
  const names = Object.keys(details);
  return names.length ? { healthy: false, message: `last run failed: ${names.join(', ')}`, details } : { healthy: true, message: 'no task\'s last run failed' };
}

// What a task type is: a name, its properties' checks, and what a run does. Types are registered by name in
// types/index.ts (one file each); the scheduler knows nothing else about them.
import type { Problem } from '../repository/format.js';
import type { Wharf } from '../wharf.js';

export interface TaskContext {
  wharf: Wharf;
  /** The task's properties, as checked by the type. */
  properties: Record<string, unknown>;
  /** Appends a line to the run's log (kept in task_runs, shown by GET /tasks/{id}/history). */
  log(line: string): void;
  /** Aborted when someone stops the task or this node loses its lease: finish the current item and return. */
  signal: AbortSignal;
}

export interface TaskType {
  readonly type: string;
  /** Human name, shown in lists (Nexus's typeName). */
  readonly description: string;
  /** Problems of a task's properties (keys relative to properties); empty when fine. */
  check(properties: Record<string, unknown>, wharf: Wharf): Problem[];
  /** Does the work; returns the run's one-line result message. Throws on failure. */
  run(ctx: TaskContext): Promise<string>;
}

/** Shared property checks. */
export function optionalString(properties: Record<string, unknown>, key: string, problems: Problem[]): string | undefined {
  const v = properties[key];
  if (v === undefined || v === null || v === '' || v === '*') return undefined;
  if (typeof v !== 'string') problems.push({ key, reason: 'must be a string' });
  return typeof v === 'string' ? v : undefined;
}

export function positiveNumber(properties: Record<string, unknown>, key: string, problems: Problem[], min = 0): void {
  const v = properties[key];
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) problems.push({ key, reason: `must be a number of at least ${min}` });
}

/** Bytes for messages: 1536 -> "1.5 KiB". */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i ? v.toFixed(1) : v} ${units[i]}`;
}

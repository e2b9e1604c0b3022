// When a task runs: manually only, on a cron expression, or at a time each hour/day/week/month. Every
// schedule but manual becomes one cron pattern for croner.
import { Cron } from 'croner';

export const FREQUENCIES = ['manual', 'hourly', 'daily', 'weekly', 'monthly'] as const;
export type Frequency = (typeof FREQUENCIES)[number];

export type Schedule =
  | { type: 'manual' }
  | { type: 'cron'; cron: string }
  | { type: Exclude<Frequency, 'manual'>; time?: string }; // time: "HH:MM", default 01:00

/** The cron pattern of a schedule, or undefined for manual. */
export function cronOf(schedule: Schedule): string | undefined {
  if (schedule.type === 'manual') return undefined;
  if (schedule.type === 'cron') return schedule.cron;
  const [h, m] = (schedule.time ?? '01:00').split(':').map(Number);
  switch (schedule.type) {
    case 'hourly': return `${m} * * * *`;
    case 'daily': return `${m} ${h} * * *`;
    case 'weekly': return `${m} ${h} * * 0`;
    case 'monthly': return `${m} ${h} 1 * *`;
  }
}

/** Why a schedule is invalid, or undefined when it is fine. */
export function scheduleProblem(schedule: Schedule): string | undefined {
  if (schedule.type !== 'manual' && schedule.type !== 'cron' && schedule.time !== undefined && !/^([01]\d|2[0-3]):[0-5]\d$/.test(schedule.time)) {
    return `time must be HH:MM, got ${schedule.time}`;
  }
  const pattern = cronOf(schedule);
  if (pattern === undefined) return undefined;
  try {
    new Cron(pattern, { paused: true }).stop();
    return undefined;
  } catch (e) {
    return `invalid cron expression ${JSON.stringify(pattern)}: ${(e as Error).message}`;
  }
}

/** The schedule a REST body or wharf.yaml entry describes with `cron` or `frequency` (+ `startTime`). */
export function scheduleFrom(input: { cron?: string; frequency?: string; startTime?: string }): Schedule {
  if (input.cron) return { type: 'cron', cron: input.cron };
  const f = (input.frequency ?? 'manual').toLowerCase() as Frequency;
  if (f === 'manual') return { type: 'manual' };
  return { type: f, ...(input.startTime && { time: input.startTime }) };
}

/** The inverse of scheduleFrom, for REST responses and `wharf config export`. */
export function scheduleFields(schedule: Schedule): { cron?: string; frequency: string; startTime?: string } {
  if (schedule.type === 'cron') return { frequency: 'cron', cron: schedule.cron };
  if (schedule.type === 'manual') return { frequency: 'manual' };
  return { frequency: schedule.type, ...(schedule.time && { startTime: schedule.time }) };
}

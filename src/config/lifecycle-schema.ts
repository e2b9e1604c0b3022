// wharf.yaml entries of the storage lifecycle (DESIGN.md 1.4): `cleanupPolicies:` as in the REST body
// (`{ name, format, notes, criteria: { retain, lastDownloaded, ... } }`) and `tasks:` with the task's
// properties inline (`{ name, type, blobStoreName, cron }`). Checked further by config/lifecycle.ts.
import { Type, type Static } from '@sinclair/typebox';

export const CleanupPolicyEntrySchema = Type.Object({
  name: Type.String(),
  format: Type.String(),
  notes: Type.Optional(Type.String()),
  criteria: Type.Object({
    lastBlobUpdated: Type.Optional(Type.Integer({ minimum: 1 })),
    lastDownloaded: Type.Optional(Type.Integer({ minimum: 1 })),
    prerelease: Type.Optional(Type.Boolean()),
    regex: Type.Optional(Type.String()),
    retain: Type.Optional(Type.Integer({ minimum: 1 })),
  }, { additionalProperties: false }),
}, { additionalProperties: false });

/** Everything but these keys is a property of the task (repositoryName, blobStoreName, graceMinutes ...). */
export const TASK_KEYS = ['name', 'type', 'cron', 'frequency', 'startTime', 'enabled'] as const;

export const TaskEntrySchema = Type.Object({
  name: Type.String(),
  type: Type.String(),
  cron: Type.Optional(Type.String()),
  frequency: Type.Optional(Type.Union(['manual', 'hourly', 'daily', 'weekly', 'monthly'].map((f) => Type.Literal(f)))),
  startTime: Type.Optional(Type.String()),
  enabled: Type.Optional(Type.Boolean()),
}, { additionalProperties: true });

export type CleanupPolicyEntry = Static<typeof CleanupPolicyEntrySchema>;
export type TaskEntry = Static<typeof TaskEntrySchema> & Record<string, unknown>;

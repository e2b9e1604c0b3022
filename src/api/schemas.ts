// TypeBox building blocks shared by every REST v1 resource: the error body, the error responses a route
// declares (so the OpenAPI document lists them), string enums that render as plain `enum`, and dates.
import { Type, type TSchema, type TUnsafe } from '@sinclair/typebox';

/** The one error body of the REST API (errors.ts writes it). */
export const ApiErrorSchema = Type.Object({
  message: Type.String({ description: 'What went wrong, for a person to read' }),
  details: Type.Optional(Type.Unknown({ description: 'Machine-readable detail, e.g. the failing fields of a validation error' })),
}, {
  description: 'An error',
  examples: [{ message: 'body/userId must match pattern "^[A-Za-z0-9][A-Za-z0-9._@-]{0,199}$"', details: [{ field: 'userId', in: 'body', message: 'must match pattern' }] }],
});

const ERROR_TEXT: Record<number, string> = {
  400: 'The request is invalid (validation error or refused change)',
  401: 'Authentication required (anonymous, or wrong credentials)',
  403: 'Signed in, but without the privilege this needs',
  404: 'No such object',
  409: 'Conflicts with the current state (already exists, or would remove the last administrator)',
};

/** Response schemas for the given error statuses, all with the ApiError body. */
export function errorResponses(...statuses: (keyof typeof ERROR_TEXT)[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map((s) => [s, { ...ApiErrorSchema, description: ERROR_TEXT[s] }]));
}

/** A string enum as `{ type: string, enum: [...] }` (TypeBox unions of literals render as anyOf). */
export function StringEnum<const T extends readonly string[]>(values: T, options: Record<string, unknown> = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** An empty 204 reply. */
export const NoContent = Type.Null({ description: 'Done; no body' });

/** Milliseconds since the epoch as an ISO 8601 string (null stays null). */
export const isoDate = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

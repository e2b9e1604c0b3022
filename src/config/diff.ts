// Field-level differences between two configuration objects, for `wharf config apply --dry-run` and the
// audit trail. Objects compare key by key whatever their key order; arrays compare as a whole.

export interface FieldChange {
  /** Dotted path of the field, e.g. storage.writePolicy. */
  path: string;
  from?: unknown;
  to?: unknown;
}

const SECRET = /password|secret|token/i;

/** JSON with object keys sorted, so equal configurations give equal text whatever their key order. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v));
}

export const sameConfig = (a: unknown, b: unknown) => canonical(a) === canonical(b);

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** The fields that differ between `before` and `after` (leaves only); secret-looking values are masked. */
export function diffFields(before: unknown, after: unknown, prefix = ''): FieldChange[] {
  const b = before === undefined && isObject(after) ? {} : before;
  const a = after === undefined && isObject(before) ? {} : after;
  if (isObject(b) && isObject(a)) {
    const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
    return keys.flatMap((k) => diffFields(b[k], a[k], prefix ? `${prefix}.${k}` : k));
  }
  if (sameConfig(before, after)) return [];
  const mask = (v: unknown) => (v !== undefined && SECRET.test(prefix) ? '***' : v);
  return [{ path: prefix || '(value)', ...(before !== undefined && { from: mask(before) }), ...(after !== undefined && { to: mask(after) }) }];
}

/** One line per field: `path: from -> to` (absent sides shown as "(none)"). */
export function formatField(f: FieldChange): string {
  const show = (v: unknown) => (v === undefined ? '(none)' : JSON.stringify(v));
  return `${f.path}: ${show(f.from)} -> ${show(f.to)}`;
}

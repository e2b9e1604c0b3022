// How `wharf config apply` prints what it changed (or, with --dry-run, would change): one line per object,
// `+` create, `~` update, `-` delete, then its fields indented, then a count.
import { formatField } from '../config/diff.js';
import type { Change } from '../config/reconcile.js';

const SIGN = { create: '+', update: '~', delete: '-' } as const;

export function formatChanges(changes: Change[], dryRun: boolean): string {
  const lines: string[] = [];
  for (const c of changes) {
    lines.push(`${SIGN[c.action]} ${c.kind} ${c.name}${dryRun ? ` (would ${c.action})` : ''}`);
    for (const f of c.fields ?? []) lines.push(`    ${formatField(f)}`);
  }
  lines.push(changes.length ? `${changes.length} change(s)${dryRun ? ' (dry run, nothing changed)' : ''}` : 'no changes');
  return lines.join('\n');
}

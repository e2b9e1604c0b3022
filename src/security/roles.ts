// Roles: named sets of privileges that may contain other roles (Nexus's model). Held in memory, expanded
// to grants once per distinct role list; the built-in nx-admin and nx-anonymous always exist.
import type { Db } from '../storage/database.js';
import { parsePrivilege, type Grant } from './privileges.js';

export interface Role {
  id: string;
  name: string;
  description: string;
  privileges: string[];
  roles: string[];
  source: string;
  readOnly: boolean;
}

export const BUILTIN_ROLES: Role[] = [
  { id: 'nx-admin', name: 'nx-admin', description: 'Administrator Role', privileges: ['nx-all'], roles: [], source: 'default', readOnly: true },
  {
    id: 'nx-anonymous', name: 'nx-anonymous', description: 'Anonymous Role', source: 'default', readOnly: true, roles: [],
    privileges: ['nx-healthcheck-read', 'nx-search-read', 'nx-repository-view-*-*-browse', 'nx-repository-view-*-*-read'],
  },
];

export class Roles {
  private byId = new Map<string, Role>();
  private expanded = new Map<string, Grant[]>();

  constructor(private readonly db: Db) {}

  /** Creates missing built-in roles and loads every role. */
  async load(): Promise<void> {
    for (const role of BUILTIN_ROLES) {
      await this.db.insertInto('roles').values(toRow(role)).onConflict((oc) => oc.column('id').doNothing()).execute();
    }
    const rows = await this.db.selectFrom('roles').selectAll().execute();
    this.byId = new Map(rows.map((r) => [r.id, {
      id: r.id, name: r.name, description: r.description, privileges: JSON.parse(r.privileges), roles: JSON.parse(r.roles),
      source: r.source, readOnly: !!r.read_only,
    }]));
    this.expanded.clear();
  }

  get(id: string): Role | undefined {
    return this.byId.get(id);
  }

  list(): Role[] {
    return [...this.byId.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Creates or replaces a role; returns whether anything changed. Refuses to change a built-in role. */
  async put(role: Role): Promise<boolean> {
    const existing = this.byId.get(role.id);
    if (existing?.readOnly) throw new Error(`role ${role.id} is built in and cannot be changed`);
    if (existing && JSON.stringify(existing) === JSON.stringify(role)) return false;
    const row = toRow(role);
    await this.db.insertInto('roles').values(row).onConflict((oc) => oc.column('id').doUpdateSet(row)).execute();
    this.byId.set(role.id, role);
    this.expanded.clear();
    return true;
  }

  async delete(id: string): Promise<void> {
    if (this.byId.get(id)?.readOnly) throw new Error(`role ${id} is built in and cannot be deleted`);
    await this.db.deleteFrom('roles').where('id', '=', id).execute();
    this.byId.delete(id);
    this.expanded.clear();
  }

  /** Every grant of these roles and the roles they contain (cycles are harmless). Unknown roles grant nothing. */
  grants(roleIds: readonly string[]): Grant[] {
    const key = roleIds.join('\n');
    let grants = this.expanded.get(key);
    if (!grants) {
      const seen = new Set<string>();
      const names = new Set<string>();
      const visit = (id: string) => {
        if (seen.has(id)) return;
        seen.add(id);
        const role = this.byId.get(id);
        role?.privileges.forEach((p) => names.add(p));
        role?.roles.forEach(visit);
      };
      roleIds.forEach(visit);
      grants = [...names].map(parsePrivilege).filter((g): g is Grant => !!g);
      if (this.expanded.size > 10_000) this.expanded.clear();
      this.expanded.set(key, grants);
    }
    return grants;
  }
}

function toRow(role: Role) {
  return {
    id: role.id, name: role.name, description: role.description, privileges: JSON.stringify(role.privileges),
    roles: JSON.stringify(role.roles), source: role.source, read_only: role.readOnly ? 1 : 0,
  };
}

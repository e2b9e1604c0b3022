import { describe, expect, it } from 'vitest';
import { grantsContent, grantsDomain, implies, parsePrivilege } from './privileges.js';

const g = (name: string) => parsePrivilege(name)!;

describe('privileges', () => {
  it('parses repository names containing dashes', () => {
    expect(g('nx-repository-view-docker-docker-latest-*')).toEqual({ kind: 'repository', scope: 'view', format: 'docker', repository: 'docker-latest', action: '*' });
  });

  it('matches exactly or by *, never by prefix', () => {
    expect(grantsContent(g('nx-repository-view-docker-docker-*'), 'docker', 'docker', 'add')).toBe(true);
    expect(grantsContent(g('nx-repository-view-docker-docker-*'), 'docker', 'docker-latest', 'read')).toBe(false);
    expect(grantsContent(g('nx-repository-view-*-*-read'), 'npm', 'x', 'read')).toBe(true);
    expect(grantsContent(g('nx-repository-view-*-*-read'), 'npm', 'x', 'browse')).toBe(true);
    expect(grantsContent(g('nx-repository-view-*-*-read'), 'npm', 'x', 'add')).toBe(false);
    expect(grantsContent(g('nx-repository-view-raw-*-read'), 'docker', 'x', 'read')).toBe(false);
  });

  it('nx-all grants everything; domain privileges grant their domain', () => {
    expect(grantsContent(g('nx-all'), 'docker', 'x', 'delete')).toBe(true);
    expect(grantsDomain(g('nx-users-read'), 'users', 'read')).toBe(true);
    expect(grantsDomain(g('nx-users-read'), 'users', 'create')).toBe(false);
    expect(grantsDomain(g('nx-users-read'), 'roles', 'read')).toBe(false);
    expect(grantsDomain(g('nx-users-all'), 'users', 'delete')).toBe(true);
  });

  it('implies: a token may narrow, never widen', () => {
    expect(implies(g('nx-all'), g('nx-users-read'))).toBe(true);
    expect(implies(g('nx-users-read'), g('nx-all'))).toBe(false);
    expect(implies(g('nx-users-*'), g('nx-users-delete'))).toBe(true);
    expect(implies(g('nx-users-read'), g('nx-users-*'))).toBe(false);
    expect(implies(g('nx-repository-view-docker-*-*'), g('nx-repository-view-docker-x-read'))).toBe(true);
    expect(implies(g('nx-repository-view-docker-x-read'), g('nx-repository-view-docker-x-browse'))).toBe(true);
    expect(implies(g('nx-repository-view-docker-x-read'), g('nx-repository-view-*-x-read'))).toBe(false);
    expect(implies(g('nx-repository-view-docker-x-*'), g('nx-repository-admin-docker-x-read'))).toBe(false);
  });
});

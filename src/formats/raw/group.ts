// Raw group repository: reads try the members in order and the first that has the file wins (a proxy member
// that cannot reach its upstream is skipped; its error is reported only if no member has the file). Uploads
// and deletes go to the writable member when the group names one.
import type { Readable } from 'node:stream';
import { ForbiddenError, UnsupportedError } from '../../repository/errors.js';
import type { RepositoryConfig } from '../../repository/model.js';
import { UpstreamUnavailableError } from '../../proxy/upstream.js';
import type { RawFile, RawStore, StoredFile } from './raw-store.js';

export interface MemberAccess {
  canRead(repo: RepositoryConfig): boolean;
  canWrite(repo: RepositoryConfig): boolean;
}

const EVERYONE: MemberAccess = { canRead: () => true, canWrite: () => true };

export class GroupRawStore implements RawStore {
  constructor(readonly repo: RepositoryConfig, private readonly members: () => RawStore[], private readonly access: MemberAccess = EVERYONE) {}

  /** The same group as seen by a caller: only the members it may read, writes only where it may write. */
  withAccess(access: MemberAccess): GroupRawStore {
    return new GroupRawStore(this.repo, this.members, access);
  }

  async get(path: string, body: boolean): Promise<RawFile | undefined> {
    let unavailable: Error | undefined;
    for (const member of this.members()) {
      if (!this.access.canRead(member.repo)) continue;
      try {
        const file = await member.get(path, body);
        if (file) return file;
      } catch (err) {
        if (!(err instanceof UpstreamUnavailableError)) throw err;
        unavailable ??= err;
      }
    }
    if (unavailable) throw unavailable;
    return undefined;
  }

  private writable(): RawStore {
    const name = this.repo.group?.writableMember;
    const member = name === undefined ? undefined : this.members().find((m) => m.repo.name === name);
    if (!member) throw new UnsupportedError(`group ${this.repo.name} has no writable member; upload to a hosted repository`);
    if (!this.access.canWrite(member.repo)) throw new ForbiddenError(`you may not write to ${member.repo.name}, the writable member of group ${this.repo.name}`);
    return member;
  }

  put(path: string, body: Readable, declaredSize?: number): Promise<StoredFile> {
    return this.writable().put(path, body, declaredSize);
  }

  delete(path: string): Promise<void> {
    return this.writable().delete(path);
  }
}

// Docker group repository: reads try members in order (first hit wins; listings are merged); writes go to
// the member a write route picks by tag, else to the writable member. A manifest routed to a member that
// lacks some of its blobs or child manifests gets them from the other members first (no re-upload).
import type { Readable } from 'node:stream';
import { ForbiddenError, NotFoundError, UnsupportedError } from '../../repository/errors.js';
import type { RepositoryConfig } from '../../repository/model.js';
import type { BlobHandle, DockerStore, Manifest, ManifestInfo, Page, PutManifestResult } from './docker-store.js';
import { parseManifest, type Descriptor } from './manifest.js';
import { UpstreamUnavailableError } from '../../proxy/upstream.js';

/** Which members a request may use: a group never serves a member its caller cannot read, nor writes
 *  into one it cannot write to. */
export interface MemberAccess {
  canRead(repo: RepositoryConfig): boolean;
  canWrite(repo: RepositoryConfig): boolean;
}

export class GroupDockerStore implements DockerStore {
  /** `members` resolves member names to stores lazily, so configuration changes are seen. */
  constructor(readonly repo: RepositoryConfig, private readonly allMembers: () => DockerStore[], private readonly access?: MemberAccess) {}

  /** This group as seen by one caller: members filtered (nested groups too) and writes checked. */
  withAccess(access: MemberAccess): GroupDockerStore {
    return new GroupDockerStore(this.repo, this.allMembers, access);
  }

  private members(): DockerStore[] {
    const all = this.allMembers();
    if (!this.access) return all;
    const access = this.access;
    return all.filter((m) => access.canRead(m.repo)).map((m) => (m instanceof GroupDockerStore ? m.withAccess(access) : m));
  }

  private get group() {
    return this.repo.group ?? { memberNames: [] };
  }

  /** First member answering without NotFound; other failures are skipped but reported if nobody answers. */
  private async first<T>(fn: (m: DockerStore) => Promise<T | undefined>, notFound: () => Error): Promise<T> {
    let failure: unknown;
    for (const member of this.members()) {
      try {
        const value = await fn(member);
        if (value !== undefined) return value;
      } catch (err) {
        if (!(err instanceof NotFoundError)) failure ??= err;
      }
    }
    if (failure instanceof UpstreamUnavailableError || !failure) throw notFound();
    throw failure;
  }

  private member(name: string | undefined, why: string): DockerStore {
    const store = name && this.allMembers().find((m) => m.repo.name === name);
    if (!store) throw new UnsupportedError(`group ${this.repo.name} has no writable member for ${why}`);
    if (this.access && !this.access.canWrite(store.repo)) {
      throw new ForbiddenError(`${why} to group ${this.repo.name} go to ${store.repo.name}, which you may not write to`);
    }
    return store;
  }

  /** The member that receives a manifest pushed with this reference. */
  private writeTarget(reference: string): DockerStore {
    if (!reference.includes(':')) {
      const route = this.group.writeRoutes?.find((r) => new RegExp(r.tagPattern).test(reference));
      if (route) return this.member(route.member, `tag ${reference}`);
    }
    return this.member(this.group.writableMember, 'pushes');
  }

  private uploads(): DockerStore {
    return this.member(this.group.writableMember, 'uploads');
  }

  statBlob(image: string, digest: string) {
    return this.first((m) => m.statBlob(image, digest), () => new NotFoundError('blob', `blob ${digest} not found in ${this.repo.name}`))
      .catch((err) => (err instanceof NotFoundError ? undefined : Promise.reject(err)));
  }

  openBlob(image: string, digest: string): Promise<BlobHandle | undefined> {
    return this.first((m) => m.openBlob(image, digest), () => new NotFoundError('blob', `blob ${digest} not found in ${this.repo.name}`))
      .catch((err) => (err instanceof NotFoundError ? undefined : Promise.reject(err)));
  }

  deleteBlob(): Promise<void> {
    throw new UnsupportedError(`delete from a member of group ${this.repo.name}, not from the group`);
  }

  startUpload(image: string) { return this.uploads().startUpload(image); }
  uploadSize(image: string, id: string) { return this.uploads().uploadSize(image, id); }
  appendUpload(image: string, id: string, body: Readable, start?: number) { return this.uploads().appendUpload(image, id, body, start); }
  completeUpload(image: string, id: string, digest: string) { return this.uploads().completeUpload(image, id, digest); }
  cancelUpload(image: string, id: string) { return this.uploads().cancelUpload(image, id); }

  async mountBlob(image: string, digest: string, from: DockerStore, fromImage: string): Promise<boolean> {
    const target = this.uploads();
    if (await target.statBlob(image, digest)) return true;
    if (await target.mountBlob(image, digest, from, fromImage)) return true;
    return this.copyBlob(target, image, digest);
  }

  /** Makes `target` hold a blob some member holds; false when none does. */
  private async copyBlob(target: DockerStore, image: string, digest: string): Promise<boolean> {
    for (const m of this.members()) {
      if (m === target) continue;
      if (await m.statBlob(image, digest).catch(() => undefined)) return target.mountBlob(image, digest, m, image);
    }
    return false;
  }

  statManifest(image: string, reference: string): Promise<ManifestInfo> {
    return this.first((m) => m.statManifest(image, reference), () => new NotFoundError('manifest', `manifest ${image}:${reference} not found in ${this.repo.name}`));
  }

  getManifest(image: string, reference: string): Promise<Manifest> {
    return this.first((m) => m.getManifest(image, reference), () => new NotFoundError('manifest', `manifest ${image}:${reference} not found in ${this.repo.name}`));
  }

  async putManifest(image: string, reference: string, bytes: Buffer, contentType: string | undefined): Promise<PutManifestResult> {
    const target = this.writeTarget(reference);
    await this.bringReferences(target, image, bytes, contentType);
    return target.putManifest(image, reference, bytes, contentType);
  }

  /** Copies into `target` the blobs and child manifests it lacks and another member holds. */
  private async bringReferences(target: DockerStore, image: string, bytes: Buffer, contentType: string | undefined): Promise<void> {
    let parsed;
    try {
      parsed = parseManifest(bytes, contentType);
    } catch {
      return; // the target member reports the problem in its own words
    }
    for (const d of parsed.blobs) {
      if (!(await target.statBlob(image, d.digest))) await this.copyBlob(target, image, d.digest);
    }
    for (const d of parsed.manifests) {
      const present = await target.statManifest(image, d.digest).then(() => true, () => false);
      if (present) continue;
      const child = await this.getManifest(image, d.digest).catch(() => undefined);
      if (!child) continue;
      await this.bringReferences(target, image, child.bytes, child.mediaType);
      await target.putManifest(image, d.digest, child.bytes, child.mediaType);
    }
  }

  deleteManifest(): Promise<void> {
    throw new UnsupportedError(`delete from a member of group ${this.repo.name}, not from the group`);
  }

  async tags(image: string, n: number, last?: string): Promise<Page> {
    const all = await this.merged((m) => m.tags(image, Number.MAX_SAFE_INTEGER));
    if (!all) throw new NotFoundError('name', `repository name ${image} not known to ${this.repo.name}`);
    const after = last === undefined ? all : all.filter((t) => t > last);
    return { items: after.slice(0, n), more: after.length > n };
  }

  async images(n: number, last?: string): Promise<Page> {
    // Each member's first n names after `last` hold the union's first n, so no member lists all its names.
    const pages = await this.settled((m) => m.images(n, last));
    const all = [...new Set(pages.flatMap((p) => p.items))].sort();
    return { items: all.slice(0, n), more: all.length > n || pages.some((p) => p.more) };
  }

  /** Sorted union of every member's page; undefined when no member knows the name. */
  private async merged(fn: (m: DockerStore) => Promise<Page>): Promise<string[] | undefined> {
    const ok = await this.settled(fn);
    if (!ok.length) return undefined;
    return [...new Set(ok.flatMap((p) => p.items))].sort();
  }

  /** The pages of the members that answered; a failing member is left out, as if it listed nothing. */
  private async settled(fn: (m: DockerStore) => Promise<Page>): Promise<Page[]> {
    const results = await Promise.allSettled(this.members().map(fn));
    return results.filter((r): r is PromiseFulfilledResult<Page> => r.status === 'fulfilled').map((r) => r.value);
  }

  async referrers(image: string, digest: string, artifactType?: string): Promise<Descriptor[]> {
    const results = await Promise.allSettled(this.members().map((m) => m.referrers(image, digest, artifactType)));
    const seen = new Map<string, Descriptor>();
    for (const r of results) if (r.status === 'fulfilled') for (const d of r.value) if (!seen.has(d.digest)) seen.set(d.digest, d);
    return [...seen.values()];
  }
}

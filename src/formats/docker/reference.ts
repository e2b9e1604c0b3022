// Grammar of names, tags and digests (OCI distribution-spec "Pulling manifests" and image-spec descriptor).
import { OciError } from './errors.js';

const NAME_COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
export const NAME = new RegExp(`^${NAME_COMPONENT}(?:/${NAME_COMPONENT})*$`);
export const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const SHA256 = /^sha256:[a-f0-9]{64}$/;

export function isDigest(ref: string): boolean {
  return DIGEST.test(ref);
}

/** Checks an image name; throws NAME_INVALID. */
export function checkName(name: string): void {
  if (name.length > 255 || !NAME.test(name)) throw new OciError('NAME_INVALID', `invalid repository name: ${name}`);
}

/** Returns the hex of a sha256 digest; throws DIGEST_INVALID for anything else (sha512 and others included). */
export function sha256Of(digest: string): string {
  if (!SHA256.test(digest)) {
    const detail = { digest };
    if (DIGEST.test(digest)) throw new OciError('DIGEST_INVALID', `unsupported digest algorithm: ${digest.split(':')[0]}`, detail);
    throw new OciError('DIGEST_INVALID', `invalid digest: ${digest}`, detail);
  }
  return digest.slice(7);
}

/** Checks a manifest reference (tag or digest); throws MANIFEST_INVALID / DIGEST_INVALID. */
export function checkReference(ref: string): 'tag' | 'digest' {
  if (ref.includes(':')) {
    sha256Of(ref);
    return 'digest';
  }
  if (!TAG.test(ref)) throw new OciError('MANIFEST_INVALID', `invalid tag: ${ref}`, { tag: ref }, 400);
  return 'tag';
}

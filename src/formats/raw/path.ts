// What a raw file path may be. Paths come from URLs (percent-encoded) and from upload form fields; both are
// checked here before anything reaches the database or the blob store. A path is a list of segments joined by
// '/': no empty, '.' or '..' segment, no backslash, no control character (NUL included), nothing that is still
// percent-encoded after one decoding (double encoding), and bounded lengths. Refusals are InvalidError (400).
import { InvalidError } from '../../repository/errors.js';

export const MAX_SEGMENT_BYTES = 255;
export const MAX_PATH_BYTES = 1024;

const CONTROL = /[\u0000-\u001f\u007f]/;
const ENCODED = /%[0-9a-f]{2}/i;

function refuse(reason: string): never {
  throw new InvalidError('PATH_INVALID', `invalid path: ${reason}`);
}

function checkSegment(segment: string): void {
  if (segment === '') refuse('empty segment (a leading slash or //)');
  if (segment === '.' || segment === '..') refuse(`"${segment}" segments are not allowed`);
  if (segment.includes('/') || segment.includes('\\')) refuse('encoded slashes and backslashes are not allowed');
  if (CONTROL.test(segment)) refuse('control characters are not allowed');
  if (ENCODED.test(segment)) refuse('double percent-encoding is not allowed');
  if (Buffer.byteLength(segment) > MAX_SEGMENT_BYTES) refuse(`a segment is longer than ${MAX_SEGMENT_BYTES} bytes`);
}

function checkSegments(segments: string[]): string {
  segments.forEach(checkSegment);
  const path = segments.join('/');
  if (Buffer.byteLength(path) > MAX_PATH_BYTES) refuse(`longer than ${MAX_PATH_BYTES} bytes`);
  return path;
}

/**
 * The file path named by a URL path (as sent, percent-encoded, after `/repository/<name>/`). `directory` is true
 * for '' and paths ending in '/', which ask for a directory (its index.html). Throws InvalidError.
 */
export function parseUrlPath(encoded: string): { path: string; directory: boolean } {
  if (encoded.length > MAX_PATH_BYTES * 3) refuse(`longer than ${MAX_PATH_BYTES} bytes`);
  if (encoded.includes('\\')) refuse('backslashes are not allowed');
  if (encoded === '') return { path: '', directory: true };
  const directory = encoded.endsWith('/');
  const segments = (directory ? encoded.slice(0, -1) : encoded).split('/').map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return refuse('malformed percent-encoding');
    }
  });
  return { path: checkSegments(segments), directory };
}

/** A relative file path from a form field (already decoded), e.g. `css/site.css`. Throws InvalidError. */
export function checkFilePath(path: string): string {
  if (path.includes('\\')) refuse('backslashes are not allowed');
  return checkSegments(path.split('/'));
}

/** A directory from a form field: leading and trailing slashes are allowed ("/site/" is site); '' is the root. */
export function checkDirectory(directory: string): string {
  const trimmed = directory.replace(/^\/+/, '').replace(/\/+$/, '');
  return trimmed === '' ? '' : checkFilePath(trimmed);
}

/** The directory part of a path ('' at the root). */
export function dirname(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

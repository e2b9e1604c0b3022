// Content types of raw files, as Nexus does it: the type comes from the file name; with the repository's
// storage.strictContentTypeValidation, an upload whose bytes plainly are something else (a PNG named .html,
// a text file named .zip, binary bytes named .txt) is refused with Nexus's wording. The bytes are judged by
// their first few kilobytes: a magic number, else text or binary by the presence of NUL bytes.
import mime from 'mime';
import { InvalidError } from '../../repository/errors.js';

const OCTET = 'application/octet-stream';

/** Magic numbers at offset 0 (WebP also needs "WEBP" at offset 8). */
const MAGIC: [bytes: number[], type: string][] = [
  [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'image/png'],
  [[0xff, 0xd8, 0xff], 'image/jpeg'],
  [[0x47, 0x49, 0x46, 0x38], 'image/gif'],
  [[0x25, 0x50, 0x44, 0x46, 0x2d], 'application/pdf'],
  [[0x50, 0x4b, 0x03, 0x04], 'application/zip'],
  [[0x50, 0x4b, 0x05, 0x06], 'application/zip'],
  [[0x1f, 0x8b], 'application/gzip'],
  [[0x42, 0x5a, 0x68], 'application/x-bzip2'],
  [[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], 'application/x-xz'],
  [[0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], 'application/x-7z-compressed'],
  [[0x00, 0x61, 0x73, 0x6d], 'application/wasm'],
];

/** Types that are another detectable type inside (a jar is a zip). */
const CONTAINER: Record<string, string[]> = {
  'application/zip': ['application/java-archive', 'application/vnd.android.package-archive', 'application/epub+zip',
    'application/x-zip-compressed', 'application/vnd.openxmlformats-', 'application/vnd.oasis.opendocument.', 'application/x-xpinstall'],
  'application/gzip': ['application/x-gzip', 'application/x-tar', 'application/x-compressed-tar'],
};

const TEXTUAL_APPLICATION = /^application\/(json|xml|javascript|ecmascript|x-sh|x-csh|x-perl|x-python|x-ruby|x-httpd-php|yaml|x-yaml|toml|sql|graphql|ld\+json|x-ndjson|.*\+json|.*\+xml)$/;

/** The type a file name implies, or undefined when the name says nothing. */
export function typeByName(path: string): string | undefined {
  return mime.getType(path) ?? undefined;
}

function isText(type: string): boolean {
  return type.startsWith('text/') || TEXTUAL_APPLICATION.test(type) || type === 'image/svg+xml';
}

/** Types we would recognise by their bytes, or that are never plain text (images, audio, video, fonts). */
function isBinary(type: string): boolean {
  if (isText(type)) return false;
  return MAGIC.some(([, t]) => compatible(type, t)) || /^(image|audio|video|font)\//.test(type);
}

function compatible(named: string, detected: string): boolean {
  return named === detected || (CONTAINER[detected] ?? []).some((prefix) => named.startsWith(prefix));
}

/** What the first bytes say: a magic-number type, text/plain, or application/octet-stream; undefined when empty. */
export function detectType(head: Buffer): string | undefined {
  if (!head.length) return undefined;
  for (const [bytes, type] of MAGIC) {
    if (bytes.every((b, i) => head[i] === b)) return type;
  }
  if (head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  return head.includes(0) ? OCTET : 'text/plain';
}

/**
 * The content type to store for `path` with these first bytes. With `strict`, throws InvalidError when the
 * bytes contradict the name (Nexus: "Detected content type [x], but expected [y]: path").
 */
export function contentTypeFor(path: string, head: Buffer, strict: boolean): string {
  const named = typeByName(path);
  const detected = detectType(head);
  if (strict && named && named !== OCTET && detected) {
    const ok = detected === 'text/plain' ? !isBinary(named)
      : detected === OCTET ? !isText(named)
        : compatible(named, detected) || !isBinary(named) && !isText(named);
    if (!ok) throw new InvalidError('CONTENT_TYPE_INVALID', `Detected content type [${detected}], but expected [${named}]: ${path}`);
  }
  return named ?? detected ?? OCTET;
}

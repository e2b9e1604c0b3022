// Path safety: a battery of crafted paths (dot segments, encoded and double-encoded traversal, encoded
// slashes, backslashes, absolute paths, NUL and control bytes, overlong UTF-8, over-long names), sent byte for
// byte over a socket so no client normalises them. Every one is answered 400 or 404, and nothing is written:
// not in the data directory (blob store included), not next to it, not in the temp directory.
import { randomBytes } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWharf, type TestWharf } from '../helpers/wharf.js';
import { ADMIN, rawConfig } from './helpers.js';

let t: TestWharf;
const marker = `escape-${randomBytes(6).toString('hex')}`;

const CRAFTED = [
  `../${marker}`, `a/../../${marker}`, '..', '.', `./${marker}`, `a/./${marker}`, `a/..`, `a/%2e/${marker}`,
  `%2e%2e/${marker}`, `%2E%2E/${marker}`, `.%2e/${marker}`, `%2e./${marker}`, `a/%2e%2e/%2e%2e/${marker}`,
  `..%2f${marker}`, `..%2F${marker}`, `a%2f..%2f..%2f${marker}`, `%2e%2e%2f%2e%2e%2f${marker}`,
  `%252e%252e/${marker}`, `%252e%252e%252f${marker}`, `a/%25%32%65%25%32%65/${marker}`,
  `..\\${marker}`, `a\\..\\..\\${marker}`, `..%5c${marker}`, `%5c..%5c${marker}`, `C:\\Windows\\${marker}`,
  `/etc/${marker}`, `//etc/${marker}`, `%2fetc%2f${marker}`, `a//${marker}`,
  `${marker}%00.txt`, `${marker}%00/../../x`, '%00', `a%0a${marker}`, `a%0d%0a${marker}`, `a%7f${marker}`,
  `%c0%ae%c0%ae/${marker}`, `%e0%80%ae%e0%80%ae/${marker}`, `%uff0e%uff0e/${marker}`, `%zz/${marker}`,
  `${'a'.repeat(300)}/${marker}`, `${Array.from({ length: 140 }, () => 'segment').join('/')}/${marker}`,
];

/** Sends one request exactly as written and returns the status code. */
function send(method: string, target: string, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(t.port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (d) => (answer += d));
    socket.on('error', reject);
    socket.on('close', () => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(answer);
      m ? resolve(Number(m[1])) : reject(new Error(`no HTTP answer to ${method} ${target}: ${JSON.stringify(answer.slice(0, 80))}`));
    });
    const auth = `Basic ${Buffer.from(ADMIN).toString('base64')}`;
    const head = `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${auth}\r\nConnection: close\r\n`;
    socket.write(body === undefined ? `${head}\r\n` : `${head}Content-Length: ${body.length}\r\n\r\n${body}`, 'latin1');
  });
}

/** Every file under `root` (relative paths), skipping the database and logs, which change on their own. */
function tree(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((f) => !/^(db|log)(\/|$)/.test(f) && statSync(join(root, f)).isFile()).sort();
}

function namesWithMarker(root: string): string[] {
  try {
    return readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.includes(marker));
  } catch {
    return [];
  }
}

beforeAll(async () => {
  t = await startWharf({ config: rawConfig([{ name: 'files' }]) });
});
afterAll(() => t?.stop());

it(`answers ${CRAFTED.length} crafted paths with 400 or 404 and writes nothing anywhere`, async () => {
  expect(CRAFTED.length).toBeGreaterThanOrEqual(30);
  const before = tree(t.dataDir);
  const answers: Record<string, number[]> = {};
  for (const path of CRAFTED) {
    const target = `/repository/files/${path}`;
    answers[path] = [await send('PUT', target, `${marker} content`), await send('GET', target), await send('DELETE', target)];
  }
  // Traversal in the repository name itself.
  for (const target of [`/repository/../files/${marker}`, `/repository/%2e%2e/files/${marker}`, `/repository/files%2f..%2fx/${marker}`]) {
    answers[target] = [await send('PUT', target, marker), await send('GET', target)];
  }
  const wrong = Object.entries(answers).filter(([, statuses]) => statuses.some((s) => s !== 400 && s !== 404));
  expect(wrong).toEqual([]);
  // Most are refused as invalid before anything else looks at them.
  expect(Object.values(answers).filter((s) => s[0] === 400).length).toBeGreaterThanOrEqual(30);

  expect(tree(t.dataDir)).toEqual(before);
  for (const dir of [t.dataDir, dirname(t.dataDir), tmpdir(), '/etc']) {
    expect(readdirSync(dir).filter((f) => f.includes(marker)), dir).toEqual([]);
  }
  expect(namesWithMarker(t.dataDir)).toEqual([]);
  const assets = await t.running.wharf.db.selectFrom('assets').select('path').where('repository', '=', 'files').execute();
  expect(assets).toEqual([]);
});

it('still serves legitimate names that merely look odd', async () => {
  for (const path of ['a..b/c', '...', 'v1.0/..hidden', 'space%20name.txt', 'caf%C3%A9.txt', 'x%25.txt']) {
    expect(await send('PUT', `/repository/files/${path}`, 'ok'), path).toBe(201);
    expect(await send('GET', `/repository/files/${path}`), path).toBe(200);
  }
});

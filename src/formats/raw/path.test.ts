import { describe, expect, it } from 'vitest';
import { checkDirectory, checkFilePath, parseUrlPath } from './path.js';

describe('parseUrlPath', () => {
  it('decodes each segment once and tells directories apart', () => {
    expect(parseUrlPath('a/b%20c/d.txt')).toEqual({ path: 'a/b c/d.txt', directory: false });
    expect(parseUrlPath('site/')).toEqual({ path: 'site', directory: true });
    expect(parseUrlPath('')).toEqual({ path: '', directory: true });
  });

  it.each(['..', 'a/../b', '%2e%2e/x', 'a%2fb', '%5c', 'a\\b', '/abs', 'a//b', 'x%00', '%252e', '%zz', 'a%0ab', `${'x'.repeat(256)}`])('refuses %s', (p) => {
    expect(() => parseUrlPath(p)).toThrow(/invalid path/);
  });
});

describe('form fields', () => {
  it('allow slashes around a directory but not traversal in a file path', () => {
    expect(checkDirectory('/site/1.0/')).toBe('site/1.0');
    expect(checkDirectory('/')).toBe('');
    expect(() => checkDirectory('/site/../..')).toThrow(/invalid path/);
    expect(() => checkFilePath('/etc/passwd')).toThrow(/invalid path/);
    expect(checkFilePath('css/site.css')).toBe('css/site.css');
  });
});

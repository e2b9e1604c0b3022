import { describe, expect, it } from 'vitest';
import { contentTypeFor, detectType } from './content-type.js';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0]);

describe('contentTypeFor', () => {
  it('takes the type from the name, else from the bytes', () => {
    expect(contentTypeFor('a/site.css', Buffer.from('body{}'), true)).toBe('text/css');
    expect(contentTypeFor('README', Buffer.from('text'), true)).toBe('text/plain');
    expect(contentTypeFor('blob', PNG, true)).toBe('image/png');
    expect(detectType(Buffer.alloc(0))).toBeUndefined();
  });

  it('accepts bytes that fit the name, containers included', () => {
    expect(contentTypeFor('app.jar', ZIP, true)).toBe('application/java-archive');
    expect(contentTypeFor('logo.svg', Buffer.from('<svg/>'), true)).toBe('image/svg+xml');
    expect(contentTypeFor('tool.exe', Buffer.from([0, 1, 2]), true)).toBe('application/octet-stream');
  });

  it('refuses bytes that contradict the name when strict, in Nexus\'s words', () => {
    expect(() => contentTypeFor('page.html', PNG, true)).toThrow('Detected content type [image/png], but expected [text/html]: page.html');
    expect(() => contentTypeFor('logo.png', Buffer.from('<html>'), true)).toThrow(/Detected content type \[text\/plain\]/);
    expect(() => contentTypeFor('notes.txt', Buffer.from([0, 0, 1]), true)).toThrow(/application\/octet-stream/);
    expect(contentTypeFor('page.html', PNG, false)).toBe('text/html');
  });
});

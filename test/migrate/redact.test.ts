import { describe, expect, it } from 'vitest';
import { passwordOf, redactSecrets, redactUrl } from '../../src/core/redact.ts';

describe('redactUrl', () => {
  it.each([
    ['postgres://app:s3cr%40t@db:5432/app?sslmode=require', 'postgres://app:***@db:5432/app?sslmode=require'],
    ['postgres://app@db/app', 'postgres://app@db/app'],
    ['postgres://db/app?password=hunter2', 'postgres://db/app?password=***'],
    ['host=db user=app password=hunter2 dbname=app', 'host=db user=app password=*** dbname=app'],
    ["host=db password='a b c' dbname=app", 'host=db password=*** dbname=app'],
    ['app:hunter2@db', 'app:***@db'],
    ['', ''],
  ])('%s → %s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });
  it('never throws on garbage', () => {
    for (const junk of ['::::', 'postgres://[bad', '%zz', 'a@b@c:d'])
      expect(() => redactUrl(junk)).not.toThrow();
  });
});

describe('redactSecrets', () => {
  it('masks plain and URL-encoded forms', () => {
    expect(redactSecrets('a s3cr@t b s3cr%40t c', ['s3cr@t'])).toBe('a *** b *** c');
  });
  it('ignores empty secrets', () => {
    expect(redactSecrets('abc', ['', undefined, null])).toBe('abc');
  });
  it('passwordOf reads URLs and keyword DSNs', () => {
    expect(passwordOf('postgres://u:p%20w@h/d')).toBe('p w');
    expect(passwordOf('host=h password=xyz')).toBe('xyz');
    expect(passwordOf('postgres://u@h/d')).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import {
  findBundleRootPrefix,
  isIgnoredBundlePath,
  normaliseBundlePath,
  stripBundleRoot,
  type BundleFiles,
} from './bundle-files.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('normaliseBundlePath', () => {
  it.each([
    ['schema/schema.yaml', 'schema/schema.yaml'],
    ['./schema/schema.yaml', 'schema/schema.yaml'],
    ['schema//schema.yaml', 'schema/schema.yaml'],
    ['infrastructure/', 'infrastructure'],
    ['./', ''],
    ['.', ''],
    ['a/./b', 'a/b'],
    ['dots..in..name.yaml', 'dots..in..name.yaml'],
  ])('normalises %j to %j', (input, expected) => {
    expect(normaliseBundlePath(input)).toEqual({ ok: true, path: expected });
  });

  it.each([
    ['../../etc/x', '".." path segments are not allowed'],
    ['a/../../b', '".." path segments are not allowed'],
    ['..', '".." path segments are not allowed'],
    ['/etc/x', 'absolute paths are not allowed'],
    ['C:/Windows/x', 'absolute paths are not allowed'],
    ['a\\b', 'the name contains a backslash; use "/" as the separator'],
    ['a\u0000b', 'the name contains control characters'],
    ['', 'the entry has an empty name'],
  ])('rejects %j', (input, reason) => {
    expect(normaliseBundlePath(input)).toEqual({ ok: false, reason });
  });
});

describe('isIgnoredBundlePath', () => {
  it.each([
    ['__MACOSX/schema/._schema.yaml', true],
    ['schema/._schema.yaml', true],
    ['.DS_Store', true],
    ['infrastructure/.DS_Store', true],
    ['.git/config', true],
    ['infrastructure/.git/HEAD', true],
    ['infrastructure/.gitignore', false],
    ['schema/schema.yaml', false],
  ])('%j → %j', (path, ignored) => {
    expect(isIgnoredBundlePath(path)).toBe(ignored);
  });
});

describe('stripBundleRoot', () => {
  const files = (paths: string[]): BundleFiles => new Map(paths.map((p) => [p, bytes(p)]));

  it('strips a single wrapper folder around the bundle', () => {
    const stripped = stripBundleRoot(
      files(['mybundle/schema/schema.yaml', 'mybundle/infrastructure/manifest.yaml']),
    );
    expect([...stripped.keys()]).toEqual(['schema/schema.yaml', 'infrastructure/manifest.yaml']);
    expect(new TextDecoder().decode(stripped.get('schema/schema.yaml'))).toBe(
      'mybundle/schema/schema.yaml',
    );
  });

  it('strips nested wrapper folders (template-sync layout name/v1/)', () => {
    expect(
      findBundleRootPrefix(['tpl/v1/schema/schema.yaml', 'tpl/v1/infrastructure/manifest.yaml']),
    ).toBe('tpl/v1/');
  });

  it('leaves a bundle that already has schema/schema.yaml at its root alone', () => {
    const input = files(['schema/schema.yaml', 'other/schema/schema.yaml']);
    expect(stripBundleRoot(input)).toBe(input);
  });

  it('does not strip when files lie outside the wrapper folder', () => {
    expect(findBundleRootPrefix(['a/schema/schema.yaml', 'README.md'])).toBe('');
  });

  it('does not strip when two folders contain a schema', () => {
    expect(findBundleRootPrefix(['a/schema/schema.yaml', 'b/schema/schema.yaml'])).toBe('');
  });

  it('does not strip when there is no schema at all', () => {
    expect(findBundleRootPrefix(['a/infrastructure/manifest.yaml'])).toBe('');
  });
});

import { DEFAULT_BUNDLE_LIMITS } from '@nucleon/templates';
import { describe, expect, it } from 'vitest';
import { bundleLimitsOf, ConfigError, loadConfig } from './config.js';

describe('bundle limits in the configuration', () => {
  it("defaults to Proton's quotas", () => {
    const config = loadConfig({});
    expect(bundleLimitsOf(config)).toEqual(DEFAULT_BUNDLE_LIMITS);
    expect(config.maxRequestBytes).toBe(8 * 1024 * 1024);
  });

  it('reads every limit from its environment variable', () => {
    const config = loadConfig({
      NUCLEON_BUNDLE_MAX_BYTES: '20971520',
      NUCLEON_BUNDLE_MAX_UNPACKED_BYTES: '41943040',
      NUCLEON_BUNDLE_MAX_FILES: '900',
      NUCLEON_MANIFEST_MAX_BYTES: '102400',
      NUCLEON_SCHEMA_MAX_BYTES: '102401',
      NUCLEON_TEMPLATE_FILE_MAX_BYTES: '409600',
      NUCLEON_TEMPLATE_MAX_FILES: '20',
    });
    expect(bundleLimitsOf(config)).toEqual({
      maxArchiveBytes: 20971520,
      maxUnpackedBytes: 41943040,
      maxEntries: 900,
      maxManifestBytes: 102400,
      maxSchemaBytes: 102401,
      maxFileBytes: 409600,
      maxTemplateFiles: 20,
    });
    // PutBundle's body must hold the bundle in base64.
    expect(config.maxRequestBytes).toBeGreaterThanOrEqual((20971520 / 3) * 4);
  });

  it('keeps an explicit request limit', () => {
    const config = loadConfig({
      NUCLEON_BUNDLE_MAX_BYTES: '20971520',
      NUCLEON_MAX_REQUEST_BYTES: '4096',
    });
    expect(config.maxRequestBytes).toBe(4096);
  });

  it('refuses a limit that is not a positive integer, naming the variable', () => {
    expect(() => loadConfig({ NUCLEON_TEMPLATE_FILE_MAX_BYTES: 'big' })).toThrow(ConfigError);
    expect(() => loadConfig({ NUCLEON_TEMPLATE_FILE_MAX_BYTES: 'big' })).toThrow(
      /NUCLEON_TEMPLATE_FILE_MAX_BYTES/,
    );
  });
});

import { describe, expect, it } from 'vitest';
import { sha256Hex } from './sha256.js';
import {
  engineResourceName,
  legacyEngineResourceName,
  provisioningFolder,
  stackOwnership,
  type EngineIdentity,
} from './engine-names.js';

const A = 'a1b2c3d4e5f60718';
const B = 'ffffeeee00001111';
const arn = (resource: string) => `arn:aws:proton:us-east-1:123456789012:${resource}`;
const env = (name: string): EngineIdentity => ({
  kind: 'ENVIRONMENT',
  arn: arn(`environment/${name}`),
  serviceName: '',
  name,
  environmentName: null,
});
const instance = (service: string, name: string, environmentName = 'dev'): EngineIdentity => ({
  kind: 'SERVICE_INSTANCE',
  arn: arn(`service/${service}/service-instance/${name}`),
  serviceName: service,
  name,
  environmentName,
});
const pipeline = (service: string): EngineIdentity => ({
  kind: 'SERVICE_PIPELINE',
  arn: arn(`service/${service}/pipeline`),
  serviceName: service,
  name: 'pipeline',
  environmentName: null,
});
const component = (name: string, environmentName: string): EngineIdentity => ({
  kind: 'COMPONENT',
  arn: arn(`component/${name}`),
  serviceName: '',
  name,
  environmentName,
});

describe('engineResourceName', () => {
  it.each([
    [
      'service a / instance b-c vs service a-b / instance c',
      instance('a', 'b-c'),
      instance('a-b', 'c'),
    ],
    [
      'an instance named pipeline vs the service pipeline',
      instance('a', 'pipeline'),
      pipeline('a'),
    ],
    [
      'same-named components in two environments',
      component('web', 'dev'),
      component('web', 'prod'),
    ],
    ['an environment vs a component of the same name', env('web'), component('web', 'web')],
    [
      'names differing only in characters a stack name cannot hold',
      instance('a_b', 'c'),
      instance('a-b', 'c'),
    ],
    [
      'long names that share their first 128 characters',
      env('x'.repeat(99) + '1'),
      env('x'.repeat(99) + '2'),
    ],
  ])('%s get distinct names', (_what, left, right) => {
    expect(engineResourceName(A, left)).not.toBe(engineResourceName(A, right));
  });

  it('differs between two installations for the same resource', () => {
    expect(engineResourceName(A, instance('a', 'b'))).not.toBe(
      engineResourceName(B, instance('a', 'b')),
    );
  });

  it.each([
    env('dev'),
    instance('a', 'b-c'),
    pipeline('api'),
    component('web', 'dev'),
    env('x'.repeat(200)),
    instance('ünï_cödé', 'a.b'),
  ])('%j is a valid stack name, readable and stable', (r) => {
    const name = engineResourceName(A, r);
    expect(name).toMatch(/^[A-Za-z][-A-Za-z0-9]*$/);
    expect(name.length).toBeLessThanOrEqual(128);
    expect(name.startsWith(`nucleon-${A.slice(0, 8)}-`)).toBe(true);
    expect(engineResourceName(A, r)).toBe(name);
  });

  it('reads like the resource', () => {
    expect(engineResourceName(A, instance('a', 'b-c'))).toMatch(
      /^nucleon-a1b2c3d4-svc-a-b-c-[0-9a-f]{12}$/,
    );
    expect(engineResourceName(A, pipeline('api'))).toMatch(
      /^nucleon-a1b2c3d4-pipeline-api-[0-9a-f]{12}$/,
    );
    expect(engineResourceName(A, component('web', 'dev'))).toMatch(
      /^nucleon-a1b2c3d4-component-dev-web-[0-9a-f]{12}$/,
    );
  });

  it('refuses a malformed installation id', () => {
    expect(() => engineResourceName('Not-An-Id', env('dev'))).toThrow(/installation id/);
  });
});

describe('legacyEngineResourceName', () => {
  it.each([
    [env('dev'), 'nucleon-env-dev'],
    [instance('a', 'b_c'), 'nucleon-svc-a-b-c'],
    [instance('a-b', 'c'), 'nucleon-svc-a-b-c'],
    [pipeline('a'), 'nucleon-svc-a-pipeline'],
    [instance('a', 'pipeline'), 'nucleon-svc-a-pipeline'],
    [component('web', 'dev'), 'nucleon-component-web'],
  ])('%j was %s', (r, name) => {
    expect(legacyEngineResourceName(r)).toBe(name);
  });
});

describe('stackOwnership', () => {
  const me = { installationId: A, resourceArn: arn('environment/dev'), legacyName: false };
  const tags = (installation?: string, resource?: string) => ({
    ...(installation ? { 'nucleon:installation-id': installation } : {}),
    ...(resource ? { 'nucleon:resource-arn': resource } : {}),
    team: 'x',
  });
  it.each([
    ['tagged for this installation and resource', tags(A, me.resourceArn), me, 'owned'],
    ['untagged, under a new-style name', tags(), me, 'foreign'],
    ['untagged, under the legacy name', tags(), { ...me, legacyName: true }, 'adopt'],
    ['tagged for another installation', tags(B, me.resourceArn), me, 'foreign'],
    [
      'tagged for another installation, under the legacy name',
      tags(B, me.resourceArn),
      { ...me, legacyName: true },
      'foreign',
    ],
    [
      'tagged for another resource',
      tags(A, arn('environment/prod')),
      { ...me, legacyName: true },
      'foreign',
    ],
    [
      'tagged with a resource only',
      tags(undefined, me.resourceArn),
      { ...me, legacyName: true },
      'foreign',
    ],
  ] as const)('a stack %s is %s', (_what, stackTags, expected, verdict) => {
    expect(stackOwnership(stackTags, expected).verdict).toBe(verdict);
  });

  it('says why a stack is foreign', () => {
    expect(stackOwnership(tags(B, me.resourceArn), me)).toEqual({
      verdict: 'foreign',
      reason: expect.stringContaining('another Nucleon installation'),
    });
    expect(stackOwnership(tags(A, arn('environment/prod')), me)).toEqual({
      verdict: 'foreign',
      reason: expect.stringContaining('environment/prod'),
    });
  });
});

describe('provisioningFolder', () => {
  it.each([
    [env('dev'), 'dev'],
    [instance('api', 'front', 'dev'), 'dev/api-front'],
    [pipeline('api'), 'api/pipeline'],
    [component('web', 'dev'), 'dev/web'],
  ])('%j lives in %s, as in Proton', (r, folder) => {
    expect(provisioningFolder(r)).toBe(folder);
  });

  it('is the same for service a / instance b-c and service a-b / instance c', () => {
    expect(provisioningFolder(instance('a', 'b-c'))).toBe(provisioningFolder(instance('a-b', 'c')));
  });
});

describe('sha256Hex', () => {
  // FIPS 180-4 examples, and two more checked against node:crypto.
  it.each([
    ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    [
      'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq',
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    ],
    ['a'.repeat(1_000_000), 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0'],
    ['z'.repeat(64), '72996563049cc84daa2c3f31fd5c3d10770e69d6ebbb8da5b6d76db303dbae43'],
    ['ünïcödé ✓ '.repeat(40), 'f6da00bf700b9303aab5ee654efdad37d659cab83797684b180ccbee69ecd04d'],
  ])('hashes %#', (text, hex) => {
    expect(sha256Hex(text)).toBe(hex);
  });
});

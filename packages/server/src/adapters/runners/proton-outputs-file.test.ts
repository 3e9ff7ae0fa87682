import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '@nucleon/core';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { PROTON_OUTPUTS_FILE, readProtonOutputsFile } from './proton-outputs-file.js';

describe('readProtonOutputsFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nucleon-outputs-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const write = (content: string) => writeFile(join(dir, PROTON_OUTPUTS_FILE), content);

  test('returns undefined when the run left no outputs file', async () => {
    expect(await readProtonOutputsFile(dir)).toBeUndefined();
  });

  test("accepts Proton's list of {key, valueString}", async () => {
    await write(
      '[{"key":"VpcId","valueString":"vpc-1"},{"key":"SubnetIds","valueString":"[\\"s-1\\"]"}]',
    );
    expect(await readProtonOutputsFile(dir)).toEqual({ VpcId: 'vpc-1', SubnetIds: '["s-1"]' });
  });

  test('accepts a map and JSON-encodes values that are not strings', async () => {
    await write('{"name":"dev","count":3,"enabled":true,"subnets":["a","b"],"nothing":null}');
    expect(await readProtonOutputsFile(dir)).toEqual({
      name: 'dev',
      count: '3',
      enabled: 'true',
      subnets: '["a","b"]',
      nothing: 'null',
    });
  });

  test('keeps a "__proto__" output as a plain key', async () => {
    await write('{"__proto__":"x"}');
    const outputs = await readProtonOutputsFile(dir);
    expect(Object.keys(outputs ?? {})).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(outputs)).toBe(Object.prototype);
  });

  test.each([
    ['not json', 'is not valid JSON'],
    ['"just a string"', 'must hold a list of {"key", "valueString"} objects'],
    ['[1]', 'proton-outputs.json[0] must be an object with "key" and "valueString"'],
    ['[{"valueString":"v"}]', 'proton-outputs.json[0] needs a non-empty string "key"'],
    ['[{"key":"a"}]', 'proton-outputs.json[0] (key "a") has no "valueString"'],
    [
      '[{"key":"a","valueString":"1"},{"key":"a","valueString":"2"}]',
      'output "a" appears more than once',
    ],
  ])('rejects %s with a clear ValidationError', async (content, message) => {
    await write(content);
    const error = await readProtonOutputsFile(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain(message);
  });

  test('refuses files over the size limit', async () => {
    await write(JSON.stringify({ big: 'x'.repeat(2000) }));
    await expect(readProtonOutputsFile(dir, { maxBytes: 1000 })).rejects.toThrow(
      /bytes; the limit is 1000/,
    );
  });

  test('refuses a symbolic link', async () => {
    await writeFile(join(dir, 'elsewhere.json'), '{}');
    await symlink(join(dir, 'elsewhere.json'), join(dir, PROTON_OUTPUTS_FILE));
    await expect(readProtonOutputsFile(dir)).rejects.toThrow(/symbolic link/);
  });
});

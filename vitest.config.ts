import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Expected noise, silenced so real failures stand out in the test log: Terraform's warning about a
 * `TF_CLI_CONFIG_FILE` that does not exist (machines set it to a missing ~/.terraformrc), and the
 * AWS SDK's Node-version notice (its documented switch); and strict wire. Tests and every process
 * they start inherit this environment.
 */
const emptyTerraformrc = join(tmpdir(), 'nucleon-tests-empty.terraformrc');
if (!existsSync(emptyTerraformrc)) writeFileSync(emptyTerraformrc, '');
const env = {
  TF_CLI_CONFIG_FILE: emptyTerraformrc,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  // Servers the tests start as processes (`nucleon up`) check every answer against the model
  // (ADR 0024); startTestServer turns it on for in-process servers.
  NUCLEON_STRICT_WIRE: 'true',
};

const pkg = (name: string): string =>
  fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));

const alias = {
  // Before '@nucleon/server', which would otherwise take the subpath.
  '@nucleon/server/proton-estate': fileURLToPath(
    new URL('./packages/server/src/proton-estate.ts', import.meta.url),
  ),
  '@nucleon/core': pkg('core'),
  '@nucleon/protocol': pkg('protocol'),
  '@nucleon/templates': pkg('templates'),
  '@nucleon/server': pkg('server'),
  '@nucleon/test-utils': pkg('test-utils'),
};

export default defineConfig({
  resolve: { alias },
  test: {
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-results.json' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          env,
          include: ['packages/*/src/**/*.test.ts'],
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          env,
          include: ['packages/*/test/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          pool: 'forks',
        },
      },
    ],
  },
});

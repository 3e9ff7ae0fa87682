// Lint rules: typescript-eslint's type-aware recommended set (recommendedTypeChecked: it catches
// floating and misused promises, unsafe `any` flow and needless assertions), plus the module rules of
// the house style (core does no I/O; no default exports). Every package is linted, the console too.
// Types come from the TypeScript project service: each file is checked with the nearest tsconfig.json
// that includes it (packages/console/tsconfig.json for the console's src and vite config, the root
// tsconfig.json for everything else, tests included).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'packages/protocol/src/generated/**',
      'bench/results/**',
      '**/*.js',
      '**/*.mjs',
      '**/test-results/**',
      'examples/**',
    ],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-exports': ['error', { restrictDefaultExports: { direct: true } }],
    },
  },
  {
    files: ['packages/core/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'pg', 'kysely', '@aws-sdk/*', 'hono', '@electric-sql/*'],
              message: 'core is pure: no I/O dependencies (house style).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/server/src/app/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/adapters/**'], message: 'app/ depends on ports, never on adapters.' },
          ],
        },
      ],
    },
  },
  {
    // Tools that load their configuration through a default export.
    files: ['vitest.config.ts', '**/vite.config.ts'],
    rules: { 'no-restricted-exports': 'off' },
  },
  {
    files: ['**/*.test.ts', '**/test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Vitest types its asymmetric matchers (expect.stringMatching, expect.any, ...) as `any` on
      // purpose, so each one inside toEqual/toMatchObject would be an "unsafe assignment". Other
      // `any` in tests (JSON.parse, say) is still caught by no-unsafe-member-access/-call/-return.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      // Test doubles implement async ports (handlers, fakes of SDK clients) with bodies that need
      // no await; `async` there is what turns a throw into a rejection, as the real thing does.
      '@typescript-eslint/require-await': 'off',
    },
  },
);

import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', '.cache/**', '.run/**', '**/*.js', '**/*.mjs', '**/*.cjs'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // Config is parsed once, in each package's config.ts.
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration in config.ts only.' },
      ],
    },
  },
  {
    plugins: { 'import-x': importX },
    // Resolves as tsc does (tsconfig paths included), so every import tsc accepts is checked;
    // an import the resolver cannot find would be skipped by the rule without a word.
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
      // A tsconfig/jest path alias for test/support, not a package anyone installs.
      'import-x/internal-regex': '^@herald/test-support$',
    },
    rules: {
      // Checked against the nearest package.json; the root's (jest, eslint…) counts only outside src/.
      'import-x/no-extraneous-dependencies': ['error', { packageDir: import.meta.dirname }],
    },
  },
  {
    // A production install (`pnpm install --prod`) has only `dependencies`: what src/ loads at run
    // time must be there. `import type` is erased by tsc, so a devDependency is fine for it.
    files: ['**/src/**/*.ts'],
    rules: {
      'import-x/no-extraneous-dependencies': ['error', { devDependencies: false, includeTypes: false }],
    },
  },
  {
    files: ['**/src/config.ts', '**/test/**/*.ts', 'test/**/*.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['**/test/**/*.ts', 'test/**/*.ts'],
    // jest's asymmetric matchers (expect.any, objectContaining) are typed `any`.
    rules: { '@typescript-eslint/unbound-method': 'off', '@typescript-eslint/no-unsafe-assignment': 'off' },
  },
  {
    // The domain is pure: no infrastructure clients.
    files: ['**/src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['kafkajs', 'pg', 'ioredis', 'fastify', '@kafkajs/confluent-schema-registry'].map(
            (name) => ({
              name,
              message: 'domain/ is pure: pass an interface in instead.',
            }),
          ),
        },
      ],
    },
  },
);

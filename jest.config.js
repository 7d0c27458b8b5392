/** Three projects: unit (pure, no infrastructure), integration (real Kafka/Redis/Postgres/registry),
 *  e2e (the six services as processes). Tests import workspace packages from source. */
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] };
const moduleNameMapper = {
  '^@herald/shared$': '<rootDir>/packages/shared/src/index.ts',
  '^@herald/provider-sandbox$': '<rootDir>/packages/provider-sandbox/src/index.ts',
  '^@herald/test-support$': '<rootDir>/test/support/index.ts',
};
const common = { transform, moduleNameMapper, testEnvironment: 'node', rootDir: __dirname };
module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{packages,services}/*/test/**/*.test.ts'],
      testPathIgnorePatterns: ['\\.int\\.test\\.ts$', '/node_modules/'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{packages,services}/*/test/**/*.int.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup-integration.ts',
      testTimeout: 60000,
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e.test.ts'],
      testTimeout: 120000,
    },
  ],
};

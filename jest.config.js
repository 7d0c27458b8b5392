/** Four projects: unit (pure, no infrastructure), ops (the deployment files, checked with the real
 *  tools: docker compose, kubectl kustomize, promtool), integration (real Kafka/Redis/Postgres/
 *  registry), e2e (the six services as processes). Tests import workspace packages from source. */
const transform = { '^.+\\.(t|j)s$': ['@swc/jest', { jsc: { target: 'es2022' } }] };
// Fastify's inject() loads cookie@2, an ES module, which jest on Node 20 must transform.
const transformIgnorePatterns = ['/node_modules/(?!(\\.pnpm/cookie@[^/]+/node_modules/)?cookie/)'];
const moduleNameMapper = {
  '^@herald/shared$': '<rootDir>/packages/shared/src/index.ts',
  '^@herald/shared/domain$': '<rootDir>/packages/shared/src/domain/index.ts',
  '^@herald/provider-sandbox$': '<rootDir>/packages/provider-sandbox/src/index.ts',
  '^@herald/test-support$': '<rootDir>/test/support/index.ts',
};
const common = {
  transform,
  transformIgnorePatterns,
  moduleNameMapper,
  testEnvironment: 'node',
  rootDir: __dirname,
};
module.exports = {
  // Integration and e2e tests wait on real infrastructure; each wait has its own, shorter deadline.
  testTimeout: 60000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{packages,services}/*/test/**/*.test.ts', '<rootDir>/bench/test/**/*.test.ts'],
      testPathIgnorePatterns: ['\\.int\\.test\\.ts$', '/node_modules/'],
    },
    {
      ...common,
      displayName: 'ops',
      testMatch: ['<rootDir>/test/ops/**/*.test.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{packages,services}/*/test/**/*.int.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup-integration.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown-integration.ts',
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e.test.ts'],
    },
  ],
};

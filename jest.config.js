/** Jest: TypeScript through SWC; the process zone is pinned by `npm test` (TZ) and checked here. */
const os = require('node:os');

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)sx?$': [
      '@swc/jest',
      { jsc: { target: 'es2022', parser: { syntax: 'typescript', tsx: true } } },
    ],
  },
  // openapi-backend (the fake Jira's OpenAPI validation) requires an ESM-only package: compile it too.
  transformIgnorePatterns: ['/node_modules/(?!@apidevtools/json-schema-ref-parser/)'],
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
  testTimeout: 30000,
  // Two workers at least: jest's default (cores − 1) is ONE worker on a 2-core machine, which left the
  // second core to the database servers and Redmine only. Measured in docs/testing.md (wall time,
  // under two CPU hogs, memory per worker); `--maxWorkers=1` or `-i` still override it.
  maxWorkers: Math.max(2, os.availableParallelism() - 1),
  // Throw-away PostgreSQL and MariaDB servers shared by the run's test files, each file with databases
  // of its own (test/support/shared-servers.ts): started by the first file that needs one.
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // End-to-end suites start real Homebridge processes; keep them from competing for the two cores.
  maxWorkers: 2,
  testTimeout: 30000,
};

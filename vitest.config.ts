import { defineConfig } from 'vitest/config'

/**
 * One vitest run, several projects: shared units, the server suite once per database engine,
 * and the frontend components. Server tests run files in parallel, each on its own database.
 */
const serverTests = ['server/src/**/*.test.ts', 'server/test/**/*.test.ts']

export default defineConfig({
  test: {
    projects: [
      './frontend/vitest.config.ts',
      {
        test: { name: 'shared', include: ['shared/src/**/*.test.ts'], environment: 'node' },
      },
      {
        test: {
          name: 'server-postgres',
          include: serverTests,
          environment: 'node',
          env: { TEST_ENGINE: 'postgres' },
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'server-pglite',
          include: serverTests,
          environment: 'node',
          env: { TEST_ENGINE: 'pglite' },
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
})

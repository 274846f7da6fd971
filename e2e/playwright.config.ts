import { defineConfig } from '@playwright/test'

/**
 * End to end in Debian's Chromium (never `playwright install`) against the real app: the built
 * SPA, the API and the worker in one process on a fresh PostgreSQL database (global setup).
 *
 * One server and one database for the whole run, so one worker; no retries, so that a flaky
 * test shows as a failure instead of hiding behind a second attempt. Spec files run in name
 * order; each test arranges the state it needs, and the screenshots spec (99-) runs last.
 */
export default defineConfig({
  testDir: './tests',
  globalSetup: './global-setup.ts',
  globalTeardown: './global-teardown.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env['CI'],
  reporter: [['list']],
  timeout: 90_000,
  expect: { timeout: 15_000 },
  // The whole run, setup included: well above the ~2-3 minutes it takes.
  globalTimeout: 10 * 60_000,
  outputDir: './test-results',
  use: {
    viewport: { width: 1280, height: 800 },
    colorScheme: 'light',
    locale: 'en-US',
    timezoneId: 'UTC',
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [{ name: 'chromium' }],
})

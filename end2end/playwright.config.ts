import { defineConfig } from '@playwright/test';

// Usher's end-to-end suite. The test command (`make test`) builds the release
// site, starts Usher on a fresh database with maildev as its SMTP server, and
// passes the address in USHER_BASE_URL and the server log in USHER_E2E_LOG.
const baseURL = process.env.USHER_BASE_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  testDir: './tests',
  globalSetup: './global-setup.ts',
  // One server, one database: run in a known order.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [
    // The printed set-up link works once, so the first admin is created once
    // (hydrated); both projects below then check the used link's page.
    { name: 'setup', testMatch: /setup\.spec\.ts/, use: { javaScriptEnabled: true } },
    {
      name: 'hydrated',
      testMatch: /console\.spec\.ts/,
      dependencies: ['setup'],
      use: { javaScriptEnabled: true },
    },
    {
      name: 'no-js',
      testMatch: /console\.spec\.ts/,
      dependencies: ['setup'],
      use: { javaScriptEnabled: false },
    },
    // Specs that add data run after the read-only ones, whose counts they would change.
    {
      name: 'hydrated-admin',
      testMatch: /(users|roles|groups|bulk|settings|invitations|recovery|passwords|mail|registration|export|import|delegation)\.spec\.ts/,
      dependencies: ['hydrated', 'no-js'],
      use: { javaScriptEnabled: true },
    },
    {
      name: 'no-js-admin',
      testMatch: /(users|roles|groups|bulk|settings|invitations|recovery|passwords|mail|registration|export|import|delegation)\.spec\.ts/,
      dependencies: ['hydrated', 'no-js'],
      use: { javaScriptEnabled: false },
    },
    // Certificates: the PKCS#12 password is shown once by the page's
    // script, so this runs hydrated only, after the admin specs.
    {
      name: 'certificates',
      testMatch: /certificates\.spec\.ts/,
      dependencies: ['hydrated-admin', 'no-js-admin'],
      use: { javaScriptEnabled: true },
    },
    // Last: every page, in the states the specs above made.
    {
      name: 'tour',
      testMatch: /tour\.spec\.ts/,
      dependencies: ['certificates'],
      use: { javaScriptEnabled: true },
    },
  ],
});

import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The installed-tarball test has its own run: `npm run test:tarball` (vitest.tarball.config.ts).
    exclude: [...configDefaults.exclude, 'test/e2e/tarball.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    globalSetup: ['test/postgres-setup.ts'],
  },
});

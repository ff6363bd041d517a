import { defineConfig } from 'vitest/config';

// `npm run test:tarball`: the packed package installed far from this checkout (test/e2e/tarball.test.ts).
// Kept out of `npm test`: it builds better-sqlite3 from source, which takes most of a minute.
export default defineConfig({
  test: {
    include: ['test/e2e/tarball.test.ts'],
    testTimeout: 240_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});

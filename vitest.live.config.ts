import { defineConfig } from 'vitest/config';

// `npm run test:aws`: the live suite against a real AWS account (see test/live/README section in the README).
export default defineConfig({
  test: {
    include: ['test/live/**/*.live.ts'],
    testTimeout: 30 * 60_000,
    hookTimeout: 30 * 60_000,
  },
});

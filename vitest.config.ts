import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests start local servers on 127.0.0.1 and spawn the CLI; keep the 2-core machines unhurried.
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Every test talks to 127.0.0.1 at most; nothing here reaches the network.
    pool: 'forks',
  },
});

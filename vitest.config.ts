import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Every test talks to 127.0.0.1 at most (a moto server the setup starts);
    // nothing here reaches the network.
    pool: 'forks',
    globalSetup: ['test/setup/moto.global.ts'],
  },
});

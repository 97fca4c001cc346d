import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: ['test/bench/**', 'node_modules/**'],
    setupFiles: ['test/setup/fast-check.ts'],
    // CI runs with CI=true, and ink decides at load time to draw differently
    // under it (the frame left after unmount, for one): run locally as CI does.
    env: { CI: 'true' },
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // 2 cores: integration tests start real daemons; more workers only thrash.
    maxWorkers: 2,
  },
});

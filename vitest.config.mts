import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The benchmark harness keeps its tests beside it (benchmarks/test/).
    include: ['test/**/*.test.ts', 'benchmarks/test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    // Each file in its own process: a blocking call that hangs, or a crash,
    // takes down one file and not the run.
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The benchmark harness keeps its tests beside it (benchmarks/test/).
    include: ['test/**/*.test.ts', 'benchmarks/test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    // Each file in its own process: a blocking call that hangs, or a crash,
    // takes down one file and not the run.
    pool: 'forks',
    // Most tests wait on the kernel, a timer or a child process rather than
    // the CPU, so more files than cores run at once: on a 2-core machine 3
    // forks take the suite from ~4 to ~1.5 minutes.
    maxWorkers: 3,
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});

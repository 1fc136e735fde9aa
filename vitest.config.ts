// Test runner configuration: tests live beside the code (src/**/*.test.ts) and in test/.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Go builds and real services dominate; two workers match the 2-core CI machine.
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    setupFiles: ['tests/setup.ts'],
    globalSetup: ['tests/support/aws-cli-server.ts'],
    environment: 'node',
    testTimeout: 60_000,
    env: {
      AWS_REGION: 'us-east-1',
      POWERTOOLS_DEV: 'true',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    },
    server: {
      deps: {
        // Powertools is externalized by default and would load the SDK's dist-cjs build while tests get
        // dist-es: two client classes, and aws-sdk-client-mock misses the calls (toolchain.md E5).
        inline: [/@aws-lambda-powertools\//],
      },
    },
  },
});

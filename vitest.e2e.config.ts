import { defineConfig } from 'vitest/config';
import base from './vitest.config';

/** `npm run test:e2e`: the emulated-account suite alone (`npm test` runs it with everything else). */
export default defineConfig({ ...base, test: { ...base.test, include: ['tests/e2e/**/*.test.ts'] } });

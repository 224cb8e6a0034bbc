import { inject } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { testPrefix } from './test-prefix.js';
import { TEST_REDIS_URL } from './test-redis.js';

/**
 * A Config for tests: the run's own database, a queue prefix of its own per call (isolation by
 * naming), quiet logs. Pass overrides as environment-style strings.
 */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: inject('databaseUrl'),
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: testPrefix(),
    PORT: '0',
    METRICS_PORT: '0', // many test apps on one host: none takes the fixed operators' port
    DEMO_SEED: 'false',
    SIMULATOR: 'off',
    ...overrides,
  });
}

/** The Redis the tests use (`TEST_REDIS_URL`, empty = the default), for the run's setup and every test file. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';

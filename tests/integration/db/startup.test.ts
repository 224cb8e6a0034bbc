import { describe, expect, inject, it } from 'vitest';
import { spawnSync } from 'node:child_process';

function start(env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: '0', SIMULATOR: 'off', ...env },
    encoding: 'utf8',
    // a bound, not a measure: tsx compiling src/ on a loaded machine took more than 30 s (status null)
    timeout: 90_000,
  });
}

describe('npm start when a service is unreachable', { timeout: 100_000 }, () => {
  it('stops at once naming Redis and how to start it', () => {
    const r = start({ DATABASE_URL: inject('databaseUrl'), REDIS_URL: 'redis://127.0.0.1:1' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Redis at 127\.0\.0\.1:1 is not answering[\s\S]*redis-server --daemonize yes/);
  });

  it('stops at once naming MariaDB and how to start it', () => {
    const r = start({ DATABASE_URL: 'mysql://root@127.0.0.1:1/quicksell_test_unreachable' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/MariaDB\/MySQL at 127\.0\.0\.1:1 is not answering[\s\S]*mariadbd/);
  });

  it('stops at once naming a bad variable', () => {
    const r = start({ PORT: 'eighty' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/PORT:/);
  });
});

import { describe, expect, it } from 'vitest';
import { isOutage } from '../../../src/db/outage.js';
import { SessionPinError } from '../../../src/db/pool.js';

const err = (message: string, fields: Record<string, unknown> = {}) => Object.assign(new Error(message), fields);

describe('isOutage', () => {
  it.each([
    ['MySQL refused the connection', err('connect ECONNREFUSED 127.0.0.1:3306', { code: 'ECONNREFUSED', errno: -111 })],
    ['the connection was lost mid-query', err('Connection lost: The server closed the connection.', { code: 'PROTOCOL_CONNECTION_LOST', fatal: true })],
    ['a deadlock', err('Deadlock found when trying to get lock', { code: 'ER_LOCK_DEADLOCK', errno: 1213 })],
    ['a lock wait timeout', err('Lock wait timeout exceeded', { code: 'ER_LOCK_WAIT_TIMEOUT', errno: 1205 })],
    ['the server shutting down', err('Server shutdown in progress', { code: 'ER_SERVER_SHUTDOWN', errno: 1053 })],
    ['a connect timeout', err('connect ETIMEDOUT', { code: 'ETIMEDOUT' })],
    ['the pool queue full', err('Queue limit reached.')],
    ['ioredis gave up on a command', err('Reached the max retries per request limit (which is 2).', { name: 'MaxRetriesPerRequestError' })],
    ['ioredis connection closed', err('Connection is closed.')],
    ['a cluster failing over', err('CLUSTERDOWN The cluster is down')],
    ['a refused dual-stack connect (AggregateError)', Object.assign(new AggregateError([err('x', { code: 'ECONNREFUSED' })], 'fetch failed'))],
    ['a lost connection behind a session pin', new SessionPinError('could not pin', { cause: err('lost', { code: 'PROTOCOL_CONNECTION_LOST' }) })],
  ])('is true for %s', (_what, e) => {
    expect(isOutage(e)).toBe(true);
  });

  it.each([
    ['a TypeError (a bug)', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a duplicate key', err("Duplicate entry '1' for key 'PRIMARY'", { code: 'ER_DUP_ENTRY', errno: 1062 })],
    ['an SQL syntax error', err('You have an error in your SQL syntax', { code: 'ER_PARSE_ERROR', errno: 1064 })],
    ['a CHECK violation', err('CONSTRAINT failed', { code: 'ER_CONSTRAINT_FAILED', errno: 4025 })],
    ['not an error at all', 'ECONNREFUSED'],
  ])('is false for %s', (_what, e) => {
    expect(isOutage(e)).toBe(false);
  });
});

/** Small shared pieces for the benchmarks: each bench owns a database and a Redis key prefix and removes both. */
import mysql from 'mysql2/promise';
import { masterConnections, type RedisClient } from '../src/db/redis.js';

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const conn = await mysql.createConnection({ uri: serverUrl });
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await conn.end();
  }
}

/** Delete every key under the bench's own prefix (never FLUSHALL: Redis is shared); SCAN runs on every master. */
export async function deleteKeysByPrefix(redis: RedisClient, prefix: string): Promise<void> {
  for (const node of masterConnections(redis)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      // one DEL per key: on a cluster the keys of one SCAN page may sit in different slots
      for (const key of keys) await node.del(key);
      cursor = next;
    } while (cursor !== '0');
  }
}

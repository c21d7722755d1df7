// Test helper: the real Redis at 127.0.0.1:6379, a unique prefix per test, and cleanup of its keys.

import { randomBytes } from 'node:crypto';
import { connectRedis, type Redis } from '../../src/queue/redis.js';

export const REDIS_URL = process.env.LISTWARDEN_TEST_REDIS ?? 'redis://127.0.0.1:6379';

export interface TestRedis {
  redis: Redis;
  /** Unique per call: every key and queue of the test lives under it. */
  prefix: string;
  /** Deletes every key under the prefix and closes the connection. */
  cleanup(): Promise<void>;
  /** CLIENT KILL every connection named under the prefix (listwarden's and BullMQ's), except this helper's own. */
  killClients(): Promise<number>;
}

/** `hashTag`: the prefix is a Redis Cluster hash tag, `{label-…}`, as a Cluster deployment sets it. */
export async function testRedis(label = 'lwtest', opts: { hashTag?: boolean } = {}): Promise<TestRedis> {
  const unique = `${label}-${randomBytes(5).toString('hex')}`;
  const prefix = opts.hashTag ? `{${unique}}` : unique;
  const redis = connectRedis({ url: REDIS_URL, name: `${prefix}-helper` });
  await redis.ping();
  return {
    redis,
    prefix,
    async cleanup() {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length) await redis.unlink(...keys);
      } while (cursor !== '0');
      await redis.quit();
    },
    async killClients() {
      const list = (await redis.client('LIST')) as string;
      let n = 0;
      for (const line of list.split('\n')) {
        const id = /(?:^| )id=(\d+)/.exec(line)?.[1];
        const name = /(?:^| )name=(\S*)/.exec(line)?.[1] ?? '';
        if (id && name.startsWith(`${prefix}:`)) {
          await redis.client('KILL', 'ID', id);
          n++;
        }
      }
      return n;
    },
  };
}

import { Redis } from 'ioredis';

async function withRedis<T>(url: string, work: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000, retryStrategy: () => null });
  redis.on('error', () => undefined); // connect() and the commands reject with the same error
  await redis.connect();
  try {
    return await work(redis);
  } finally {
    redis.disconnect();
  }
}

/** True when a Redis server answers PING at the URL. */
export async function redisAnswers(url: string): Promise<boolean> {
  try {
    return (await withRedis(url, (r) => r.ping())) === 'PONG';
  } catch {
    return false;
  }
}

export async function redisVersion(url: string): Promise<string> {
  const info = await withRedis(url, (r) => r.info('server'));
  return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
}

/** Deletes every key that starts with `prefix:` (the queue keys a benchmark run created); returns the count. */
export async function deleteKeysWithPrefix(url: string, prefix: string): Promise<number> {
  if (!/^[A-Za-z0-9_-]+$/.test(prefix)) throw new Error(`refusing to delete keys for prefix "${prefix}"`);
  return withRedis(url, async (r) => {
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length > 0) deleted += await r.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
    return deleted;
  });
}

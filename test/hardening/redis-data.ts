/** Seeds a real Redis with RQ 1.x and BullMQ keys as those libraries write them, for live-stage fault runs. */
import type { Redis } from 'ioredis';

const rqTime = (date: Date) => date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

/**
 * One live RQ worker on `high,default`, jobs waiting on `default` and `low` (no worker on `low`), a failed job;
 * a BullMQ queue `emails` with waiting jobs. Returns the key names it wrote.
 */
export async function seedQueues(redis: Redis, now = new Date()): Promise<string[]> {
  const worker = 'rq:worker:fault-w1';
  const stamp = rqTime(now);
  const multi = redis.multi();
  multi.sadd('rq:workers', worker);
  multi.sadd('rq:workers:high', worker);
  multi.sadd('rq:workers:default', worker);
  multi.hset(worker, {
    queues: 'high,default',
    state: 'idle',
    birth: stamp,
    last_heartbeat: stamp,
    hostname: 'fault-host',
    pid: '4242',
    successful_job_count: '3',
    failed_job_count: '1',
  });
  multi.expire(worker, 420);
  multi.sadd('rq:queues', 'rq:queue:high', 'rq:queue:default', 'rq:queue:low');
  for (const [queue, id] of [['default', 'job-a'], ['low', 'job-b'], ['low', 'job-c']] as const) {
    multi.rpush(`rq:queue:${queue}`, id);
    multi.hset(`rq:job:${id}`, { status: 'queued', origin: queue, enqueued_at: stamp, created_at: stamp });
  }
  multi.zadd('rq:failed:default', String(now.getTime() / 1000 + 3600), 'job-f');
  multi.hset('rq:job:job-f', { status: 'failed', origin: 'default', exc_info: 'Traceback…\nValueError: bad receipt' });
  multi.hset('bull:emails:meta', { opts: '{}', version: 'bullmq:5.0.0' });
  multi.rpush('bull:emails:wait', '1', '2');
  multi.hset('bull:emails:1', { name: 'send', data: '{}', timestamp: String(now.getTime()) });
  multi.hset('bull:emails:2', { name: 'send', data: '{}', timestamp: String(now.getTime()) });
  await multi.exec();
  return [worker, 'rq:workers', 'rq:queues', 'bull:emails:meta'];
}

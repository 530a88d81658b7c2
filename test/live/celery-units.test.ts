import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CELERY_KEYS, exchangeKind, KOMBU_SEP, mailboxNode, parseBinding } from '../../src/frameworks/celery/live-keys.js';
import { parseReply } from '../../src/frameworks/celery/live-inspect.js';
import { runLive } from '../../src/live/index.js';
import { liveOptions } from '../helpers/live.js';
import { startRedis } from '../helpers/redis.js';
import { Redis } from 'ioredis';

/** A reply as a worker LPUSHes it (captured from celery 5.2 with MONITOR), for `{node: [queue…]}`. */
const reply = (body: unknown) =>
  JSON.stringify({
    body: Buffer.from(JSON.stringify(body)).toString('base64'),
    'content-encoding': 'utf-8',
    'content-type': 'application/json',
    headers: { ticket: 't', clock: 3 },
    properties: { delivery_mode: 1, delivery_info: { exchange: 'reply.celery.pidbox', routing_key: 'oid' }, priority: 0, body_encoding: 'base64' },
  });

describe('kombu layout', () => {
  it('parses bindings as kombu joins them, and nothing else', () => {
    expect(parseBinding(`billing${KOMBU_SEP}${KOMBU_SEP}billing`)).toEqual({ routingKey: 'billing', pattern: '', queue: 'billing' });
    expect(parseBinding(`worker.#${KOMBU_SEP}${KOMBU_SEP}celeryev.1`)).toEqual({ routingKey: 'worker.#', pattern: '', queue: 'celeryev.1' });
    expect(parseBinding('billing::billing')).toBeUndefined();
    expect(parseBinding(`a${KOMBU_SEP}b`)).toBeUndefined();
    expect(parseBinding(`a${KOMBU_SEP}b${KOMBU_SEP}`)).toBeUndefined();
  });

  it('tells task exchanges from the mailbox, its replies and the event bus', () => {
    expect(exchangeKind('celery')).toBe('tasks');
    expect(exchangeKind('celery.pidbox')).toBe('mailbox');
    expect(exchangeKind('reply.celery.pidbox')).toBe('reply');
    expect(exchangeKind('celeryev')).toBe('events');
    expect(mailboxNode('w1@host.celery.pidbox', 'celery.pidbox')).toBe('w1@host');
    expect(mailboxNode('.celery.pidbox', 'celery.pidbox')).toBeUndefined();
    expect(CELERY_KEYS.lists('q')).toEqual(['q', ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => `q${KOMBU_SEP}${n}`)]);
  });

  it('reads the queues of a reply and ignores anything else', () => {
    expect(parseReply(reply({ 'w1@h': [{ name: 'default', exchange: { name: 'default' } }, { name: 'emails' }] }))).toEqual([['w1@h', ['default', 'emails']]]);
    expect(parseReply(reply({ 'w1@h': 'not a list' }))).toEqual([]);
    expect(parseReply(reply([1, 2]))).toEqual([]);
    expect(parseReply('{"body": 5}')).toEqual([]);
    expect(parseReply('not json')).toEqual([]);
    expect(parseReply(reply({ big: [{ name: 'x'.repeat(2 * 1024 * 1024) }] }))).toEqual([]);
    fc.assert(fc.property(fc.string(), (text) => Array.isArray(parseReply(text))));
  });
});

describe('hostile broker content', () => {
  it('escapes control characters in queue and worker names, and survives messages that are not kombu\'s', async () => {
    const redis = await startRedis();
    const admin = new Redis(redis.url);
    try {
      const queue = 'evil\u001b[31mq\nx';
      await admin.sadd(CELERY_KEYS.binding(queue), [queue, '', queue].join(KOMBU_SEP));
      await admin.lpush(queue, '{"headers": {"eta": "not a date"}}', 'garbage');
      await admin.sadd(CELERY_KEYS.binding('celery.pidbox'), ['', '', 'w\u0007@h.celery.pidbox'].join(KOMBU_SEP));
      await admin.hset(CELERY_KEYS.unacked, 'tag-1', 'not json', 'tag-2', JSON.stringify([{}, '', 'billing']));
      const { section, findings } = await runLive(liveOptions(redis.url));
      expect(section.backend).toBe('celery');
      const names = section.queues.map((entry) => entry.name);
      expect(names).toContain('evil\\x1b[31mq\\x0ax');
      expect(section.queues.find((entry) => entry.name === 'billing')).toMatchObject({ active: 1, waiting: 0 });
      expect(section.celery).toEqual({ unacked: 2, unackedUnattributed: 1, consumers: 'unknown' });
      expect(section.workers.map((worker) => worker.name)).toEqual(['w\\x07@h']);
      expect(JSON.stringify({ section, findings })).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
      expect(findings.map((entry) => entry.rule)).toEqual(['live-celery-consumers-unknown']);
    } finally {
      admin.disconnect();
      await redis.stop();
    }
  });
});

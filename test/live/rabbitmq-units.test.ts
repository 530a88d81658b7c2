import { describe, expect, it } from 'vitest';
import { parseBrokerUrl } from '../../src/live/rabbitmq/broker-url.js';
import { celeryQueueKind, mailboxNode } from '../../src/live/rabbitmq/celery-queues.js';
import { InputError } from '../../src/errors.js';

describe('parseBrokerUrl: a Celery broker URL and the management API it implies', () => {
  it('kombu vhosts: none and `//` are `/`, `%2F` is `/`, a path is the vhost', () => {
    expect(parseBrokerUrl('amqp://u:p@rabbit:5672').vhost).toBe('/');
    expect(parseBrokerUrl('amqp://u:p@rabbit:5672//').vhost).toBe('/');
    expect(parseBrokerUrl('amqp://u:p@rabbit:5672/%2F').vhost).toBe('/');
    expect(parseBrokerUrl('amqp://u:p@rabbit:5672/shop').vhost).toBe('shop');
    expect(parseBrokerUrl('pyamqp://u:p@rabbit/team%2Fa').vhost).toBe('team/a');
  });

  it('the API defaults to http://<host>:15672 with the broker user; amqps defaults to port 5671', () => {
    const target = parseBrokerUrl('amqps://worker:s%40cret@mq.internal/prod');
    expect(target).toMatchObject({ host: 'mq.internal', port: 5671, tls: true, vhost: 'prod', label: 'amqps://worker:***@mq.internal/prod' });
    expect(target.api).toEqual({ base: 'http://mq.internal:15672', label: 'http://mq.internal:15672', user: 'worker', password: 's@cret' });
    expect(target.secrets).toEqual(expect.arrayContaining(['s%40cret', 's@cret']));
  });

  it('kombu default user guest/guest when the URL names none', () => {
    expect(parseBrokerUrl('amqp://rabbit//').api).toMatchObject({ user: 'guest', password: 'guest' });
  });

  it('--rabbitmq-api: its own credentials win, the URL printed without them; otherwise the broker credentials', () => {
    const own = parseBrokerUrl('amqp://worker:wpw@rabbit//', 'https://mon:mpw@mq-admin.example:443/rabbit/?x=1');
    expect(own.api).toEqual({ base: 'https://mq-admin.example/rabbit', label: 'https://mq-admin.example/rabbit', user: 'mon', password: 'mpw' });
    expect(own.secrets).toEqual(expect.arrayContaining(['wpw', 'mpw']));
    expect(parseBrokerUrl('amqp://worker:wpw@rabbit//', 'http://127.0.0.1:8080').api).toMatchObject({ user: 'worker', password: 'wpw' });
  });

  it('input errors name the flag, never the password', () => {
    for (const [raw, api, text] of [
      ['redis://:pw-1@host:6379/0', undefined, 'a Redis broker goes to --redis'],
      ['amqp://u:pw/2@host//', undefined, 'must be percent-encoded'],
      ['amqp://u:pw-3@host//', 'ftp://host', '--rabbitmq-api ftp://host'],
      ['rabbit:5672', undefined, 'is not a valid URL'],
    ] as const) {
      let error: unknown;
      try {
        parseBrokerUrl(raw, api);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(InputError);
      expect((error as Error).message).toContain(text);
      expect((error as Error).message).not.toMatch(/pw-1|pw\/2|pw-3/);
    }
  });
});

describe("Celery's own queues on RabbitMQ", () => {
  it('mailbox, reply, event and exclusive queues are not task queues', () => {
    expect(celeryQueueKind('default')).toBe('tasks');
    expect(celeryQueueKind('emails.pidbox.archive')).toBe('tasks');
    expect(celeryQueueKind('w1@host.celery.pidbox')).toBe('mailbox');
    expect(celeryQueueKind('3f1c9a0e-5b1e-3c3f-a2a4-8d0c8b1f2d11.reply.celery.pidbox')).toBe('reply');
    expect(celeryQueueKind('celeryev.5d7f0a3c-2a3e-4f5b-9c1d-0e6f7a8b9c0d')).toBe('events');
    expect(celeryQueueKind('9b2e6d1c-7f4a-4e3b-8a5d-2c1f0e9d8b7a', true)).toBe('private');
  });

  it('the node of a mailbox: the default namespace, a dotted host, another control exchange', () => {
    expect(mailboxNode('w1@vm.celery.pidbox')).toBe('w1@vm');
    expect(mailboxNode('celery@web-1.prod.example.com.celery.pidbox')).toBe('celery@web-1.prod.example.com');
    expect(mailboxNode('w1@vm.ctl.pidbox')).toBe('w1@vm');
    expect(mailboxNode('default')).toBeUndefined();
    expect(mailboxNode('x.reply.celery.pidbox')).toBeUndefined();
  });
});

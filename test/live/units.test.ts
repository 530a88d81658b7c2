import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { errorLine, parseRqTimestamp } from '../../src/live/model.js';
import { parseRedisUrl } from '../../src/live/redis.js';
import { encodeCommands, RedisReplyError, RespParser, type RespValue } from '../../src/live/resp.js';
import { workersFromClientList } from '../../src/frameworks/bullmq/live.js';
import { parseBullWorkers } from '../../src/embedded/liveness.js';
import { InputError } from '../../src/errors.js';

type Plain = string | number | null | Plain[];

function serialize(value: Plain): string {
  if (value === null) return '$-1\r\n';
  if (typeof value === 'number') return `:${value}\r\n`;
  if (typeof value === 'string') return `$${Buffer.byteLength(value)}\r\n${value}\r\n`;
  return `*${value.length}\r\n${value.map(serialize).join('')}`;
}

const plain: fc.Arbitrary<Plain> = fc.letrec<{ value: Plain }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ unit: 'grapheme' }),
    fc.integer(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
  ),
})).value;

describe('RESP parser', () => {
  it('decodes any reply sequence whatever the chunk boundaries', () => {
    fc.assert(
      fc.property(fc.array(plain, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 6 }), (values, cuts) => {
        const bytes = Buffer.from(values.map(serialize).join(''));
        const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
        const parser = new RespParser();
        const out: RespValue[] = [];
        let last = 0;
        for (const point of [...points, bytes.length]) {
          parser.push(bytes.subarray(last, point));
          last = point;
          for (let reply = parser.next(); reply !== undefined; reply = parser.next()) out.push(reply);
        }
        expect(out).toEqual(values);
      }),
    );
  });

  it('keeps error replies per command and raw bytes when asked', () => {
    const parser = new RespParser();
    parser.push(Buffer.concat([Buffer.from('-NOPERM no\r\n$3\r\n'), Buffer.from([0x78, 0x9c, 0xff]), Buffer.from('\r\n+OK\r\n')]));
    expect(parser.next()).toBeInstanceOf(RedisReplyError);
    expect(parser.next(true)).toEqual(Buffer.from([0x78, 0x9c, 0xff]));
    expect(parser.next()).toBe('OK');
  });

  it('reads headers from bytes exactly as the line-based parser did, on malformed replies too', () => {
    // The reference: every header line found with indexOf(CRLF) and converted with Number() (the parser before
    // headers were read byte by byte). Both must give the same replies, stop at the same place, and fail alike.
    function reference(bytes: Buffer): { replies: unknown[]; failed: boolean } {
      let offset = 0;
      const line = (): string | undefined => {
        const end = bytes.indexOf('\r\n', offset);
        if (end < 0) return undefined;
        const text = bytes.toString('utf8', offset + 1, end);
        offset = end + 2;
        return text;
      };
      const read = (depth: number): unknown => {
        if (offset >= bytes.length) return undefined;
        if (depth > 32) throw new Error('deep');
        const type = bytes[offset];
        const text = line();
        if (text === undefined) return undefined;
        if (type === 0x2b) return text;
        if (type === 0x2d) return `error:${text}`;
        if (type === 0x3a) return Number(text);
        if (type === 0x24) {
          const length = Number(text);
          if (length < 0) return null;
          if (offset + length + 2 > bytes.length) return undefined;
          const value = bytes.toString('utf8', offset, offset + length);
          offset += length + 2;
          return value;
        }
        if (type === 0x2a) {
          const count = Number(text);
          if (count < 0) return null;
          const items: unknown[] = [];
          for (let index = 0; index < count; index++) {
            const item = read(depth + 1);
            if (item === undefined) return undefined;
            items.push(item);
          }
          return items;
        }
        throw new Error('type');
      };
      const replies: unknown[] = [];
      try {
        for (let reply = read(0); reply !== undefined && replies.length < 200; reply = read(0)) replies.push(reply);
      } catch {
        return { replies, failed: true };
      }
      return { replies, failed: false };
    }
    const plainValue = (value: RespValue): unknown =>
      value instanceof RedisReplyError ? `error:${value.message}` : Array.isArray(value) ? value.map(plainValue) : value;
    const token = fc.constantFrom(
      '+OK\r\n', '-ERR no\r\n', ':42\r\n', ':-7\r\n', ':-\r\n', ':x\r\n', ':+5\r\n', ': 5\r\n', ':1e3\r\n', ':12\r3\r\n',
      ':1234567890123456789\r\n', '$3\r\nabc\r\n', '$-1\r\n', '$abc\r\n', '$1.5\r\nx\r\n', '$0\r\n\r\n', '*2\r\n', '*-1\r\n',
      '*abc\r\n', '*0\r\n', '\r\n', '\r', '\n', '%1\r\n', '_\r\n', '$-0\r\n', ':007\r\n',
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 25 }), (tokens) => {
        const bytes = Buffer.from(tokens.join(''), 'latin1');
        const expected = reference(bytes);
        const parser = new RespParser();
        parser.push(bytes);
        const replies: unknown[] = [];
        let failed = false;
        try {
          for (let reply = parser.next(); reply !== undefined && replies.length < 200; reply = parser.next()) replies.push(plainValue(reply));
        } catch {
          failed = true;
        }
        expect({ replies, failed }).toEqual(expected);
      }),
      { numRuns: 3000, seed: 4242 },
    );
  });

  it('encodes ASCII and non-ASCII arguments with their byte lengths', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.oneof(fc.string({ unit: 'binary' }), fc.string(), fc.integer()), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 4 }), (commands) => {
        const expected = commands.map((args) => `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(String(arg))}\r\n${arg}\r\n`).join('')}`).join('');
        expect(encodeCommands(commands).equals(Buffer.from(expected))).toBe(true);
      }),
      { numRuns: 2000, seed: 4343 },
    );
  });

  it('encodes commands as RESP arrays with byte lengths', () => {
    expect(encodeCommands([['hget', 'rq:job:é', 1]]).toString()).toBe('*3\r\n$4\r\nhget\r\n$9\r\nrq:job:é\r\n$1\r\n1\r\n');
  });
});

describe('Redis URLs', () => {
  it('reads user, password, db and TLS, and redacts the password', () => {
    expect(parseRedisUrl('rediss://doctor:p%40ss@cache.example:6380/3')).toEqual({
      host: 'cache.example',
      port: 6380,
      tls: true,
      username: 'doctor',
      password: 'p@ss',
      db: 3,
      redacted: 'rediss://doctor:***@cache.example:6380/3',
    });
    expect(parseRedisUrl('redis://secret@127.0.0.1')).toMatchObject({ password: 'secret', db: 0, port: 6379 });
    expect(parseRedisUrl('redis://127.0.0.1:6379?db=2').db).toBe(2);
  });

  it('rejects what is not a Redis URL, without echoing the password', () => {
    for (const url of ['http://u:pw-xyz@h', 'redis://u:pw-xyz@h/abc', 'not a url']) {
      expect(() => parseRedisUrl(url)).toThrow(InputError);
      try {
        parseRedisUrl(url);
      } catch (error) {
        expect((error as Error).message).not.toContain('pw-xyz');
      }
    }
  });
});

describe('RQ and BullMQ formats', () => {
  it("parses RQ's %Y-%m-%dT%H:%M:%S.%fZ and the older second form as UTC", () => {
    expect(parseRqTimestamp('2024-03-01T12:34:56.789123Z')).toBe(Date.UTC(2024, 2, 1, 12, 34, 56, 789));
    expect(parseRqTimestamp('2024-03-01T12:34:56Z')).toBe(Date.UTC(2024, 2, 1, 12, 34, 56));
    expect(parseRqTimestamp('2024-03-01T12:34:56.5')).toBe(Date.UTC(2024, 2, 1, 12, 34, 56, 500));
    expect(parseRqTimestamp('garbage')).toBeUndefined();
  });

  it('takes the exception line of a Python traceback', () => {
    expect(errorLine('Traceback (most recent call last):\n  File "x", line 1\nValueError: boom\n')).toBe('ValueError: boom');
    expect(errorLine('SMTP refused')).toBe('SMTP refused');
  });

  it('recognises BullMQ worker connections by name, not QueueEvents or other clients', () => {
    const b64 = Buffer.from('mail').toString('base64');
    const list = [
      `id=7 addr=10.0.0.5:5123 name=bull:${b64}:w:mailer age=30 idle=2 flags=b cmd=bzpopmin`,
      `id=8 addr=10.0.0.6:5124 name=bull:${b64} age=10 idle=0 flags=N cmd=evalsha`,
      `id=9 addr=10.0.0.7:5125 name=bull:${b64}:qe age=10 idle=0 flags=b cmd=xread`,
      `id=10 addr=10.0.0.8:5126 name=receipts-doctor:live age=0 idle=0 flags=N cmd=client|list`,
      `id=11 addr=10.0.0.9:5127 name=acme:${b64}:w:other age=0 idle=0 flags=b cmd=bzpopmin`,
    ].join('\n');
    const workers = workersFromClientList(list, 'bull', Date.UTC(2024, 0, 1));
    expect(workers.map((read) => [read.worker.name, read.worker.queues, read.worker.hostname, read.worker.state])).toEqual([
      ['mail#8', ['mail'], '10.0.0.6', 'busy'],
      ['mailer', ['mail'], '10.0.0.5', 'idle'],
    ]);
  });

  it('the live stage and the embedded API read CLIENT LIST by the same rules: blocked is idle, base64 must be BullMQ\'s', () => {
    const b64 = (name: string) => Buffer.from(name).toString('base64');
    const list = [
      // Processing a job: not blocked, although the last command on the connection was the blocking one.
      `id=1 addr=10.0.0.1:1 name=bull:${b64('mail')}:w:busy age=5 idle=0 flags=N cmd=bzpopmin`,
      `id=2 addr=10.0.0.2:2 name=bull:${b64('mail')}:w:waiting age=5 idle=0 flags=b cmd=bzpopmin`,
      // `mai` is valid base64 for other bytes but not what BullMQ writes for any queue name (no padding).
      `id=3 addr=10.0.0.3:3 name=bull:mai:w:impostor age=5 idle=0 flags=b cmd=bzpopmin`,
    ].join('\r\n');
    const live = workersFromClientList(list, 'bull', Date.UTC(2024, 0, 1)).map((read) => [read.worker.name, read.worker.state]);
    const embedded = parseBullWorkers(list).map((worker) => [worker.name, worker.state]);
    expect(live).toEqual([
      ['busy', 'busy'],
      ['waiting', 'idle'],
    ]);
    expect(embedded).toEqual(live);
  });
});

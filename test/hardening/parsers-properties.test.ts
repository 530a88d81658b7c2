/**
 * In-process fuzzing of the remaining input parsers: the project config file (JSON and YAML), baseline files,
 * and the live stage's RESP reply parser (what a hostile or broken "Redis" sends). Each may reject its input only
 * with its own error (InputError for files; an Error for RESP, which the connection turns into exit 2) — never a
 * TypeError, a stack overflow or a hang. Seeds are fixed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseBaseline } from '../../src/baseline.js';
import { parseProjectConfig } from '../../src/config/index.js';
import { InputError } from '../../src/errors.js';
import { RespParser } from '../../src/live/resp.js';
import { aliasBomb } from './corpus.js';

const settings = (seed: number, numRuns = 300): fc.Parameters<unknown> => ({ seed, numRuns, verbose: 1 });

/** Runs `fn`; an error must be an InputError (the CLI prints it as one line and exits 2). */
function onlyInputErrors(fn: () => unknown, label: string): void {
  try {
    fn();
  } catch (error) {
    expect(error instanceof InputError, `${label}: ${(error as Error)?.stack ?? String(error)}`).toBe(true);
  }
}

const VALID_CONFIG = {
  environments: { prod: ['docker-compose.yml', 'docker-compose.prod.yml'] },
  profiles: ['workers'],
  queueVariables: ['QUEUES'],
  ignore: ['legacy/**'],
  queues: ['default'],
  includeTests: false,
  vars: { A: 'b' },
  live: { redis: 'redis://127.0.0.1:6379', prefix: 'bull', stuckAfter: 60 },
  smoke: { url: 'http://127.0.0.1:8080', timeout: 30 },
};

/** Any JSON value, biased towards the config's own keys so validation code runs deep. */
const jsonValue = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ maxLength: 8 }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(fc.constantFrom(...Object.keys(VALID_CONFIG), 'redis', 'url', 'timeout', 'prefix', '__proto__', 'constructor'), fc.string({ maxLength: 6 })),
      tie('value'),
      { maxKeys: 5 },
    ),
  ),
})).value;

describe('project config file (parseProjectConfig)', () => {
  it('random JSON documents with the config\'s keys → a config or an InputError', () => {
    fc.assert(
      fc.property(jsonValue, (value) => onlyInputErrors(() => parseProjectConfig(JSON.stringify(value), 'receipts-doctor.config.json'), JSON.stringify(value))),
      settings(301, 600),
    );
  });

  it('the valid config with one value replaced by anything → a config or an InputError', () => {
    const paths = [['environments'], ['environments', 'prod'], ['live'], ['live', 'stuckAfter'], ['smoke', 'timeout'], ['vars'], ['vars', 'A'], ['ignore'], ['profiles']];
    fc.assert(
      fc.property(fc.constantFrom(...paths), jsonValue, fc.constantFrom('json', 'yaml'), (where, value, syntax) => {
        const config = structuredClone(VALID_CONFIG) as Record<string, unknown>;
        let node = config;
        for (const key of where.slice(0, -1)) node = node[key] as Record<string, unknown>;
        node[where.at(-1)!] = value;
        // JSON is valid YAML: the YAML file name routes it through the YAML parser.
        const name = syntax === 'json' ? 'receipts-doctor.config.json' : 'receipts-doctor.config.yaml';
        onlyInputErrors(() => parseProjectConfig(JSON.stringify(config), name), `${name} ${JSON.stringify(config)}`);
      }),
      settings(302, 400),
    );
  });

  it('arbitrary text, YAML syntax soup, an alias bomb and deep nesting → an InputError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200, unit: fc.constantFrom('{', '}', '[', ']', ':', ',', '"', "'", '&a ', '*a', '<<: ', '!!', '\n', '  ', '- ', 'live', 'redis', '#', '\\', 'x') }), (text) => {
        onlyInputErrors(() => parseProjectConfig(text, 'receipts-doctor.config.yaml'), text);
        onlyInputErrors(() => parseProjectConfig(text, 'receipts-doctor.config.json'), text);
      }),
      settings(303, 600),
    );
    for (const text of [
      aliasBomb(9, 9, 'extension').replace(/^services:[\s\S]*$/m, ''),
      `${'['.repeat(50_000)}${']'.repeat(50_000)}`,
      `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`,
      `live:\n${Array.from({ length: 2000 }, (_, i) => `${' '.repeat(2 + i)}k${i}:`).join('\n')}\n`,
    ]) {
      for (const name of ['receipts-doctor.config.yaml', 'receipts-doctor.config.json']) onlyInputErrors(() => parseProjectConfig(text, name), `${name}: ${text.slice(0, 40)}…`);
    }
  });
});

describe('baseline files (parseBaseline)', () => {
  const finding = fc.record(
    { rule: fc.constantFrom('queue-without-worker', 'stale-worker', 42, null), queue: fc.oneof(fc.string({ maxLength: 5 }), fc.integer()), fingerprint: fc.string({ maxLength: 8 }) },
    { requiredKeys: [] },
  );

  it('random JSON, and baselines with odd findings → a baseline or an InputError', () => {
    fc.assert(
      fc.property(
        fc.oneof(jsonValue, fc.record({ tool: fc.constantFrom('receipts-doctor', 'x'), baselineVersion: fc.constantFrom(1, 2, '1', null), findings: fc.oneof(fc.array(finding, { maxLength: 4 }), jsonValue) }, { requiredKeys: [] })),
        (value) => onlyInputErrors(() => parseBaseline(JSON.stringify(value), 'baseline.json'), JSON.stringify(value)),
      ),
      settings(311, 600),
    );
  });

  it('text that is not JSON, and very deep JSON → an InputError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), (text) => onlyInputErrors(() => parseBaseline(text, 'baseline.json'), text)),
      settings(312, 300),
    );
    onlyInputErrors(() => parseBaseline(`${'['.repeat(200_000)}${']'.repeat(200_000)}`, 'baseline.json'), 'deep arrays');
  });
});

describe('RESP replies (RespParser)', () => {
  /** Feeds `chunks` and drains replies; returns the replies, or the Error the parser threw. */
  function drain(chunks: Buffer[]): { replies: unknown[]; error?: unknown } {
    const parser = new RespParser();
    const replies: unknown[] = [];
    try {
      for (const chunk of chunks) {
        parser.push(chunk);
        // Each next() either consumes a reply or returns undefined: the loop is bounded by the bytes.
        for (let guard = 0; guard <= chunk.length + 1; guard++) {
          const reply = parser.next(guard % 2 === 0);
          if (reply === undefined) break;
          replies.push(reply);
        }
      }
    } catch (error) {
      return { replies, error };
    }
    return { replies };
  }

  const respToken = fc.constantFrom(
    '+OK\r\n', '-ERR no\r\n', ':42\r\n', ':x\r\n', '$3\r\nabc\r\n', '$-1\r\n', '$abc\r\n', '$99999999999\r\n', '*2\r\n', '*-1\r\n', '*abc\r\n',
    '*99999999\r\n', '\r\n', '\r', '\n', '%1\r\n', '_\r\n', '#t\r\n', '$0\r\n\r\n', ':1e999\r\n', '$-5\r\n', '$1.5\r\nx\r\n',
  );

  it('split anywhere into chunks, any sequence of (malformed) replies → replies or an Error, never a hang', () => {
    fc.assert(
      fc.property(fc.array(respToken, { maxLength: 30 }), fc.array(fc.nat(400), { maxLength: 6 }), (tokens, cuts) => {
        const bytes = Buffer.from(tokens.join(''), 'latin1');
        const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
        const chunks: Buffer[] = [];
        let last = 0;
        for (const point of [...points, bytes.length]) {
          chunks.push(bytes.subarray(last, point));
          last = point;
        }
        const { error } = drain(chunks);
        if (error !== undefined) expect(error).toBeInstanceOf(Error);
      }),
      settings(321, 1000),
    );
  });

  it('random bytes → replies or an Error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const { error } = drain([Buffer.from(bytes)]);
        if (error !== undefined) expect(error).toBeInstanceOf(Error);
      }),
      settings(322, 1000),
    );
  });

  it('arrays nested 100k deep → an Error (the connection then ends in exit 2), not a crash', () => {
    const { error } = drain([Buffer.from(`${'*1\r\n'.repeat(100_000)}:1\r\n`)]);
    if (error !== undefined) expect(error).toBeInstanceOf(Error);
  });
});

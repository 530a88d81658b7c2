import { describe, expect, it } from 'vitest';
import { escapeControlCharsDeep } from '../../src/redact.js';

// The live section carries text from Redis (worker names, hostnames, errors); every string is escaped before any
// formatter sees it, and a section with nothing to escape is passed on as it is (1,000 workers are not copied).
describe('escapeControlCharsDeep', () => {
  it('escapes control characters at any depth, without touching the input', () => {
    const input = { workers: [{ name: 'w1', hostname: 'evil\u001b[2Jhost', queues: ['ok', 'bad\nqueue'] }], count: 1, alive: true, none: null };
    const output = escapeControlCharsDeep(input);
    expect(output).toEqual({ workers: [{ name: 'w1', hostname: 'evil\\x1b[2Jhost', queues: ['ok', 'bad\\x0aqueue'] }], count: 1, alive: true, none: null });
    expect(input.workers[0]!.hostname).toBe('evil\u001b[2Jhost');
    expect(input.workers[0]!.queues[1]).toBe('bad\nqueue');
    expect(output.workers[0]).not.toBe(input.workers[0]);
  });

  it('returns what has nothing to escape as it is, and shares the untouched parts of what has', () => {
    const clean = { workers: [{ name: 'w1', queues: ['a', 'b'] }], queues: [{ name: 'a', waiting: 3 }] };
    expect(escapeControlCharsDeep(clean)).toBe(clean);
    const mixed = { clean: clean.queues, dirty: ['x\u0007'] };
    const output = escapeControlCharsDeep(mixed);
    expect(output.dirty).toEqual(['x\\x07']);
    expect(output.clean).toBe(clean.queues);
  });
});

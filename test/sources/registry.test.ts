import { describe, expect, it } from 'vitest';
import { SOURCE_IDS } from '../../src/sources/ids.js';
import { SOURCES } from '../../src/sources/index.js';

describe('the deployment source registry', () => {
  it('SOURCE_IDS (what the `live` bundle names in its help) lists the sources of SOURCES, in its order', () => {
    expect([...SOURCE_IDS]).toEqual(SOURCES.map((source) => source.id));
  });
});

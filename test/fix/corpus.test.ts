import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { composeSeeds, mutants } from '../hardening/corpus.js';
import { expectOnlyEditedSpan, planIn, producer } from './helpers.js';

/**
 * The compose fuzz corpus (the repository's compose files and their mutants): whatever fix plans, the edited files
 * differ from the originals only inside the edits, and every planned edit passed the in-memory re-check.
 */
describe('fix on the compose fuzz corpus', () => {
  const seeds = composeSeeds();
  const inputs = [
    ...seeds.map((seed) => ({ label: seed.name, text: seed.bytes.toString('utf8') })),
    ...mutants(seeds, 240, 16).map((mutant) => ({ label: mutant.label, text: mutant.bytes.toString('utf8') })),
  ];

  it('edits only the spans it plans, on every input the loader accepts', async () => {
    let accepted = 0;
    let edited = 0;
    for (const input of inputs) {
      let result;
      try {
        // A queue nobody consumes: every worker of every environment is a candidate for an edit.
        result = await planIn({ 'docker-compose.yml': input.text, 'app.py': producer('zz_fix') });
      } catch (error) {
        if (error instanceof InputError) continue;
        throw new Error(`${input.label}: ${(error as Error).message}`);
      }
      accepted++;
      for (const change of result.changes) {
        edited++;
        const edits = result.fixes.flatMap((fix) => fix.edits).filter((edit) => edit.file === change.file);
        expectOnlyEditedSpan(change.original, change.updated, edits);
      }
      for (const fix of result.fixes) expect(result.remaining, input.label).not.toContain(fix.findings[0]);
    }
    // The corpus must exercise the fixer, not only the loader's refusals.
    expect(accepted).toBeGreaterThan(50);
    expect(edited).toBeGreaterThan(20);
  });
});

import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import formatsModule from 'ajv-formats';

/** ajv-formats is CommonJS: under NodeNext its default import is `module.exports`, whose `default` is the plugin. */
const addFormats = formatsModule.default;

/**
 * A validator for the official OASIS SARIF 2.1.0 schema (errata01, shipped in test/fixtures). The schema is
 * draft-04, which ajv 8 does not run; its only draft-04-isms are the `$schema` and `id` keywords, so it is
 * compiled as draft-07 with `$id`.
 */
export function sarifValidator(): ValidateFunction {
  const schema = JSON.parse(readFileSync(new URL('../fixtures/sarif-schema-2.1.0.json', import.meta.url), 'utf8'));
  if (!/docs\.oasis-open\.org\/sarif\/sarif\/v2\.1\.0\/.*sarif-schema-2\.1\.0\.json$/.test(schema.id)) {
    throw new Error('test/fixtures/sarif-schema-2.1.0.json is not the OASIS SARIF 2.1.0 schema');
  }
  const { $schema: _draft04, id, ...rest } = schema;
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile({ ...rest, $id: id });
}

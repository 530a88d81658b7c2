import { ruleMeta, type RuleId } from './rules.js';
import type { Finding } from './types.js';

/** The fields a stage fills in; rule, severity and stage come from the registry. */
export type FindingFields = Omit<Finding, 'rule' | 'severity' | 'stage'>;

/** A finding of `rule` with the registry's default severity and stage (overrides apply later, in `check`). */
export function finding(rule: RuleId, fields: FindingFields): Finding {
  const meta = ruleMeta(rule);
  return { rule, severity: meta.severity, stage: meta.stage, ...fields };
}
